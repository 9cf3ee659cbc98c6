-- On success this runs inside the load's own transaction (committed with the rows); on failure after its rollback.
-- clock_timestamp(), not now(): now() is the start of the transaction.
update ops.sync_runs
   set status = %(status)s, mode = %(mode)s, rows_read = %(rows_read)s, rows_inserted = %(rows_inserted)s,
       rows_updated = %(rows_updated)s, rows_deleted = %(rows_deleted)s, rows_quarantined = %(rows_quarantined)s,
       watermark_after = %(watermark_after)s, finished_at = clock_timestamp(),
       duration_s = extract(epoch from clock_timestamp() - started_at), error = %(error)s
 where id = %(id)s
