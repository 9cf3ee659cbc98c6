-- Rows of a loaded batch ({table}) whose primary key has a null column ({null_test}) cannot be mirrored by key:
-- moved to ops.quarantine with the reason (a row already quarantined is not stored twice). Returns how many moved.
with moved as (
    delete from {table} t where {null_test} returning t.*
), stored as (
    insert into ops.quarantine (run_id, asset_key, source_table, primary_key, reason, row_data)
    select %(run_id)s, %(asset_key)s, %(source_table)s, null, %(reason)s,
           to_jsonb(moved) - '{{_sync_loaded_at,_sync_run_id,_sync_deleted_at}}'::text[]
    from moved
    where not exists (
        select 1 from ops.quarantine q
        where q.asset_key = %(asset_key)s
          and q.row_data = to_jsonb(moved) - '{{_sync_loaded_at,_sync_run_id,_sync_deleted_at}}'::text[])
    returning 1
)
select count(*) from moved
