"""Raw layer: one software-defined asset per catalog table, `raw.<source>_<table>` in the warehouse.

The asset function is thin: it hands the catalog entry to `sync_table` and turns the result into Dagster metadata
and check results. The checks are computed in the same step from the same source snapshot, so "row count equals
the source's" is exact even while the source keeps changing.

Degrade, never crash: a table absent from its source is reported as a materialization that says `skipped` with a
failed warning check (`source_table_present`), so the run stays green and downstream assets still run (they see
raw as it was). Transient failures (a connection lost mid-COPY, a deadlock) are retried with exponential backoff
and a message naming the connection and what the sync was doing.
"""


from typing import Literal

import dagster as dg
from pydantic import Field

from revops_assets.raw.columns import DELETED_AT, LOADED_AT, RUN_ID
from revops_assets.raw.errors import TransientSyncError
from revops_assets.raw.sync import DEFAULT_LOCK_WAIT_S, SyncResult, sync_table
from revops_assets.sources.catalog import SourceTable, source_tables

ROW_COUNT_CHECK = "row_count_matches_source"
PRIMARY_KEY_CHECK = "primary_key_unique_not_null"
QUARANTINE_CHECK = "no_rows_quarantined"
SOURCE_PRESENT_CHECK = "source_table_present"
CURSOR_CHECK = "cursor_not_in_future"
COLUMNS_CHECK = "source_columns_unchanged"
MAX_TRANSIENT_RETRIES = 4


class RawSyncConfig(dg.Config):
    mode: Literal["auto", "full", "incremental"] = Field(
        default="auto",
        description="auto: incremental when a watermark exists (the first load is full); full: reload and swap",
    )
    lock_wait_s: float = Field(
        default=DEFAULT_LOCK_WAIT_S, ge=0, description="how long to wait for another sync of the same table"
    )
    retry_base_s: float = Field(
        default=2, ge=0, description="first wait before retrying a transient failure; doubles each retry (2, 4, 8, 16)"
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
            dg.AssetCheckSpec(SOURCE_PRESENT_CHECK, asset=key, description="the source has the table (warns)"),
            dg.AssetCheckSpec(CURSOR_CHECK, asset=key, description="no cursor past the source's clock (warns)"),
            dg.AssetCheckSpec(
                COLUMNS_CHECK, asset=key, description="no column renamed, retyped or gone in the source (warns)"
            ),
        ],
    )
    def _raw_table(context: dg.AssetExecutionContext, config: RawSyncConfig):
        source = getattr(context.resources, entry.resource)
        try:
            result = sync_table(
                entry, source, context.resources.warehouse_db, run_id=context.run_id, mode=config.mode,
                log=context.log, lock_wait_s=config.lock_wait_s,
            )
        except TransientSyncError as err:
            if context.retry_number >= MAX_TRANSIENT_RETRIES:
                raise
            wait = min(config.retry_base_s * 2**context.retry_number, 60)
            context.log.warning(
                f"{err.reason}: retry {context.retry_number + 1} of {MAX_TRANSIENT_RETRIES} in {wait:g}s; {err}"
            )
            raise dg.RetryRequested(max_retries=MAX_TRANSIENT_RETRIES, seconds_to_wait=wait) from err
        return dg.MaterializeResult(metadata=materialization_metadata(result), check_results=check_results(result))

    return _raw_table


def materialization_metadata(result: SyncResult) -> dict:
    if result.skipped:
        return {"skipped": result.skipped, "mode": "skipped", "duration_s": dg.FloatMetadataValue(round(result.duration_s, 3))}
    columns = [dg.TableColumn(c.name, c.type) for c in result.columns]
    columns += [
        dg.TableColumn(LOADED_AT, "timestamptz", description="when this row was last written by a sync"),
        dg.TableColumn(RUN_ID, "text", description="Dagster run that last wrote this row"),
        dg.TableColumn(DELETED_AT, "timestamptz", description="set when the row disappeared from the source"),
    ]
    metadata = {
        "dagster/row_count": result.raw_live_rows,
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "mode": result.mode,
        "rows_read": result.rows_read,
        "rows_inserted": result.rows_inserted,
        "rows_updated": result.rows_updated,
        "rows_deleted": result.rows_deleted,
        "rows_quarantined": result.rows_quarantined,
        "cursor": f"{result.cursor} ({result.cursor_source})" if result.cursor else f"(none: full loads; {result.cursor_source})",
        "watermark": str(result.watermark_after) if result.watermark_after else "(none)",
        "duration_s": dg.FloatMetadataValue(round(result.duration_s, 3)),
        "rows_per_s": dg.FloatMetadataValue(round(result.rows_per_s, 1)),
        "mb_per_s": dg.FloatMetadataValue(round(result.mb_per_s, 2)),
        "schema_changes": dg.MetadataValue.json(result.schema_changes),
        "deletes_checked_by": result.deletes_checked_by or "full load",
        "changes_found_by": result.changes_found_by or "full load",
    }
    optional = {
        "full_load_reason": result.mode_reason,
        "key_check_reason": result.key_check_reason,
        "type_mappings": dg.MetadataValue.json(result.type_mappings) if result.type_mappings else None,
        "stale_columns": dg.MetadataValue.json(result.stale_columns) if result.stale_columns else None,
        "future_cursor_rows": result.future_cursor_rows or None,
        "future_cursor_keys": dg.MetadataValue.json(result.future_cursor_keys) if result.future_cursor_keys else None,
        "ignored_columns": dg.MetadataValue.json(result.ignored_columns) if result.ignored_columns else None,
        "waited_for_other_sync_s": dg.FloatMetadataValue(round(result.lock_waited_s, 2)) if result.lock_waited_s >= 0.5 else None,
        "abandoned_syncs_closed": result.stale_runs_closed or None,
        "source_role_can_write": result.source_role_can_write,
    }
    metadata.update({k: v for k, v in optional.items() if v not in (None, "")})
    return metadata


def check_results(result: SyncResult) -> list[dg.AssetCheckResult]:
    warn = dg.AssetCheckSeverity.WARN
    if result.skipped:
        nothing = {"skipped": result.skipped}
        return [
            dg.AssetCheckResult(check_name=name, passed=True, metadata=nothing)
            for name in (ROW_COUNT_CHECK, PRIMARY_KEY_CHECK, QUARANTINE_CHECK, CURSOR_CHECK, COLUMNS_CHECK)
        ] + [dg.AssetCheckResult(check_name=SOURCE_PRESENT_CHECK, passed=False, severity=warn, metadata=nothing)]
    # what changed in the source's columns this sync (a column stays stale afterwards, without warning again)
    drift = [c for c in result.schema_changes if "renamed" in c or "retyped" in c or "recreated" in c]
    drift += [f"column {c} no longer in the source" for c in result.new_stale_columns]
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
            severity=warn,
            metadata={"rows_quarantined": result.rows_quarantined, "where": "ops.quarantine"},
        ),
        dg.AssetCheckResult(check_name=SOURCE_PRESENT_CHECK, passed=True, severity=warn),
        dg.AssetCheckResult(
            check_name=CURSOR_CHECK,
            passed=result.future_cursor_rows == 0,
            severity=warn,
            metadata={"future_cursor_rows": result.future_cursor_rows,
                      "keys": dg.MetadataValue.json(result.future_cursor_keys)},
        ),
        dg.AssetCheckResult(
            check_name=COLUMNS_CHECK,
            passed=not drift,
            severity=warn,
            metadata={"changes": dg.MetadataValue.json(drift),
                      "stale_columns": dg.MetadataValue.json(result.stale_columns)},
        ),
    ]


def raw_assets(entries: tuple[SourceTable, ...] | None = None) -> list[dg.AssetsDefinition]:
    return [raw_table_asset(entry) for entry in (entries or source_tables())]


def raw_selection(tables) -> dg.AssetSelection:
    """Every raw asset of these catalog tables: their raw_<source> groups."""
    return dg.AssetSelection.groups(*sorted({raw_group(t) for t in tables}))

