-- Incremental: changed and new source rows ({delta}) into the raw table ({table}) by primary key.
-- Rows whose values did not change are left alone (the overlap window re-reads some rows on purpose).
with upserted as (
    insert into {table} as t ({columns}, _sync_loaded_at, _sync_run_id, _sync_deleted_at)
    select {columns}, now(), %(run_id)s, null from {delta}
    on conflict ({pk}) do update
       set {assignments}, _sync_loaded_at = now(), _sync_run_id = %(run_id)s, _sync_deleted_at = null
     where row({old_values}) is distinct from row({new_values}) or t._sync_deleted_at is not null
    returning (xmax = 0) as inserted
)
select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
