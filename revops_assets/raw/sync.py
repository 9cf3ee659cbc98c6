"""Mirror one source table into raw.<source>_<table>: streamed COPY, full or incremental, atomic.

Guarantees, and how:
- Constant memory: rows never pass through Python objects. The source's `COPY ... TO STDOUT` is piped through an OS
  pipe into the warehouse's `COPY ... FROM STDIN` (a thread per side).
- Atomic: everything the warehouse sees (new rows, evolved columns, quarantine rows, the watermark) happens in one
  transaction. A failure anywhere rolls it all back: the previous raw table and watermark stay as they were.
- Full loads build a staging table and swap it in, so readers never see a half-loaded table.
- Incremental loads re-read rows whose cursor is past (watermark - overlap), upsert them by primary key, and detect
  deletions: a fingerprint of the key sets (count and hash sum, both sides at once) and, only when they differ, a
  full primary-key reconciliation that marks rows gone from the source. The source is read in one REPEATABLE READ
  snapshot so the delta, the keys and the counts agree with each other.
- Duplicate source keys (APN declares no primary keys) are quarantined in ops.quarantine with the reason.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Literal

import psycopg2
import psycopg2.errors
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

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

    def __init__(self, raw) -> None:
        self._raw = raw
        self.bytes = 0
        self.lines = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        return chunk


def stream_copy(src_cur, copy_out: sql.Composable, dst_cur, copy_in: sql.Composable) -> tuple[int, int]:
    """Pipe a COPY TO STDOUT on one connection into a COPY FROM STDIN on another; returns (rows, bytes).

    If either side fails the error is raised (the source's, when the destination only saw a short stream), so the
    caller's transaction rolls back instead of committing a truncated table.
    """
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=COPY_CHUNK)
    writer = os.fdopen(write_fd, "wb", buffering=COPY_CHUNK)
    produced: list[BaseException] = []

    def produce() -> None:
        try:
            src_cur.copy_expert(copy_out, writer, size=COPY_CHUNK)
        except BaseException as err:  # re-raised in the caller's thread
            produced.append(err)
        finally:
            try:
                writer.close()
            except OSError:
                pass

    thread = threading.Thread(target=produce, name="copy-out", daemon=True)
    thread.start()
    counting = _CountingReader(reader)
    try:
        dst_cur.copy_expert(copy_in, counting, size=COPY_CHUNK)
    except BaseException:
        reader.close()  # unblock the producer (EPIPE) before waiting for it
        thread.join()
        raise
    reader.close()
    thread.join()
    if produced:
        raise produced[0]
    return counting.lines, counting.bytes


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
        src = self.source.open()
        wh = self.warehouse.open()
        try:
            src.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
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
                raw_columns = discover_columns(wcur, RAW_SCHEMA, self.entry.raw_table)
                plan = plan_schema(source_columns, raw_columns)
                result.watermark_before = self._read_watermark(wcur)
                mode = self._choose_mode(raw_columns, plan, result.watermark_before)
                result.mode = mode
                audit.start(mode, result.watermark_before)
                result.schema_changes = _describe_plan(plan) if raw_columns is not None else []
                if mode == "full":
                    self._full(scur, wcur, source_columns, plan, result)
                else:
                    self._incremental(scur, wcur, source_columns, plan, result)
                self._verify(wcur, result)
                # the newest cursor among the rows just loaded: the whole table after a full load, the delta else
                self._save_watermark(wcur, result, self.table if mode == "full" else sql.Identifier("_delta"))
            wh.commit()
            src.rollback()
        except BaseException as err:
            _safe_rollback(wh)
            _safe_rollback(src)
            result.duration_s = time.monotonic() - started
            audit.finish(result, status="failed", error=_one_line(err))
            raise
        finally:
            wh.close()
            src.close()
        result.duration_s = time.monotonic() - started
        audit.finish(result, status="success")
        return result

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
            ).format(
                stage,
                sql.SQL(", ").join(c.definition() for c in plan.columns),
                sql.Identifier(LOADED_AT),
                sql.Identifier(RUN_ID),
                sql.Literal(self.run_id),
                sql.Identifier(DELETED_AT),
            )
        )
        copy_out = sql.SQL("copy (select {} from {}) to stdout").format(
            _ident_list(names), sql.Identifier(self.entry.schema_name, self.entry.table)
        )
        copy_in = sql.SQL("copy {} ({}) from stdin").format(stage, _ident_list(names))
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
            old_names = {c.name for c in (discover_columns(wcur, RAW_SCHEMA, self.entry.raw_table) or [])}
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
    def _incremental(self, scur, wcur, source_columns: list[Column], plan: SchemaPlan, result: SyncResult) -> None:
        names = [c.name for c in source_columns]
        cursor_col = next(c for c in source_columns if c.name == self.entry.cursor)
        since = result.watermark_before - timedelta(minutes=self.entry.overlap_minutes)
        if cursor_col.base in ("timestamp without time zone", "date"):
            since = since.astimezone(timezone.utc).replace(tzinfo=None)
        delta = sql.Identifier("_delta")
        wcur.execute(
            sql.SQL("create temp table {} on commit drop as select {} from {} with no data").format(
                delta, _ident_list(names), self.table
            )
        )
        copy_out = sql.SQL("copy (select {} from {} where {} > {}) to stdout").format(
            _ident_list(names),
            sql.Identifier(self.entry.schema_name, self.entry.table),
            sql.Identifier(self.entry.cursor),
            sql.Literal(since),
        )
        result.rows_read, result.bytes_read = stream_copy(
            scur, copy_out, wcur, sql.SQL("copy {} ({}) from stdin").format(delta, _ident_list(names))
        )
        result.rows_quarantined = self._quarantine_duplicates(wcur, delta) + self._quarantine_null_keys(wcur, delta)

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
        result.rows_inserted, result.rows_updated = wcur.fetchone()

        # deletes: a cheap fingerprint of the keys on both sides first (same snapshot as the delta); the full key
        # reconciliation runs only when they differ (always the case after a delete or a resurrected row)
        key_types = {c.name: c.base for c in plan.columns}
        with ThreadPoolExecutor(max_workers=1) as pool:  # the two scans run at once, one per connection
            pending = pool.submit(
                self._key_fingerprint, scur, sql.Identifier(self.entry.schema_name, self.entry.table), key_types,
                live_only=False,
            )
            raw_fp = self._key_fingerprint(wcur, self.table, key_types, live_only=True)
            source_fp = pending.result()
        if source_fp == raw_fp:
            result.source_rows = result.raw_live_rows = source_fp[0]  # _verify need not count again
            result.deletes_checked_by = "key fingerprint"
        else:
            self._reconcile_keys(scur, wcur, source_columns, result)
            result.deletes_checked_by = "key reconciliation"
        result.columns = plan.columns

    def _key_fingerprint(self, cur, table: sql.Composable, key_types: dict[str, str], *, live_only: bool) -> tuple[int, int]:
        """(rows, sum of key hashes): equal on both sides means the same key set, without moving any keys."""
        where = sql.SQL(" where {} is null").format(sql.Identifier(DELETED_AT)) if live_only else sql.SQL("")
        if len(self.pk) == 1 and key_types.get(self.pk[0]) in ("smallint", "integer", "bigint"):
            hashed = sql.SQL("hashint8({}::bigint)").format(sql.Identifier(self.pk[0]))  # no text conversion
        else:
            hashed = sql.SQL("hashtext(row({})::text)").format(_ident_list(self.pk))
        cur.execute(
            sql.SQL("select count(*), coalesce(sum({hashed}::bigint), 0) from {t}{where}").format(
                hashed=hashed, t=table, where=where
            )
        )
        count, total = cur.fetchone()
        return int(count), int(total)

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

    def _verify(self, wcur, result: SyncResult) -> None:
        """Live rows, and duplicate/null keys: read off the primary-key constraint when Postgres enforces it."""
        if result.deletes_checked_by != "key fingerprint":  # the fingerprint counted them already
            wcur.execute(
                sql.SQL("select count(*) from {} where {} is null").format(self.table, sql.Identifier(DELETED_AT))
            )
            result.raw_live_rows = wcur.fetchone()[0]
        wcur.execute(
            "select array_agg(a.attname::text order by a.attname) from pg_index i "
            "join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) "
            "where i.indrelid = to_regclass(%s) and i.indisprimary",
            (f"{RAW_SCHEMA}.{self.entry.raw_table}",),
        )
        enforced = wcur.fetchone()[0]
        if enforced == sorted(self.pk):
            result.raw_duplicate_keys = result.raw_null_keys = 0
            return
        wcur.execute(
            sql.SQL("select count(*) - count(distinct ({pk})), count(*) filter (where {any_null}) from {table}").format(
                pk=_ident_list(self.pk),
                any_null=sql.SQL(" or ").join(sql.SQL("{} is null").format(sql.Identifier(k)) for k in self.pk),
                table=self.table,
            )
        )
        result.raw_duplicate_keys, result.raw_null_keys = wcur.fetchone()

    def _raw_exists(self, wcur) -> bool:
        wcur.execute("select to_regclass(%s)", (f"{RAW_SCHEMA}.{self.entry.raw_table}",))
        return wcur.fetchone()[0] is not None

    def _read_watermark(self, wcur) -> datetime | None:
        if not self._raw_exists(wcur):
            return None
        wcur.execute("select watermark from ops.watermarks where asset_key = %s", (self.entry.asset_key_str,))
        row = wcur.fetchone()
        return row[0] if row else None

    def _save_watermark(self, wcur, result: SyncResult, loaded: sql.Composable) -> None:
        if not self.entry.cursor:
            return
        wcur.execute(
            sql.SQL("select max({})::timestamptz from {}").format(sql.Identifier(self.entry.cursor), loaded)
        )
        newest = wcur.fetchone()[0]
        if result.watermark_before is not None and newest is not None:
            newest = max(newest, result.watermark_before)
        result.watermark_after = newest
        wcur.execute(
            _template("save_watermark.sql"),
            {
                "asset_key": self.entry.asset_key_str,
                "cursor_column": self.entry.cursor,
                "watermark": newest,
                "run_id": self.run_id,
            },
        )


class _Audit:
    """ops.sync_runs rows, written on their own autocommit connection so a failed load is still recorded."""

    def __init__(self, warehouse: PostgresResource, entry: SourceTable, run_id: str) -> None:
        self.warehouse, self.entry, self.run_id = warehouse, entry, run_id
        self.id: int | None = None
        self.mode = "full"

    def start(self, mode: str, watermark_before) -> None:
        self.mode = mode
        with self.warehouse.connection() as conn, conn.cursor() as cur:
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

    def finish(self, result: SyncResult, *, status: str, error: str | None = None) -> None:
        if self.id is None:
            self.start(result.mode if result.mode in ("full", "incremental") else "full", result.watermark_before)
        params = {
            "id": self.id,
            "status": status,
            "mode": result.mode if result.mode in ("full", "incremental") else self.mode,
            "rows_read": result.rows_read,
            "rows_inserted": result.rows_inserted if status == "success" else 0,
            "rows_updated": result.rows_updated if status == "success" else 0,
            "rows_deleted": result.rows_deleted if status == "success" else 0,
            "rows_quarantined": result.rows_quarantined if status == "success" else 0,
            "watermark_after": result.watermark_after if status == "success" else result.watermark_before,
            "error": error,
        }
        try:
            with self.warehouse.connection() as conn, conn.cursor() as cur:
                cur.execute(_template("audit_finish.sql"), params)
        except Exception:  # the audit must never hide the load's own error
            logging.getLogger(__name__).exception("could not record the sync audit row")


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
