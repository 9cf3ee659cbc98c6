"""What `revops doctor` finds in one source database: catalog tables (present, rows, cursor) and the mapping's
resolution there, with how often each found field is filled. Read-only: catalog and information_schema queries and
counts, nothing else.

Raw mirrors every source column 1:1, so the resolution found here is the one core builds will find in raw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from psycopg2 import sql

from revops_assets.core.mapping.naming import squash
from revops_assets.core.mapping.resolve import EntityResolution, read_columns, resolve_entities
from revops_assets.core.mapping.spec import Mapping

# Columns that say when a row last changed (Odoo, ACE sync services, Salesforce-style, generic), in raw's order of
# preference; a catalog that declares its own candidates (branch raw) is used instead.
CURSOR_CANDIDATES = ("write_date", "last_modified_date", "aws_last_modified_date", "last_modified_at",
                     "system_modstamp", "updated_at", "modified_at", "date_modified", "modified_date", "update_date")
EXACT_COUNT_LIMIT = 2_000_000  # estimated rows above which counts are the planner's estimate


@dataclass
class TableReport:
    table: str
    present: bool
    rows: int | None = None
    rows_estimated: bool = False
    cursor: str | None = None  # the cursor column that would be used
    cursor_note: str = ""
    missing_key_columns: list[str] = field(default_factory=list)


@dataclass
class SourceReport:
    source: str
    schema: str
    tables: list[TableReport]
    entities: dict[str, EntityResolution]
    fill: dict[str, dict[str, float]]  # entity -> field -> share of rows with a value

    def not_mirrored(self) -> list[EntityResolution]:
        """Entities mapped to a table the catalog does not list: raw never copies it, so core finds it missing."""
        catalogued = {t.table for t in self.tables}
        return [r for r in self.entities.values() if r.source_table not in catalogued]

    def degraded(self) -> list[str]:
        """What core will read as NULL from this source: optional fields, absent or unmirrored tables."""
        out = [f.ref for r in self.entities.values() for f in r.degraded_fields()]
        out += [f"{r.name} (table {r.table})" for r in self.entities.values() if not r.present]
        out += [f"{r.name} (table {r.source_table} not in the catalog)" for r in self.not_mirrored() if r.present]
        return out


def detect_cursor(configured: str | None, columns: Sequence[str],
                  candidates: Sequence[str] = CURSOR_CANDIDATES) -> tuple[str | None, str]:
    """(cursor column, how it was chosen): the catalog's when the table has it, else the first known
    modification-time column (compared ignoring case and underscores, as raw does), else none (full loads)."""
    if configured and configured in columns:
        return configured, "catalog"
    squashed = {squash(c): c for c in columns}
    for candidate in candidates:
        if squash(candidate) in squashed:
            how = f"detected (catalog says {configured}, absent)" if configured else "detected"
            return squashed[squash(candidate)], how
    return None, (f"catalog cursor {configured} absent: " if configured else "") + "none found, full loads"


def inspect_tables(cur, schema: str, entries: Sequence) -> list[TableReport]:
    """Catalog entries (`table`, `cursor`, `primary_key`) of one source, as found in `schema`."""
    found = read_columns(cur, [(schema, e.table) for e in entries])
    reports = []
    for entry in entries:
        columns = found.get((schema, entry.table))
        if columns is None:
            reports.append(TableReport(entry.table, present=False))
            continue
        names = [c.name for c in columns]
        # the catalog entry's own candidates where the catalog declares them (branch raw), else ours
        cursor, note = detect_cursor(entry.cursor, names, getattr(entry, "cursor_candidates", None) or CURSOR_CANDIDATES)
        rows, estimated = _row_count(cur, schema, entry.table)
        reports.append(TableReport(entry.table, True, rows, estimated, cursor, note,
                                   [k for k in entry.primary_key if k not in names]))
    return reports


def _row_count(cur, schema: str, table: str) -> tuple[int, bool]:
    cur.execute(
        "select c.reltuples::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relname = %s",
        (schema, table),
    )
    row = cur.fetchone()
    if row and row[0] is not None and row[0] > EXACT_COUNT_LIMIT:
        return int(row[0]), True
    cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table)))
    return cur.fetchone()[0], False


def fill_rates(cur, res: EntityResolution) -> dict[str, float]:
    """Share of rows in which each found field has a value (one scan of the table)."""
    found = [(name, f.column) for name, f in res.fields.items() if f.column]
    if not res.present or not found:
        return {}
    cur.execute(
        sql.SQL("select count(*), {} from {}").format(
            sql.SQL(", ").join(sql.SQL("count({})").format(sql.Identifier(col)) for _, col in found),
            sql.Identifier(res.schema, res.table),
        )
    )
    total, *counts = cur.fetchone()
    return {name: (count / total if total else 0.0) for (name, _), count in zip(found, counts)}


def inspect_source(conn, mapping: Mapping, source: str, schema: str, entries: Sequence,
                   counts: bool = True) -> SourceReport:
    """Everything doctor says about one source system, on its (read-only) connection."""
    with conn.cursor() as cur:
        tables = inspect_tables(cur, schema, entries)
        names = [n for n, e in mapping.entities.items() if e.system == source]
        entities = resolve_entities(cur, mapping, names, where="source", source_schemas={source: schema})
        fill = {n: fill_rates(cur, r) for n, r in entities.items()} if counts else {}
    return SourceReport(source, schema, tables, entities, fill)
