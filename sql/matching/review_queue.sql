-- Pairs a person should look at (active learning): every ACE opportunity's assigned Odoo candidate whose match
-- probability is still uncertain (expected information of a verdict >= 0.2 bit, i.e. roughly 0.03 < p < 0.97), not
-- yet decided, with both sides side by side. Worked in order of review_value, the chance that the verdict changes
-- the output (p for a pair not accepted automatically, 1 - p for an auto-matched one: engine.review_value), then of
-- information: a pair just under the auto threshold first, a coin flip the engine already leaves out after it.
create table matching._next_review_queue as
select m.ace_opportunity_id, m.odoo_opportunity_id, m.score, m.status, m.reasons,
       a.customer_name as ace_customer, o.customer_name as odoo_customer,
       a.title as ace_title, o.title as odoo_title,
       a.expected_monthly_spend_usd as ace_monthly_usd, o.expected_revenue_usd as odoo_total_usd,
       a.target_close_date as ace_close_date, o.date_deadline as odoo_deadline,
       a.stage as ace_stage, o.outcome as odoo_outcome, m.explanation, m.information,
       m.review_value,
       row_number() over (order by m.review_value desc, m.information desc, m.ace_opportunity_id) as queue_rank
from matching.opportunity_matches m
join core.ace_opportunities a on a.ace_opportunity_id = m.ace_opportunity_id
join core.odoo_opportunities o on o.odoo_opportunity_id = m.odoo_opportunity_id
where m.status <> 'confirmed' and m.information >= 0.2
  and not exists (select 1 from ops.match_decisions d
                  where d.superseded_at is null and d.ace_opportunity_id = m.ace_opportunity_id
                    and d.odoo_opportunity_id = m.odoo_opportunity_id::text);
