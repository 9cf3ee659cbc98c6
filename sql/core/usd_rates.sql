-- USD per unit of each Odoo currency (temp table _usd_rates), from the latest rate per currency (src_* views of
-- the source mapping). Odoo stores "units of currency per 1 unit of the company currency"; the company currency
-- itself has rate 1. USD is worth 1 USD even where Odoo's currency tables are absent or do not list it.
create temp table _usd_rates on commit drop as
with latest as (
    select distinct on (r.currency_id) r.currency_id, r.rate
    from src_odoo_currency_rate r
    where r.rate > 0
    order by r.currency_id, r.name desc nulls last, r.id desc
), company_currency as (
    select co.currency_id from src_odoo_company co order by co.id limit 1
), per_unit as (
    select c.id as currency_id, upper(btrim(c.name)) as currency_code,
           coalesce(l.rate, case when c.id = (select currency_id from company_currency) then 1.0 end) as rate
    from src_odoo_currency c
    left join latest l on l.currency_id = c.id
)
select p.currency_id, p.currency_code,
       case when p.currency_code = 'USD' then 1.0
            else (select u.rate from per_unit u where u.currency_code = 'USD' limit 1) / nullif(p.rate, 0)
       end as usd_per_unit
from per_unit p
union all
select null, 'USD', 1.0 where not exists (select 1 from per_unit where currency_code = 'USD');
