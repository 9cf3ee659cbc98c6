-- The AWS account model's ids with their account numbers as 12 digits (temp table _account_ids), so facts that
-- carry only an account number (custom billing modules without a many2one) find their account record.
create temp table _account_ids on commit drop as
select a.id, case when d.digits ~ '^\d{12}$' then d.digits end as aws_account_id
from src_odoo_aws_account a
cross join lateral (select regexp_replace(coalesce(a.account_number, ''), '[\s-]', '', 'g') as digits) d;
