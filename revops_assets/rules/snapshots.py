"""As of the month: the facts each evaluation month was judged on, kept in the warehouse so a past month never moves.

Raw and core keep only the current state of Odoo and ACE, so "what did we know in March?" cannot be asked of them
later. The rules layer therefore records the facts it evaluated (rules.eligibility_inputs, one live capture per
matched ACE opportunity per month, with an input hash) and evaluates only from those captures:

- **Open month** (the evaluation month has not ended yet): every run captures the current facts. A pair whose facts
  are unchanged keeps its capture; a changed one gets a new capture and the old one is superseded (kept, with
  superseded_at); a pair no longer matched is superseded without replacement. The last capture taken during the
  month is what the month keeps.
- **Closed month** (its last day has passed): captures are frozen. Re-evaluating the month reads them unchanged, so
  a change in the sources, raw, core, billing or matching after the month cannot change its verdicts. Only a pair
  the month holds no live capture for gets one (a match found later), taken from the current state and marked so.
- A closed month first evaluated after it ended (a backfill on a new installation) can only be captured from the
  current state. Each capture says how good its "as of" is in `state_as_of`: `in_month` (taken during the month),
  `unchanged_since_month` (taken later, but neither the ACE nor the Odoo record changed after the month, so the
  state is exactly the month's), `after_month` (the records changed since: their state then is unknown). Billing
  is always the month's own (core.aws_costs_monthly is monthly).
- `refresh=True` recaptures a closed month from the current state on purpose (e.g. after correcting bad data); the
  superseded captures stay on record.

The verdict of a row is then a pure function of (captured facts, rules), both hashed: the same month evaluated again
gives the same verdicts unless the rules themselves changed (their hash is stored beside each verdict).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

from psycopg2 import sql

from revops_assets.core.build import NormColumn, copy_rows
from revops_assets.rules.facts import input_hash, pair_facts
from revops_assets.rules.warehouse import add_months, create_temp_table, pairs_due, rules_sql, stream_dicts, utc

IN_MONTH, UNCHANGED, AFTER = "in_month", "unchanged_since_month", "after_month"
CAPTURE_COLUMNS = [
    NormColumn("ace_opportunity_id", "text"),
    NormColumn("odoo_opportunity_id", "integer"),
    NormColumn("facts", "jsonb"),
    NormColumn("input_hash", "text"),
    NormColumn("state_as_of", "text"),
]


def ensure_tables(conn) -> None:
    """The rules tables, created once; programs evaluated in parallel (multiprocess runs) take turns, since two
    concurrent `create table if not exists` of one table can collide in Postgres."""
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(hashtext('rules.ddl'))")
        cur.execute(rules_sql("tables.sql"))


@dataclass(frozen=True)
class CaptureStats:
    month: date
    open: bool
    pairs: int        # matched pairs the month has now
    captured: int     # new captures written (new pairs, changed facts, late pairs of a closed month)
    superseded: int   # captures replaced or withdrawn (open month / refresh only)
    reused: int       # captures kept as they were


def _state_as_of(captured: datetime, month_end: date, last_modified) -> str:
    end = datetime(month_end.year, month_end.month, month_end.day, tzinfo=timezone.utc)
    if captured < end:
        return IN_MONTH
    if last_modified is not None and utc(last_modified) < end:
        return UNCHANGED
    return AFTER


def _stream_current(conn, month: date, now: datetime) -> int:
    """pair_inputs.sql for the month, turned into facts, COPYed into the temp table _captured."""
    month_end, prior = add_months(month, 1), add_months(month, -1)
    params = {"month": month, "month_end": month_end, "prior": prior}
    with conn.cursor() as cur:
        create_temp_table(cur, "_captured", CAPTURE_COLUMNS)
    total = 0
    with conn.cursor() as sink:
        query = sql.SQL(rules_sql("pair_inputs.sql")).format(pairs_due=pairs_due(sql.Placeholder("month_end")))
        for batch in stream_dicts(conn, "rules_pair_inputs", query, params):
            rows = []
            for row in batch:
                facts = pair_facts(row, month, prior)
                rows.append((row["ace_opportunity_id"], row["odoo_opportunity_id"],
                             json.dumps(facts, sort_keys=True, default=str), input_hash(facts),
                             _state_as_of(now, month_end, row["last_modified"])))
            total += copy_rows(sink, "_captured", CAPTURE_COLUMNS, rows)
    return total


def capture_month(conn, month: date, now: datetime | None = None, refresh: bool = False) -> CaptureStats:
    """Bring rules.eligibility_inputs for `month` (its first day) up to date per the policy above, in the caller's
    transaction. Concurrent evaluations of the same month (two programs) take turns on an advisory lock."""
    now = utc(now)
    month_end = add_months(month, 1)
    is_open = now.date() < month_end
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(hashtext('rules.eligibility_inputs'), %s)",
                    ((month - date(2000, 1, 1)).days,))
    pairs = _stream_current(conn, month, now)
    params = {"month": month, "now": now}
    with conn.cursor() as cur:
        superseded = 0
        if is_open or refresh:
            cur.execute(
                """update rules.eligibility_inputs e set superseded_at = %(now)s
                   where e.month = %(month)s and e.superseded_at is null
                     and not exists (select 1 from _captured c where c.ace_opportunity_id = e.ace_opportunity_id
                                     and c.input_hash = e.input_hash)""",
                params,
            )
            superseded = cur.rowcount
        cur.execute(
            """insert into rules.eligibility_inputs
                   (month, ace_opportunity_id, odoo_opportunity_id, facts, input_hash, state_as_of, captured_at)
               select %(month)s, c.ace_opportunity_id, c.odoo_opportunity_id, c.facts, c.input_hash, c.state_as_of,
                      %(now)s
               from _captured c
               where not exists (select 1 from rules.eligibility_inputs e where e.month = %(month)s
                                 and e.superseded_at is null and e.ace_opportunity_id = c.ace_opportunity_id)""",
            params,
        )
        captured = cur.rowcount
        cur.execute("select count(*) from rules.eligibility_inputs where month = %(month)s and superseded_at is null",
                    params)
        live = cur.fetchone()[0]
        cur.execute("drop table _captured")
    return CaptureStats(month=month, open=is_open, pairs=pairs, captured=captured, superseded=superseded,
                        reused=live - captured)
