"""Review decisions: the people's verdicts on ACE x Odoo pairs, kept in ops.match_decisions.

A decision supersedes the previous live decision on the same pair (history is kept). Imports are validated as a
whole before anything is written: bad rows (unknown id, bad decision, wrong encoding) reject the file, every one of
them listed with its line, field and value, and nothing is stored.
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


MAX_LISTED_ERRORS = 50


def _raise_all(problems: list[str], what: str) -> None:
    """One ReviewError listing every problem (the first MAX_LISTED_ERRORS), so a file is fixed in one pass."""
    if not problems:
        return
    listed = problems[:MAX_LISTED_ERRORS]
    more = len(problems) - len(listed)
    raise ReviewError(
        f"{len(problems)} problem(s) in {what}; nothing was stored:\n  " + "\n  ".join(listed)
        + (f"\n  ... and {more} more" if more else "")
    )


def _validate(cur, decisions: list[Decision], where: list[str], problems: list[str], what: str) -> None:
    """Every id must parse and exist in core; all problems (with those found while reading) are reported together."""
    odoo_ids: list[int | None] = []
    for d, w in zip(decisions, where):
        text = d.odoo_opportunity_id.strip()
        odoo_ids.append(int(text) if text.isdigit() else None)
        if not text.isdigit():
            problems.append(f"{w}, field odoo_opportunity_id: must be an Odoo opportunity id (a number), got {text!r}")
    cur.execute("select ace_opportunity_id from core.ace_opportunities where ace_opportunity_id = any(%s)",
                (sorted({d.ace_opportunity_id for d in decisions}),))
    known_ace = {r[0] for r in cur.fetchall()}
    cur.execute("select odoo_opportunity_id from core.odoo_opportunities where odoo_opportunity_id = any(%s)",
                (sorted({i for i in odoo_ids if i is not None}),))
    known_odoo = {r[0] for r in cur.fetchall()}
    for d, w, odoo_id in zip(decisions, where, odoo_ids):
        if d.ace_opportunity_id not in known_ace:
            problems.append(f"{w}, field ace_opportunity_id: {d.ace_opportunity_id!r} is not in core.ace_opportunities")
        if odoo_id is not None and odoo_id not in known_odoo:
            problems.append(f"{w}, field odoo_opportunity_id: {odoo_id} is not in core.odoo_opportunities")
    _raise_all(problems, what)


@dataclass
class ImportBatch:
    """Decisions read from a file, where each came from, and the problems found while reading (not yet raised:
    `record` adds those it finds in the warehouse and reports all of them at once)."""

    decisions: list[Decision]
    where: list[str]
    problems: list[str]
    source: str


def record(conn, decisions: list[Decision] | ImportBatch, where: list[str] | None = None) -> int:
    """Validate every decision, then store them all in the caller's transaction; returns how many."""
    problems: list[str] = []
    what = "the decisions"
    if isinstance(decisions, ImportBatch):
        decisions, where, problems, what = decisions.decisions, decisions.where, list(decisions.problems), decisions.source
    where = where or [f"decision {i + 1}" for i in range(len(decisions))]
    with conn.cursor() as cur:
        _validate(cur, decisions, where, problems, what)
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


def _decode(path: Path) -> str:
    """The file as text (UTF-8, with or without BOM); a wrong encoding names the line and how to fix it."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise ReviewError(
            f"{path.name} line {line}, column {column}: not UTF-8 (byte 0x{data[err.start]:02x}); save the file as "
            "UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)', or `iconv -f latin1 -t utf-8`) and import it again"
        ) from None


def read_import(path: Path, default_by: str) -> ImportBatch:
    """Decisions from a CSV (ace_opportunity_id, odoo_opportunity_id, decision[, note][, decided_by]).

    Comma, semicolon or tab separated (spreadsheets export all three). Every bad row is reported at once with its
    line, field and value; an empty or header-only file is an error."""
    import io

    if not path.exists():
        raise ReviewError(f"{path}: no such file")
    text = _decode(path)
    if not text.strip():
        raise ReviewError(f"{path.name} is empty: expected a header line {','.join(IMPORT_COLUMNS)} and one decision "
                          "per line")
    header = text.splitlines()[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = fields
    missing = [c for c in IMPORT_COLUMNS if c not in fields]
    if missing:
        raise ReviewError(f"{path.name} line 1: missing column(s) {', '.join(missing)} "
                          f"(need {', '.join(IMPORT_COLUMNS)}; found {', '.join(f for f in fields if f) or 'none'})")
    decisions, where, problems = [], [], []
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for row in reader:
        line = reader.line_num
        here = f"{path.name} line {line}"
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank line
        ace = (row.get("ace_opportunity_id") or "").strip()
        odoo = (row.get("odoo_opportunity_id") or "").strip()
        if not ace:
            problems.append(f"{here}, field ace_opportunity_id: empty")
        if not odoo:
            problems.append(f"{here}, field odoo_opportunity_id: empty")
        try:
            decision = normalize_decision(row.get("decision") or "", f"{here}, field decision")
        except ReviewError as err:
            problems.append(str(err))
            continue
        if not ace or not odoo:
            continue
        earlier = seen.get((ace, odoo))
        if earlier and earlier[0] != decision:
            problems.append(f"{here}: {ace} <-> {odoo} is {decision} here but {earlier[0]} on {earlier[1]}")
        seen[(ace, odoo)] = (decision, f"line {line}")
        decisions.append(Decision(
            ace_opportunity_id=ace,
            odoo_opportunity_id=odoo,
            decision=decision,
            decided_by=(row.get("decided_by") or "").strip() or default_by,
            note=(row.get("note") or "").strip() or None,
        ))
        where.append(here)
    if not decisions and not problems:
        raise ReviewError(f"{path.name} has a header but no decisions")
    return ImportBatch(decisions, where, problems, path.name)


EXPORTS = {
    "queue": "select * from matching.review_queue order by queue_rank, ace_opportunity_id",
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
            "order by queue_rank, ace_opportunity_id limit %s",
            (limit,),
        )
        return cur.fetchall()
