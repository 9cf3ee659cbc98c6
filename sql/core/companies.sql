-- core.companies: Odoo customer companies (normalized in _norm) plus ACE customers grouped by normalized name
-- and domain (already normalized in core.ace_opportunities).
create table core._next_companies as
select 'odoo'::text as source, b.partner_id::text as source_ref, b.name, n.company_name_norm, n.company_key,
       n.domain, b.country_code, b.industry, b.duns, b.verticals, '{}'::text[] as ace_opportunity_ids, n.quality_flags
from _base b join _norm n on n.partner_id = b.partner_id
union all
select 'ace', o.company_key || '|' || coalesce(o.domain, ''),
       mode() within group (order by o.customer_name), mode() within group (order by o.company_name_norm),
       o.company_key, o.domain, mode() within group (order by o.country_code),
       mode() within group (order by o.industry), null, null,
       array_agg(o.ace_opportunity_id order by o.ace_opportunity_id), '{}'::text[]
from core.ace_opportunities o
where o.company_key <> ''
group by o.company_key, o.domain;
