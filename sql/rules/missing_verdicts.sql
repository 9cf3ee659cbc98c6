-- Matched pairs without a verdict in {table}, per month of [%(start)s, %(end)s): a pair is due a verdict in every
-- month that ends after both of its deals were created (pairs_due.sql).
select to_char(mo.month, 'YYYY-MM') as month, count(*) as missing, min(m.ace_opportunity_id) as example
from generate_series(%(start)s::date, %(end)s::date - interval '1 month', interval '1 month') as mo(month)
cross join lateral ({pairs_due}) m
where not exists (select 1 from {table} t where t.month = mo.month and t.ace_opportunity_id = m.ace_opportunity_id)
group by mo.month
order by mo.month
