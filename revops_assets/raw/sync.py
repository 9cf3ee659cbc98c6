"""Mirror one source table into raw.<source>_<table>: streamed COPY, full or incremental, atomic.

This module runs one sync from start to end; each step lives in its own module around one `SyncContext`:
transport (the COPY pipe), lock (one sync per table), delta (which rows an incremental reads), drift (catalog
comparison), full (staging table and swap), incremental (upsert and deletes), changes (when deletes must be looked
for), keys (fingerprints, reconciliation, quarantine), state (watermarks) and audit (ops.sync_runs).

Guarantees, and how:
- Constant memory: rows never pass through Python objects (transport.stream_copy).
- Atomic: everything the warehouse sees (new rows, evolved columns, quarantine rows, the watermark, the audit row's
  outcome) happens in one transaction. A failure anywhere rolls it all back: the previous raw table and watermark
  stay as they were, and the failure is audited afterwards, with the connection that failed and what the sync was
  doing; a transient failure (a connection lost, a deadlock) is raised as TransientSyncError, for a retry.
- Consistent: the source is read in one REPEATABLE READ, read-only snapshot, so the delta, the keys and the counts
  agree with each other; that transaction cannot be switched to read-write once it has read.
- One at a time: a second sync of the same table waits for the first (lock.py).
- Degrades: a table absent from the source is skipped (result.skipped), a missing cursor column is replaced by a
  detected one or full loads, a column whose type the warehouse may not have is mirrored as text.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

from revops_assets.raw import drift
from revops_assets.raw.audit import Audit
from revops_assets.raw.changes import checked_now, read_counters
from revops_assets.raw.columns import META_COLUMNS, discover_columns, plan_schema
from revops_assets.raw.context import RAW_SCHEMA, Mode, SyncContext, SyncResult
from revops_assets.raw.delta import read_source_position
from revops_assets.raw.errors import (
    SourceTableMissing,
    SyncBusy,
    TransientSyncError,
    one_line,
    safe_rollback,
    transient_reason,
)
from revops_assets.raw.full import full_load
from revops_assets.raw.incremental import incremental_load
from revops_assets.raw.keys import enforces_key, verify
from revops_assets.raw.lock import acquire_table_lock
from revops_assets.raw.state import RawState, next_watermark, read_state, save_state
from revops_assets.resources.postgres import PostgresResource
from revops_assets.sources.catalog import SourceTable

__all__ = ["SourceTableMissing", "SyncBusy", "SyncResult", "TransientSyncError", "sync_table"]

DEFAULT_LOCK_WAIT_S = 3600.0
# A backend whose client is gone (its process SIGKILLed) is ended within this time even mid-query (PG 14+), so a
# dead sync's locks and transaction do not linger.
CLIENT_CHECK_INTERVAL = "5s"

_writable_sources_told: set[str] = set()


def sync_table(
    entry: SourceTable,
    source: PostgresResource,
    warehouse: PostgresResource,
    *,
    run_id: str,
    mode: Mode = "auto",
    log: logging.Logger | None = None,
    lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
) -> SyncResult:
    """Mirror one catalog table; see the module docstring for what is guaranteed."""
    ctx = SyncContext(
        entry=entry,
        source=source,
        warehouse=warehouse,
        run_id=run_id,
        requested_mode=mode,
        log=log or logging.getLogger(__name__),
        result=SyncResult(asset_key=entry.asset_key_str, mode=mode),
    )
    return _run(ctx, lock_wait_s)


def _run(ctx: SyncContext, lock_wait_s: float) -> SyncResult:
    started = time.monotonic()
    result = ctx.result
    audit = Audit(ctx)
    try:
        ctx.phase = "connecting"
        ctx.src, ctx.wh = _open_connections(ctx)
        ctx.src.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        # before the snapshot (taken by the catalog's discovery): every delete these count is visible to it
        ctx.counters, ctx.counters_unread = read_counters(ctx.src, ctx.entry.schema_name, ctx.entry.table)
        ctx.wh.autocommit = True  # until the load starts: the lock and the audit's "running" row are on their own
        with ctx.src.cursor() as scur, ctx.wh.cursor() as wcur:
            ctx.scur, ctx.wcur = scur, wcur
            _session_settings(ctx)
            ctx.phase = "waiting for another sync of this table"
            result.lock_waited_s = acquire_table_lock(ctx, lock_wait_s)
            result.stale_runs_closed = audit.close_stale(wcur)
            ctx.phase = "reading the source's catalog"
            found = _discover(ctx)  # drift against the catalog recorded last time
            if result.skipped:
                ctx.src.rollback()
                result.duration_s = time.monotonic() - started
                return result
            mode = _choose_mode(ctx, found)
            result.mode = mode
            audit.start(mode, wcur)
            ctx.wh.autocommit = False  # from here on, one transaction: rows, quarantine, watermark, audit
            if mode == "full":
                full_load(ctx, found.renamed)
                result.key_check = checked_now(ctx)
            else:
                incremental_load(ctx)
            ctx.phase = "verifying raw and saving the watermark"
            stats = verify(ctx)
            if ctx.cursor and mode != "full":  # the cursor among the rows just read: the delta's
                stats = ctx.delta_stats
            _report_future_cursors(ctx, stats)
            result.stale_columns = drift.mark_stale_columns(
                wcur, ctx.table, ctx.plan.dropped_in_source, found.renamed, ctx.stale_before, new_table=mode == "full"
            )
            result.new_stale_columns = [c for c in result.stale_columns if c not in ctx.stale_before]
            save_state(
                ctx,
                next_watermark(ctx, stats.newest if stats else None, mode),
                drift.snapshot(ctx.source_relid, ctx.source_columns, found),
            )
            result.duration_s = time.monotonic() - started
            audit.succeeded()
            ctx.phase = "committing"
        ctx.wh.commit()
        ctx.src.rollback()
    except BaseException as err:
        lost = [conn is not None and bool(conn.closed) for conn in (ctx.src, ctx.wh)]
        for conn in (ctx.wh, ctx.src):
            safe_rollback(conn)
        result.duration_s = time.monotonic() - started
        message = _describe_failure(ctx, err, lost)
        audit.failed(message)
        reason = transient_reason(err, any(lost))
        if reason and not isinstance(err, TransientSyncError):
            raise TransientSyncError(message, reason) from err
        raise
    finally:
        for conn in (ctx.wh, ctx.src):
            if conn is not None:
                conn.close()
    result.duration_s = time.monotonic() - started
    return result


def _open_connections(ctx: SyncContext):
    """Source and warehouse connections, opened at once (each costs a server process start)."""
    app = f"revops raw {ctx.run_id[:8]} {ctx.entry.raw_table}"[:63]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(ctx.source.open, application_name=app)
        try:
            wh = ctx.warehouse.open(application_name=app)
        except BaseException:
            with suppress(BaseException):
                pending.result().close()
            raise
        try:
            src = pending.result()
        except BaseException:
            wh.close()
            raise
    return src, wh


def _session_settings(ctx: SyncContext) -> None:
    """UTC on both sides (cursors without a time zone are UTC, as Odoo writes them), and dead clients detected."""
    for conn, cur in ((ctx.src, ctx.scur), (ctx.wh, ctx.wcur)):
        statements = "set time zone 'UTC'"
        if conn.server_version >= 140000:
            statements += f"; set client_connection_check_interval = '{CLIENT_CHECK_INTERVAL}'"
        cur.execute(statements)


def _discover(ctx: SyncContext) -> drift.Drift:
    """The source's columns, clock, position and catalog drift; the key and cursor to use; raw's columns, the schema
    plan and the state kept from the last sync. Sets result.skipped when the source table is absent."""
    entry, result = ctx.entry, ctx.result
    columns = discover_columns(ctx.scur, entry.schema_name, entry.table)
    if columns is None:
        result.skipped = (
            f"source table {entry.schema_name}.{entry.table} (catalog entry {entry.source}.{entry.table}) does not "
            f"exist in the {ctx.source.describe()} (or this role may read none of its columns): skipped"
        )
        ctx.log.warning("%s: %s", entry.asset_key_str, result.skipped)
        return drift.Drift()
    clashing = [c.name for c in columns if c.name in META_COLUMNS]
    if clashing:
        result.ignored_columns = clashing
        ctx.log.warning("%s: source column(s) %s share a name with raw's sync columns and are not mirrored",
                        entry.asset_key_str, clashing)
        columns = [c for c in columns if c.name not in META_COLUMNS]
    ctx.source_columns = columns
    result.type_mappings = {c.name: f"{c.declared} -> {c.type}" for c in columns if c.declared}
    ctx.scur.execute(
        "select now(), to_regclass(format('%%I.%%I', %s::text, %s::text))::oid::bigint, "
        "has_table_privilege(to_regclass(format('%%I.%%I', %s::text, %s::text)), 'INSERT, UPDATE, DELETE, TRUNCATE')",
        (entry.schema_name, entry.table) * 2,
    )
    ctx.read_time, ctx.source_relid, result.source_role_can_write = ctx.scur.fetchone()
    _tell_writable(ctx)
    result.source_position = read_source_position(ctx.scur)

    ctx.raw_columns = discover_columns(ctx.wcur, RAW_SCHEMA, entry.raw_table, source=False)
    ctx.state = read_state(ctx) if ctx.raw_columns is not None else RawState()
    found = drift.compare(ctx.state.source_columns, ctx.source_relid, columns)
    names = {c.name: c.base for c in columns}
    _resolve_key(ctx, names, found)
    ctx.cursor, result.cursor_source = entry.resolve_cursor(names)
    if entry.cursor and entry.cursor not in names:
        renamed_to = found.history.get(entry.cursor)
        if renamed_to and renamed_to in names and names[renamed_to].startswith(("timestamp", "date")):
            ctx.cursor, result.cursor_source = renamed_to, f"catalog cursor {entry.cursor} renamed in the source"
    result.cursor = ctx.cursor
    if ctx.cursor != entry.cursor:
        ctx.log.warning("%s: cursor %s", entry.asset_key_str, f"{ctx.cursor} ({result.cursor_source})"
                        if ctx.cursor else f"none ({result.cursor_source}): full loads")
    ctx.plan = plan_schema(columns, ctx.raw_columns)
    ctx.stale_before = drift.stale_notes(ctx.wcur, RAW_SCHEMA, entry.raw_table, ctx.plan.dropped_in_source)
    result.watermark_before = ctx.state.watermark
    if ctx.raw_columns is not None:
        result.schema_changes = describe_plan(ctx.plan) + found.describe()
    return found


def _resolve_key(ctx: SyncContext, names: dict[str, str], found: drift.Drift) -> None:
    """The catalog's key, following key columns the source renamed; an error when one is simply absent."""
    went_to = found.history
    key = [k if k in names else went_to.get(k) for k in ctx.entry.primary_key]
    if None in key or any(k not in names for k in key):
        missing = [k for k in ctx.entry.primary_key if k not in names and k not in went_to]
        raise SourceTableMissing(
            f"source table {ctx.entry.qualified_source} has no primary-key column(s) {missing} named in the source "
            f"catalog (its columns: {', '.join(sorted(names))[:500]}); fix the table's primary_key in "
            "data/source_catalog.yaml or your REVOPS_SOURCE_CATALOG file"
        )
    if key != ctx.entry.primary_key:
        change = f"primary-key column(s) renamed in the source: {ctx.entry.primary_key} -> {key} (update the catalog)"
        ctx.log.warning("%s: %s", ctx.entry.asset_key_str, change)
    ctx.pk = key


def _tell_writable(ctx: SyncContext) -> None:
    """Say once per process and source when its role could write: the session is read-only, but only a read-only
    role cannot be switched back (README: Read-only sources)."""
    if not ctx.result.source_role_can_write:
        return
    where = ctx.source.describe()
    if where not in _writable_sources_told:
        _writable_sources_told.add(where)
        ctx.log.warning(
            "%s: the role may write to %s; syncs read in read-only transactions, but give this source a read-only "
            "role (see README, 'Read-only sources')", where, ctx.entry.qualified_source,
        )


def _choose_mode(ctx: SyncContext, found: drift.Drift) -> str:
    """Full when asked, or when raw cannot be brought up to date by a delta; incremental otherwise."""
    reason = None
    state, result = ctx.state, ctx.result
    if ctx.requested_mode == "full":
        reason = "full load requested"
    elif ctx.raw_columns is None:
        reason = "first load"
    elif ctx.cursor is None:
        reason = f"no cursor column ({result.cursor_source})"
    elif ctx.plan.changed or found.forces_full:
        # existing rows would miss the new/widened/rewritten columns' values: reload them all
        reason = "schema drift: " + "; ".join(result.schema_changes)
    elif not enforces_key(ctx, ctx.wcur, RAW_SCHEMA, ctx.entry.raw_table):
        reason = f"raw's primary key differs from ({', '.join(ctx.pk)}): rebuilt"
    elif state.cursor_column and state.cursor_column != ctx.cursor:
        reason = f"cursor column changed from {state.cursor_column} to {ctx.cursor}"
    elif state.watermark is not None and state.watermark > ctx.read_time:
        reason = f"stored watermark {state.watermark} is past the source's clock {ctx.read_time}"
    elif state.watermark is None:  # nothing to count from (an empty table so far): a delta needs a watermark
        reason = "no watermark yet"
    if reason is None:
        return "incremental"
    if ctx.requested_mode == "incremental" and ctx.raw_columns is not None:
        ctx.log.warning("%s: incremental requested, loading in full: %s", ctx.entry.asset_key_str, reason)
    elif reason not in ("first load", "full load requested", "no watermark yet"):
        ctx.log.info("%s: full load: %s", ctx.entry.asset_key_str, reason)
    result.mode_reason = reason
    return "full"


def _report_future_cursors(ctx: SyncContext, stats) -> None:
    if stats is None or not stats.future_rows:
        return
    ctx.result.future_cursor_rows = stats.future_rows
    ctx.result.future_cursor_keys = list(stats.future_keys)
    ctx.log.warning(
        "%s: %d row(s) read have %s past the source's clock (%s), e.g. keys %s: kept in raw, the watermark stops "
        "at the read time", ctx.entry.asset_key_str, stats.future_rows, ctx.cursor, ctx.read_time,
        ", ".join(stats.future_keys),
    )


def _describe_failure(ctx: SyncContext, err: BaseException, lost: list[bool]) -> str:
    """What failed, where and while doing what, without secrets (DSNs are described, never printed)."""
    if isinstance(err, TransientSyncError | SyncBusy):
        return str(err)
    where = f"{ctx.entry.qualified_source} -> raw.{ctx.entry.raw_table}"
    lost_names = [res.describe() for res, gone in zip((ctx.source, ctx.warehouse), lost) if gone]
    code = getattr(err, "pgcode", None)
    if lost_names:
        head = f"connection to the {' and the '.join(lost_names)} lost"
    elif code in ("40001", "40P01", "55P03"):
        head = f"{transient_reason(err)} in the {ctx.warehouse.describe()}"
    else:
        head = "failed"
    return f"{head} while {ctx.phase} ({where}): {one_line(err)}"


def describe_plan(plan) -> list[str]:
    changes = [f"column {name} added" for name in plan.added]
    changes += [f"column {name} widened {old} -> {new}" for name, old, new in plan.widened]
    changes += [f"column {name} dropped in source (kept)" for name in plan.dropped_in_source]
    return changes
