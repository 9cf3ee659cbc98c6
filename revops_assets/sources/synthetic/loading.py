"""Recreate a source database's schema and stream rows into it with COPY.

Rows arrive either as dicts (small tables rendered in Python) or as ready COPY-text chunks (billing, generated with
numpy). Both reach `cursor.copy_expert` through a file-like object that pulls one chunk at a time, so a table of
millions of rows never exists in memory as a whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from psycopg2 import sql

from revops_assets.settings import sql_dir

SOURCES_SQL = sql_dir() / "sources"
NULL = r"\N"
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]")


class ChunkStream:
    """Read-only file object over an iterator of text chunks, for psycopg2's copy_expert."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self.bytes = 0

    def read(self, size: int = -1) -> bytes:
        for chunk in self._chunks:
            if chunk:
                data = chunk.encode("utf-8")
                self.bytes += len(data)
                return data
        return b""


def _text(value: str) -> str:
    return value.translate(_ESCAPE) if _SPECIAL.search(value) else value


def _json(value: dict | list) -> str:
    return _text(json.dumps(value, ensure_ascii=False))


_FORMATTERS = {
    str: _text,
    bool: lambda v: "t" if v else "f",
    int: str,
    float: repr,
    Decimal: str,
    datetime: lambda v: v.isoformat(sep=" "),
    date: date.isoformat,
    dict: _json,
    list: _json,
}


def copy_value(value: object) -> str:
    """One value in COPY text format (dispatch on the exact type: this runs millions of times)."""
    if value is None:
        return NULL
    formatter = _FORMATTERS.get(type(value))
    if formatter is None:  # subclasses such as numpy.float64
        formatter = next((f for t, f in _FORMATTERS.items() if isinstance(value, t)), None)
        if formatter is None:
            raise TypeError(f"cannot COPY a {type(value).__name__}: {value!r}")
    return formatter(value)


def row_chunks(rows: Iterable[dict], columns: Sequence[str], table: str, chunk_rows: int = 5000) -> Iterator[str]:
    """COPY text for dict rows, `chunk_rows` rows per chunk; keys must be columns, missing keys are NULL."""
    known = set(columns)
    buffer: list[str] = []
    for row in rows:
        if not known.issuperset(row):
            raise KeyError(f"{table}: no such column(s) {sorted(set(row) - known)}")
        buffer.append("\t".join(map(copy_value, map(row.get, columns))))
        if len(buffer) >= chunk_rows:
            yield "\n".join(buffer) + "\n"
            buffer = []
    if buffer:
        yield "\n".join(buffer) + "\n"


def reset_schema(cur) -> None:
    cur.execute("drop schema if exists public cascade")
    cur.execute("create schema public")


def run_sql_file(cur, path: Path) -> None:
    cur.execute(path.read_text())


def table_columns(cur, table: str) -> list[str]:
    cur.execute(
        "select column_name from information_schema.columns where table_schema = 'public' and table_name = %s "
        "order by ordinal_position",
        (table,),
    )
    columns = [r[0] for r in cur.fetchall()]
    if not columns:
        raise LookupError(f"table {table} is not in the DDL")
    return columns


def _copy(cur, table: str, columns: Sequence[str], chunks: Iterable[str]) -> None:
    statement = sql.SQL("copy {} ({}) from stdin").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    cur.copy_expert(statement, ChunkStream(chunks), size=1 << 20)


def copy_rows(cur, table: str, rows: Iterable[dict]) -> int:
    """COPY dict rows into `table`; returns the row count."""
    columns = table_columns(cur, table)
    counter = _Counter(rows)
    _copy(cur, table, columns, row_chunks(counter, columns, table))
    return counter.count


def copy_text(cur, table: str, columns: Sequence[str], chunks: Iterable[str]) -> int:
    """COPY pre-rendered text chunks whose lines have `columns` in order; returns the row count."""
    counted = _LineCounter(chunks)
    _copy(cur, table, columns, counted)
    return counted.count


def analyze(cur) -> None:
    cur.execute("analyze")


class _Counter:
    def __init__(self, rows: Iterable[dict]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[dict]:
        for row in self._rows:
            self.count += 1
            yield row


class _LineCounter:
    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = chunks
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            self.count += chunk.count("\n")
            yield chunk
