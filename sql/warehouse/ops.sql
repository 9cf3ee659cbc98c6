-- Operational state that no rebuild of raw/core/search/matching may touch.

-- One row per raw table per sync run: what happened, for audit and for the UI.
create table if not exists ops.sync_runs (
    id              bigserial primary key,
    run_id          text not null,
    asset_key       text not null,
    source_table    text not null,
    mode            text not null check (mode in ('full', 'incremental')),
    status          text not null check (status in ('running', 'success', 'failed')),
    rows_read       bigint,
    rows_inserted   bigint,
    rows_updated    bigint,
    rows_deleted    bigint,
    rows_quarantined bigint,
    watermark_before timestamptz,
    watermark_after  timestamptz,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    duration_s      double precision,
    error           text
);
create index if not exists sync_runs_asset_idx on ops.sync_runs (asset_key, started_at desc);

-- The incremental cursor of each raw table; advanced in the same transaction as the rows it covers.
create table if not exists ops.watermarks (
    asset_key     text primary key,
    cursor_column text not null,
    watermark     timestamptz,
    updated_at    timestamptz not null default now(),
    run_id        text
);
-- The key fingerprint of raw's live rows (count, sum of key hashes), kept current by every sync so that an
-- incremental compares it with the source's without scanning raw; null means "not known: scan".
alter table ops.watermarks add column if not exists live_rows bigint;
alter table ops.watermarks add column if not exists live_key_hash bigint;
-- Where the source's transaction counter stood when that sync read it (the oldest transaction then running), and
-- which database it was (system identifier / database oid): an incremental skips rows written before, cheaply.
alter table ops.watermarks add column if not exists source_xmin bigint;
alter table ops.watermarks add column if not exists source_identity text;
-- The source's column catalog at that sync (table oid; number, name, declared type per column): drift detection.
alter table ops.watermarks add column if not exists source_columns jsonb;
-- The source's change counters at the last check of its keys for deletes, and the new keys raw gained since
-- (raw/changes.py): while the deleted-rows counter stands still, an incremental need not scan the source's keys.
alter table ops.watermarks add column if not exists key_check jsonb;
alter table ops.watermarks alter column cursor_column drop not null;  -- tables without a cursor keep state too

-- Source rows that could not be mirrored as they are (e.g. duplicate primary keys in APN), kept with the reason.
create table if not exists ops.quarantine (
    id            bigserial primary key,
    run_id        text not null,
    asset_key     text not null,
    source_table  text not null,
    primary_key   text,
    reason        text not null,
    row_data      jsonb not null,
    quarantined_at timestamptz not null default now()
);
create index if not exists quarantine_asset_idx on ops.quarantine (asset_key, quarantined_at desc);

-- People's verdicts on ACE x Odoo pairs: never rebuilt, always win over the model, and train it.
create table if not exists ops.match_decisions (
    id                  bigserial primary key,
    ace_opportunity_id  text not null,
    odoo_opportunity_id text not null,
    decision            text not null check (decision in ('confirmed', 'rejected')),
    decided_by          text not null,
    decided_at          timestamptz not null default now(),
    note                text,
    superseded_at       timestamptz
);
-- At most one live decision per pair; a new one supersedes the old (history is kept).
create unique index if not exists match_decisions_live_pair
    on ops.match_decisions (ace_opportunity_id, odoo_opportunity_id) where superseded_at is null;
