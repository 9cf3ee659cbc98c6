"""The source side of core: one temp view per entity exposing canonical column names over its raw table.

`src_ace` is `select <column> as id, ... from raw.apn_opportunity where _sync_deleted_at is null`: live rows only,
each canonical field under its canonical name and type. A field that was not found is a typed NULL (or its declared
default); an entity whose table is absent is an empty view with the same columns, so core SQL never needs to know.
Identifiers are composed with psycopg2.sql only. Values whose column type differs from the field's are cast
defensively: a text column read as a number or date yields NULL for values that do not parse, never an error.
"""

from __future__ import annotations

from psycopg2 import sql

from revops_assets.core.mapping.resolve import RAW_SCHEMA, EntityResolution, FieldResolution, family

# integer is Odoo's id type (int4); core tables keep the column types they always had
SQL_TYPES = {"text": "text", "translated": "text", "integer": "integer", "numeric": "numeric", "date": "date",
             "timestamp": "timestamp", "boolean": "boolean"}
LIVE_COLUMN = "_sync_deleted_at"

# Defensive casts of text to the field's type, as session-local functions (no DDL in any shared schema).
_TRY_CASTS = {
    "numeric": "numeric", "integer": "integer", "date": "date", "timestamp": "timestamp",
}
_HELPERS = "".join(
    f"""create or replace function pg_temp.revops_try_{name}(value text) returns {target}
language plpgsql immutable as $$
begin
    return nullif(btrim(value), '')::{target};
exception when others then
    return null;
end $$;
"""
    for name, target in _TRY_CASTS.items()
)


def create_helpers(cur) -> None:
    cur.execute(_HELPERS)


def value_expr(res: FieldResolution, alias: str = "t") -> sql.Composable:
    """The select expression of one canonical field."""
    target = SQL_TYPES[res.spec.type]
    if res.column is None:
        if res.how == "default" and res.spec.default is not None:
            return sql.SQL("{}::{}").format(sql.Literal(res.spec.default), sql.SQL(target))
        return sql.SQL("null::{}").format(sql.SQL(target))
    col = sql.Identifier(alias, res.column)
    fam = family(res.data_type or "")
    kind = res.spec.type
    if kind == "translated":
        if fam == "json":
            return sql.SQL("core.translated({}::jsonb)").format(col)
        return sql.SQL("{}::text").format(col)
    if kind == "text":
        if fam == "array":  # Partner Central lists (DeliveryModels, ...) in ACE's ';'-separated form
            return sql.SQL("array_to_string({}, ';')").format(col)
        return sql.SQL("{}::text").format(col) if fam != "json" else sql.SQL("{} #>> '{{}}'").format(col)
    if kind == "boolean":
        if fam == "bool":
            return col
        if fam == "int":
            return sql.SQL("({} <> 0)").format(col)
        return sql.SQL(
            "case when lower(btrim({c}::text)) in ('t', 'true', 'y', 'yes', '1') then true "
            "when lower(btrim({c}::text)) in ('f', 'false', 'n', 'no', '0') then false end"
        ).format(c=col)
    same = {"integer": {"int"}, "numeric": {"num", "int"}, "date": {"date", "ts"}, "timestamp": {"ts", "date"}}[kind]
    if fam in same:
        return sql.SQL("{}::{}").format(col, sql.SQL(target))
    if kind == "integer" and fam == "num":
        return sql.SQL("pg_temp.revops_try_integer(trunc({})::text)").format(col)
    return sql.SQL("pg_temp.{}({}::text)").format(sql.Identifier(f"revops_try_{kind}"), col)


def select_sql(res: EntityResolution) -> sql.Composed:
    """The view's query: canonical columns over the live rows of the entity's table (or none when it is absent)."""
    columns = sql.SQL(", ").join(
        sql.SQL("{} as {}").format(value_expr(f), sql.Identifier(name)) for name, f in res.fields.items()
    )
    if not res.present:
        return sql.SQL("select {} where false").format(columns)
    query = sql.SQL("select {} from {} t").format(columns, sql.Identifier(res.schema, res.table))
    if res.schema == RAW_SCHEMA:  # raw keeps rows deleted at the source, marked
        query += sql.SQL(" where t.{} is null").format(sql.Identifier(LIVE_COLUMN))
    return query


def create_views(cur, resolutions: dict[str, EntityResolution]) -> None:
    """One temp view per entity (src_<entity>), replacing any of this session's earlier ones."""
    create_helpers(cur)
    for res in resolutions.values():
        view = sql.Identifier(res.entity.view)
        cur.execute(sql.SQL("drop view if exists pg_temp.{}").format(view))
        cur.execute(sql.SQL("create temp view {} as {}").format(view, select_sql(res)))
