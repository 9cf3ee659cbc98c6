"""Core layer assets: one per entity in `core.entities`, each depending on exactly the raw tables it reads.

Each build first resolves its source entities through the mapping (data/mappings, the user's overrides) against
raw's columns and reads them as views with canonical names; a required field that is missing stops the build with
one error saying what to add, an optional one reads as NULL, is flagged on every row and named by a warning check.
The resolution (canonical field -> raw column) is in the materialization metadata.

Checks are computed in the same transaction that builds the table: primary key unique, every foreign id resolved to
a name (rate per column against a threshold), every live raw row present. Failures that would poison search and
matching are blocking.
"""

import dagster as dg
from psycopg2 import sql

from revops_assets.core.accounts import flag_counts
from revops_assets.core.build import add_row_flags, markdown_preview, table_columns
from revops_assets.core.entities import CoreEntity, core_entities
from revops_assets.core.mapping import SourceSet, prepare_sources

PK_CHECK = "primary_key_unique"
RESOLUTION_CHECK = "foreign_keys_resolved"
COMPLETE_CHECK = "every_raw_row_present"
FLAGS_CHECK = "quality_flags_reported"
SOURCE_CHECK = "source_fields_mapped"
SOURCE_CHECK_SPEC = "every canonical source field found in raw (warns, naming the fields read as NULL)"


def _raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def core_entity_asset(entity: CoreEntity) -> dg.AssetsDefinition:
    key = dg.AssetKey(["core", entity.name])
    specs = [
        dg.AssetCheckSpec(PK_CHECK, asset=key, blocking=True, description="primary key unique and not null"),
        dg.AssetCheckSpec(COMPLETE_CHECK, asset=key, blocking=True, description="every live raw row is in core"),
    ]
    if entity.resolutions:
        specs.append(
            dg.AssetCheckSpec(
                RESOLUTION_CHECK, asset=key, blocking=True,
                description=f"each foreign id resolves to a name for >= {entity.resolution_threshold:.0%} of rows",
            )
        )
    specs.append(dg.AssetCheckSpec(FLAGS_CHECK, asset=key, description="rows with data-quality flags (warns)"))
    specs.append(dg.AssetCheckSpec(SOURCE_CHECK, asset=key, description=SOURCE_CHECK_SPEC))

    @dg.asset(
        key=key,
        deps=[_raw_key(t) for t in entity.raw_inputs] + [dg.AssetKey(["core", t]) for t in entity.core_inputs],
        group_name="core",
        kinds={"postgres"},
        owners=["team:revops"],
        description=entity.description,
        required_resource_keys={"warehouse_db"},
        tags={"layer": "core"},
        metadata={"dagster/table_name": f"revops_core.core.{entity.name}"},
        check_specs=specs,
    )
    def _core_entity(context: dg.AssetExecutionContext):
        with context.resources.warehouse_db.connection() as conn:
            sources = prepare_sources(conn, entity.sources)
            entity.build(conn)
            with conn.cursor() as cur:
                add_row_flags(cur, "core", entity.name, sources.flags())
                stats = flag_counts(cur, "core", entity.name)
                metadata = entity_metadata(cur, entity, sources)
                checks = entity_checks(cur, entity, stats) + [source_check(sources)]
        for problem in sources.degraded():
            context.log.warning(f"core.{entity.name}: source degraded: {problem}")
        metadata["rows_flagged"] = stats.flagged
        return dg.MaterializeResult(metadata=metadata, check_results=checks)

    return _core_entity


def source_metadata(sources: SourceSet) -> dict:
    return {
        "source_mapping": dg.MetadataValue.json(sources.metadata()),
        "source_degraded": dg.MetadataValue.json(sources.degraded()),
    }


def source_check(sources: SourceSet) -> dg.AssetCheckResult:
    """Warns (never blocks) when optional source fields or tables were missing and read as NULL."""
    degraded = sources.degraded()
    return dg.AssetCheckResult(
        check_name=SOURCE_CHECK,
        passed=not degraded,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"degraded": dg.MetadataValue.json(degraded), "entities": len(sources.resolutions)},
        description=("read as NULL: " + ", ".join(degraded)) if degraded else None,
    )


def entity_metadata(cur, entity: CoreEntity, sources: SourceSet) -> dict:
    columns = table_columns(cur, "core", entity.name)
    cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("core", entity.name)))
    rows = cur.fetchone()[0]
    lineage = dg.TableColumnLineage(
        deps_by_column={
            column: [dg.TableColumnDep(asset_key=_raw_key(table), column_name=col)
                     for table, col in filter(None, (sources.column(ref) for ref in refs))]
            for column, refs in entity.lineage.items()
        }
    )
    metadata = {
        "dagster/row_count": rows,
        "dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(name, type_) for name, type_ in columns]),
        "dagster/column_lineage": lineage,
        **source_metadata(sources),
    }
    for name, query in entity.counts.items():
        cur.execute(query)
        metadata[name] = int(cur.fetchone()[0])
    if entity.preview_columns:
        metadata["preview"] = dg.MetadataValue.md(
            markdown_preview(cur, "core", entity.name, entity.preview_columns, order_by=entity.primary_key[0])
        )
    return metadata


def resolution_rates(cur, entity: CoreEntity) -> dict[str, float]:
    rates = {}
    for id_col, name_col, _target in entity.resolutions:
        cur.execute(
            sql.SQL("select count({id}), count({id}) filter (where {name} is not null) from {table}").format(
                id=sql.Identifier(id_col), name=sql.Identifier(name_col), table=sql.Identifier("core", entity.name)
            )
        )
        referenced, resolved = cur.fetchone()
        rates[id_col] = 1.0 if referenced == 0 else resolved / referenced
    return rates


def entity_checks(cur, entity: CoreEntity, stats) -> list[dg.AssetCheckResult]:
    table = sql.Identifier("core", entity.name)
    pk = sql.SQL(", ").join(sql.Identifier(c) for c in entity.primary_key)
    cur.execute(sql.SQL("select count(*) - count(distinct ({pk})) from {t}").format(pk=pk, t=table))
    duplicates = cur.fetchone()[0]
    results = [dg.AssetCheckResult(check_name=PK_CHECK, passed=duplicates == 0, metadata={"duplicates": duplicates})]
    if entity.completeness_sql:
        cur.execute(entity.completeness_sql)
        expected, actual = cur.fetchone()
        results.append(
            dg.AssetCheckResult(
                check_name=COMPLETE_CHECK, passed=expected == actual,
                metadata={"raw_rows": expected, "core_rows": actual},
            )
        )
    else:
        results.append(dg.AssetCheckResult(check_name=COMPLETE_CHECK, passed=True, metadata={"rule": "none"}))
    if entity.resolutions:
        rates = resolution_rates(cur, entity)
        failing = {col: rate for col, rate in rates.items() if rate < entity.resolution_threshold}
        results.append(
            dg.AssetCheckResult(
                check_name=RESOLUTION_CHECK,
                passed=not failing,
                metadata={f"{col}_resolved": dg.FloatMetadataValue(round(rate, 4)) for col, rate in rates.items()},
                description=f"below threshold: {failing}" if failing else None,
            )
        )
    results.append(
        dg.AssetCheckResult(
            check_name=FLAGS_CHECK,
            passed=stats.flagged == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rows_flagged": stats.flagged, "rows": stats.rows},
        )
    )
    return results


def core_assets() -> list[dg.AssetsDefinition]:
    return [core_entity_asset(entity) for entity in core_entities()]
