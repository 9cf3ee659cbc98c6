"""The data dictionary: what every column of the warehouse tables means, from `data/dictionary/<layer>.yaml`.

Each file lists its layer's tables, each with every column in table order. A column's value is its description,
or empty to use the layer's shared description of that name (`columns:`), so a meaning shared by many tables is
written once. `revops_assets.definitions` attaches the dictionary at definition time as each table asset's
`dagster/column_schema`; the UI merges these descriptions into the schema a materialization reports (which has the
real types), so the asset code need not know about it. A test builds the tables on a real Postgres and checks
that each table's columns are exactly those listed, so a new column without a description fails CI by name.

Column lineage: core reports `dagster/column_lineage`, which the open-source UI does not display; each core
column's description therefore ends with where it comes from, and a `column_lineage` Markdown table sums it up.
"""

from __future__ import annotations

from functools import lru_cache

import dagster as dg
import yaml

from revops_assets.settings import data_dir

LINEAGE_METADATA_KEY = "column_lineage"


class DictionaryError(ValueError):
    """The dictionary file is malformed; the message names the file and the entry."""


@lru_cache(maxsize=None)
def layer_dictionary(layer: str) -> dict[str, dict[str, str]]:
    """{table: {column: description}} of one layer, shared descriptions resolved; {} when there is no file."""
    path = data_dir() / "dictionary" / f"{layer}.yaml"
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text()) or {}
    shared = document.get("columns") or {}
    tables: dict[str, dict[str, str]] = {}
    for table, columns in (document.get("tables") or {}).items():
        resolved = {}
        for column, description in (columns or {}).items():
            text = description if description else shared.get(column)
            if not text:
                raise DictionaryError(
                    f"{path.name}: tables.{table}.{column} has no description and `columns:` has none for it"
                )
            resolved[column] = " ".join(str(text).split())
        tables[table] = resolved
    return tables


def table_columns(asset_key: dg.AssetKey) -> dict[str, str] | None:
    """{column: description} of the table behind `asset_key` (["<layer>", "<table>"]), None when not listed."""
    if len(asset_key.path) != 2:
        return None
    layer, table = asset_key.path
    return layer_dictionary(layer).get(table)


@lru_cache(maxsize=None)
def core_lineage() -> dict[str, dict[str, tuple[str, ...]]]:
    """{core table: {column: canonical source fields ("odoo.lead.name", ...)}} as the core entities declare it."""
    from revops_assets.core.entities import core_entities

    return {entity.name: dict(getattr(entity, "lineage", {}) or {}) for entity in core_entities()}


def sources_texts(lineage: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{column: "odoo.lead.name (raw.odoo_crm_lead), ..."}: each canonical field and the raw table its entity maps
    to, the mapping read once for the whole table. Which column of that raw table it was found in is an
    installation's own (the asset's `source_mapping` metadata says, each run)."""
    from revops_assets.core.mapping import MappingError, raw_tables_of

    tables: dict[str, list[str]] = {}
    for entity in sorted({canonical.rsplit(".", 1)[0] for fields in lineage.values() for canonical in fields}):
        try:
            tables[entity] = raw_tables_of([entity])
        except MappingError:  # an entity the mapping does not know: name the field alone
            tables[entity] = []

    def text(canonical: str) -> str:
        found = tables[canonical.rsplit(".", 1)[0]]
        return f"{canonical} ({', '.join(f'raw.{t}' for t in found)})" if found else canonical

    return {column: ", ".join(text(c) for c in fields) for column, fields in lineage.items()}


def lineage_markdown(texts: dict[str, str]) -> str:
    lines = ["| column | comes from (canonical field, raw table) |", "|---|---|"]
    lines += [f"| `{column}` | {sources} |" for column, sources in texts.items()]
    return "\n".join(lines)


def table_schema(cur, schema: str, table: str) -> dg.TableSchema:
    """The table's columns with their Postgres types, for an asset to report when it materializes (the UI then
    shows types next to the dictionary's descriptions)."""
    cur.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
        "where a.attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and a.attnum > 0 "
        "and not a.attisdropped order by a.attnum",
        (schema, table),
    )
    described = layer_dictionary(schema).get(table, {})
    return dg.TableSchema(columns=[dg.TableColumn(name, type_, description=described.get(name))
                                   for name, type_ in cur.fetchall()])


def documented(spec: dg.AssetSpec) -> dg.AssetSpec:
    """`spec` with its table's column descriptions (and, for core, column lineage) as definition metadata."""
    columns = table_columns(spec.key)
    if columns is None:
        return spec
    lineage = core_lineage().get(spec.key.path[1], {}) if spec.key.path[0] == "core" else {}
    texts = sources_texts(lineage) if lineage else {}
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(
                name,
                type="",  # the materialization's schema carries the real type; the UI merges the two
                description=f"{text} From {texts[name]}." if name in texts else text,
            )
            for name, text in columns.items()
        ]
    )
    metadata = {**spec.metadata, "dagster/column_schema": schema}
    if lineage:
        metadata[LINEAGE_METADATA_KEY] = dg.MetadataValue.md(lineage_markdown(texts))
    return spec.replace_attributes(metadata=metadata)
