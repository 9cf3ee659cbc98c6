-- Embeddings of opportunities no longer in core go away.
delete from {table} e where not exists (select 1 from {core} c where c.{id} = e.opportunity_id)
