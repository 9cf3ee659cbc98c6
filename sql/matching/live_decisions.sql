-- The reviewers' current verdicts (superseded ones are history).
select ace_opportunity_id as left_id, odoo_opportunity_id as right_id, decision, decided_at, decided_by, note
from ops.match_decisions
where superseded_at is null
order by decided_at, id
