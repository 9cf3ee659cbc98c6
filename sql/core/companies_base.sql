-- Customer companies in Odoo (temp table _base): company partners and the commercial partners of opportunities,
-- with their verticals when the installation has the custom vertical model (else NULL, flagged by the build).
create temp table _base on commit drop as
select p.id as partner_id, p.name, p.website, p.email, ctry.code as country_code,
       ind.name as industry, p.vat, p.duns, v.names as verticals
from src_odoo_partner p
left join src_odoo_country ctry on ctry.id = p.country_id
left join src_odoo_industry ind on ind.id = p.industry_id
left join lateral (
    select array_agg(distinct vt.name order by vt.name) as names
    from src_odoo_vertical_rel vr join src_odoo_vertical vt on vt.id = vr.vertical_id
    where vr.partner_id = p.id
) v on true
where coalesce(p.is_company, false)
   or (p.parent_id is null and p.id in (select l.partner_id from src_odoo_lead l));
