-- The AWS account model's ids with their account numbers as 12 digits (temp table _account_ids), so facts that
-- carry only an account number (custom billing modules without a many2one) find their account record.
create temp table _account_ids on commit drop as
select a.id, case when d.digits ~ '^\d{12}$' then d.digits end as aws_account_id
from src_odoo_aws_account a
cross join lateral (select regexp_replace(coalesce(a.account_number, ''), '[\s-]', '', 'g') as digits) d;
-- one account record per account number (the lowest id where people created the same account twice)
create temp table _account_by_number on commit drop as
select distinct on (aws_account_id) aws_account_id, id
from _account_ids where aws_account_id is not null
order by aws_account_id, id;
