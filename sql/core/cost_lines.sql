-- Cost lines of the window [%(start)s, %(end)s) with their account record resolved (temp table _cost_lines): by
-- the many2one when the module has one, else by the 12-digit account number. Lines whose account cannot be found
-- carry a NULL odoo_account_id and are counted, never silently summed into another account. Requires _account_ids
-- and _account_by_number (aws_account_ids.sql).
create temp table _cost_lines on commit drop as
select c.period, c.amount, c.product_code, c.product_name, c.usage_quantity,
       coalesce(c.account, n.id)                          as odoo_account_id,
       coalesce(a.aws_account_id, n.aws_account_id)       as aws_account_id
from src_billing_cost c
left join _account_ids a on a.id = c.account
left join _account_by_number n
       on c.account is null and n.aws_account_id = core.aws_account_id(c.account_number)
where c.period >= %(start)s and c.period < %(end)s;
