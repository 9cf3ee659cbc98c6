-- Audit rows left "running" by a sync of this table that never finished (its process was killed, its server
-- stopped): the caller holds the table's sync lock, so no sync of it is running. Closed as failed, saying so.
update ops.sync_runs
   set status = 'failed', finished_at = clock_timestamp(),
       duration_s = extract(epoch from clock_timestamp() - started_at),
       error = 'abandoned: this sync ended without finishing (its process or connection died); closed by run '
               || %(run_id)s
 where asset_key = %(asset_key)s and status = 'running'
