-- Advanced in the same transaction as the rows it covers: a failed load leaves the old watermark (and the old
-- key fingerprint of raw's live rows, the old source position, the old source catalog and the old key check, which
-- describe the same rows).
insert into ops.watermarks (asset_key, cursor_column, watermark, updated_at, run_id, live_rows, live_key_hash,
                            source_xmin, source_identity, source_columns, key_check)
values (%(asset_key)s, %(cursor_column)s, %(watermark)s, now(), %(run_id)s, %(live_rows)s, %(live_key_hash)s,
        %(source_xmin)s, %(source_identity)s, %(source_columns)s, %(key_check)s)
on conflict (asset_key) do update
   set cursor_column = excluded.cursor_column, watermark = excluded.watermark,
       updated_at = excluded.updated_at, run_id = excluded.run_id,
       live_rows = excluded.live_rows, live_key_hash = excluded.live_key_hash,
       source_xmin = excluded.source_xmin, source_identity = excluded.source_identity,
       source_columns = excluded.source_columns, key_check = excluded.key_check
