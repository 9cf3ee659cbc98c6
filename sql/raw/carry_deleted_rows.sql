-- Full load: rows of the previous raw table ({old}) whose key is gone from the source stay in the new table
-- ({stage}) marked deleted, so a full reload keeps deletion history. {old_key} is the previous table's key as it
-- maps onto the new one (renamed key columns, a changed key): one row per key, never a null key.
-- Returns how many were newly marked.
with carried as (
    insert into {stage} ({columns}, _sync_loaded_at, _sync_run_id, _sync_deleted_at)
    select distinct on ({old_key}) {old_values}, o._sync_loaded_at, o._sync_run_id, coalesce(o._sync_deleted_at, now())
    from {old} o
    where not exists (select 1 from {stage} s where {join})
      and not ({old_key_null})
    order by {old_key}, o._sync_deleted_at nulls first, o._sync_loaded_at desc
    returning _sync_deleted_at
)
select count(*) filter (where _sync_deleted_at = now()) from carried
