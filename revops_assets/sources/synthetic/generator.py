"""`seed_sources`: build the synthetic Odoo and APN databases and the ground truth that links them.

Order of work: render the world (companies, deals, ids) in memory; load Odoo (small tables from dicts, billing
streamed month by month, then the bills and invoices whose totals billing produced); add Odoo's constraints; load
APN; write the truth CSV last, outside both databases. The schema profile (profiles.py) decides only where the rows
land: the world, and so the truth, are the same for every profile. Same seed and parameters give byte-identical
tables.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg2

from revops_assets.sources.synthetic import billing, bills, loading
from revops_assets.sources.synthetic.apn import apn_tables
from revops_assets.sources.synthetic.deals import World, build_world
from revops_assets.sources.synthetic.fx import FxTable
from revops_assets.sources.synthetic.noise import DEFAULT_NOISE_LEVEL, noise_level as named_noise_level
from revops_assets.sources.synthetic.odoo import build_odoo, sale_invoices
from revops_assets.sources.synthetic.profiles import DEFAULT_PROFILE, get_profile
from revops_assets.sources.synthetic.schema import Profile

REFERENCE_DATE = date(2026, 11, 1)  # "today" of the synthetic world; fixed so that seeds reproduce
TRUTH_FILE = "opportunity_links.csv"


@dataclass
class SeedReport:
    odoo_rows: dict[str, int] = field(default_factory=dict)
    apn_rows: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    truth_path: Path | None = None
    links: int = 0
    seed: int = 0
    scale: int = 0
    noise: float = 1.0
    noise_level: str = DEFAULT_NOISE_LEVEL
    profile: str = DEFAULT_PROFILE
    today: date = REFERENCE_DATE
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step, for benchmarks

    @property
    def rows(self) -> dict[str, dict[str, int]]:
        return {"odoo": self.odoo_rows, "apn": self.apn_rows}


def seed_sources(
    odoo_dsn: str,
    apn_dsn: str,
    truth_dir: Path,
    *,
    scale: int = 3000,
    seed: int = 42,
    noise: float = 1.0,
    billing_rows: int | None = None,
    today: date = REFERENCE_DATE,
    profile: str = DEFAULT_PROFILE,
    noise_level: str = DEFAULT_NOISE_LEVEL,
) -> SeedReport:
    """(Re)create both source databases (schema public is dropped) and write truth_dir/opportunity_links.csv.

    profile: the schema profile (profiles.PROFILES) the databases are built in; the data is the same.

    scale: number of Odoo opportunities (crm_lead type 'opportunity'); ~15% more type 'lead' rows are added.
    noise: multiplier of corruption probabilities (2.0 = noisier); helpful optional keys fill less often.
    noise_level: a named level (noise.NOISE_LEVELS): its failure modes, and a multiplier applied on top of `noise`.
    billing_rows: at least this many rows in c_billing_internal_cur and in c_billing_bill_line (benchmarks);
    default is 24 months of every billed account's products.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1 opportunity, got {scale}")
    schema = get_profile(profile)
    level = named_noise_level(noise_level)
    started = time.perf_counter()
    report = SeedReport(seed=seed, scale=scale, noise=noise, noise_level=level.name, profile=schema.name, today=today)
    lap = _Stopwatch(report.phases)
    world = build_world(seed, scale, noise * level.multiplier, today, level.modes)
    fx = FxTable(seed, today)
    lap("world")
    report.odoo_rows = _load_odoo(odoo_dsn, world, fx, billing_rows, lap, schema)
    report.apn_rows = _load_apn(apn_dsn, world, fx, schema)
    lap("apn")
    report.truth_path = write_truth(world, Path(truth_dir))
    report.links = len(world.links)
    report.elapsed_s = round(time.perf_counter() - started, 3)
    return report


class _Stopwatch:
    def __init__(self, into: dict[str, float]) -> None:
        self.into = into
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.into[phase] = round(self.into.get(phase, 0.0) + now - self.last, 3)
        self.last = now


def _load_odoo(dsn: str, world: World, fx: FxTable, billing_rows: int | None, lap: _Stopwatch,
               profile: Profile) -> dict[str, int]:
    odoo = build_odoo(world, fx)
    plan = billing.plan_billing(world, odoo.ids, fx, target_rows=billing_rows)
    lap("odoo_render")
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            load = loading.SourceLoader(cur, profile, "odoo")
            for table, rows in odoo.tables.items():
                load.rows(table, rows)
            lap("odoo_load")
            load.blocks("c_billing_internal_cur", billing.COST_COLUMNS, billing.cost_blocks(plan))
            load.blocks("c_billing_bill_line", billing.LINE_COLUMNS, billing.line_blocks(plan))
            load.blocks("c_billing_spp_bill", billing.SPP_COLUMNS, billing.spp_blocks(plan))
            moves, move_lines, sequences = sale_invoices(odoo)
            book = bills.bill_book(plan, len(moves) + 1, sequences)
            load.tuples("c_billing_bill", bills.BILL_COLUMNS, bills.bill_rows(plan, book))
            load.rows("account_move", moves)
            load.tuples("account_move", bills.MOVE_COLUMNS, bills.move_rows(plan, book, odoo.partner_name))
            load.rows("account_move_line", move_lines)
            load.tuples("account_move_line", bills.MOVE_LINE_COLUMNS,
                        bills.move_line_rows(plan, book, len(move_lines) + 1, odoo.ids.variant["AWS-RESALE"]))
            lap("billing")
            counts = load.finish()
        conn.commit()
        lap("odoo_constraints")
        _analyze(conn)
        lap("odoo_analyze")
    finally:
        conn.close()
    return counts


def _load_apn(dsn: str, world: World, fx: FxTable, profile: Profile) -> dict[str, int]:
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            load = loading.SourceLoader(cur, profile, "apn")
            for table, rows in apn_tables(world, fx, profile.apn.picklists).items():
                load.rows(table, rows)
            counts = load.finish()
        conn.commit()
        _analyze(conn)
    finally:
        conn.close()
    return counts


def _analyze(conn) -> None:
    conn.autocommit = True
    with conn.cursor() as cur:
        loading.analyze(cur)


def write_truth(world: World, truth_dir: Path) -> Path:
    """The ground truth, one row per true ACE <-> Odoo link, written atomically."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    path = truth_dir / TRUTH_FILE
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["ace_opportunity_id", "odoo_opportunity_id"])
        writer.writerows(world.links)
    os.replace(tmp, path)
    return path
