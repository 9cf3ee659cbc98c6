-- Right side: core Odoo opportunities (outcome plays the stage role: won / lost / archived / open) with their
-- embeddings (none from an empty text: a deal without a customer cannot be compared on who the customer is).
-- Archived deals (inactive, no lost reason: often a duplicate someone put away) are "archived". A deal is in ACE's
-- scope when it carries an AWS field or an AWS tag.
select o.odoo_opportunity_id::text as odoo_opportunity_id, o.company_name_norm, o.company_key, o.title, o.domain,
       o.aws_account_id, o.expected_revenue_usd, o.date_deadline, o.create_date, o.outcome as stage, o.origination,
       o.context_text, o.ace_opportunity_ref, o.ace_target_close_date, o.ace_expected_monthly_revenue, o.ace_stage,
       o.use_case, o.is_aws_deal or exists (select 1 from unnest(o.tags) t where t ~* '(aws|amazon)') as aws_scope,
       case when o.identity_text <> '' then e.identity_vec end as identity_vec,
       case when o.context_text <> '' then e.context_vec end as context_vec, e.context_sparse as sparse_context
from core.odoo_opportunities o
left join search.odoo_opportunity_embeddings e on e.opportunity_id = o.odoo_opportunity_id
order by o.odoo_opportunity_id
