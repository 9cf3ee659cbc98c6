"""Source column discovery and raw-table schema evolution.

Raw tables mirror whatever the source has today: a new source column is added, a changed type is widened to one
that holds both the old and the new values (never narrowed, so no stored value is lost), and a column dropped in
the source is kept with its history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from psycopg2 import sql

# Sync metadata on every raw table (never present in a source).
LOADED_AT = "_sync_loaded_at"
RUN_ID = "_sync_run_id"
DELETED_AT = "_sync_deleted_at"
META_COLUMNS = (LOADED_AT, RUN_ID, DELETED_AT)

# format_type() output is Postgres-generated, but it is still text from a database: only such shapes are spliced.
_TYPE_SHAPE = re.compile(r'^[a-z][a-z0-9 _"]*(\(\d+(,\d+)?\))?( with(out)? time zone)?(\[\])*$')

_INT_RANK = {"smallint": 1, "integer": 2, "bigint": 3}
_FLOAT = {"real", "double precision"}
_TEXTUAL = {"text", "character varying", "character"}
_TIME_RANK = {"date": 1, "timestamp without time zone": 2, "timestamp with time zone": 3}
# Types without an equality operator are compared as text when detecting changed rows.
NO_EQUALITY = {"json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as format_type() prints it, e.g. "character varying(64)", "numeric(12,2)", "jsonb"
    # source columns only: the column's number in its table (kept by a rename or a type change, never reused) and
    # the type the source declares when it differs from `type` (an enum, a domain or an extension's type, which the
    # warehouse may not have, is mirrored as its base type or as text)
    attnum: int | None = field(default=None, compare=False)
    declared: str | None = field(default=None, compare=False)

    @property
    def base(self) -> str:
        return base_type(self.type)

    def definition(self) -> sql.Composable:
        return sql.SQL("{} {}").format(sql.Identifier(self.name), sql.SQL(checked_type(self.type)))


def base_type(type_name: str) -> str:
    """`character varying(64)` -> `character varying`; `timestamp(3) without time zone` -> the same without (3)."""
    return re.sub(r"\(\d+(,\d+)?\)", "", type_name).strip()


def checked_type(type_name: str) -> str:
    if not _TYPE_SHAPE.match(type_name):
        raise ValueError(f"unexpected column type {type_name!r} from the source catalog")
    return type_name


def _length(type_name: str) -> int | None:
    match = re.search(r"\((\d+)\)", type_name)
    return int(match.group(1)) if match else None


def widen(current: str, incoming: str) -> str:
    """The narrowest type that holds every value of both `current` (raw) and `incoming` (source) without loss."""
    if current == incoming:
        return current
    a, b = base_type(current), base_type(incoming)
    if a in _INT_RANK and b in _INT_RANK:
        return a if _INT_RANK[a] >= _INT_RANK[b] else b
    numeric_family = set(_INT_RANK) | {"numeric"}
    if a in numeric_family and b in numeric_family:
        return "numeric"
    if a in _FLOAT | set(_INT_RANK) and b in _FLOAT | set(_INT_RANK):
        return "double precision"
    if a in _FLOAT | numeric_family and b in _FLOAT | numeric_family:
        return "numeric"
    if a == b == "character varying":
        la, lb = _length(current), _length(incoming)
        return "character varying" if la is None or lb is None else f"character varying({max(la, lb)})"
    if a in _TEXTUAL and b in _TEXTUAL:
        return "text"
    if a in _TIME_RANK and b in _TIME_RANK:
        return a if _TIME_RANK[a] >= _TIME_RANK[b] else b
    if {a, b} == {"json", "jsonb"}:
        return "jsonb"
    return "text"


@dataclass(frozen=True)
class SchemaPlan:
    """What the raw table must become to hold the source as it is now."""

    columns: list[Column]  # the raw data columns after evolution, source order first, dropped ones after
    added: list[str]
    widened: list[tuple[str, str, str]]  # (column, from, to)
    dropped_in_source: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.widened)


def plan_schema(source: list[Column], raw: list[Column] | None) -> SchemaPlan:
    """Compare source columns with the raw table's (None when it does not exist yet)."""
    if raw is None:
        return SchemaPlan(list(source), [c.name for c in source], [], [])
    raw_by_name = {c.name: c for c in raw if c.name not in META_COLUMNS}
    columns, added, widened = [], [], []
    for col in source:
        existing = raw_by_name.get(col.name)
        if existing is None:
            columns.append(col)
            added.append(col.name)
            continue
        target = widen(existing.type, col.type)
        if target != existing.type:
            widened.append((col.name, existing.type, target))
        columns.append(Column(col.name, target))
    source_names = {c.name for c in source}
    dropped = [c for name, c in raw_by_name.items() if name not in source_names]
    return SchemaPlan(columns + dropped, added, widened, [c.name for c in dropped])


# A source's columns come from its catalog: the columns this role may select, in order (read from pg_catalog, not
# information_schema: a fifth of the cost, in an incremental of tens of milliseconds; a schema the role may not use
# gives no columns rather than an error). Each is
# mirrored as its declared type (format_type, as it would be declared) when the warehouse is sure to have that type:
# a built-in base type or an array of one. A domain is mirrored as its base type; an enum, a composite or range type,
# an extension's type (citext, hstore, a vector) or an array of those as text (or text[]): COPY writes them as
# text, which those columns take as they are.
_SOURCE_COLUMNS_SQL = """
with cols as (
    select a.attname::text as name, a.attnum, a.atttypid, a.atttypmod,
           case when t.typtype = 'd' then t.typbasetype else a.atttypid end as base_oid,
           case when t.typtype = 'd' then t.typtypmod else a.atttypmod end as base_mod
    from pg_catalog.pg_namespace n
    join pg_catalog.pg_class r on r.relnamespace = n.oid and r.relkind in ('r', 'p', 'v', 'm', 'f')
    join pg_catalog.pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
    join pg_catalog.pg_type t on t.oid = a.atttypid
    where n.nspname = %s and r.relname = %s and has_schema_privilege(n.oid, 'USAGE')
      and has_column_privilege(r.oid, a.attnum, 'SELECT')
)
select cols.name, cols.attnum::int, format_type(cols.atttypid, cols.atttypmod),
       case when bt.typnamespace = 'pg_catalog'::regnamespace and bt.typtype = 'b'
                 and (bt.typcategory <> 'A' or (et.typnamespace = 'pg_catalog'::regnamespace and et.typtype = 'b'))
            then format_type(cols.base_oid, cols.base_mod)
            when bt.typcategory = 'A' then 'text[]'
            else 'text' end
from cols
join pg_catalog.pg_type bt on bt.oid = cols.base_oid
left join pg_catalog.pg_type et on et.oid = bt.typelem
order by cols.attnum
"""

# Our own raw tables are read straight from pg_catalog: the same answer at a fifth of the cost, which counts in an
# incremental sync that is otherwise tens of milliseconds.
_RAW_COLUMNS_SQL = """
select a.attname::text, format_type(a.atttypid, a.atttypmod)
from pg_catalog.pg_attribute a
where a.attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and a.attnum > 0 and not a.attisdropped
order by a.attnum
"""


def discover_columns(cur, schema: str, table: str, *, source: bool = True) -> list[Column] | None:
    """Columns of schema.table in order, or None when the table does not exist (or this role may read none)."""
    cur.execute(_SOURCE_COLUMNS_SQL if source else _RAW_COLUMNS_SQL, (schema, table))
    rows = cur.fetchall()
    if not source:
        return [Column(name, type_name) for name, type_name in rows] or None
    return [
        Column(name, mirrored, attnum=attnum, declared=declared if declared != mirrored else None)
        for name, attnum, declared, mirrored in rows
    ] or None
