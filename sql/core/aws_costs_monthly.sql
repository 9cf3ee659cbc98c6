-- Actual AWS cost per account, product and month for the partition window [%(start)s, %(end)s).
delete from core.aws_costs_monthly where month >= %(start)s and month < %(end)s;
insert into core.aws_costs_monthly
select date_trunc('month', c.period)::date        as month,
       c.account_id                                as odoo_account_id,
       case when regexp_replace(a.name, '[\s-]', '', 'g') ~ '^\d{12}$'
            then regexp_replace(a.name, '[\s-]', '', 'g') end as aws_account_id,
       coalesce(nullif(c.product_code, ''), 'UNKNOWN') as product_code,
       max(c.product_name)                         as product_name,
       round(sum(coalesce(c.unblended_cost, 0)), 2) as cost_usd,
       sum(c.usage_quantity)                       as usage_quantity,
       count(*)                                    as line_count
from raw.odoo_c_billing_internal_cur c
left join raw.odoo_c_aws_accounts a on a.id = c.account_id and a._sync_deleted_at is null
where c._sync_deleted_at is null and c.period >= %(start)s and c.period < %(end)s
group by 1, 2, 3, 4;
