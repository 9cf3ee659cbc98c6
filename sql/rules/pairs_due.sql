-- The matched ACE x Odoo pairs (as matching holds them now) due a verdict for the month that ends at {month_end}:
-- confirmed, auto-matched or in review, with both deals created before the month ended. The one definition used by
-- the monthly snapshot (pair_inputs.sql) and by the completeness check (missing_verdicts.sql).
select m.ace_opportunity_id, m.odoo_opportunity_id, m.status as match_status, m.score as match_score
from matching.opportunity_matches m
join core.ace_opportunities a on a.ace_opportunity_id = m.ace_opportunity_id
join core.odoo_opportunities o on o.odoo_opportunity_id = m.odoo_opportunity_id
where m.status in ('confirmed', 'auto_matched', 'needs_review')
  and coalesce(a.aws_create_date, '-infinity') < {month_end}
  and coalesce(o.create_date, '-infinity') < {month_end}
