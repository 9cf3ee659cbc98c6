-- Primary-key reconciliation: raw rows whose key is no longer in the source ({keys}) are marked deleted;
-- rows marked deleted whose key came back are live again. Returns (newly deleted, restored).
with gone as (
    update {table} t set _sync_deleted_at = now(), _sync_run_id = %(run_id)s
    where t._sync_deleted_at is null
      and not exists (select 1 from {keys} k where {join})
    returning 1
), back as (
    update {table} t set _sync_deleted_at = null, _sync_run_id = %(run_id)s
    where t._sync_deleted_at is not null
      and exists (select 1 from {keys} k where {join})
    returning 1
)
select (select count(*) from gone), (select count(*) from back)
