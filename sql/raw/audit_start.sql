insert into ops.sync_runs (run_id, asset_key, source_table, mode, status, watermark_before)
values (%(run_id)s, %(asset_key)s, %(source_table)s, %(mode)s, 'running', %(watermark_before)s)
returning id
