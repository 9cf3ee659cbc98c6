-- core.ace_opportunities: _base (SQL) joined with _norm (Python: picklists, names, domains, account ids).
create table core._next_ace_opportunities as
select b.ace_opportunity_id, b.title, b.customer_name, n.company_name_norm, n.company_key, b.website, b.email,
       n.domain, n.stage, b.stage_raw, n.status, b.status_raw, n.origin, b.origin_raw, n.industry, b.industry_raw,
       n.delivery_model, b.delivery_model_raw, b.use_case, b.opportunity_type,
       n.expected_monthly_spend, b.currency_code, b.expected_spend_frequency, n.expected_monthly_spend_usd,
       b.spend_basis, b.project_budget,
       n.target_close_date, b.aws_create_date, b.aws_last_modified_date,
       n.aws_account_id, b.aws_account_id_raw, n.aws_account_id_valid, n.partner_crm_id, b.partner_crm_id_raw,
       b.owner_id, b.owner_name, b.owner_email, n.country_code, b.country_raw, b.city,
       b.aws_stage, b.aws_status, b.partner_acceptance_status, b.closed_lost_reason, b.next_step,
       n.quality_flags, n.identity_text, n.identity_hash, n.context_text, n.context_hash
from _base b
join _norm n on n.ace_opportunity_id = b.ace_opportunity_id;
