"""Recreate a source database's schema as its profile declares and stream rows into it with COPY.

Rows arrive as dicts (small tables rendered in Python), as blocks of rendered columns (billing, generated with
numpy) or as tuples of rendered values (bills). All reach `cursor.copy_expert` through a file-like object that pulls
one chunk at a time, so a table of millions of rows never exists in memory as a whole. `SourceLoader` places each
generated table where the schema profile says (schema.py) and keeps the row counts.
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
from revops_assets.sources.synthetic.schema import Placement, Profile, SchemaProfileError

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


def row_chunks(rows: Iterable[dict], fields: Sequence[str], chunk_rows: int = 5000) -> Iterator[str]:
    """COPY text for dict rows, the values of `fields` in order (a missing key is NULL), `chunk_rows` rows per chunk."""
    buffer: list[str] = []
    for row in rows:
        buffer.append("\t".join(map(copy_value, map(row.get, fields))))
        if len(buffer) >= chunk_rows:
            yield "\n".join(buffer) + "\n"
            buffer = []
    if buffer:
        yield "\n".join(buffer) + "\n"


def column_chunks(blocks: Iterable[Sequence[list[str]]], pick: Sequence[int] | None) -> Iterator[str]:
    """COPY text from blocks of rendered columns (one list of strings per column), keeping the columns at `pick`
    (None: all)."""
    for columns in blocks:
        if pick is not None:
            columns = [columns[i] for i in pick]
        yield "\n".join(map("\t".join, zip(*columns))) + "\n"


def tuple_chunks(rows: Iterable[Sequence[str]], pick: Sequence[int] | None, chunk_rows: int = 10_000) -> Iterator[str]:
    """COPY text from rows of rendered values, keeping the values at `pick` (None: all), `chunk_rows` rows per chunk."""
    buffer: list[str] = []
    for row in rows:
        buffer.append("\t".join(row if pick is None else [row[i] for i in pick]))
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
    return [r[0] for r in cur.fetchall()]


def _copy(cur, table: str, columns: Sequence[str], chunks: Iterable[str]) -> None:
    statement = sql.SQL("copy {} ({}) from stdin").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    cur.copy_expert(statement, ChunkStream(chunks), size=1 << 20)


def analyze(cur) -> None:
    cur.execute("analyze")


class SourceLoader:
    """One source database of a profile: its DDL, then each generated table COPYed where the profile places it (a
    table the database does not have is still rendered, then dropped), then sequences and constraints."""

    def __init__(self, cur, profile: Profile, source: str) -> None:
        self.cur = cur
        self.profile = profile
        self.source = source
        self.schema = getattr(profile, source)
        self.counts: dict[str, int] = {}  # rows per physical table
        reset_schema(cur)
        for name in self.schema.ddl:
            run_sql_file(cur, SOURCES_SQL / name)

    def _place(self, generated: str) -> tuple[Placement, list[str]] | None:
        placement = self.schema.placement(generated)
        if placement is None:
            return None
        columns = table_columns(self.cur, placement.physical)
        if not columns:
            raise SchemaProfileError(
                f"profile {self.profile.name}, {self.source} database: table {placement.physical} (for generated "
                f"{generated}) is not created by {', '.join(self.schema.ddl)}")
        return placement, columns

    def _load(self, placement: Placement, columns: list[str], chunks: Iterable[str]) -> None:
        counted = _LineCounter(chunks)
        _copy(self.cur, placement.physical, columns, counted)
        self.counts[placement.physical] = self.counts.get(placement.physical, 0) + counted.count

    def rows(self, generated: str, rows: Iterable[dict]) -> None:
        """Dict rows whose keys are generated fields (a missing key is NULL)."""
        found = self._place(generated)
        if found is not None:
            placement, columns = found
            self._load(placement, columns, row_chunks(placement.checked_rows(rows, columns), placement.fields(columns)))

    def blocks(self, generated: str, fields: Sequence[str], blocks: Iterable[Sequence[list[str]]]) -> None:
        """Blocks of rendered columns, in `fields` order."""
        self._text(generated, fields, blocks, column_chunks)

    def tuples(self, generated: str, fields: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        """Rows of rendered values, in `fields` order."""
        self._text(generated, fields, rows, tuple_chunks)

    def _text(self, generated: str, fields: Sequence[str], items: Iterable, render) -> None:
        found = self._place(generated)
        if found is None:
            for _ in items:  # later passes use what this one accumulates
                pass
            return
        placement, columns = found
        copied, pick = placement.text_columns(fields, columns)
        self._load(placement, copied, render(items, None if pick == list(range(len(fields))) else pick))

    def finish(self) -> dict[str, int]:
        """Checks that every table the DDL created was loaded, moves serial sequences past the loaded ids, adds the
        constraints. Returns rows per table."""
        self.cur.execute("select table_name from information_schema.tables "
                         "where table_schema = 'public' and table_type = 'BASE TABLE'")
        unloaded = sorted({name for name, in self.cur.fetchall()} - set(self.counts))
        if unloaded:
            raise SchemaProfileError(
                f"profile {self.profile.name}, {self.source} database: {unloaded} created by the DDL but declared "
                "for no generated table")
        run_sql_file(self.cur, SOURCES_SQL / "reset_sequences.sql")
        for name in self.schema.constraints:
            run_sql_file(self.cur, SOURCES_SQL / name)
        return dict(sorted(self.counts.items()))


class _LineCounter:
    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = chunks
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            self.count += chunk.count("\n")
            yield chunk
