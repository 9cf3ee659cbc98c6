-- Matched pairs (as matching holds them now) without a verdict in {table}, per month of [%(start)s, %(end)s): a pair
-- is due a verdict in every month that ends after both of its deals were created.
select to_char(mo.month, 'YYYY-MM') as month, count(*) as missing, min(m.ace_opportunity_id) as example
from generate_series(%(start)s::date, %(end)s::date - interval '1 month', interval '1 month') as mo(month)
join matching.opportunity_matches m on m.status in ('confirmed', 'auto_matched', 'needs_review')
join core.ace_opportunities a on a.ace_opportunity_id = m.ace_opportunity_id
join core.odoo_opportunities o on o.odoo_opportunity_id = m.odoo_opportunity_id
where coalesce(a.aws_create_date, '-infinity') < mo.month + interval '1 month'
  and coalesce(o.create_date, '-infinity') < mo.month + interval '1 month'
  and not exists (select 1 from {table} t where t.month = mo.month and t.ace_opportunity_id = m.ace_opportunity_id)
group by mo.month
order by mo.month
