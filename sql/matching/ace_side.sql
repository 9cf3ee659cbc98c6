-- Left side of the ACE -> Odoo linkage: core ACE opportunities with their embeddings (when search has run).
-- The CRM id is core's partner_crm_id: set only when the value typed parses as an Odoo id as a whole (a Salesforce or
-- HubSpot id is NULL there, not its trailing digits); the engine also checks that the id exists in Odoo.
-- A rejected registration plays the stage "Rejected". A vector embedded from an empty text (a deal without a customer)
-- describes nothing: it is left out ("cannot compare"), not scored as a different company.
select o.ace_opportunity_id, o.company_name_norm, o.company_key, o.title, o.domain, o.aws_account_id,
       o.partner_crm_id, o.expected_monthly_spend_usd,
       o.target_close_date, o.aws_create_date,
       case when o.status = 'Rejected' then 'Rejected' else o.stage end as stage, o.origin, o.context_text,
       o.stage as ace_stage, o.expected_monthly_spend, o.use_case,
       case when o.identity_text <> '' then e.identity_vec end as identity_vec,
       case when o.context_text <> '' then e.context_vec end as context_vec, e.context_sparse as sparse_context
from core.ace_opportunities o
left join search.ace_opportunity_embeddings e on e.opportunity_id = o.ace_opportunity_id
order by o.ace_opportunity_id
