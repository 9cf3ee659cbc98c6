-- Rows of [%(start)s, %(end)s) whose verdict differs from the one it replaced although neither the captured facts
-- (input hash) nor the rules (rules hash) changed: must be none.
select to_char(month, 'YYYY-MM') as month, ace_opportunity_id, previous_verdict, verdict
from {table}
where month >= %(start)s and month < %(end)s
  and previous_verdict is not null and previous_verdict <> verdict
  and previous_input_hash = input_hash and previous_rules_hash = rules_hash
order by month, ace_opportunity_id
limit 20
