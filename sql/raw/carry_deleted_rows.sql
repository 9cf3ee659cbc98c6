-- Full load: rows of the previous raw table ({old}) whose key is gone from the source stay in the new table
-- ({stage}) marked deleted, so a full reload keeps deletion history. Returns how many were newly marked.
with carried as (
    insert into {stage} ({columns}, _sync_loaded_at, _sync_run_id, _sync_deleted_at)
    select {old_values}, o._sync_loaded_at, o._sync_run_id, coalesce(o._sync_deleted_at, now())
    from {old} o
    where not exists (select 1 from {stage} s where {join})
    returning _sync_deleted_at
)
select count(*) filter (where _sync_deleted_at = now()) from carried
