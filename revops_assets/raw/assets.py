"""Raw layer: one software-defined asset per catalog table, `raw.<source>_<table>` in the warehouse.

The asset function is thin: it hands the catalog entry to `sync_table` and turns the result into Dagster metadata
and check results. The checks are computed in the same step from the same source snapshot, so "row count equals
the source's" is exact even while the source keeps changing.
"""


from typing import Literal

import dagster as dg
import psycopg2
from pydantic import Field

from revops_assets.raw.columns import DELETED_AT, LOADED_AT, RUN_ID
from revops_assets.raw.sync import SyncResult, sync_table
from revops_assets.resources.postgres import DatabaseConnectionError
from revops_assets.sources.catalog import SourceTable, source_tables

ROW_COUNT_CHECK = "row_count_matches_source"
PRIMARY_KEY_CHECK = "primary_key_unique_not_null"
QUARANTINE_CHECK = "no_rows_quarantined"
MAX_CONNECTION_RETRIES = 4


class RawSyncConfig(dg.Config):
    mode: Literal["auto", "full", "incremental"] = Field(
        default="auto",
        description="auto: incremental when a watermark exists (the first load is full); full: reload and swap",
    )


def raw_group(entry: SourceTable) -> str:
    return f"raw_{entry.source}"


def raw_table_asset(entry: SourceTable) -> dg.AssetsDefinition:
    key = dg.AssetKey(entry.asset_key)

    @dg.asset(
        key=key,
        group_name=raw_group(entry),
        kinds={"postgres"},
        owners=[entry.owner],
        description=f"Mirror of {entry.qualified_source}: {entry.description}".rstrip(": "),
        pool=entry.pool,
        required_resource_keys={entry.resource, "warehouse_db"},
        tags={"layer": "raw", "source": entry.source},
        metadata={
            "source_table": entry.qualified_source,
            "primary_key": ", ".join(entry.primary_key),
            "cursor": entry.cursor or "(none: always full)",
            "dagster/table_name": f"revops_core.raw.{entry.raw_table}",
        },
        check_specs=[
            dg.AssetCheckSpec(ROW_COUNT_CHECK, asset=key, description="live raw rows = distinct keys in the source"),
            dg.AssetCheckSpec(PRIMARY_KEY_CHECK, asset=key, description="primary key unique and never null in raw"),
            dg.AssetCheckSpec(QUARANTINE_CHECK, asset=key, description="no source row needed quarantine (warns)"),
        ],
    )
    def _raw_table(context: dg.AssetExecutionContext, config: RawSyncConfig):
        source = getattr(context.resources, entry.resource)
        try:
            result = sync_table(
                entry, source, context.resources.warehouse_db, run_id=context.run_id, mode=config.mode, log=context.log
            )
        except (DatabaseConnectionError, psycopg2.OperationalError) as err:
            if context.retry_number >= MAX_CONNECTION_RETRIES:
                raise
            wait = min(2 ** (context.retry_number + 1), 60)  # 2, 4, 8, 16 s
            context.log.warning(f"connection problem, retry {context.retry_number + 1} in {wait}s: {err}")
            raise dg.RetryRequested(max_retries=MAX_CONNECTION_RETRIES, seconds_to_wait=wait) from err
        return dg.MaterializeResult(metadata=materialization_metadata(result), check_results=check_results(result))

    return _raw_table


def materialization_metadata(result: SyncResult) -> dict:
    columns = [dg.TableColumn(c.name, c.type) for c in result.columns]
    columns += [
        dg.TableColumn(LOADED_AT, "timestamptz", description="when this row was last written by a sync"),
        dg.TableColumn(RUN_ID, "text", description="Dagster run that last wrote this row"),
        dg.TableColumn(DELETED_AT, "timestamptz", description="set when the row disappeared from the source"),
    ]
    return {
        "dagster/row_count": result.raw_live_rows,
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "mode": result.mode,
        "rows_read": result.rows_read,
        "rows_inserted": result.rows_inserted,
        "rows_updated": result.rows_updated,
        "rows_deleted": result.rows_deleted,
        "rows_quarantined": result.rows_quarantined,
        "watermark": str(result.watermark_after) if result.watermark_after else "(none)",
        "duration_s": dg.FloatMetadataValue(round(result.duration_s, 3)),
        "rows_per_s": dg.FloatMetadataValue(round(result.rows_per_s, 1)),
        "mb_per_s": dg.FloatMetadataValue(round(result.mb_per_s, 2)),
        "schema_changes": dg.MetadataValue.json(result.schema_changes),
        "deletes_checked_by": result.deletes_checked_by or "full load",
        "changes_found_by": result.changes_found_by or "full load",
    }


def check_results(result: SyncResult) -> list[dg.AssetCheckResult]:
    return [
        dg.AssetCheckResult(
            check_name=ROW_COUNT_CHECK,
            passed=result.raw_live_rows == result.source_rows,
            metadata={"raw_live_rows": result.raw_live_rows, "source_rows": result.source_rows},
        ),
        dg.AssetCheckResult(
            check_name=PRIMARY_KEY_CHECK,
            passed=result.raw_duplicate_keys == 0 and result.raw_null_keys == 0,
            metadata={"duplicate_keys": result.raw_duplicate_keys, "null_keys": result.raw_null_keys},
        ),
        dg.AssetCheckResult(
            check_name=QUARANTINE_CHECK,
            passed=result.rows_quarantined == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"rows_quarantined": result.rows_quarantined, "where": "ops.quarantine"},
        ),
    ]


def raw_assets(entries: tuple[SourceTable, ...] | None = None) -> list[dg.AssetsDefinition]:
    return [raw_table_asset(entry) for entry in (entries or source_tables())]


RAW_SELECTION = dg.AssetSelection.groups("raw_odoo", "raw_apn")
