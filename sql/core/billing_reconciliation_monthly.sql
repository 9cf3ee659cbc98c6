-- Cost versus invoice per account, product and month for [%(start)s, %(end)s), with what needs attention.
delete from core.billing_reconciliation_monthly where month >= %(start)s and month < %(end)s;
insert into core.billing_reconciliation_monthly
select coalesce(c.month, i.month), coalesce(c.odoo_account_id, i.odoo_account_id),
       coalesce(c.aws_account_id, i.aws_account_id), coalesce(c.product_code, i.product_code),
       i.customer_name, c.cost_usd, i.invoiced_usd,
       i.invoiced_usd - c.cost_usd                                   as margin_usd,
       round((i.invoiced_usd - c.cost_usd) / nullif(i.invoiced_usd, 0), 4) as margin_pct,
       case when c.month is null then 'invoiced without cost'
            when i.month is null then case when c.cost_usd = 0 then 'ok' else 'cost not invoiced' end
            when i.invoiced_usd is null then 'invoice currency without rate'
            when i.invoiced_usd < c.cost_usd then 'negative margin'
            else 'ok' end                                            as status
from (select * from core.aws_costs_monthly where month >= %(start)s and month < %(end)s) c
full outer join (select * from core.customer_invoices_monthly where month >= %(start)s and month < %(end)s) i
  on i.month = c.month and i.odoo_account_id = c.odoo_account_id and i.product_code = c.product_code;
