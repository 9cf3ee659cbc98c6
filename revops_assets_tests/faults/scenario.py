"""Helpers the fault scenarios share: source tables, the catalog entries for them, a watcher that strikes while a
COPY is under way, and Dagster runs on the suite's instance."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import dagster as dg
import psycopg2

from revops_assets.raw.assets import raw_assets
from revops_assets.sources.catalog import SourceTable
from revops_assets_tests.faults.ledger import LEDGER, Tally, mirror_tally, query, warehouse_tally

LEAD_DDL = """
create table {name} (
    id bigint primary key,
    name text not null,
    amount numeric(14,2),
    note text,
    write_date timestamp without time zone not null
);
insert into {name}
select g, 'lead ' || g, g * 1.25, repeat(md5(g::text), 2), timestamp '2026-01-01' + g * interval '1 second'
from generate_series(1, {rows}) g;
analyze {name};
"""
LEAD_COLUMNS = ["id", "name", "amount", "note", "write_date"]


def lead_table(admin_dsn: str, name: str = "lead", rows: int = 2000) -> None:
    query(admin_dsn, LEAD_DDL.format(name=name, rows=rows))


def entry(table: str = "lead", *, pk=("id",), cursor: str | None = "write_date", source: str = "faults",
          overlap: float = 10) -> SourceTable:
    return SourceTable(
        source=source, table=table, schema_name="public", primary_key=list(pk), cursor=cursor,
        description="fault scenario", resource="faults_db", pool="faults_source", owner="team:revops",
        overlap_minutes=overlap,
    )


class Striker:
    """Runs `strike` once, from a thread, as soon as `server_dsn` shows a COPY of at least `min_tuples` rows under
    way (pg_stat_progress_copy); `struck` says whether it happened, `error` what went wrong in the thread."""

    def __init__(self, monitor_dsn: str, strike: Callable[[], None], *, command: str, min_tuples: int = 20_000,
                 timeout: float = 120) -> None:
        self.monitor_dsn, self.strike, self.command = monitor_dsn, strike, command
        self.min_tuples, self.timeout = min_tuples, timeout
        self.struck = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Striker":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.thread.join(self.timeout)

    def _run(self) -> None:
        deadline = time.monotonic() + self.timeout
        try:
            conn = psycopg2.connect(self.monitor_dsn)
            conn.autocommit = True
            with conn.cursor() as cur:
                while time.monotonic() < deadline:
                    cur.execute("select coalesce(max(tuples_processed), 0) from pg_stat_progress_copy "
                                "where command = %s", (self.command,))
                    if cur.fetchone()[0] >= self.min_tuples:
                        break
                    time.sleep(0.01)
                else:
                    return
            conn.close()
            self.strike()
            self.struck.set()
        except BaseException as err:  # reported by the scenario
            self.error = err


def materialize(entries, resources: dict, instance=None, **config) -> dg.ExecuteInProcessResult:
    """Materialize the raw assets of `entries` in-process, retries fast (the retry path is what is tested)."""
    assets = raw_assets(tuple(entries))
    run_config = {"ops": {a.op.name: {"config": {"retry_base_s": 0.5, **config}} for a in assets}}
    return dg.materialize(assets, resources=resources, instance=instance, run_config=run_config,
                          raise_on_error=False)


def settle(scenario: str, src_dsn: str, wh_dsn: str, tables: list[tuple[str, str, list[str], list[str]]]) -> Tally:
    """Count what the scenario left behind, record it in the ledger and return it: for each (source relation, raw
    table, key, columns) rows lost and duplicated, and the warehouse's half-written state."""
    tally = Tally()
    for source_relation, raw_table, key, columns in tables:
        tally.add(mirror_tally(src_dsn, source_relation, wh_dsn, raw_table, key, columns))
    tally.add(warehouse_tally(wh_dsn))
    LEDGER.record(scenario, tally)
    assert tally.clean, tally.problems
    return tally


def audit(wh_dsn: str):
    return query(wh_dsn, "select run_id, mode, status, coalesce(error, '') from ops.sync_runs order by id")
