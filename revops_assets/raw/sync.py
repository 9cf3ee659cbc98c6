"""Mirror one source table into raw.<source>_<table>: streamed COPY, full or incremental, atomic.

Guarantees, and how:
- Constant memory: rows never pass through Python objects. The source's `COPY ... TO STDOUT` is piped through an OS
  pipe into the warehouse's `COPY ... FROM STDIN` (a thread per side).
- Atomic: everything the warehouse sees (new rows, evolved columns, quarantine rows, the watermark, the audit row's
  outcome) happens in one transaction. A failure anywhere rolls it all back: the previous raw table and watermark
  stay as they were, and the failure is audited afterwards.
- Full loads build a staging table and swap it in, so readers never see a half-loaded table.
- Incremental loads re-read rows whose cursor is past (watermark - overlap), skipping rows whose writing transaction
  the previous sync already saw (see `_delta_query`), upsert them by primary key, and detect deletions: the source's
  key fingerprint (count and hash sum) against raw's, which ops.watermarks keeps current, and only when they differ
  a full primary-key reconciliation that marks rows gone from the source. The source is read in one REPEATABLE READ
  snapshot (shared with the fingerprint's connection) so the delta, the keys and the counts agree with each other.
- Duplicate source keys (APN declares no primary keys) are quarantined in ops.quarantine with the reason.
"""

from __future__ import annotations

import io
import logging
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Literal

import psycopg2
import psycopg2.errors
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ, TRANSACTION_STATUS_IDLE

from revops_assets.raw.columns import (
    DELETED_AT,
    LOADED_AT,
    NO_EQUALITY,
    RUN_ID,
    Column,
    SchemaPlan,
    discover_columns,
    plan_schema,
)
from revops_assets.resources.postgres import PostgresResource
from revops_assets.settings import sql_dir
from revops_assets.sources.catalog import SourceTable

RAW_SCHEMA = "raw"
Mode = Literal["auto", "full", "incremental"]
COPY_CHUNK = 1 << 20
# Raw tables are updated in place by every incremental: room left on each page lets an update keep the row on its
# page (a HOT update: no new primary-key entry, no other page touched), a fifth cheaper per changed row.
RAW_FILLFACTOR = 90
DELTA_CHUNK = 1 << 16  # a delta's keys reach the prefetcher sooner in smaller pieces
# Transaction ids compare modulo 2^32: trusted up to 2^31 apart, less a margin for ids assigned during a sync.
XID_COMPARISON_LIMIT = 2**31 - 2**27


class SourceTableMissing(RuntimeError):
    """A catalog table is absent from its source: that asset fails, the others load."""


@dataclass
class SyncResult:
    asset_key: str
    mode: str
    rows_read: int = 0
    bytes_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    rows_quarantined: int = 0
    source_rows: int = 0  # distinct keys in the source snapshot
    raw_live_rows: int = 0  # non-deleted rows in raw after the load
    raw_duplicate_keys: int = 0
    raw_null_keys: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    duration_s: float = 0.0
    columns: list[Column] = field(default_factory=list)
    schema_changes: list[str] = field(default_factory=list)
    deletes_checked_by: str = ""  # incremental: "key fingerprint" (sets equal) or "key reconciliation"
    live_fingerprint: tuple[int, int] | None = None  # (live rows, sum of key hashes) of raw after the load
    changes_found_by: str = ""  # incremental: "cursor" or "cursor, transaction ids" (see _delta_query)
    source_position: "_SourcePosition | None" = None

    @property
    def rows_per_s(self) -> float:
        return self.rows_read / self.duration_s if self.duration_s else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes_read / 1e6 / self.duration_s if self.duration_s else 0.0

    def as_dict(self) -> dict:
        out = asdict(self)
        out["columns"] = [(c.name, c.type) for c in self.columns]
        return out


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    return (sql_dir() / "raw" / name).read_text()


def _sql(name: str, **parts: sql.Composable) -> sql.Composed:
    return sql.SQL(_template(name)).format(**parts)


def _ident_list(names: list[str], prefix: str | None = None) -> sql.Composable:
    if prefix:
        return sql.SQL(", ").join(sql.Identifier(prefix, n) for n in names)
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def _key_join(pk: list[str], left: str, right: str) -> sql.Composable:
    return sql.SQL(" and ").join(
        sql.SQL("{} = {}").format(sql.Identifier(left, k), sql.Identifier(right, k)) for k in pk
    )


# -- streaming -------------------------------------------------------------------------------------------------
class _CountingReader(io.RawIOBase):
    """The pipe's read end as COPY FROM sees it, counting bytes and lines as they pass."""

    def __init__(self, raw, watch=None) -> None:
        self._raw = raw
        self._watch = watch
        self.bytes = 0
        self.lines = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        if self._watch is not None and chunk:
            self._watch(chunk)
        return chunk


def stream_copy(
    src_cur, copy_out: sql.Composable, dst_cur, copy_in: sql.Composable, watch=None, chunk: int = COPY_CHUNK
) -> tuple[int, int]:
    """Pipe a COPY TO STDOUT on one connection into a COPY FROM STDIN on another; returns (rows, bytes).
    `watch`, if given, sees every chunk of COPY text on its way (it must not block).

    If either side fails the error is raised (the source's, when the destination only saw a short stream), so the
    caller's transaction rolls back instead of committing a truncated table.
    """
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=chunk)
    writer = os.fdopen(write_fd, "wb", buffering=chunk)
    produced: list[BaseException] = []

    def produce() -> None:
        try:
            src_cur.copy_expert(copy_out, writer, size=chunk)
        except BaseException as err:  # re-raised in the caller's thread
            produced.append(err)
        finally:
            try:
                writer.close()
            except OSError:
                pass

    thread = threading.Thread(target=produce, name="copy-out", daemon=True)
    thread.start()
    counting = _CountingReader(reader, watch)
    try:
        dst_cur.copy_expert(copy_in, counting, size=chunk)
    except BaseException:
        reader.close()  # unblock the producer (EPIPE) before waiting for it
        thread.join()
        raise
    reader.close()
    thread.join()
    if produced:
        raise produced[0]
    return counting.lines, counting.bytes


def leading_integer_keys(partial: bytes, chunk: bytes) -> tuple[list[int], bytes]:
    """The integer first field of each complete line of COPY text in `partial + chunk`, and the incomplete tail
    (the start of the next chunk's first line). Nulls (`\\N`) and anything not a plain integer are skipped."""
    lines = (partial + chunk).split(b"\n")
    tail = lines.pop()
    keys = []
    for line in lines:
        field = line.split(b"\t", 1)[0]
        if field.isdigit() or (field[:1] == b"-" and field[1:].isdigit()):
            keys.append(int(field))
    return keys, tail


class _RawPrefetch:
    """Reads the raw pages of the keys streaming past (the first field of each COPY line) on its own connection,
    while the delta is still being copied, so the upsert finds them in memory instead of fetching them one by one
    afterwards. Only a warm-up: it reads, never writes, and stops when the copy ends, whatever it has not done."""

    def __init__(self, warehouse: PostgresResource, table: sql.Identifier, key: str) -> None:
        self._query = sql.SQL("select count(*) from {} where {} = any(%s)").format(table, sql.Identifier(key))
        self._warehouse = warehouse
        self._batches: queue.SimpleQueue = queue.SimpleQueue()
        self._partial = b""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="raw-prefetch", daemon=True)
        self._thread.start()

    def watch(self, chunk: bytes) -> None:
        keys, self._partial = leading_integer_keys(self._partial, chunk)
        if keys:
            self._batches.put(keys)

    def stop(self) -> None:
        self._done.set()
        self._batches.put(None)

    def join(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = self._warehouse.open()
        except Exception:  # a warm-up only: the sync does not depend on it
            return
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                while True:
                    keys = self._batches.get()
                    if keys is None or self._done.is_set():
                        return
                    cur.execute(self._query, (keys,))
        except Exception:
            logging.getLogger(__name__).debug("raw prefetch stopped", exc_info=True)
        finally:
            conn.close()


# -- the sync -------------------------------------------------------------------------------------------------
class TableSync:
    """One sync of one catalog table; `run()` does it all and returns what happened."""

    def __init__(
        self,
        entry: SourceTable,
        source: PostgresResource,
        warehouse: PostgresResource,
        *,
        run_id: str,
        mode: Mode = "auto",
        log: logging.Logger | None = None,
    ) -> None:
        self.entry = entry
        self.source = source
        self.warehouse = warehouse
        self.run_id = run_id
        self.requested_mode = mode
        self.log = log or logging.getLogger(__name__)
        self.table = sql.Identifier(RAW_SCHEMA, entry.raw_table)
        self.stage_name = f"_stage_{entry.raw_table}"[:63]
        self.pk = entry.primary_key

    # ---- public ----
    def run(self) -> SyncResult:
        started = time.monotonic()
        result = SyncResult(asset_key=self.entry.asset_key_str, mode=self.requested_mode)
        audit = _Audit(self.warehouse, self.entry, self.run_id)
        src = wh = None
        try:
            src, wh = self._open_connections()
            src.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
            wh.autocommit = True  # until the load starts: the audit's "running" row commits on its own
            with src.cursor() as scur, wh.cursor() as wcur:
                scur.execute("set time zone 'UTC'")
                wcur.execute("set time zone 'UTC'")
                source_columns = discover_columns(scur, self.entry.schema_name, self.entry.table)
                if source_columns is None:
                    raise SourceTableMissing(
                        f"source table {self.entry.schema_name}.{self.entry.table} (catalog entry "
                        f"{self.entry.source}.{self.entry.table}) does not exist in the {self.source.describe()}"
                    )
                present = {c.name for c in source_columns}
                missing_keys = [k for k in [*self.pk, self.entry.cursor or self.pk[0]] if k not in present]
                if missing_keys:
                    raise SourceTableMissing(
                        f"source table {self.entry.qualified_source} has no column(s) {missing_keys} "
                        "named as primary key / cursor in data/source_catalog.yaml"
                    )
                result.source_position = self._source_position(scur)
                raw_columns = discover_columns(wcur, RAW_SCHEMA, self.entry.raw_table, source=False)
                plan = plan_schema(source_columns, raw_columns)
                state = self._read_state(wcur) if raw_columns is not None else _RawState()
                result.watermark_before = state.watermark
                mode = self._choose_mode(raw_columns, plan, result.watermark_before)
                result.mode = mode
                audit.start(mode, result.watermark_before, wcur)
                wh.autocommit = False  # from here on, one transaction: rows, quarantine, watermark, audit
                result.schema_changes = _describe_plan(plan) if raw_columns is not None else []
                if mode == "full":
                    self._full(scur, wcur, source_columns, plan, result)
                else:
                    self._incremental(scur, wcur, source_columns, plan, state, result)
                newest = self._verify(wcur, plan, result)
                # the newest cursor among the rows just loaded: the whole table after a full load, the delta else
                if mode != "full":
                    newest = self._newest_cursor(wcur, sql.Identifier("_delta"))
                self._save_watermark(wcur, result, newest)
                result.duration_s = time.monotonic() - started
                audit.finish(result, status="success", cur=wcur)
            wh.commit()
            src.rollback()
        except BaseException as err:
            for conn in (wh, src):
                _safe_rollback(conn)
            result.duration_s = time.monotonic() - started
            audit.finish(result, status="failed", error=_one_line(err), conn=wh)
            raise
        finally:
            for conn in (wh, src):
                if conn is not None:
                    conn.close()
        result.duration_s = time.monotonic() - started
        return result

    def _open_connections(self):
        """Source and warehouse connections, opened at once (each costs a server process start)."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self.source.open)
            try:
                wh = self.warehouse.open()
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

    # ---- mode ----
    def _choose_mode(self, raw_columns, plan: SchemaPlan, watermark) -> str:
        if self.requested_mode == "full" or raw_columns is None:
            return "full"
        if self.entry.cursor is None:
            self.log.info("%s has no cursor column: full load", self.entry.asset_key_str)
            return "full"
        if plan.changed:
            # existing rows would miss the new/widened columns' values: reload them all
            self.log.info("%s schema drift (%s): full load", self.entry.asset_key_str, "; ".join(_describe_plan(plan)))
            return "full"
        if watermark is None and self.requested_mode == "auto":
            return "full"
        return "incremental"

    # ---- full ----
    def _full(self, scur, wcur, source_columns: list[Column], plan: SchemaPlan, result: SyncResult) -> None:
        stage = sql.Identifier(RAW_SCHEMA, self.stage_name)
        names = [c.name for c in source_columns]
        wcur.execute(sql.SQL("drop table if exists {}").format(stage))
        wcur.execute(
            sql.SQL(
                "create table {} ({}, {} timestamptz not null default now(), {} text not null default {}, {} timestamptz)"
                " with (fillfactor = {})"
            ).format(
                stage,
                sql.SQL(", ").join(c.definition() for c in plan.columns),
                sql.Identifier(LOADED_AT),
                sql.Identifier(RUN_ID),
                sql.Literal(self.run_id),
                sql.Identifier(DELETED_AT),
                sql.Literal(RAW_FILLFACTOR),
            )
        )
        copy_out = sql.SQL("copy (select {} from {}) to stdout").format(
            _ident_list(names), sql.Identifier(self.entry.schema_name, self.entry.table)
        )
        # freeze: the staging table was created in this transaction, so rows can be written already frozen and
        # marked visible to all; nothing reading raw later has to set hint bits page by page (the first upsert after
        # a full load otherwise costs twice the next one), and vacuum never has to freeze them
        copy_in = sql.SQL("copy {} ({}) from stdin with (freeze)").format(stage, _ident_list(names))
        result.rows_read, result.bytes_read = stream_copy(scur, copy_out, wcur, copy_in)

        pkey = sql.Identifier(f"{self.stage_name}_pkey"[:63])
        add_pk = sql.SQL("alter table {} add constraint {} primary key ({})").format(stage, pkey, _ident_list(self.pk))
        wcur.execute("savepoint add_pk")
        try:
            wcur.execute(add_pk)
        except (psycopg2.errors.UniqueViolation, psycopg2.errors.NotNullViolation):
            wcur.execute("rollback to savepoint add_pk")
            result.rows_quarantined = self._quarantine_duplicates(wcur, stage)
            result.rows_quarantined += self._quarantine_null_keys(wcur, stage)
            wcur.execute(add_pk)
        result.source_rows = result.rows_read - result.rows_quarantined

        if self._raw_exists(wcur):
            if plan.dropped_in_source:
                wcur.execute(
                    _sql(
                        "carry_dropped_columns.sql",
                        stage=stage,
                        old=self.table,
                        assignments=sql.SQL(", ").join(
                            sql.SQL("{} = {}").format(sql.Identifier(n), sql.Identifier("o", n))
                            for n in plan.dropped_in_source
                        ),
                        join=_key_join(self.pk, "s", "o"),
                    )
                )
            old_columns = discover_columns(wcur, RAW_SCHEMA, self.entry.raw_table, source=False) or []
            old_names = {c.name for c in old_columns}
            all_names = [c.name for c in plan.columns]
            wcur.execute(
                _sql(
                    "carry_deleted_rows.sql",
                    stage=stage,
                    old=self.table,
                    columns=_ident_list(all_names),
                    old_values=sql.SQL(", ").join(
                        sql.Identifier("o", n) if n in old_names else sql.SQL("null") for n in all_names
                    ),
                    join=_key_join(self.pk, "s", "o"),
                )
            )
            result.rows_deleted = wcur.fetchone()[0]
            wcur.execute(
                sql.SQL("select count(*) from {} where {} is null").format(self.table, sql.Identifier(DELETED_AT))
            )
            previous = wcur.fetchone()[0]
            wcur.execute(sql.SQL("drop table {}").format(self.table))
            result.rows_inserted = max(result.source_rows - previous, 0)
        else:
            result.rows_inserted = result.source_rows
        wcur.execute(sql.SQL("alter table {} rename to {}").format(stage, sql.Identifier(self.entry.raw_table)))
        wcur.execute(
            sql.SQL("alter index {} rename to {}").format(
                sql.Identifier(RAW_SCHEMA, f"{self.stage_name}_pkey"[:63]),
                sql.Identifier(f"{self.entry.raw_table}_pkey"[:63]),
            )
        )
        result.rows_updated = result.source_rows - result.rows_inserted
        result.columns = plan.columns

    # ---- incremental ----
    def _incremental(
        self, scur, wcur, source_columns: list[Column], plan: SchemaPlan, state: "_RawState", result: SyncResult
    ) -> None:
        names = [c.name for c in source_columns]
        cursor_col = next(c for c in source_columns if c.name == self.entry.cursor)
        since = result.watermark_before - timedelta(minutes=self.entry.overlap_minutes)
        if cursor_col.base in ("timestamp without time zone", "date"):
            since = since.astimezone(timezone.utc).replace(tzinfo=None)
        key_types = {c.name: c.base for c in plan.columns}
        # deletes: the source's key fingerprint is computed on a second connection sharing this transaction's
        # snapshot; raw's side is kept in ops.watermarks (no scan). The fingerprint's scan runs while the warehouse
        # upserts, not during the delta's scan: on a small machine two source scans would only slow each other.
        scur.execute("select pg_export_snapshot()")
        snapshot = scur.fetchone()[0]
        delta_copied, failed = threading.Event(), threading.Event()
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self._source_fingerprint, snapshot, key_types, delta_copied, failed)
            try:
                prefetch = self._copy_delta(scur, wcur, names, since, state, key_types, result)
            except BaseException:
                failed.set()  # the fingerprint need not scan for a load that is rolled back
                raise
            finally:
                delta_copied.set()
            try:
                inserted_fp = self._upsert_delta(wcur, names, plan, key_types, result)
            finally:
                if prefetch:
                    prefetch.join()
            source_fp = pending.result()
        if source_fp is None:  # no second connection in this snapshot: the same count, on this one
            source_fp = self._key_fingerprint(
                scur, sql.Identifier(self.entry.schema_name, self.entry.table), key_types, live_only=False
            )
        if state.live_fingerprint is not None:
            raw_fp = (state.live_fingerprint[0] + inserted_fp[0], state.live_fingerprint[1] + inserted_fp[1])
        else:  # not recorded yet (e.g. raw loaded by an older version): count once
            raw_fp = self._key_fingerprint(wcur, self.table, key_types, live_only=True)
        if source_fp == raw_fp:
            result.source_rows = source_fp[0]
            result.live_fingerprint = raw_fp  # _verify reads the live row count off it
            result.deletes_checked_by = "key fingerprint"
        else:
            self._reconcile_keys(scur, wcur, source_columns, result)
            result.deletes_checked_by = "key reconciliation"
        result.columns = plan.columns

    def _delta_query(self, names: list[str], since, state: "_RawState", result: SyncResult) -> sql.Composable:
        """The rows to re-read: cursor past `since`, and, when it is safe, only rows written by transactions the
        previous sync could not see.

        The cursor is rarely indexed (Odoo's write_date is not), so the delta is a scan of the whole table, and
        testing a timestamp in the last of 80 columns means unpacking every row. A row's xmin sits in its header:
        testing it first skips the unpacking for every row the previous sync already read. It only ever removes
        rows that sync saw (everything it could not see has xmin >= its snapshot's xmin), so the cursor still
        decides; it is used only on the same database and within 2^31 transactions (ids are compared modulo 2^32).
        """
        table = sql.Identifier(self.entry.schema_name, self.entry.table)
        cursor_test = sql.SQL("{} > {}").format(sql.Identifier(self.entry.cursor), sql.Literal(since))
        now, before = result.source_position, state.source_xmin
        usable = (
            now is not None
            and before is not None
            and state.source_identity == now.identity
            and 0 <= now.xmax - before < XID_COMPARISON_LIMIT
        )
        if not usable:
            result.changes_found_by = "cursor"
            return sql.SQL("select {} from {} where {}").format(_ident_list(names), table, cursor_test)
        result.changes_found_by = "cursor, transaction ids"
        # offset 0 keeps the xmin test inside, evaluated first (the planner would order by its own cost estimate)
        return sql.SQL(
            "select {} from (select * from {} where age(xmin) <= age({}::xid) offset 0) unseen where {}"
        ).format(_ident_list(names), table, sql.Literal(str(before % 2**32)), cursor_test)

    def _source_position(self, scur) -> "_SourcePosition":
        scur.execute(_template("source_position.sql"))
        xmin, xmax, identity = scur.fetchone()
        return _SourcePosition(xmin=int(xmin), xmax=int(xmax), identity=identity)

    def _copy_delta(
        self, scur, wcur, names: list[str], since, state: "_RawState", key_types, result: SyncResult
    ) -> "_RawPrefetch | None":
        """Stream the changed rows (see _delta_query) into the temp table _delta; quarantine bad keys there.
        Returns the prefetcher warming raw's pages for the upsert, stopped; join it when done."""
        delta = sql.Identifier("_delta")
        names = [*self.pk, *(n for n in names if n not in self.pk)]  # key first: the prefetcher reads it off
        wcur.execute(
            sql.SQL("create temp table {} on commit drop as select {} from {} with no data").format(
                delta, _ident_list(names), self.table
            )
        )
        copy_out = sql.SQL("copy ({}) to stdout").format(self._delta_query(names, since, state, result))
        integer_key = len(self.pk) == 1 and key_types.get(self.pk[0]) in ("smallint", "integer", "bigint")
        prefetch = _RawPrefetch(self.warehouse, self.table, self.pk[0]) if integer_key else None
        try:
            result.rows_read, result.bytes_read = stream_copy(
                scur, copy_out, wcur, sql.SQL("copy {} ({}) from stdin").format(delta, _ident_list(names)),
                watch=prefetch.watch if prefetch else None,
                chunk=DELTA_CHUNK if prefetch else COPY_CHUNK,
            )
        finally:
            if prefetch:
                prefetch.stop()
        if not self._enforces_key(scur, self.entry.schema_name, self.entry.table):  # APN's varchar ids have no key
            result.rows_quarantined = self._quarantine_duplicates(wcur, delta) + self._quarantine_null_keys(wcur, delta)
        return prefetch

    def _upsert_delta(self, wcur, names: list[str], plan: SchemaPlan, key_types, result: SyncResult) -> tuple[int, int]:
        """Upsert _delta into raw by primary key; returns the fingerprint of the keys it inserted."""
        delta = sql.Identifier("_delta")
        types = {c.name: c.base for c in plan.columns}
        non_key = [n for n in names if n not in self.pk]

        def compared(prefix: str, name: str) -> sql.Composable:
            ident = sql.Identifier(prefix, name) if prefix else sql.Identifier(name)
            return sql.SQL("{}::text").format(ident) if types.get(name) in NO_EQUALITY else ident

        wcur.execute(
            _sql(
                "upsert_delta.sql",
                table=self.table,
                delta=delta,
                columns=_ident_list(names),
                pk=_ident_list(self.pk),
                key_hash=self._key_hash(key_types, "t"),
                assignments=sql.SQL(", ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(n), sql.Identifier("excluded", n)) for n in non_key
                )
                if non_key
                else sql.SQL("{} = {}").format(sql.Identifier(self.pk[0]), sql.Identifier("excluded", self.pk[0])),
                old_values=sql.SQL(", ").join(compared("t", n) for n in names),
                new_values=sql.SQL(", ").join(compared("excluded", n) for n in names),
            ),
            {"run_id": self.run_id},
        )
        result.rows_inserted, result.rows_updated, inserted_hash = wcur.fetchone()
        return result.rows_inserted, int(inserted_hash)

    def _source_fingerprint(
        self, snapshot: str, key_types: dict[str, str], start: threading.Event, cancel: threading.Event
    ) -> tuple[int, int] | None:
        """The source's key fingerprint on its own connection, in the snapshot the delta is read in; the
        connection is made at once, the scan waits for `start` (one core: it runs beside the upsert).
        None when that connection cannot share the snapshot (e.g. a transaction-pooling proxy between us and the
        source sends it to another server process): the caller then counts on its own connection."""
        try:
            conn = self._snapshot_connection(snapshot)
        except Exception as err:
            self.log.warning(
                "%s: the key fingerprint cannot run beside the delta (%s); counting after it instead",
                self.entry.asset_key_str, _one_line(err),
            )
            return None
        try:
            with conn.cursor() as cur:
                cur.execute("set local max_parallel_workers_per_gather = 0")
                start.wait()
                if cancel.is_set():
                    return None
                return self._key_fingerprint(
                    cur, sql.Identifier(self.entry.schema_name, self.entry.table), key_types, live_only=False
                )
        finally:
            _safe_rollback(conn)
            conn.close()

    def _snapshot_connection(self, snapshot: str):
        """A second source connection in the exported snapshot `snapshot` (its transaction left open)."""
        conn = self.source.open()
        try:
            conn.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
            with conn.cursor() as cur:
                cur.execute("set transaction snapshot %s", (snapshot,))
        except BaseException:
            conn.close()
            raise
        return conn

    def _key_hash(self, key_types: dict[str, str], prefix: str | None = None) -> sql.Composable:
        """One int4 hash per key; the same expression on both sides, so sums (int8: no numeric arithmetic) compare
        key sets."""
        def ident(name: str) -> sql.Identifier:
            return sql.Identifier(prefix, name) if prefix else sql.Identifier(name)

        if len(self.pk) == 1 and key_types.get(self.pk[0]) in ("smallint", "integer", "bigint"):
            return sql.SQL("hashint8({}::bigint)").format(ident(self.pk[0]))  # no text conversion
        return sql.SQL("hashtext(row({})::text)").format(sql.SQL(", ").join(ident(k) for k in self.pk))

    def _key_fingerprint(
        self, cur, table: sql.Composable, key_types: dict[str, str], *, live_only: bool, newest: bool = False
    ):
        """(rows, sum of key hashes): equal on both sides means the same key set, without moving any keys.
        With `newest`, ((rows, sum), newest cursor) from the same scan."""
        where = sql.SQL(" where {} is null").format(sql.Identifier(DELETED_AT)) if live_only else sql.SQL("")
        newest_sql = (
            sql.SQL(", max({})::timestamptz").format(sql.Identifier(self.entry.cursor)) if newest else sql.SQL("")
        )
        cur.execute(
            sql.SQL("select count(*), coalesce(sum({hashed}), 0){newest} from {t}{where}").format(
                hashed=self._key_hash(key_types), newest=newest_sql, t=table, where=where
            )
        )
        row = cur.fetchone()
        fingerprint = int(row[0]), int(row[1])
        return (fingerprint, row[2]) if newest else fingerprint

    def _newest_cursor(self, cur, table: sql.Composable) -> datetime | None:
        if not self.entry.cursor:
            return None
        cur.execute(sql.SQL("select max({})::timestamptz from {}").format(sql.Identifier(self.entry.cursor), table))
        return cur.fetchone()[0]

    def _reconcile_keys(self, scur, wcur, source_columns: list[Column], result: SyncResult) -> None:
        """Copy every source key and mark raw rows missing from it deleted (and returning ones live again)."""
        keys = sql.Identifier("_source_keys")
        key_cols = [c for c in source_columns if c.name in self.pk]
        wcur.execute(
            sql.SQL("create temp table {} ({}) on commit drop").format(
                keys, sql.SQL(", ").join(c.definition() for c in key_cols)
            )
        )
        stream_copy(
            scur,
            sql.SQL("copy (select {} from {}) to stdout").format(
                _ident_list(self.pk), sql.Identifier(self.entry.schema_name, self.entry.table)
            ),
            wcur,
            sql.SQL("copy {} ({}) from stdin").format(keys, _ident_list(self.pk)),
        )
        wcur.execute(sql.SQL("analyze {}").format(keys))
        wcur.execute(
            _sql("mark_deleted.sql", table=self.table, keys=keys, join=_key_join(self.pk, "k", "t")),
            {"run_id": self.run_id},
        )
        deleted, restored = wcur.fetchone()
        result.rows_deleted = deleted
        result.rows_updated += restored
        wcur.execute(sql.SQL("select count(*) from (select distinct {} from {}) k").format(_ident_list(self.pk), keys))
        result.source_rows = wcur.fetchone()[0]

    # ---- shared steps ----
    def _quarantine_duplicates(self, wcur, table: sql.Identifier) -> int:
        cursor = self.entry.cursor
        order_by = (
            sql.SQL("{} desc nulls last, t.ctid desc").format(sql.Identifier("t", cursor))
            if cursor
            else sql.SQL("t.ctid desc")
        )
        wcur.execute(
            _sql(
                "quarantine_duplicates.sql",
                table=table,
                pk=_ident_list(self.pk),
                pk_t=_ident_list(self.pk, "t"),
                order_by=order_by,
                pk_text=sql.SQL("concat_ws(',', {})").format(
                    sql.SQL(", ").join(sql.SQL("moved.{}::text").format(sql.Identifier(k)) for k in self.pk)
                ),
            ),
            {
                "run_id": self.run_id,
                "asset_key": self.entry.asset_key_str,
                "source_table": self.entry.qualified_source,
                "pk_names": ", ".join(self.pk),
                "kept_by": f"{cursor} then read order" if cursor else "read order",
            },
        )
        moved = wcur.rowcount
        if moved:
            self.log.warning("%s: %d duplicate-key rows quarantined in ops.quarantine", self.entry.asset_key_str, moved)
        return moved

    def _quarantine_null_keys(self, wcur, table: sql.Identifier) -> int:
        null_test = sql.SQL(" or ").join(sql.SQL("{} is null").format(sql.Identifier(k)) for k in self.pk)
        wcur.execute(
            sql.SQL(
                "with moved as (delete from {} t where {} returning t.*) "
                "insert into ops.quarantine (run_id, asset_key, source_table, primary_key, reason, row_data) "
                "select %(run_id)s, %(asset_key)s, %(source_table)s, null, %(reason)s, to_jsonb(moved) from moved"
            ).format(table, null_test),
            {
                "run_id": self.run_id,
                "asset_key": self.entry.asset_key_str,
                "source_table": self.entry.qualified_source,
                "reason": f"primary key ({', '.join(self.pk)}) is null in the source",
            },
        )
        return wcur.rowcount

    def _verify(self, wcur, plan: SchemaPlan, result: SyncResult) -> datetime | None:
        """Live rows and their key fingerprint, and duplicate/null keys (read off the primary-key constraint).
        Returns the newest live cursor when it had to scan raw (after a full load or a key reconciliation)."""
        newest = None
        if result.live_fingerprint is None:  # one scan counts, fingerprints and finds the newest cursor
            key_types = {c.name: c.base for c in plan.columns}
            if self.entry.cursor:
                result.live_fingerprint, newest = self._key_fingerprint(
                    wcur, self.table, key_types, live_only=True, newest=True
                )
            else:
                result.live_fingerprint = self._key_fingerprint(wcur, self.table, key_types, live_only=True)
        result.raw_live_rows = result.live_fingerprint[0]
        if self._enforces_key(wcur, RAW_SCHEMA, self.entry.raw_table):
            result.raw_duplicate_keys = result.raw_null_keys = 0
            return newest
        wcur.execute(
            sql.SQL("select count(*) - count(distinct ({pk})), count(*) filter (where {any_null}) from {table}").format(
                pk=_ident_list(self.pk),
                any_null=sql.SQL(" or ").join(sql.SQL("{} is null").format(sql.Identifier(k)) for k in self.pk),
                table=self.table,
            )
        )
        result.raw_duplicate_keys, result.raw_null_keys = wcur.fetchone()
        return newest

    def _enforces_key(self, cur, schema: str, table: str) -> bool:
        """Whether schema.table has a primary-key constraint on exactly the catalog's key: no duplicates or nulls."""
        cur.execute(_template("primary_key_columns.sql"), {"schema": schema, "table": table})
        return cur.fetchone()[0] == sorted(self.pk)

    def _raw_exists(self, wcur) -> bool:
        wcur.execute("select to_regclass(%s)", (f"{RAW_SCHEMA}.{self.entry.raw_table}",))
        return wcur.fetchone()[0] is not None

    def _read_state(self, wcur) -> "_RawState":
        wcur.execute(
            "select watermark, live_rows, live_key_hash, source_xmin, source_identity from ops.watermarks "
            "where asset_key = %s",
            (self.entry.asset_key_str,),
        )
        row = wcur.fetchone()
        if row is None:
            return _RawState()
        watermark, live_rows, live_hash, source_xmin, identity = row
        return _RawState(
            watermark,
            (live_rows, live_hash) if live_rows is not None and live_hash is not None else None,
            source_xmin,
            identity,
        )

    def _save_watermark(self, wcur, result: SyncResult, newest: datetime | None) -> None:
        if not self.entry.cursor:
            return
        if result.watermark_before is not None and newest is not None:
            newest = max(newest, result.watermark_before)
        result.watermark_after = newest
        live_rows, live_hash = result.live_fingerprint or (None, None)
        position = result.source_position
        wcur.execute(
            _template("save_watermark.sql"),
            {
                "asset_key": self.entry.asset_key_str,
                "cursor_column": self.entry.cursor,
                "watermark": newest,
                "run_id": self.run_id,
                "live_rows": live_rows,
                "live_key_hash": live_hash,
                "source_xmin": position.xmin if position else None,
                "source_identity": position.identity if position else None,
            },
        )


@dataclass(frozen=True)
class _SourcePosition:
    """A snapshot of the source: 64-bit transaction ids (xmin: oldest still running; xmax: next to be assigned)."""

    xmin: int
    xmax: int
    identity: str  # "<system identifier>/<database oid>", or the oid alone when the role may not read the former


@dataclass
class _RawState:
    """What ops.watermarks knows about a raw table before a sync."""

    watermark: datetime | None = None
    live_fingerprint: tuple[int, int] | None = None
    source_xmin: int | None = None  # the source position of the sync that wrote the watermark
    source_identity: str | None = None


class _Audit:
    """ops.sync_runs rows. The "running" row commits on its own; the final row commits with the load on success,
    or after its rollback on failure (on a fresh connection if the load's own one is unusable), so a failed load
    is still recorded."""

    def __init__(self, warehouse: PostgresResource, entry: SourceTable, run_id: str) -> None:
        self.warehouse, self.entry, self.run_id = warehouse, entry, run_id
        self.id: int | None = None
        self.mode = "full"

    def start(self, mode: str, watermark_before, cur) -> None:
        """`cur` must be in autocommit mode (the row must outlive a rollback of the load)."""
        self.mode = mode
        cur.execute(
            _template("audit_start.sql"),
            {
                "run_id": self.run_id,
                "asset_key": self.entry.asset_key_str,
                "source_table": self.entry.qualified_source,
                "mode": mode,
                "watermark_before": watermark_before,
            },
        )
        self.id = cur.fetchone()[0]

    def finish(self, result: SyncResult, *, status: str, error: str | None = None, cur=None, conn=None) -> None:
        """In the load's transaction (`cur`), or after a failure on `conn` (already rolled back) or a new one."""
        if cur is not None:
            cur.execute(_template("audit_finish.sql"), self._params(result, status, error))
            return
        try:
            if conn is not None and not conn.closed and conn.get_transaction_status() == TRANSACTION_STATUS_IDLE:
                conn.autocommit = True
                self._record_failure(conn, result, status, error)
            else:
                with self.warehouse.connection() as fresh:
                    fresh.autocommit = True
                    self._record_failure(fresh, result, status, error)
        except Exception:  # the audit must never hide the load's own error
            logging.getLogger(__name__).exception("could not record the sync audit row")

    def _record_failure(self, conn, result: SyncResult, status: str, error: str | None) -> None:
        with conn.cursor() as cur:
            if self.id is None:
                mode = result.mode if result.mode in ("full", "incremental") else "full"
                self.start(mode, result.watermark_before, cur)
            cur.execute(_template("audit_finish.sql"), self._params(result, status, error))

    def _params(self, result: SyncResult, status: str, error: str | None) -> dict:
        ok = status == "success"
        return {
            "id": self.id,
            "status": status,
            "mode": result.mode if result.mode in ("full", "incremental") else self.mode,
            "rows_read": result.rows_read,
            "rows_inserted": result.rows_inserted if ok else 0,
            "rows_updated": result.rows_updated if ok else 0,
            "rows_deleted": result.rows_deleted if ok else 0,
            "rows_quarantined": result.rows_quarantined if ok else 0,
            "watermark_after": result.watermark_after if ok else result.watermark_before,
            "error": error,
        }


def _describe_plan(plan: SchemaPlan) -> list[str]:
    changes = [f"column {name} added" for name in plan.added]
    changes += [f"column {name} widened {old} -> {new}" for name, old, new in plan.widened]
    changes += [f"column {name} dropped in source (kept)" for name in plan.dropped_in_source]
    return changes


def _safe_rollback(conn) -> None:
    try:
        if not conn.closed:
            conn.rollback()
    except Exception:
        pass


def _one_line(err: BaseException) -> str:
    return f"{type(err).__name__}: {str(err).strip().splitlines()[0] if str(err).strip() else ''}"[:2000]


def sync_table(
    entry: SourceTable,
    source: PostgresResource,
    warehouse: PostgresResource,
    *,
    run_id: str,
    mode: Mode = "auto",
    log: logging.Logger | None = None,
) -> SyncResult:
    """Mirror one catalog table; see the module docstring for what is guaranteed."""
    return TableSync(entry, source, warehouse, run_id=run_id, mode=mode, log=log).run()
