-- Left side of the ACE -> Odoo linkage: core ACE opportunities with their embeddings (when search has run).
select o.ace_opportunity_id, o.company_name_norm, o.company_key, o.title, o.domain, o.aws_account_id,
       o.partner_crm_id, o.expected_monthly_spend_usd, o.target_close_date, o.stage, o.origin,
       e.identity_vec, e.context_vec, e.context_sparse as sparse_context
from core.ace_opportunities o
left join search.ace_opportunity_embeddings e on e.opportunity_id = o.ace_opportunity_id
order by o.ace_opportunity_id
