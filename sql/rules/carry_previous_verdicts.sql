-- The new verdicts of one month (temp table _verdicts) replace {table}'s rows of that month; each keeps the verdict,
-- input hash and rules hash it replaces, and the time its verdict last changed.
update _verdicts v
set previous_verdict    = t.verdict,
    previous_input_hash = t.input_hash,
    previous_rules_hash = t.rules_hash,
    verdict_since       = case when t.verdict = v.verdict then t.verdict_since else v.verdict_since end
from {table} t
where t.month = v.month and t.ace_opportunity_id = v.ace_opportunity_id;
delete from {table} where month = %(month)s;
insert into {table} select * from _verdicts;
drop table _verdicts;
