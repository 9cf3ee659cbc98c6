-- USD per unit of each Odoo currency (temp table _usd_rates), from the latest res_currency_rate per currency.
-- Odoo stores "units of currency per 1 unit of the company currency"; the company currency itself has rate 1.
create temp table _usd_rates on commit drop as
with latest as (
    select distinct on (r.currency_id) r.currency_id, r.rate
    from raw.odoo_res_currency_rate r
    where r._sync_deleted_at is null and r.rate > 0
    order by r.currency_id, r.name desc, r.id desc
), company_currency as (
    select co.currency_id from raw.odoo_res_company co where co._sync_deleted_at is null order by co.id limit 1
), per_unit as (
    select c.id as currency_id, c.name as currency_code,
           coalesce(l.rate, case when c.id = (select currency_id from company_currency) then 1.0 end) as rate
    from raw.odoo_res_currency c
    left join latest l on l.currency_id = c.id
    where c._sync_deleted_at is null
)
select p.currency_id, p.currency_code,
       (select u.rate from per_unit u where u.currency_code = 'USD') / nullif(p.rate, 0) as usd_per_unit
from per_unit p;
