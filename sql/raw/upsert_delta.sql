-- Incremental: changed and new source rows ({delta}) into the raw table ({table}) by primary key.
-- Rows whose values did not change are left alone (the overlap window re-reads some rows on purpose).
-- Returns (inserted, updated, sum of the inserted keys' hashes): raw's live key fingerprint grows by exactly the
-- inserted keys, plus any marked-deleted keys this brings back, which are not counted here; that only makes the
-- fingerprint differ from the source's, so the sync falls back to the exact key reconciliation.
with upserted as (
    insert into {table} as t ({columns}, _sync_loaded_at, _sync_run_id, _sync_deleted_at)
    select {columns}, now(), %(run_id)s, null from {delta}
    on conflict ({pk}) do update
       set {assignments}, _sync_loaded_at = now(), _sync_run_id = %(run_id)s, _sync_deleted_at = null
     where row({old_values}) is distinct from row({new_values}) or t._sync_deleted_at is not null
    returning (xmax = 0) as inserted, {key_hash} as key_hash
)
select count(*) filter (where inserted), count(*) filter (where not inserted),
       coalesce(sum(key_hash) filter (where inserted), 0)
from upserted
