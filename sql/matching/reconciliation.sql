-- Where Odoo and ACE disagree, each row with what to fix.
create table matching._next_reconciliation as
with matched as (
    select m.ace_opportunity_id, m.odoo_opportunity_id, a.stage as ace_stage, o.outcome as odoo_outcome,
           a.target_close_date, o.date_deadline, a.expected_monthly_spend_usd, o.expected_revenue_usd,
           o.customer_name, a.title
    from matching.opportunity_matches m
    join core.ace_opportunities a on a.ace_opportunity_id = m.ace_opportunity_id
    join core.odoo_opportunities o on o.odoo_opportunity_id = m.odoo_opportunity_id
    where m.status in ('confirmed', 'auto_matched')
)
select 'ace_without_odoo'::text as issue, a.ace_opportunity_id, null::integer as odoo_opportunity_id,
       a.customer_name, a.title,
       'Create the Odoo opportunity (or link it in review): ACE ' || a.stage || ', ' ||
       coalesce(a.expected_monthly_spend_usd::text || ' USD/month', 'no spend') as what_to_fix
from core.ace_opportunities a
where a.stage is distinct from 'Closed Lost'
  and not exists (select 1 from matching.opportunity_matches m
                  where m.ace_opportunity_id = a.ace_opportunity_id and m.status in ('confirmed', 'auto_matched', 'needs_review'))
union all
select 'odoo_aws_deal_not_in_ace', null, o.odoo_opportunity_id, o.customer_name, o.title,
       'Register it in ACE (Partner Central): ' || o.outcome || ' AWS deal' ||
       coalesce(', ' || o.expected_revenue_usd::text || ' USD', '')
from core.odoo_opportunities o
where o.is_aws_deal and o.outcome in ('open', 'won')
  and not exists (select 1 from matching.opportunity_matches m
                  where m.odoo_opportunity_id = o.odoo_opportunity_id and m.status in ('confirmed', 'auto_matched', 'needs_review'))
union all
select 'stage_mismatch', ace_opportunity_id, odoo_opportunity_id, customer_name, title,
       format('ACE stage %s but Odoo says %s: update %s', ace_stage, odoo_outcome,
              case when odoo_outcome in ('won', 'lost') then 'ACE' else 'Odoo' end)
from matched
where (ace_stage = 'Launched' and odoo_outcome <> 'won') or (ace_stage = 'Closed Lost' and odoo_outcome not in ('lost', 'archived'))
   or (odoo_outcome = 'won' and ace_stage is distinct from 'Launched')
   or (odoo_outcome = 'lost' and ace_stage is distinct from 'Closed Lost')
union all
select 'close_date_mismatch', ace_opportunity_id, odoo_opportunity_id, customer_name, title,
       format('ACE target close %s vs Odoo deadline %s (%s days apart): align them',
              target_close_date, date_deadline, abs(target_close_date - date_deadline))
from matched
where abs(target_close_date - date_deadline) > 30
union all
select 'amount_mismatch', ace_opportunity_id, odoo_opportunity_id, customer_name, title,
       format('ACE %s USD/month x 12 = %s vs Odoo %s USD: check the expected spend',
              round(expected_monthly_spend_usd), round(expected_monthly_spend_usd * 12), round(expected_revenue_usd))
from matched
where expected_monthly_spend_usd > 0 and expected_revenue_usd > 0
  and greatest(expected_monthly_spend_usd * 12, expected_revenue_usd)
      / least(expected_monthly_spend_usd * 12, expected_revenue_usd) > 3;
