-- The AWS account model's ids with their account numbers as 12 digits (temp table _account_ids), so facts that
-- carry only an account number (custom billing modules without a many2one) find their account record.
create temp table _account_ids on commit drop as
select a.id, core.aws_account_id(a.account_number) as aws_account_id
from src_odoo_aws_account a;
-- one account record per account number (the lowest id where people created the same account twice)
create temp table _account_by_number on commit drop as
select distinct on (aws_account_id) aws_account_id, id
from _account_ids where aws_account_id is not null
order by aws_account_id, id;
