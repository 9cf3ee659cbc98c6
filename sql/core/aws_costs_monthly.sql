-- Actual AWS cost per account, product and month for the partition window [%(start)s, %(end)s), from the
-- canonical view src_billing_cost (billing.cost in data/mappings/odoo.yaml). A cost line names its account by the
-- many2one or, in modules without one, by the account number (found through _account_ids, aws_account_ids.sql).
delete from core.aws_costs_monthly where month >= %(start)s and month < %(end)s;
insert into core.aws_costs_monthly (month, odoo_account_id, aws_account_id, product_code, product_name, cost_usd,
                                    usage_quantity, line_count)
select date_trunc('month', c.period)::date        as month,
       c.odoo_account_id,
       max(c.aws_account_id)                       as aws_account_id,
       coalesce(nullif(c.product_code, ''), 'UNKNOWN') as product_code,
       max(c.product_name)                         as product_name,
       round(sum(coalesce(c.amount, 0)), 2)        as cost_usd,
       sum(c.usage_quantity)                       as usage_quantity,
       count(*)                                    as line_count
from _cost_lines c
where c.odoo_account_id is not null and c.period >= %(start)s and c.period < %(end)s
group by 1, 2, 4;
