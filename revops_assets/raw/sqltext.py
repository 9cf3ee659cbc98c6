"""SQL text for the raw layer: templates from sql/raw and identifier lists, always composed with psycopg2.sql.

Nothing here formats data into SQL: table and column names become `sql.Identifier`s, values stay parameters.
"""

from __future__ import annotations

from functools import lru_cache

from psycopg2 import sql

from revops_assets.settings import sql_dir


@lru_cache(maxsize=None)
def template(name: str) -> str:
    """The text of sql/raw/<name> (read once per process)."""
    return (sql_dir() / "raw" / name).read_text()


def render(name: str, **parts: sql.Composable) -> sql.Composed:
    """sql/raw/<name> with its `{placeholders}` filled by composed identifiers."""
    return sql.SQL(template(name)).format(**parts)


def ident_list(names: list[str], prefix: str | None = None) -> sql.Composable:
    """`a, b, c` (or `p.a, p.b, p.c`) as quoted identifiers."""
    if prefix:
        return sql.SQL(", ").join(sql.Identifier(prefix, n) for n in names)
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def key_join(pk: list[str], left: str, right: str) -> sql.Composable:
    """`left.k1 = right.k1 and ...` over the primary-key columns."""
    return sql.SQL(" and ").join(
        sql.SQL("{} = {}").format(sql.Identifier(left, k), sql.Identifier(right, k)) for k in pk
    )


def any_null(pk: list[str]) -> sql.Composable:
    """`k1 is null or k2 is null ...`: a row whose key cannot identify it."""
    return sql.SQL(" or ").join(sql.SQL("{} is null").format(sql.Identifier(k)) for k in pk)
