"""A program's verdicts for a range of months, in the warehouse: capture (snapshots.py), evaluate, store, check.

`evaluate_months(conn, program, start, end)` runs in the caller's transaction, one month at a time: the month's
facts are brought up to date (or left frozen), every live capture is evaluated by the program's rules (evaluate.py),
and the month's rows of rules.<program>_eligibility are replaced, each keeping the verdict and hashes it replaced.
Captures are read through a server-side cursor and verdicts written with COPY, in batches.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from psycopg2 import sql

from revops_assets.core.build import NormColumn, copy_rows
from revops_assets.rules.config import Program
from revops_assets.rules.evaluate import VERDICTS, evaluate
from revops_assets.rules.snapshots import CaptureStats, capture_month, ensure_tables
from revops_assets.rules.warehouse import add_months, pairs_due, rules_sql, stream_dicts, utc

VERDICT_COLUMNS = [
    NormColumn("month", "date"),
    NormColumn("ace_opportunity_id", "text"),
    NormColumn("odoo_opportunity_id", "integer"),
    NormColumn("customer_name", "text"),
    NormColumn("title", "text"),
    NormColumn("match_status", "text"),
    NormColumn("verdict", "text"),
    NormColumn("reasons", "text"),
    NormColumn("rule_outcomes", "jsonb"),
    NormColumn("usd_at_stake", "numeric"),
    NormColumn("prior_month_spend_usd", "numeric"),
    NormColumn("days_to_close", "integer"),
    NormColumn("input_hash", "text"),
    NormColumn("rules_hash", "text"),
    NormColumn("state_as_of", "text"),
    NormColumn("inputs_captured_at", "timestamptz"),
    NormColumn("verdict_since", "timestamptz"),
    NormColumn("evaluated_at", "timestamptz"),
]


def table_id(program: Program) -> sql.Identifier:
    return sql.Identifier("rules", program.table)


def ensure_program_table(conn, program: Program) -> None:
    ensure_tables(conn)
    with conn.cursor() as cur:
        cur.execute(sql.SQL(rules_sql("eligibility_table.sql")).format(table=table_id(program)))


@dataclass
class MonthResult:
    month: date
    capture: CaptureStats
    verdicts: Counter = field(default_factory=Counter)
    usd_at_stake: dict = field(default_factory=lambda: defaultdict(float))
    rule_outcomes: dict = field(default_factory=lambda: defaultdict(Counter))
    state_as_of: Counter = field(default_factory=Counter)

    def as_row(self) -> dict:
        return {"month": self.month.strftime("%Y-%m"),
                **{v: self.verdicts.get(v, 0) for v in VERDICTS},
                **{f"usd_{v}": round(self.usd_at_stake.get(v, 0.0), 2) for v in VERDICTS}}


def _verdict_row(program: Program, month: date, capture: dict, now: datetime, result: MonthResult) -> tuple:
    facts, state_as_of = capture["facts"], capture["state_as_of"]
    if isinstance(facts, str):
        facts = json.loads(facts)
    ev = evaluate(program, facts)
    stake = facts.get(program.at_stake)
    result.verdicts[ev.verdict] += 1
    result.usd_at_stake[ev.verdict] += float(stake or 0)
    result.state_as_of[state_as_of] += 1
    for o in ev.outcomes:
        result.rule_outcomes[o.rule][o.outcome] += 1
    return (month, capture["ace_opportunity_id"], capture["odoo_opportunity_id"], facts.get("customer_name"),
            facts.get("title"), facts.get("match_status"), ev.verdict, ev.reasons,
            json.dumps([o.as_json() for o in ev.outcomes]), stake, facts.get("prior_month_spend_usd"),
            facts.get("days_to_close"), capture["input_hash"], program.rules_hash, state_as_of, capture["captured_at"],
            now, now)


def evaluate_month(conn, program: Program, month: date, now: datetime | None = None,
                   refresh: bool = False) -> MonthResult:
    now = utc(now)
    result = MonthResult(month=month, capture=capture_month(conn, month, now=now, refresh=refresh))
    table = table_id(program)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("create temp table _verdicts (like {} including defaults) on commit drop").format(table))
    captures = ("select ace_opportunity_id, odoo_opportunity_id, facts, input_hash, state_as_of, captured_at "
                "from rules.eligibility_inputs where month = %s and superseded_at is null order by ace_opportunity_id")
    with conn.cursor() as sink:
        for batch in stream_dicts(conn, "rules_captures", captures, (month,)):
            copy_rows(sink, "_verdicts", VERDICT_COLUMNS, [_verdict_row(program, month, c, now, result) for c in batch])
    with conn.cursor() as cur:
        cur.execute(sql.SQL(rules_sql("carry_previous_verdicts.sql")).format(table=table), {"month": month})
    return result


def months_between(start: date, end: date) -> list[date]:
    """First days of the months in [start, end)."""
    months, month = [], date(start.year, start.month, 1)
    while month < end:
        months.append(month)
        month = add_months(month, 1)
    return months


def evaluate_months(conn, program: Program, start: date, end: date, now: datetime | None = None,
                    refresh: bool = False) -> list[MonthResult]:
    """Every month of [start, end) in order, in the caller's transaction (all or nothing)."""
    ensure_program_table(conn, program)
    now = utc(now)
    return [evaluate_month(conn, program, month, now=now, refresh=refresh) for month in months_between(start, end)]


def missing_verdicts(conn, program: Program, start: date, end: date) -> list[tuple]:
    """(month, count, example ACE id) of matched pairs that have no verdict in a month of the window."""
    with conn.cursor() as cur:
        due = pairs_due(sql.SQL("mo.month + interval '1 month'"))  # per month of the series
        cur.execute(sql.SQL(rules_sql("missing_verdicts.sql")).format(table=table_id(program), pairs_due=due),
                    {"start": start, "end": end})
        return cur.fetchall()


def unexplained_changes(conn, program: Program, start: date, end: date) -> list[tuple]:
    """Rows whose verdict changed while their input hash and rules hash did not (at most 20)."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL(rules_sql("unexplained_verdict_changes.sql")).format(table=table_id(program)),
                    {"start": start, "end": end})
        return cur.fetchall()
