-- Customer companies in Odoo (temp table _base): company partners and the commercial partners of opportunities.
create temp table _base on commit drop as
select p.id as partner_id, p.name, p.website, p.email, ctry.code as country_code,
       core.translated(ind.name) as industry, p.vat, p.c_duns as duns
from raw.odoo_res_partner p
left join raw.odoo_res_country ctry on ctry.id = p.country_id and ctry._sync_deleted_at is null
left join raw.odoo_res_partner_industry ind on ind.id = p.industry_id and ind._sync_deleted_at is null
where p._sync_deleted_at is null
  and (coalesce(p.is_company, false)
       or p.id in (select l.partner_id from raw.odoo_crm_lead l where l._sync_deleted_at is null and p.parent_id is null));
