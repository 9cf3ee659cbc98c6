-- Duplicate primary keys in a loaded batch ({table}): keep the newest copy of each key (latest cursor, then the
-- last one read) and move every other copy to ops.quarantine with the reason. Nothing is dropped silently; a copy
-- already quarantined (an incremental re-reading it) is not stored twice. Returns how many copies were moved.
with duplicated as (
    select {pk} from {table} group by {pk} having count(*) > 1
), ranked as (
    select t.ctid as row_ctid,
           row_number() over (partition by {pk_t} order by {order_by}) as copy_rank,
           count(*) over (partition by {pk_t}) as copies
    from {table} t
    where ({pk_t}) in (select {pk} from duplicated)
), moved as (
    delete from {table} t
    using ranked r
    where t.ctid = r.row_ctid and r.copy_rank > 1
    returning t.*, r.copies as _copies
), stored as (
    insert into ops.quarantine (run_id, asset_key, source_table, primary_key, reason, row_data)
    select %(run_id)s, %(asset_key)s, %(source_table)s, {pk_text},
           format('duplicate primary key (%%s): %%s rows share it in the source; kept the newest by %%s',
                  %(pk_names)s, moved._copies, %(kept_by)s),
           to_jsonb(moved) - '{{_copies,_sync_loaded_at,_sync_run_id,_sync_deleted_at}}'::text[]
    from moved
    where not exists (
        select 1 from ops.quarantine q
        where q.asset_key = %(asset_key)s
          and q.row_data = to_jsonb(moved) - '{{_copies,_sync_loaded_at,_sync_run_id,_sync_deleted_at}}'::text[])
    returning 1
)
select count(*) from moved
