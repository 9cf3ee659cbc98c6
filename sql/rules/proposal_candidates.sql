-- Matched pairs (status in %(statuses)s) whose ACE opportunity can still be updated (not Launched / Closed Lost), with
-- what an UpdateOpportunity payload needs from ACE and what Odoo says about stage, close date and amount.
select m.ace_opportunity_id, m.odoo_opportunity_id, m.status as match_status,
       a.stage, a.target_close_date, a.expected_monthly_spend, a.currency_code, a.expected_monthly_spend_usd,
       a.aws_last_modified_date, a.customer_name, a.website, a.aws_account_id, a.industry, a.country_code, a.city,
       a.title, a.use_case, a.delivery_model, a.opportunity_type, a.next_step, a.partner_crm_id_raw,
       o.outcome as odoo_outcome, o.date_deadline, o.expected_revenue_usd, o.lost_reason
from matching.opportunity_matches m
join core.ace_opportunities a on a.ace_opportunity_id = m.ace_opportunity_id
join core.odoo_opportunities o on o.odoo_opportunity_id = m.odoo_opportunity_id
where m.status = any(%(statuses)s)
  and coalesce(a.stage, '') not in ('Launched', 'Closed Lost')
order by m.ace_opportunity_id
