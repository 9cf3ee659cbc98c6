"""`revops bench freshness`: how long a source change takes to reach the matches, with nobody pressing a button.

A real Dagster daemon (`dagster-daemon run`, the process `dagster dev` starts besides the UI) runs against its
Postgres storage with this project's code location. Nothing is materialized by hand:
1. first sync: the change sensor's first tick syncs every raw table; the automation sensor then builds core,
   search and matching. Reported: the raw run's wall time next to the sum of its steps (the in-run baseline: what
   the sync costs beyond its own work is run start-up, queueing and step start-up).
2. the loop: one Odoo opportunity (crm_lead) and the ACE opportunity it matches get a new title, as users would
   edit them (Odoo's ORM and Partner Central set the modification time). Reported: the latency from that commit
   to the updated match row, split into waiting (sensor ticks, queue, run start) and the runs' own work.

Sensors tick every REVOPS_SENSOR_INTERVAL_S (here --interval, default 2 s; 60 s / 30 s in production, which adds
up to a minute and a half to the latency). Everything runs on the embedded server (`revops up`), in databases
bench_fresh_* that the bench creates and drops, with a temporary DAGSTER_HOME. `--sync-only` stops after the first
sync and `--project-dir` serves another checkout (an older commit), to compare. The test suite runs the same
`LiveStack` (revops_assets_tests/live_stack.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import psycopg2

from revops_assets import settings

MATCHES = ("matching", "opportunity_matches")
BENCH_DB_PREFIX = "bench_fresh"
RAW_JOB = "raw_sync"
# The daemon's sensor loops run every 5 s at most (dagster's minimum); a quiet spell longer than two of them
# means no sensor is about to request a run.
QUIET_SETTLE_S = 12.0


class LoopTimeout(RuntimeError):
    """The graph did not get where it should in time; the message says what it waited for and the daemon's log."""


@dataclass
class RunTiming:
    run_id: str
    job: str
    status: str
    wall_s: float  # start to end of the run worker
    steps_s: float  # sum of the steps' own durations
    steps: int
    created_s: float  # epoch seconds the run was created (queued)
    started_s: float
    ended_s: float
    tags: dict = field(default_factory=dict)
    assets: frozenset = frozenset()  # the run's asset selection ("layer/name"), empty for a whole job


@dataclass
class LiveStack:
    """Sources, warehouse and Dagster storage on one Postgres, and a daemon over this project's code location."""

    dsns: dict[str, str]  # odoo, apn, warehouse
    dagster_url: str
    home: Path  # REVOPS_HOME of the daemon (truth/), DAGSTER_HOME under it
    project_dir: Path = settings.project_root()
    interval_s: int = 2
    daemon: subprocess.Popen | None = None
    _instance: object = None

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster_home"

    @property
    def daemon_log(self) -> Path:
        return self.home / "daemon.log"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "WAREHOUSE_DSN": self.dsns["warehouse"], "ODOO_DSN": self.dsns["odoo"], "APN_DSN": self.dsns["apn"],
            "DAGSTER_PG_URL": self.dagster_url, "DAGSTER_HOME": str(self.dagster_home), "REVOPS_HOME": str(self.home),
            "REVOPS_SENSOR_INTERVAL_S": str(self.interval_s), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
            # the checkout being measured, ahead of the installed package (another commit, to compare)
            "PYTHONPATH": os.pathsep.join(p for p in (str(self.project_dir), os.environ.get("PYTHONPATH")) if p),
        }

    # -- lifecycle --------------------------------------------------------------------------------------------
    def prepare(self, *, scale: int, seed: int) -> None:
        """Seed the sources, create the warehouse schemas and the Dagster home (the repo's dagster.yaml)."""
        from revops_assets.sources.synthetic import seed_sources
        from revops_assets.warehouse.ddl import apply_warehouse_ddl

        seed_sources(self.dsns["odoo"], self.dsns["apn"], self.home / "truth", scale=scale, seed=seed)
        apply_warehouse_ddl(self.dsns["warehouse"])
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.project_dir / "dagster.yaml", self.dagster_home / "dagster.yaml")

    def start(self) -> None:
        """`dagster-daemon run` in its own process group (so `stop` ends its code server and run workers too)."""
        daemon = Path(sys.executable).with_name("dagster-daemon")
        with self.daemon_log.open("ab") as log:  # the daemon keeps its own copy of the descriptor
            self.daemon = subprocess.Popen(
                [str(daemon), "run", "-w", str(self.project_dir / "workspace.yaml")],
                cwd=self.project_dir, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def stop(self) -> None:
        """Stop the daemon with its code server and run workers (storage and databases stay)."""
        if self.daemon is None:
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.daemon.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.daemon.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # run workers the daemon started live in its process group; make sure none is left behind
        try:
            os.killpg(self.daemon.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.daemon = None

    def close(self) -> None:
        self.stop()
        if self._instance is not None:
            self._instance.dispose()
            self._instance = None

    # -- observing ----------------------------------------------------------------------------------------------
    @property
    def instance(self):
        import dagster as dg

        if self._instance is None:
            previous = os.environ.get("DAGSTER_PG_URL")
            os.environ["DAGSTER_PG_URL"] = self.dagster_url  # dagster.yaml reads it while the instance loads
            try:
                self._instance = dg.DagsterInstance.from_config(str(self.dagster_home))
            finally:
                if previous is None:
                    os.environ.pop("DAGSTER_PG_URL", None)
                else:
                    os.environ["DAGSTER_PG_URL"] = previous
        return self._instance

    def query(self, statement: str, params=None, db: str = "warehouse"):
        with psycopg2.connect(self.dsns[db]) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else None

    def wait_for(self, what: str, predicate: Callable[[], object], timeout_s: float, poll_s: float = 1.0):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.daemon is not None and self.daemon.poll() is not None:
                raise LoopTimeout(f"the daemon exited ({self.daemon.returncode}) while waiting for {what}:\n"
                                  + self.log_tail())
            value = predicate()
            if value:
                return value
            time.sleep(poll_s)
        raise LoopTimeout(f"timed out after {timeout_s:.0f}s waiting for {what}; runs: {self.describe_runs()}\n"
                          + self.log_tail())

    def log_tail(self, lines: int = 40) -> str:
        if not self.daemon_log.exists():
            return "(no daemon log)"
        return "\n".join(self.daemon_log.read_text(errors="replace").splitlines()[-lines:])

    def runs(self, since_s: float = 0.0) -> list[RunTiming]:
        """Every run created after `since_s` (epoch seconds), oldest first, with its timing."""
        import dagster as dg

        records = self.instance.get_run_records(dg.RunsFilter(created_after=datetime.fromtimestamp(since_s)))
        out = []
        for record in sorted(records, key=lambda r: r.create_timestamp.timestamp()):
            run = record.dagster_run
            stats = self.instance.get_run_step_stats(run.run_id)
            steps_s = sum((s.end_time or 0) - (s.start_time or 0) for s in stats if s.start_time and s.end_time)
            start, end = record.start_time or 0.0, record.end_time or 0.0
            out.append(RunTiming(
                run_id=run.run_id, job=run.job_name, status=run.status.value, wall_s=max(0.0, end - start),
                steps_s=steps_s, steps=len(stats), created_s=record.create_timestamp.timestamp(),
                started_s=start, ended_s=end, tags=dict(run.tags),
                assets=frozenset(k.to_user_string() for k in run.asset_selection or ()),
            ))
        return out

    def describe_runs(self) -> str:
        return "; ".join(f"{r.job} {r.status} {r.run_id[:8]}" for r in self.runs()) or "none"

    def busy(self) -> bool:
        """A run is queued or in progress."""
        return any(r.status in ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING") for r in self.runs())

    def wait_quiet(self, timeout_s: float, settle_s: float = QUIET_SETTLE_S) -> None:
        """Until no run has been queued or in progress for `settle_s` (longer than a daemon tick, so a run that
        a sensor is about to request is not missed between two runs)."""
        quiet_since: list[float] = []

        def settled() -> bool:
            if self.busy():
                quiet_since.clear()
                return False
            if not quiet_since:
                quiet_since.append(time.monotonic())
            return time.monotonic() - quiet_since[0] >= settle_s

        self.wait_for(f"no run for {settle_s:.0f}s", settled, timeout_s)

    def materialized_after(self, key: tuple[str, ...], after_s: float) -> bool:
        import dagster as dg

        event = self.instance.get_latest_materialization_event(dg.AssetKey(list(key)))
        return event is not None and event.timestamp > after_s

    # -- the loop --------------------------------------------------------------------------------------------
    def wait_until_built(self, timeout_s: float) -> float:
        """First sync and build by the sensors alone; returns when the matches exist and no run is pending."""
        started = time.time()
        self.wait_for("the first raw sync and the matches built from it",
                      lambda: self.materialized_after(MATCHES, 0) and not self.busy(), timeout_s)
        built = time.time() - started
        self.wait_quiet(timeout_s)
        return built

    def matched_pair(self) -> tuple[str, int]:
        """An ACE opportunity auto-matched to the Odoo opportunity the truth links it to."""
        import csv

        with (self.home / "truth" / "opportunity_links.csv").open() as handle:
            truth = {(row["ace_opportunity_id"], int(row["odoo_opportunity_id"])) for row in csv.DictReader(handle)}
        rows = self.query("select ace_opportunity_id, odoo_opportunity_id from matching.opportunity_matches "
                          "where status = 'auto_matched' order by score desc, ace_opportunity_id")
        for ace, odoo in rows:
            if (ace, odoo) in truth:
                return ace, odoo
        raise LoopTimeout("no auto-matched pair agrees with the truth: the build is broken")

    def edit_pair(self, ace_id: str, odoo_id: int, title: str) -> float:
        """Give both opportunities a new title as their applications would (modification time = now); returns
        the commit time (epoch seconds)."""
        with psycopg2.connect(self.dsns["odoo"]) as conn, conn.cursor() as cur:
            cur.execute(
                "update crm_lead set name = %s, write_date = greatest(now() at time zone 'utc', "
                "(select max(write_date) from crm_lead) + interval '1 second') where id = %s", (title, odoo_id))
            assert cur.rowcount == 1, f"crm_lead {odoo_id} not found"
        with psycopg2.connect(self.dsns["apn"]) as conn, conn.cursor() as cur:
            cur.execute(
                "update opportunity set partner_project_title = %s, aws_last_modified_date = greatest(now() at time "
                "zone 'utc', (select max(aws_last_modified_date) from opportunity) + interval '1 second') "
                "where id = %s", (title, ace_id))
            assert cur.rowcount == 1, f"ACE opportunity {ace_id} not found"
            cur.execute("select extract(epoch from now())")
            return float(cur.fetchone()[0])

    def wait_for_match(self, ace_id: str, odoo_id: int, title: str, after_s: float, timeout_s: float) -> tuple:
        """The match row of the edited pair once it was computed from both edited sides: both core rows carry
        `title`, both sides were embedded again after `after_s` (epoch seconds, the edit) and the match is newer
        than both embeddings. Returns (odoo id, status, matched_at as epoch seconds).

        Runs may get there in steps (the automation sensor starts each layer as soon as its own upstreams are
        done, so the ACE side can be matched before the Odoo side is rebuilt); only the final state counts."""
        def updated():
            rows = self.query(
                """
                select m.odoo_opportunity_id, m.status, extract(epoch from m.matched_at)
                from matching.opportunity_matches m
                join core.ace_opportunities a on a.ace_opportunity_id = m.ace_opportunity_id and a.title = %(title)s
                join core.odoo_opportunities o on o.odoo_opportunity_id = %(odoo)s and o.title = %(title)s
                join search.ace_opportunity_embeddings ae on ae.opportunity_id = m.ace_opportunity_id
                join search.odoo_opportunity_embeddings oe on oe.opportunity_id = o.odoo_opportunity_id
                where m.ace_opportunity_id = %(ace)s and least(ae.embedded_at, oe.embedded_at) > to_timestamp(%(after)s)
                  and m.matched_at > greatest(ae.embedded_at, oe.embedded_at)
                """, {"ace": ace_id, "odoo": odoo_id, "title": title, "after": after_s})
            return rows[0] if rows else None

        return self.wait_for(f"the match of {ace_id} <-> {odoo_id} to be recomputed from both edits", updated,
                             timeout_s, poll_s=0.5)


def chain_summary(runs: list[RunTiming], changed_s: float, updated_s: float) -> dict:
    """Latency from the change to the updated match, split into time some run was executing and the rest
    (sensor ticks, queue, run start-up). Only the part of each run inside [change, updated match] counts."""
    spans = sorted((max(r.started_s, changed_s), min(r.ended_s or updated_s, updated_s)) for r in runs if r.started_s)
    running, reach = 0.0, changed_s
    for start, end in spans:  # union of the runs' spans, so parallel lanes are not counted twice
        start = max(start, reach)
        if end > start:
            running += end - start
            reach = end
    latency = updated_s - changed_s
    return {"latency_s": latency, "runs": len(runs), "running_s": running,
            "steps_s": sum(r.steps_s for r in runs), "waiting_s": latency - running}


def wait_for_first_sync(stack: LiveStack, timeout_s: float) -> RunTiming:
    """The change sensor's first raw run, once it finished."""
    def finished():
        return next((r for r in stack.runs() if r.job == RAW_JOB and r.ended_s), None)

    return stack.wait_for("the first raw sync", finished, timeout_s)


def run(scale: int, seed: int, interval: int, project_dir: Path, keep: bool, sync_only: bool = False) -> dict:
    from revops_assets.warehouse.bootstrap import bring_up

    if settings.uses_external_servers():
        raise ValueError("bench freshness uses the embedded server; unset WAREHOUSE_DSN/ODOO_DSN/APN_DSN")
    bring_up()
    server = settings.embedded_server()
    names = {k: f"{BENCH_DB_PREFIX}_{k}" for k in ("odoo", "apn", "warehouse", "dagster")}
    for key, db in names.items():
        server.drop_database(db)
        server.ensure_database(db, extensions=("vector",) if key == "warehouse" else ())
    home = Path(tempfile.mkdtemp(prefix="revops-bench-freshness-"))
    stack = LiveStack(dsns={k: server.dsn(names[k]) for k in ("odoo", "apn", "warehouse")},
                      dagster_url=server.sqlalchemy_url(names["dagster"]), home=home, project_dir=project_dir,
                      interval_s=interval)
    try:
        t0 = time.monotonic()
        stack.prepare(scale=scale, seed=seed)
        print(f"sources seeded (scale {scale}) in {time.monotonic() - t0:.1f}s; starting dagster-daemon "
              f"(sensor interval {interval}s, code location {project_dir})", flush=True)
        stack.start()
        if sync_only:
            return {"scale": scale, "interval": interval, "raw": wait_for_first_sync(stack, timeout_s=3600)}
        first_s = stack.wait_until_built(timeout_s=1800)
        first_runs = stack.runs()
        raw = next(r for r in first_runs if r.job == RAW_JOB)
        print(f"first sync and build: {first_s:.1f}s, {len(first_runs)} runs", flush=True)
        ace_id, odoo_id = stack.matched_pair()
        title = f"Freshness probe {int(time.time())}: data lake on AWS"
        changed = stack.edit_pair(ace_id, odoo_id, title)
        row = stack.wait_for_match(ace_id, odoo_id, title, changed, timeout_s=900)
        updated = float(row[2])
        stack.wait_quiet(timeout_s=600)
        chain = stack.runs(since_s=changed - 1)
        return {"scale": scale, "interval": interval, "raw": raw, "first_s": first_s, "first_runs": first_runs,
                "pair": (ace_id, odoo_id), "row": row, "chain": chain,
                "summary": chain_summary(chain, changed, updated)}
    finally:
        stack.close()
        if not keep:
            for db in names.values():
                server.drop_database(db)
            shutil.rmtree(home, ignore_errors=True)


def report(result: dict) -> list[str]:
    raw: RunTiming = result["raw"]
    lines = [
        f"revops bench freshness — {date.today().isoformat()}, {os.cpu_count()} cores, scale {result['scale']}, "
        f"sensor interval {result['interval']}s",
        f"  first raw sync (sensor, {raw.steps} steps, {raw.status}): run {raw.wall_s:.1f}s wall vs {raw.steps_s:.1f}s "
        f"sum of steps (baseline) -> {raw.wall_s - raw.steps_s:+.1f}s beyond the steps' own work",
    ]
    if "summary" not in result:
        return lines
    s = result["summary"]
    lines += [
        f"  first build, sources -> matches, no manual step: {result['first_s']:.1f}s over {len(result['first_runs'])} runs",
        f"  change -> updated match ({result['pair'][0]} <-> {result['pair'][1]}): {s['latency_s']:.1f}s end to end; "
        f"a run was executing for {s['running_s']:.1f}s of it ({s['runs']} runs, steps {s['steps_s']:.1f}s in all), "
        f"waiting {s['waiting_s']:.1f}s (sensor ticks, queue, run start-up)",
    ]
    for r in result["chain"]:
        lane = r.tags.get("revops/lane", "-")
        lines.append(f"    {r.job:<22} lane {lane:<10} wall {r.wall_s:6.1f}s  steps {r.steps_s:6.1f}s ({r.steps} steps)"
                     f"  queued {max(0.0, r.started_s - r.created_s):4.1f}s")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="revops bench freshness", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1000, help="Odoo opportunities in the synthetic sources")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--interval", type=int, default=2, help="sensor interval in seconds (production: 30-60)")
    parser.add_argument("--project-dir", type=Path, default=settings.project_root(),
                        help="checkout whose code location the daemon serves (e.g. an older commit, to compare)")
    parser.add_argument("--sync-only", action="store_true",
                        help="measure the first raw sync only (code locations without automation downstream)")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases and the daemon's home")
    args = parser.parse_args(argv)
    result = run(args.scale, args.seed, args.interval, args.project_dir.resolve(), args.keep, args.sync_only)
    print()
    print("\n".join(report(result)))
