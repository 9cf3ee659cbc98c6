-- Incremental: changed and new source rows ({delta}) into the raw table ({table}) by primary key.
-- Rows whose values did not change are left alone (the overlap window re-reads some rows on purpose).
-- Returns (inserted, updated, live keys gained, sum of their hashes): raw's live key fingerprint grows by exactly
-- the inserted keys and the marked-deleted keys this brings back (counted before the upsert: every statement of
-- the query sees the table as it was), so it stays exact without a scan of raw.
with restored as (
    select count(*) as keys, coalesce(sum({key_hash}), 0) as key_hash
    from {table} as t join {delta} as d on {join}
    where t._sync_deleted_at is not null
), upserted as (
    insert into {table} as t ({columns}, _sync_loaded_at, _sync_run_id, _sync_deleted_at)
    select {columns}, now(), %(run_id)s, null from {delta}
    on conflict ({pk}) do update
       set {assignments}, _sync_loaded_at = now(), _sync_run_id = %(run_id)s, _sync_deleted_at = null
     where row({old_values}) is distinct from row({new_values}) or t._sync_deleted_at is not null
    returning (xmax = 0) as inserted, {key_hash} as key_hash
)
select count(*) filter (where inserted), count(*) filter (where not inserted),
       count(*) filter (where inserted) + (select keys from restored),
       coalesce(sum(key_hash) filter (where inserted), 0) + (select key_hash from restored)
from upserted
