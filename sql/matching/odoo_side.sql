-- Right side: core Odoo opportunities (outcome plays the stage role: won / lost / archived / open) with their
-- embeddings (none from an empty text: a deal without a customer cannot be compared on who the customer is).
-- Archived deals (inactive, no lost reason: often a duplicate someone put away) are "archived".
select o.odoo_opportunity_id::text as odoo_opportunity_id, o.company_name_norm, o.company_key, o.title, o.domain,
       o.aws_account_id, o.expected_revenue_usd, o.date_deadline, o.create_date, o.outcome as stage, o.origination,
       o.context_text,
       case when o.identity_text <> '' then e.identity_vec end as identity_vec,
       case when o.context_text <> '' then e.context_vec end as context_vec, e.context_sparse as sparse_context
from core.odoo_opportunities o
left join search.odoo_opportunity_embeddings e on e.opportunity_id = o.odoo_opportunity_id
order by o.odoo_opportunity_id
