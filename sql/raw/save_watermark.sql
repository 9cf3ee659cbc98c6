-- Advanced in the same transaction as the rows it covers: a failed load leaves the old watermark.
insert into ops.watermarks (asset_key, cursor_column, watermark, updated_at, run_id)
values (%(asset_key)s, %(cursor_column)s, %(watermark)s, now(), %(run_id)s)
on conflict (asset_key) do update
   set cursor_column = excluded.cursor_column, watermark = excluded.watermark,
       updated_at = excluded.updated_at, run_id = excluded.run_id
