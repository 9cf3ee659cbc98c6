-- Left side of the ACE -> Odoo linkage: core ACE opportunities with their embeddings (when search has run).
-- The CRM id is the value as typed (partner_crm_id_raw): the matching spec decides what parses as an Odoo id, so a
-- Salesforce or HubSpot id is not read as its trailing digits. A rejected registration plays the stage "Rejected".
select o.ace_opportunity_id, o.company_name_norm, o.company_key, o.title, o.domain, o.aws_account_id,
       coalesce(o.partner_crm_id_raw, o.partner_crm_id) as partner_crm_id, o.expected_monthly_spend_usd,
       o.target_close_date,
       case when o.status = 'Rejected' then 'Rejected' else o.stage end as stage, o.origin, o.context_text,
       e.identity_vec, e.context_vec, e.context_sparse as sparse_context
from core.ace_opportunities o
left join search.ace_opportunity_embeddings e on e.opportunity_id = o.ace_opportunity_id
order by o.ace_opportunity_id
