-- Pairs a person should look at, most uncertain first, with both sides side by side.
create table matching._next_review_queue as
select m.ace_opportunity_id, m.odoo_opportunity_id, m.score, m.reasons,
       a.customer_name as ace_customer, o.customer_name as odoo_customer,
       a.title as ace_title, o.title as odoo_title,
       a.expected_monthly_spend_usd as ace_monthly_usd, o.expected_revenue_usd as odoo_total_usd,
       a.target_close_date as ace_close_date, o.date_deadline as odoo_deadline,
       a.stage as ace_stage, o.outcome as odoo_outcome, m.explanation,
       abs(m.score - 0.5) as uncertainty_rank
from matching.opportunity_matches m
join core.ace_opportunities a on a.ace_opportunity_id = m.ace_opportunity_id
join core.odoo_opportunities o on o.odoo_opportunity_id = m.odoo_opportunity_id
where m.status = 'needs_review'
  and not exists (select 1 from ops.match_decisions d
                  where d.superseded_at is null and d.ace_opportunity_id = m.ace_opportunity_id
                    and d.odoo_opportunity_id = m.odoo_opportunity_id::text);
