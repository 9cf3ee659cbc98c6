"""How a core table is built: set-based SQL in the warehouse, Python only for normalization, then an atomic swap.

A core entity is produced in three steps inside one warehouse transaction:
1. `sql/core/<name>_base.sql` resolves ids to names into a temp table `_base` (pure SQL, set-based);
2. the rows that need Python normalization (company names, domains, HTML, picklists) are streamed from `_base`
   through a server-side cursor in batches, normalized by the plain functions of `revops_assets.core.normalize`,
   and written back with COPY into a temp table `_norm`;
3. `sql/core/<name>.sql` joins both into `core._next_<name>`, which replaces `core.<name>` in the same transaction,
   so readers see the old table or the new one, never a half-built one.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from psycopg2 import sql

from revops_assets.settings import sql_dir

BATCH_ROWS = 5000


@lru_cache(maxsize=None)
def core_sql(name: str) -> str:
    return (sql_dir() / "core" / name).read_text()


@dataclass(frozen=True)
class NormColumn:
    name: str
    type: str  # a literal SQL type from this module, never from data


def copy_rows(cur, table: str, columns: Sequence[NormColumn], rows: Iterable[Sequence]) -> int:
    """COPY rows (a batch) into a temp table using CSV. Every value is quoted and NULL is the unquoted empty
    field, so no text (not even a literal \\N) can read as NULL; non-finite numbers (NaN, infinity) become NULL
    rather than poison sums."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write(",".join(_csv_field(value) for value in row))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    cur.copy_expert(
        sql.SQL("copy {} ({}) from stdin with (format csv)").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
        ),
        buffer,
    )
    return count


def _csv_field(value) -> str:
    if value is None or (isinstance(value, (float, Decimal)) and not math.isfinite(value)):
        return ""
    return '"' + str(_csv_value(value)).replace('"', '""') + '"'


def _csv_value(value):
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, tuple)):
        # Postgres text[] literal
        return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value) + "}"
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def normalize_in_batches(
    conn,
    select_sql: str,
    norm_table: str,
    columns: Sequence[NormColumn],
    normalize_row: Callable[[tuple], Sequence],
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Stream `select_sql` through a server-side cursor, normalize each row, COPY results into `norm_table`."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("create temp table {} ({}) on commit drop").format(
                sql.Identifier(norm_table),
                sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.type)) for c in columns),
            )
        )
    total = 0
    with conn.cursor(name=f"stream_{norm_table}") as source, conn.cursor() as sink:
        source.itersize = batch_rows
        source.execute(select_sql)
        while True:
            batch = source.fetchmany(batch_rows)
            if not batch:
                break
            total += copy_rows(sink, norm_table, columns, (normalize_row(row) for row in batch))
    return total


def swap_in(cur, schema: str, name: str, primary_key: Sequence[str]) -> None:
    """Replace schema.name by schema._next_name (built in this transaction) and give it its primary key."""
    nxt = f"_next_{name}"
    cur.execute(
        sql.SQL("alter table {} add primary key ({})").format(
            sql.Identifier(schema, nxt), sql.SQL(", ").join(sql.Identifier(c) for c in primary_key)
        )
    )
    cur.execute(sql.SQL("drop table if exists {} cascade").format(sql.Identifier(schema, name)))
    cur.execute(sql.SQL("alter table {} rename to {}").format(sql.Identifier(schema, nxt), sql.Identifier(name)))
    cur.execute(
        sql.SQL("alter index {} rename to {}").format(sql.Identifier(schema, f"{nxt}_pkey"), sql.Identifier(f"{name}_pkey"))
    )


def table_columns(cur, schema: str, name: str) -> list[tuple[str, str]]:
    cur.execute(
        "select column_name, data_type from information_schema.columns where table_schema = %s and table_name = %s "
        "order by ordinal_position",
        (schema, name),
    )
    return cur.fetchall()


def markdown_preview(cur, schema: str, name: str, columns: Sequence[str], limit: int = 5, order_by: str | None = None) -> str:
    """A few rows as a Markdown table for the asset's metadata."""
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(schema, name)
    )
    if order_by:
        query += sql.SQL(" order by {}").format(sql.Identifier(order_by))
    cur.execute(query + sql.SQL(" limit {}").format(sql.Literal(limit)))
    rows = cur.fetchall()
    header = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join("| " + " | ".join(_cell(v) for v in row) + " |\n" for row in rows)
    return header + body


def _cell(value) -> str:
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", " ", text).replace("|", "\\|")
    return text[:60] + ("…" if len(text) > 60 else "")


def add_row_flags(cur, schema: str, name: str, flags: Sequence[str], where: sql.Composable | None = None,
                  params: dict | None = None) -> None:
    """Append `flags` (what the installation's sources lack, the same for every row) to quality_flags, in the
    build's transaction; nothing to do when the sources were complete."""
    if not flags:
        return
    query = sql.SQL("update {} set quality_flags = quality_flags || %(_source_flags)s::text[]").format(
        sql.Identifier(schema, name)
    )
    if where is not None:
        query += sql.SQL(" where ") + where
    cur.execute(query, {**(params or {}), "_source_flags": list(flags)})
