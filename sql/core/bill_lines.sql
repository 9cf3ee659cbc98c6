-- Bill lines of the window [%(start)s, %(end)s) with bill, account record, customer and USD rate resolved (temp
-- table _bill_lines), read from the canonical views src_billing_bill / src_billing_bill_line. Requires _usd_rates,
-- _account_ids and _account_by_number.
create temp table _bill_lines on commit drop as
select coalesce(l.period, b.period)                       as period,
       coalesce(l.account, n.id)                          as odoo_account_id,
       coalesce(a.aws_account_id, n.aws_account_id)       as aws_account_id,
       l.product_code, l.amount, b.partner_id, p.name as customer_name,
       r.currency_code, r.usd_per_unit
from src_billing_bill_line l
join src_billing_bill b on b.id = l.bill_id
left join _account_ids a on a.id = l.account
left join _account_by_number n
       on l.account is null and n.aws_account_id = core.aws_account_id(l.account_number)
left join src_odoo_partner p on p.id = b.partner_id
left join _usd_rates r on r.currency_id = coalesce(l.currency_id, b.currency_id)
where coalesce(l.period, b.period) >= %(start)s and coalesce(l.period, b.period) < %(end)s;
