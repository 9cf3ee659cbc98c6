-- core.odoo_opportunities: _base (names resolved in SQL) joined with _norm (Python normalization).
create table core._next_odoo_opportunities as
select b.odoo_opportunity_id, b.title, b.outcome, b.stage_name, b.stage_is_won, b.is_active, b.lost_reason,
       b.probability, b.priority, b.team_name, b.salesperson_name, b.salesperson_login,
       b.partner_id, b.customer_name, n.company_name_norm, n.company_key, b.website, b.email, n.domain,
       b.country_code, b.country_name, b.state_name, b.city, b.company_name,
       b.currency_code, n.expected_revenue, n.expected_revenue_usd, b.recurring_revenue_monthly,
       n.date_deadline, b.date_closed, b.create_date, b.write_date, b.tags,
       n.aws_account_id, b.aws_account_id_raw, b.aws_account_name, b.origination, b.ace_opportunity_ref, b.ace_opportunity_ref_raw,
       b.use_case, b.industry, b.ace_expected_monthly_revenue, b.ace_target_close_date, b.ace_stage,
       n.description_text, b.is_aws_deal, n.quality_flags,
       n.identity_text, n.identity_hash, n.context_text, n.context_hash,
       b.stage_id, b.team_id, b.user_id, b.lost_reason_id, b.country_id, b.state_id, b.company_id, b.aws_ace_id
from _base b
join _norm n on n.odoo_opportunity_id = b.odoo_opportunity_id;
