-- Core rows whose texts (or the model) changed since they were embedded, or that were never embedded.
select c.{id}, c.identity_text, c.context_text, c.identity_hash, c.context_hash
from {core} c
left join {table} e on e.opportunity_id = c.{id}
where e.opportunity_id is null
   or e.identity_hash is distinct from c.identity_hash
   or e.context_hash is distinct from c.context_hash
   or e.model_id <> %(model_id)s
order by c.{id}
