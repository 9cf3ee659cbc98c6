"""Review decisions: the people's verdicts on ACE x Odoo pairs, kept in ops.match_decisions.

A decision supersedes the previous live decision on the same pair (history is kept). Imports are validated as a
whole before anything is written: one bad row (unknown id, bad decision) rejects the file with the line and field
named, and nothing is stored.
"""

from __future__ import annotations

import csv
import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from psycopg2 import sql

DECISIONS = ("confirmed", "rejected")
ALIASES = {"confirm": "confirmed", "yes": "confirmed", "match": "confirmed",
           "reject": "rejected", "no": "rejected", "no match": "rejected"}
IMPORT_COLUMNS = ("ace_opportunity_id", "odoo_opportunity_id", "decision")


class ReviewError(ValueError):
    """A decision that cannot be recorded, with the row and field at fault."""


@dataclass(frozen=True)
class Decision:
    ace_opportunity_id: str
    odoo_opportunity_id: str
    decision: str
    decided_by: str
    note: str | None = None


def reviewer() -> str:
    return os.environ.get("REVOPS_REVIEWER") or getpass.getuser()


def normalize_decision(value: str, where: str) -> str:
    text = (value or "").strip().lower()
    text = ALIASES.get(text, text)
    if text not in DECISIONS:
        raise ReviewError(f"{where}: decision must be 'confirmed' or 'rejected', got {value!r}")
    return text


def _validate(cur, decisions: list[Decision], where: list[str]) -> None:
    ace_ids = sorted({d.ace_opportunity_id for d in decisions})
    cur.execute("select ace_opportunity_id from core.ace_opportunities where ace_opportunity_id = any(%s)", (ace_ids,))
    known_ace = {r[0] for r in cur.fetchall()}
    odoo_ids = []
    for d, w in zip(decisions, where):
        if not d.odoo_opportunity_id.strip().isdigit():
            raise ReviewError(f"{w}: odoo_opportunity_id must be an Odoo opportunity id (a number), "
                              f"got {d.odoo_opportunity_id!r}")
        odoo_ids.append(int(d.odoo_opportunity_id))
    cur.execute("select odoo_opportunity_id from core.odoo_opportunities where odoo_opportunity_id = any(%s)",
                (sorted(set(odoo_ids)),))
    known_odoo = {r[0] for r in cur.fetchall()}
    for d, w, odoo_id in zip(decisions, where, odoo_ids):
        if d.ace_opportunity_id not in known_ace:
            raise ReviewError(f"{w}: ace_opportunity_id {d.ace_opportunity_id!r} is not in core.ace_opportunities")
        if odoo_id not in known_odoo:
            raise ReviewError(f"{w}: odoo_opportunity_id {odoo_id} is not in core.odoo_opportunities")


def record(conn, decisions: list[Decision], where: list[str] | None = None) -> int:
    """Validate every decision, then store them all in the caller's transaction; returns how many."""
    where = where or [f"decision {i + 1}" for i in range(len(decisions))]
    with conn.cursor() as cur:
        _validate(cur, decisions, where)
        for d in decisions:
            odoo_id = str(int(d.odoo_opportunity_id))
            cur.execute(
                "update ops.match_decisions set superseded_at = now() "
                "where ace_opportunity_id = %s and odoo_opportunity_id = %s and superseded_at is null",
                (d.ace_opportunity_id, odoo_id),
            )
            cur.execute(
                "insert into ops.match_decisions (ace_opportunity_id, odoo_opportunity_id, decision, decided_by, note) "
                "values (%s, %s, %s, %s, %s)",
                (d.ace_opportunity_id, odoo_id, d.decision, d.decided_by, d.note),
            )
    return len(decisions)


def read_import(path: Path, default_by: str) -> tuple[list[Decision], list[str]]:
    """Decisions from a CSV (ace_opportunity_id, odoo_opportunity_id, decision[, note][, decided_by])."""
    if not path.exists():
        raise ReviewError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ReviewError(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(IMPORT_COLUMNS)})")
        decisions, where = [], []
        for line, row in enumerate(reader, start=2):
            here = f"{path.name} line {line}"
            ace = (row.get("ace_opportunity_id") or "").strip()
            if not ace:
                raise ReviewError(f"{here}: ace_opportunity_id is empty")
            decisions.append(Decision(
                ace_opportunity_id=ace,
                odoo_opportunity_id=(row.get("odoo_opportunity_id") or "").strip(),
                decision=normalize_decision(row.get("decision", ""), f"{here}, field decision"),
                decided_by=(row.get("decided_by") or "").strip() or default_by,
                note=(row.get("note") or "").strip() or None,
            ))
            where.append(here)
    return decisions, where


EXPORTS = {
    "queue": "select * from matching.review_queue order by uncertainty_rank, ace_opportunity_id",
    "matches": "select ace_opportunity_id, odoo_opportunity_id, status, score, reasons, model "
               "from matching.opportunity_matches order by ace_opportunity_id",
    "decisions": "select id, ace_opportunity_id, odoo_opportunity_id, decision, decided_by, decided_at, note, "
                 "superseded_at from ops.match_decisions order by id",
    "reconciliation": "select * from matching.reconciliation order by issue, row_id",
}


def export(conn, what: str, path: Path) -> int:
    if what not in EXPORTS:
        raise ReviewError(f"unknown export {what!r}; choose one of {', '.join(EXPORTS)}")
    with conn.cursor() as cur, path.open("w", newline="", encoding="utf-8") as fh:
        cur.copy_expert(sql.SQL("copy ({}) to stdout with (format csv, header)").format(sql.SQL(EXPORTS[what])), fh)
        return cur.rowcount


def queue(conn, limit: int) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("select to_regclass('matching.review_queue')")
        if cur.fetchone()[0] is None:
            raise ReviewError("no review queue yet: materialize the matching assets first (make demo)")
        cur.execute(
            "select ace_opportunity_id, odoo_opportunity_id, round(score::numeric, 2), ace_customer, ace_title, "
            "odoo_customer, odoo_title, reasons from matching.review_queue "
            "order by uncertainty_rank, ace_opportunity_id limit %s",
            (limit,),
        )
        return cur.fetchall()
