-- What the partner invoiced per account, product and month, converted to USD, for [%(start)s, %(end)s).
-- Requires _bill_lines (bill_lines.sql) in the same transaction.
delete from core.customer_invoices_monthly where month >= %(start)s and month < %(end)s;
insert into core.customer_invoices_monthly (month, odoo_account_id, aws_account_id, product_code, customer_partner_id,
                                            customer_name, invoiced_usd, invoiced_amount, currency_codes, line_count,
                                            unconverted_lines)
select date_trunc('month', l.period)::date         as month,
       l.odoo_account_id,
       max(l.aws_account_id)                       as aws_account_id,
       coalesce(nullif(l.product_code, ''), 'UNKNOWN') as product_code,
       max(l.partner_id)                           as customer_partner_id,
       max(l.customer_name)                        as customer_name,
       round(sum(l.amount * l.usd_per_unit), 2)    as invoiced_usd,
       round(sum(l.amount), 2)                     as invoiced_amount,
       array_agg(distinct coalesce(l.currency_code, '?')) as currency_codes,
       count(*)                                    as line_count,
       count(*) filter (where l.usd_per_unit is null) as unconverted_lines
from _bill_lines l
where l.odoo_account_id is not null and l.period >= %(start)s and l.period < %(end)s
group by 1, 2, 4;
