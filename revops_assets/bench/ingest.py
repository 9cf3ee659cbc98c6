"""`revops bench ingest`: raw-layer load speed and memory against the bare COPY-to-COPY pipe, in the same run.

For each benchmark table (>= 1,000,000 billing rows, a wide crm_lead of >= 100,000 rows) it measures:
- the baseline: the source's COPY TO piped straight into a COPY FROM of an unconstrained table in the warehouse
  (the physical limit of moving those bytes between these two databases);
- the full raw load (staging table, primary key, quarantine check, deletion carry-over, atomic swap);
- the steady state: two incremental syncs in a row with no change in the source, then one after 1% of the rows
  changed (target: each at most 0.1x the full load);
- another 1% after a checkpoint (what a sync scheduled hours apart meets: whole-page WAL images);
- 0.1% of the rows deleted: the source's deleted-rows counter moves, so the sync checks the keys and reconciles
  them (raw/changes.py); the cost of a sync that finds deletes, outside the target.
Peak memory is this process's resident set size sampled during each load (Postgres' own memory is not ours).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psutil
import psycopg2
from psycopg2 import sql

from revops_assets import settings
from revops_assets.raw.sync import sync_table
from revops_assets.raw.transport import stream_copy
from revops_assets.resources.postgres import PostgresResource
from revops_assets.sources.catalog import source_tables
from revops_assets.warehouse.ddl import apply_warehouse_ddl

BENCH_DBS = {"odoo": "bench_odoo", "apn": "bench_apn", "warehouse": "bench_warehouse"}
TARGET_FULL_VS_PIPE = 0.7
TARGET_INCREMENTAL_VS_FULL = 0.10


class PeakRss:
    """Samples this process's RSS every few ms; `peak_mb` is the growth above the level at start."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.process = psutil.Process()
        self.start_rss = self.peak_rss = 0
        self._stop = threading.Event()

    def __enter__(self) -> "PeakRss":
        self.start_rss = self.peak_rss = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return (self.peak_rss - self.start_rss) / 1e6


@dataclass
class Measure:
    label: str
    rows: int
    mb: float
    seconds: float
    peak_mb: float
    deletes_checked_by: str = ""

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.mb / self.seconds if self.seconds else 0.0


def bare_pipe(source: PostgresResource, warehouse: PostgresResource, table: str) -> Measure:
    """The baseline: the same two COPYs with nothing else (no staging logic, keys, swap or audit)."""
    src, wh = source.open(), warehouse.open()
    try:
        with src.cursor() as scur, wh.cursor() as wcur:
            target = sql.Identifier("bench", f"pipe_{table}")
            wcur.execute("create schema if not exists bench")
            wcur.execute(sql.SQL("drop table if exists {}").format(target))
            scur.execute(
                "select string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ', ' order by attnum) "
                "from pg_attribute where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped",
                (f"public.{table}",),
            )
            columns_ddl = scur.fetchone()[0]
            wcur.execute(sql.SQL("create table {} (" + columns_ddl + ")").format(target))
            wh.commit()
            with PeakRss() as rss:
                started = time.monotonic()
                rows, nbytes = stream_copy(
                    scur,
                    sql.SQL("copy {} to stdout").format(sql.Identifier("public", table)),
                    wcur,
                    sql.SQL("copy {} from stdin").format(target),
                )
                wh.commit()
                seconds = time.monotonic() - started
            wcur.execute(sql.SQL("drop table {}").format(target))
            wh.commit()
    finally:
        src.close()
        wh.close()
    return Measure(f"bare COPY pipe {table}", rows, nbytes / 1e6, seconds, rss.peak_mb)


def timed_sync(entry, source, warehouse, mode: str, label: str) -> Measure:
    quiet = logging.getLogger("revops.bench.ingest")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False  # the embedded superuser "may write" warning is not a benchmark result
    with PeakRss() as rss:
        started = time.monotonic()
        result = sync_table(entry, source, warehouse, run_id=f"bench-{mode}-{int(started)}", mode=mode, log=quiet)
        seconds = time.monotonic() - started
    if mode == "auto" and result.mode != "incremental":  # a steady-state sync that reloads is the bug to catch
        raise RuntimeError(f"{label}: expected an incremental sync, got {result.mode} ({result.mode_reason})")
    return Measure(label, result.rows_read, result.bytes_read / 1e6, seconds, rss.peak_mb, result.deletes_checked_by)


def prepare_sources(server, billing_rows: int, leads: int, seed: int) -> dict[str, str]:
    from revops_assets.sources.synthetic import seed_sources

    dsns = {}
    for key, db in BENCH_DBS.items():
        server.drop_database(db)
        server.ensure_database(db)
        dsns[key] = server.dsn(db)
    apply_warehouse_ddl(dsns["warehouse"])
    with tempfile.TemporaryDirectory() as truth:
        seed_sources(dsns["odoo"], dsns["apn"], Path(truth), scale=2000, seed=seed, billing_rows=billing_rows)
    widen_crm_lead(dsns["odoo"], leads)
    settle(dsns["odoo"], ("c_billing_internal_cur", "crm_lead"))
    return dsns


def settle(dsn: str, tables: tuple[str, ...] = ()) -> None:
    """Bring the server to rest before a timed step: the tables just generated vacuumed (a live source is kept so
    by autovacuum, which would otherwise start in the middle of a measurement) and a checkpoint, so that no step
    pays for writing out the previous step's dirty pages. The second incremental is timed right after one too, as
    a sync scheduled hours apart always is: its first change to each page is then logged as a whole page."""
    conn = psycopg2.connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for table in tables:
                cur.execute(sql.SQL("vacuum (analyze) {}").format(sql.Identifier(table)))
            cur.execute("checkpoint")
    finally:
        conn.close()


def widen_crm_lead(odoo_dsn: str, target_rows: int) -> None:
    """Replicate the seeded opportunities server-side (new ids, same wide rows) up to `target_rows`."""
    with psycopg2.connect(odoo_dsn) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from crm_lead")
        have = cur.fetchone()[0]
        if have >= target_rows:
            return
        cur.execute(
            "select string_agg(quote_ident(column_name), ', ' order by ordinal_position) from information_schema.columns "
            "where table_schema = 'public' and table_name = 'crm_lead' and column_name <> 'id'"
        )
        columns = cur.fetchone()[0]
        copies = -(-(target_rows - have) // have)
        cur.execute(
            sql.SQL(
                "insert into crm_lead (" + columns + ") select " + columns + " from crm_lead, generate_series(1, %s) "
                "limit %s"
            ),
            (copies, target_rows - have),
        )
        cur.execute("analyze crm_lead")


def touch_one_percent(odoo_dsn: str, table: str, remainder: int = 0) -> int:
    """Change 1% of the rows, spread over the whole table (one row in 100 by id): the worst case for locality."""
    with psycopg2.connect(odoo_dsn) as conn, conn.cursor() as cur:
        cur.execute(
            sql.SQL("update {} set write_date = now() at time zone 'UTC' where id %% 100 = %s").format(
                sql.Identifier(table)
            ),
            (remainder,),
        )
        return cur.rowcount


def delete_one_in_a_thousand(odoo_dsn: str, table: str) -> int:
    with psycopg2.connect(odoo_dsn) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("delete from {} where id % 1000 = 2").format(sql.Identifier(table)))
        return cur.rowcount


def run(billing_rows: int, leads: int, seed: int) -> list[tuple[str, Measure, Measure, Measure, Measure]]:
    from revops_assets.warehouse.bootstrap import bring_up

    if settings.uses_external_servers():
        raise ValueError("bench ingest uses the embedded server; unset WAREHOUSE_DSN/ODOO_DSN/APN_DSN")
    bring_up()
    server = settings.embedded_server()
    print(f"preparing sources: {billing_rows:,} billing rows, {leads:,} crm_lead rows ...", flush=True)
    t0 = time.monotonic()
    dsns = prepare_sources(server, billing_rows, leads, seed)
    print(f"  sources ready in {time.monotonic() - t0:.1f}s", flush=True)
    source = PostgresResource(dsn=dsns["odoo"], connection_name="odoo source (bench)", read_only=True)
    warehouse = PostgresResource(dsn=dsns["warehouse"], connection_name="warehouse (bench)")
    entries = {e.table: e for e in source_tables() if e.source == "odoo"}
    results = []
    for table in ("c_billing_internal_cur", "crm_lead"):
        entry = entries[table]
        settle(dsns["warehouse"])
        pipe = bare_pipe(source, warehouse, table)
        settle(dsns["warehouse"])
        full = timed_sync(entry, source, warehouse, "full", f"raw full load {table}")
        # steady state: nothing changed, twice (the second must not be a reload), then 1% changed
        quiet = [timed_sync(entry, source, warehouse, "auto", f"raw incremental {table} (no change, {n})")
                 for n in (1, 2)]
        changed = touch_one_percent(dsns["odoo"], table, remainder=0)
        incremental = timed_sync(entry, source, warehouse, "auto", f"raw incremental {table} ({changed:,} changed)")
        # another 1%, after a checkpoint: the first change to each page after one is logged whole (and the source's
        # first read of each updated page prunes it), which is what a sync scheduled hours apart always pays
        changed = touch_one_percent(dsns["odoo"], table, remainder=1)
        settle(dsns["warehouse"])
        after_checkpoint = timed_sync(
            entry, source, warehouse, "auto", f"raw incremental {table} after checkpoint ({changed:,} changed)"
        )
        deleted = delete_one_in_a_thousand(dsns["odoo"], table)
        with_deletes = timed_sync(entry, source, warehouse, "auto", f"raw incremental {table} ({deleted:,} deleted)")
        if with_deletes.deletes_checked_by != "key reconciliation":
            raise RuntimeError(f"{table}: deletes not reconciled ({with_deletes.deletes_checked_by})")
        results.append((table, pipe, full, quiet, incremental, after_checkpoint, with_deletes))
        print_rows([pipe, full, *quiet, incremental, after_checkpoint, with_deletes])
    return results


def print_rows(rows: list[Measure]) -> None:
    for m in rows:
        print(
            f"  {m.label:<52} {m.rows:>10,} rows {m.seconds:>7.2f}s {m.rows_per_s:>11,.0f} rows/s "
            f"{m.mb_per_s:>7.1f} MB/s  peak RSS +{m.peak_mb:,.1f} MB"
            + (f"  deletes: {m.deletes_checked_by}" if m.deletes_checked_by else ""),
            flush=True,
        )


def report(results) -> str:
    lines = [
        f"| table | rows | bare pipe rows/s | full load rows/s | full / pipe (target >= {TARGET_FULL_VS_PIPE}) "
        f"| peak MB full | full s | no change s (1st, 2nd) | incremental 1% s (rows read) | worst steady / full "
        f"(target <= {TARGET_INCREMENTAL_VS_FULL}) | after a checkpoint s | / full | 0.1% deleted s (keys reconciled) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for table, pipe, full, quiet, incr, after, deletes in results:
        worst = max(m.seconds for m in (*quiet, incr))
        lines.append(
            f"| {table} | {full.rows:,} | {pipe.rows_per_s:,.0f} | {full.rows_per_s:,.0f} | "
            f"{full.rows_per_s / pipe.rows_per_s:.2f} | {full.peak_mb:.1f} | {full.seconds:.2f} | "
            f"{quiet[0].seconds:.2f}, {quiet[1].seconds:.2f} | {incr.seconds:.2f} ({incr.rows:,}) | "
            f"{worst / full.seconds:.3f} | {after.seconds:.2f} | {after.seconds / full.seconds:.3f} | "
            f"{deletes.seconds:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="revops bench ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--billing-rows", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    args = parser.parse_args(argv)
    results = run(args.billing_rows, args.leads, args.seed)
    print()
    print(f"revops bench ingest — {date.today().isoformat()}, {psutil.cpu_count()} cores")
    print(report(results))
    if not args.keep:
        server = settings.embedded_server()
        for db in BENCH_DBS.values():
            server.drop_database(db)
