"""Schema drift found by comparing the source's catalog with the one recorded at the last sync, not by the cursor.

A column keeps its number (attnum) through a rename or a type change and a number is never reused, so against the
recorded (attnum, name, declared type) of each column:
- same number, new name: a rename. The new column is added to raw and filled by a full reload; the old one is kept
  with its last values and marked stale (a comment on the raw column, and the asset's metadata), so nothing that
  still reads it does so unknowingly;
- same number and name, another declared type: the column was rewritten (an ALTER ... TYPE ... USING), which moves
  no cursor, so its values are reloaded in full even when raw's type already holds them;
- another table oid: the table was dropped and recreated; numbers say nothing then, and names decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from psycopg2 import sql

from revops_assets.raw.columns import Column


@dataclass
class Drift:
    renamed: dict[str, str] = field(default_factory=dict)  # new name -> old name, found by this sync
    retyped: list[tuple[str, str, str]] = field(default_factory=list)  # (column, declared before, declared now)
    recreated: bool = False
    # every rename seen so far, old name -> the name it has now (a catalog naming a renamed key or cursor still
    # finds it, sync after sync)
    history: dict[str, str] = field(default_factory=dict)

    @property
    def forces_full(self) -> bool:
        return bool(self.renamed or self.retyped or self.recreated)

    def describe(self) -> list[str]:
        out = [f"column {old} renamed to {new} in source ({old} kept, marked stale)" for new, old in self.renamed.items()]
        out += [f"column {name} retyped in source {before} -> {now} (values reloaded)" for name, before, now in self.retyped]
        if self.recreated:
            out.append("source table was dropped and recreated")
        return out


def snapshot(relid: int | None, columns: list[Column], found: "Drift") -> dict:
    """What is recorded for the next sync to compare with."""
    return {
        "relid": relid,
        "columns": [[c.attnum, c.name, c.declared or c.type] for c in columns],
        "renamed": found.history,
    }


def compare(previous: dict | None, relid: int | None, columns: list[Column]) -> Drift:
    drift = Drift()
    if not previous or not previous.get("columns"):
        return drift  # nothing recorded yet (first sync, or raw written by an older version)
    if previous.get("relid") is not None and relid is not None and previous["relid"] != relid:
        drift.recreated = True
        return drift
    drift.history = dict(previous.get("renamed") or {})
    before = {attnum: (name, declared) for attnum, name, declared in previous["columns"]}
    for col in columns:
        seen = before.get(col.attnum)
        if seen is None:
            continue  # a new column: schema evolution adds it
        old_name, old_type = seen
        if old_name != col.name:
            drift.renamed[col.name] = old_name
        elif old_type != (col.declared or col.type):
            drift.retyped.append((col.name, old_type, col.declared or col.type))
    for new, old in drift.renamed.items():
        drift.history = {first: (new if now == old else now) for first, now in drift.history.items()}
        drift.history[old] = new
    present = {c.name for c in columns}
    drift.history = {old: now for old, now in drift.history.items() if now in present and old not in present}
    return drift


STALE_PREFIX = "stale since "

_COMMENTS_SQL = """
select a.attname::text, col_description(a.attrelid, a.attnum)
from pg_catalog.pg_attribute a
where a.attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and a.attnum > 0 and not a.attisdropped
  and a.attname = any(%s)
"""


def stale_notes(cur, schema: str, table: str, columns: list[str]) -> dict[str, str]:
    """The stale marks already on `columns` of schema.table."""
    if not columns:
        return {}
    cur.execute(_COMMENTS_SQL, (schema, table, columns))
    return {name: note for name, note in cur.fetchall() if note and note.startswith(STALE_PREFIX)}


def mark_stale_columns(
    cur, table: sql.Identifier, columns: list[str], renamed: dict[str, str], before: dict[str, str], *,
    new_table: bool,
) -> dict[str, str]:
    """Comment every raw column no longer in the source as stale (keeping the date it was first marked, from
    `before`), saying where a renamed one went; returns {column: note}. Only changed notes are written, all of
    them on a `new_table` (a full load's, which has no comments yet)."""
    went_to = {old: new for new, old in renamed.items()}
    today = date.today().isoformat()
    notes = {}
    for name in columns:
        note = before.get(name)
        if name in went_to and (note is None or "renamed" not in note):
            note = f"{STALE_PREFIX}{today}: renamed to {went_to[name]} in the source; values as last synced"
        elif note is None:
            note = f"{STALE_PREFIX}{today}: no longer in the source; values as last synced"
        if new_table or note != before.get(name):
            cur.execute(sql.SQL("comment on column {}.{} is {}").format(table, sql.Identifier(name), sql.Literal(note)))
        notes[name] = note
    return notes
