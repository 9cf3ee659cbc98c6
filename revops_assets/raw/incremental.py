"""Incremental load: the delta (see delta.py) upserted into raw by primary key, and deletions found by comparing
key fingerprints, unless the source's change counters prove there were none (see changes.py).

The source is read in one REPEATABLE READ snapshot, shared with a second connection that computes the source's key
fingerprint, so the delta, the keys and the counts agree with each other. Raw's side of the fingerprint is kept in
ops.watermarks (no scan of raw). Only when the two differ is every primary key reconciled with the source.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta, timezone

from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

from revops_assets.raw.changes import checked_now, inserts_cover, key_check_reason
from revops_assets.raw.columns import NO_EQUALITY
from revops_assets.raw.context import SyncContext
from revops_assets.raw.delta import delta_query
from revops_assets.raw.errors import one_line
from revops_assets.raw.keys import (
    CursorStats,
    cursor_stats,
    enforces_key,
    ensure_deleted_keys_index,
    key_fingerprint,
    key_hash,
    quarantine_duplicates,
    quarantine_null_keys,
    reconcile_keys,
)
from revops_assets.raw.prefetch import DELTA_CHUNK, RawPrefetch
from revops_assets.raw.sqltext import ident_list, key_join, render
from revops_assets.raw.transport import COPY_CHUNK, stream_copy, stream_copy_batches

DELTA = sql.Identifier("_delta")
# The delta is upserted every this many bytes of COPY text while the source's scan goes on: the scan (of the whole
# table: the cursor is rarely indexed) and the upsert then use a core each instead of following each other.
DELTA_BATCH_BYTES = 1 << 19


def incremental_load(ctx: SyncContext) -> None:
    result, state = ctx.result, ctx.state
    names = [c.name for c in ctx.source_columns]
    cursor_col = next(c for c in ctx.source_columns if c.name == ctx.cursor)
    since = result.watermark_before - timedelta(minutes=ctx.entry.overlap_minutes)
    if cursor_col.base in ("timestamp without time zone", "date"):
        since = since.astimezone(timezone.utc).replace(tzinfo=None)
    # a source that does not enforce the key (APN) may repeat it or leave it null: count its distinct keys
    distinct = not enforces_key(ctx, ctx.scur, ctx.entry.schema_name, ctx.entry.table)
    # deletes: unless the source's change counters prove there were none (changes.py), the source's key
    # fingerprint is computed on a second connection sharing this transaction's snapshot, at the same time as the
    # delta's scan (each has a core; with synchronized scans they read the table's pages together); raw's side is
    # kept in ops.watermarks (no scan).
    reason = key_check_reason(ctx)
    fingerprint = None
    if reason:
        ctx.scur.execute("select pg_export_snapshot()")
        fingerprint = SourceFingerprint(ctx, ctx.scur.fetchone()[0], distinct)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(fingerprint.run) if fingerprint else None
        try:
            gained_fp = load_delta(ctx, names, since, quarantine=distinct)
        except BaseException:
            if fingerprint:
                fingerprint.cancel()  # no scan for a load that is rolled back
            raise
        ctx.phase = "fingerprinting the source's keys"
        source_fp = pending.result() if pending else None
    if state.live_fingerprint is not None:
        raw_fp = (state.live_fingerprint[0] + gained_fp[0], state.live_fingerprint[1] + gained_fp[1])
    else:  # not recorded yet (e.g. raw loaded by an older version): count once
        raw_fp = key_fingerprint(ctx, ctx.wcur, ctx.table, live_only=True)
        reason = reason or "raw's key fingerprint was not recorded"
    if not reason and not inserts_cover(state.key_check, ctx.counters, gained_fp[0]):
        reason = "raw gained more new keys than the source counted inserts (a key changed in place?)"
    if not reason:
        result.source_rows = raw_fp[0]
        result.live_fingerprint = raw_fp
        result.key_check = state.key_check.after_sync(gained_fp[0])
        result.deletes_checked_by = (
            f"source change counters (no delete since the key check of {state.key_check.checked_at:%Y-%m-%d %H:%M})"
        )
        result.columns = ctx.plan.columns
        return
    result.key_check_reason = reason
    if source_fp is None:  # not scanned beside the delta, or no second connection in this snapshot: on this one
        source_fp = key_fingerprint(ctx, ctx.scur, ctx.source_table, live_only=False, distinct=distinct)
    if source_fp == raw_fp:
        result.source_rows = source_fp[0]
        result.live_fingerprint = raw_fp  # keys.verify reads the live row count off it
        result.deletes_checked_by = "key fingerprint"
    else:
        ctx.phase = "reconciling every key with the source"
        reconcile_keys(ctx)
        result.deletes_checked_by = "key reconciliation"
    result.key_check = checked_now(ctx)
    result.columns = ctx.plan.columns


def load_delta(ctx: SyncContext, names: list[str], since, *, quarantine: bool) -> tuple[int, int]:
    """Stream the changed rows into the temp table _delta and upsert them into raw; returns the fingerprint of the
    live keys raw gained (inserted, or brought back from deleted), and sets the cursor over the rows loaded
    (ctx.delta_stats). With `quarantine` (a source that does not enforce the key) the whole delta is copied first
    and its duplicate and null keys moved out before the upsert. Otherwise the delta is upserted in batches while
    the source's scan goes on, so the upsert overlaps the scan instead of following it."""
    wcur, result = ctx.wcur, ctx.result
    ensure_deleted_keys_index(ctx)
    names = [*ctx.pk, *(n for n in names if n not in ctx.pk)]  # key first: the prefetcher reads it off
    wcur.execute(
        sql.SQL("create temp table {} on commit drop as select {} from {} with no data").format(
            DELTA, ident_list(names), ctx.table
        )
    )
    copy_out = sql.SQL("copy ({}) to stdout").format(delta_query(ctx, names, since))
    copy_in = sql.SQL("copy {} ({}) from stdin").format(DELTA, ident_list(names))
    prefetch = RawPrefetch(ctx.warehouse, ctx.table, ctx.pk[0]) if ctx.integer_key else None
    watch, chunk = (prefetch.watch, DELTA_CHUNK) if prefetch else (None, COPY_CHUNK)
    totals = [0, 0, 0, 0]  # inserted, updated, live keys gained, sum of their hashes
    ctx.delta_stats = CursorStats(None)

    def upsert() -> None:
        ctx.phase = "upserting the delta into raw"
        for n, value in enumerate(upsert_delta(ctx, names, DELTA)):
            totals[n] += value
        ctx.delta_stats += cursor_stats(ctx, wcur, DELTA)
        ctx.phase = "streaming the delta"

    try:
        ctx.phase = "streaming the delta"
        if quarantine:
            result.rows_read, result.bytes_read = stream_copy(ctx.scur, copy_out, wcur, copy_in, watch, chunk)
            result.rows_quarantined = quarantine_duplicates(ctx, DELTA) + quarantine_null_keys(ctx, DELTA)
            upsert()
        else:

            def batch_done() -> None:
                upsert()
                wcur.execute(sql.SQL("truncate {}").format(DELTA))  # created in this transaction: truncated in place

            result.rows_read, result.bytes_read = stream_copy_batches(
                ctx.scur, copy_out, wcur, copy_in, batch_done, DELTA_BATCH_BYTES, watch, chunk
            )
    finally:
        if prefetch:
            prefetch.stop()
            prefetch.join()
    result.rows_inserted, result.rows_updated = totals[0], totals[1]
    return totals[2], totals[3]


def upsert_delta(ctx: SyncContext, names: list[str], delta: sql.Identifier) -> tuple[int, int, int, int]:
    """Upsert `delta` into raw by primary key; returns (rows inserted, rows updated, live keys gained: inserted or
    brought back from deleted, sum of their hashes)."""
    types = ctx.key_types
    non_key = [n for n in names if n not in ctx.pk]

    def compared(prefix: str, name: str) -> sql.Composable:
        ident = sql.Identifier(prefix, name) if prefix else sql.Identifier(name)
        return sql.SQL("{}::text").format(ident) if types.get(name) in NO_EQUALITY else ident

    ctx.wcur.execute(
        render(
            "upsert_delta.sql",
            table=ctx.table,
            delta=delta,
            columns=ident_list(names),
            pk=ident_list(ctx.pk),
            key_hash=key_hash(ctx, "t"),
            join=key_join(ctx.pk, "t", "d"),
            assignments=sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(n), sql.Identifier("excluded", n)) for n in non_key
            )
            if non_key
            else sql.SQL("{} = {}").format(sql.Identifier(ctx.pk[0]), sql.Identifier("excluded", ctx.pk[0])),
            old_values=sql.SQL(", ").join(compared("t", n) for n in names),
            new_values=sql.SQL(", ").join(compared("excluded", n) for n in names),
        ),
        {"run_id": ctx.run_id},
    )
    inserted, updated, gained, gained_hash = ctx.wcur.fetchone()
    return inserted, updated, gained, int(gained_hash)


class SourceFingerprint:
    """The source's key fingerprint on its own connection, in the snapshot the delta is read in. `run` returns None
    when that connection cannot share the snapshot (e.g. a transaction-pooling proxy between us and the source sends
    it to another server process): the caller then counts on its own connection. `cancel` stops the scan."""

    def __init__(self, ctx: SyncContext, snapshot: str, distinct: bool) -> None:
        self.ctx, self.snapshot, self.distinct = ctx, snapshot, distinct
        self._conn = None
        self._cancelled = threading.Event()

    def run(self) -> tuple[int, int] | None:
        ctx = self.ctx
        try:
            self._conn = snapshot_connection(ctx, self.snapshot)
        except Exception as err:
            ctx.log.warning(
                "%s: the key fingerprint cannot run beside the delta (%s); counting after it instead",
                ctx.entry.asset_key_str, one_line(err),
            )
            return None
        try:
            if self._cancelled.is_set():
                return None
            with self._conn.cursor() as cur:
                cur.execute("set local max_parallel_workers_per_gather = 0")
                return key_fingerprint(ctx, cur, ctx.source_table, live_only=False, distinct=self.distinct)
        except Exception:
            if self._cancelled.is_set():
                return None
            raise
        finally:
            try:
                self._conn.rollback()
            except Exception:
                pass
            self._conn.close()

    def cancel(self) -> None:
        self._cancelled.set()
        conn = self._conn
        if conn is not None and not conn.closed:
            try:
                conn.cancel()
            except Exception:
                pass


def snapshot_connection(ctx: SyncContext, snapshot: str):
    """A second source connection in the exported snapshot `snapshot` (its transaction left open)."""
    conn = ctx.source.open()
    try:
        conn.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with conn.cursor() as cur:
            cur.execute("set transaction snapshot %s", (snapshot,))
    except BaseException:
        conn.close()
        raise
    return conn
