insert into {table} as t (opportunity_id, model_id, identity_hash, context_hash, identity_vec, context_vec,
                          identity_sparse, context_sparse, embedded_at)
select opportunity_id, model_id, identity_hash, context_hash, identity_vec, context_vec,
       identity_sparse, context_sparse, now()
from {staged}
on conflict (opportunity_id) do update
   set model_id = excluded.model_id, identity_hash = excluded.identity_hash, context_hash = excluded.context_hash,
       identity_vec = excluded.identity_vec, context_vec = excluded.context_vec,
       identity_sparse = excluded.identity_sparse, context_sparse = excluded.context_sparse,
       embedded_at = excluded.embedded_at
