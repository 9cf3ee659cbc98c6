-- What the partner invoiced per account, product and month, converted to USD, for [%(start)s, %(end)s).
-- Requires _usd_rates (usd_rates.sql) in the same transaction.
delete from core.customer_invoices_monthly where month >= %(start)s and month < %(end)s;
insert into core.customer_invoices_monthly
select date_trunc('month', coalesce(l.period, b.period))::date as month,
       l.account_id                                as odoo_account_id,
       case when regexp_replace(a.name, '[\s-]', '', 'g') ~ '^\d{12}$'
            then regexp_replace(a.name, '[\s-]', '', 'g') end as aws_account_id,
       coalesce(nullif(l.product_code, ''), 'UNKNOWN') as product_code,
       max(b.partner_id)                           as customer_partner_id,
       max(p.name)                                 as customer_name,
       round(sum(l.amount * r.usd_per_unit), 2)    as invoiced_usd,
       round(sum(l.amount), 2)                     as invoiced_amount,
       array_agg(distinct coalesce(r.currency_code, '?')) as currency_codes,
       count(*)                                    as line_count,
       count(*) filter (where r.usd_per_unit is null) as unconverted_lines
from raw.odoo_c_billing_bill_line l
join raw.odoo_c_billing_bill b on b.id = l.bill_id and b._sync_deleted_at is null
left join raw.odoo_c_aws_accounts a on a.id = l.account_id and a._sync_deleted_at is null
left join raw.odoo_res_partner p on p.id = b.partner_id and p._sync_deleted_at is null
left join _usd_rates r on r.currency_id = coalesce(l.currency_id, b.currency_id)
where l._sync_deleted_at is null and l.account_id is not null
  and coalesce(l.period, b.period) >= %(start)s and coalesce(l.period, b.period) < %(end)s
group by 1, 2, 3, 4;
