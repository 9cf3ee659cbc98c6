"""The rules layer's lines in the demo summary: verdict counts and USD at stake per program for the latest month
evaluated, and the ACE update proposals. Reads the warehouse only; says so when the rules have not run."""

from __future__ import annotations

from psycopg2 import sql

from revops_assets.rules.config import default_rules
from revops_assets.rules.evaluate import VERDICTS


def _usd(value) -> str:
    return f"USD {float(value or 0):,.0f}"


def demo_summary_lines(warehouse_dsn: str) -> list[str]:
    from revops_assets.resources.postgres import connect

    lines: list[str] = []
    conn = connect(warehouse_dsn, name="warehouse")
    try:
        with conn, conn.cursor() as cur:
            for program in default_rules().programs.values():
                cur.execute("select to_regclass(%s)", (f"rules.{program.table}",))
                if cur.fetchone()[0] is None:
                    lines.append(f"rules/{program.table}: not evaluated yet")
                    continue
                table = sql.Identifier("rules", program.table)
                cur.execute(sql.SQL("select max(month) from {}").format(table))
                month = cur.fetchone()[0]
                if month is None:
                    lines.append(f"rules/{program.table}: no verdicts yet")
                    continue
                cur.execute(sql.SQL("select verdict, count(*), sum(usd_at_stake) from {} where month = %s "
                                    "group by verdict").format(table), (month,))
                by = {v: (n, usd) for v, n, usd in cur.fetchall()}
                cur.execute(sql.SQL("select count(distinct month) from {}").format(table))
                months = cur.fetchone()[0]
                counts = ", ".join(f"{by.get(v, (0, 0))[0]:,} {v} ({_usd(by.get(v, (0, 0))[1])}/month at stake)"
                                   for v in VERDICTS)
                lines.append(f"rules/{program.table} {month:%Y-%m} ({program.title}, {months} months evaluated): "
                             f"{counts}")
            cur.execute("select to_regclass('rules.ace_update_proposals')")
            if cur.fetchone()[0] is not None:
                cur.execute("select count(*), count(*) filter (where 'stage' = any(change_kinds)), "
                            "count(*) filter (where 'close_date' = any(change_kinds)), "
                            "count(*) filter (where 'amount' = any(change_kinds)) from rules.ace_update_proposals")
                total, stage, close, amount = cur.fetchone()
                lines.append(f"rules/ace_update_proposals: {total:,} ACE updates proposed (stage {stage:,}, close "
                             f"date {close:,}, amount {amount:,}); `revops review export proposals proposals.jsonl`")
    finally:
        conn.close()
    return lines
