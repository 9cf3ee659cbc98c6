"""Small helpers the rules layer shares for talking to the warehouse: its SQL files, streaming reads, temp tables
and the month / clock arithmetic every part agrees on (UTC; a month is named by its first day)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from functools import lru_cache

from psycopg2 import sql

from revops_assets.core.build import NormColumn
from revops_assets.settings import sql_dir

BATCH_ROWS = 5000


@lru_cache(maxsize=None)
def rules_sql(name: str) -> str:
    return (sql_dir() / "rules" / name).read_text()


def pairs_due(month_end: sql.Composable) -> sql.Composable:
    """pairs_due.sql (the matched pairs due a verdict for a month) for the month ending at `month_end`."""
    return sql.SQL(rules_sql("pairs_due.sql")).format(month_end=month_end)


def stream_dicts(conn, cursor_name: str, query, params=None, batch_rows: int = BATCH_ROWS) -> Iterator[list[dict]]:
    """A query's rows as dicts, in batches, through a server-side cursor (never the whole result in memory)."""
    with conn.cursor(name=cursor_name) as source:
        source.itersize = batch_rows
        source.execute(query, params)
        columns = None
        while batch := source.fetchmany(batch_rows):
            columns = columns or [d.name for d in source.description]
            yield [dict(zip(columns, values)) for values in batch]


def create_temp_table(cur, name: str, columns: Sequence[NormColumn]) -> None:
    """A temp table (dropped at commit, or earlier by the caller) with the given literal column types."""
    cur.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(name)))
    cur.execute(sql.SQL("create temp table {} ({}) on commit drop").format(
        sql.Identifier(name),
        sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.type)) for c in columns),
    ))


def utc(now: datetime | None) -> datetime:
    """`now` as an aware UTC datetime (naive values are taken as UTC); the wall clock when None."""
    if now is None:
        return datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)
