"""Keeping raw fresh: a sensor that reacts to source changes, and an hourly schedule as the fallback.

The sensor reads, per source system, one cheap aggregate per table (max cursor and row count: a count catches
deletes, which move no cursor) and requests a run for just the tables whose fingerprint changed. Fingerprints live
in the sensor's cursor; the run key is derived from them, so the same change never launches two runs.

Everything is built from the catalog's tables: the job selects the catalog's raw groups, and the sensor asks for the
catalog's source resources by key, so a third source system needs no code here. A source that cannot be reached is
left out of that tick (its tables keep their last fingerprint) and the others are still watched; a table absent from
its source is ignored, and a table whose cursor column is absent is watched by its row count and the cursor the sync
would detect.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections import defaultdict
from collections.abc import Sequence

import dagster as dg
import psycopg2
from psycopg2 import sql

from revops_assets.automation.runs import RAW_LANE, sensor_interval
from revops_assets.raw.assets import raw_selection
from revops_assets.resources.postgres import DatabaseConnectionError, PostgresResource
from revops_assets.sources.catalog import SourceTable, source_tables

# A raw sync that runs longer than this is stuck (a full load of 1M rows takes seconds): run monitoring
# (dagster.yaml) fails it and frees its pool slots.
RAW_SYNC_MAX_RUNTIME_S = 3600

_PRESENT_COLUMNS_SQL = """
select c.table_name::text, c.column_name::text, c.data_type::text
from information_schema.columns c
where c.table_schema = %s and c.table_name = any(%s)
"""


def build_raw_sync_job(tables: Sequence[SourceTable]):
    """Runs in the raw lane: dagster.yaml lets one raw run execute at a time, the next waits in the queue. Steps run
    in one process (the code location's default executor): a sync costs the sum of its tables."""
    return dg.define_asset_job(
        "raw_sync",
        selection=raw_selection(tables),
        description="Sync every raw table (incremental where a watermark exists)",
        tags={**RAW_LANE, "dagster/max_runtime": str(RAW_SYNC_MAX_RUNTIME_S)},
    )


ACTIVE_RUN_STATUSES = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                       dg.DagsterRunStatus.STARTED]


def build_hourly_schedule(tables: Sequence[SourceTable], job) -> dg.ScheduleDefinition:
    every_table = {dg.AssetKey(entry.asset_key) for entry in tables}

    @dg.schedule(
        name="raw_hourly_sync",
        job=job,
        cron_schedule="0 * * * *",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Fallback for the change sensor: an incremental sync of every raw table each hour, skipped while "
        "a sync of every table is still queued or running",
    )
    def raw_hourly_schedule(context: dg.ScheduleEvaluationContext):
        active = context.instance.get_runs(dg.RunsFilter(job_name=job.name, statuses=ACTIVE_RUN_STATUSES))
        # sensor runs name the tables they sync; its first tick names them all
        whole = [run for run in active if not run.asset_selection or run.asset_selection >= every_table]
        if whole:
            return dg.SkipReason(f"raw sync {whole[0].run_id} of every table is still {whole[0].status.value.lower()}")
        return dg.RunRequest(tags={"revops/trigger": "schedule"})

    return raw_hourly_schedule


def source_fingerprints(resource: PostgresResource, entries: Sequence[SourceTable]) -> dict[str, str]:
    """`{asset key: "max cursor|row count"}` for the tables that exist in the source (missing ones are skipped).
    The cursor is the one the sync would use: the catalog's, else a detected one; none means the count alone."""
    fingerprints: dict[str, str] = {}
    with resource.connection() as conn, conn.cursor() as cur:
        columns: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        for schema in sorted({e.schema_name for e in entries}):
            cur.execute(_PRESENT_COLUMNS_SQL, (schema, [e.table for e in entries if e.schema_name == schema]))
            for table, column, data_type in cur.fetchall():
                columns[(schema, table)][column] = data_type
        parts = []
        for entry in entries:
            present = columns.get((entry.schema_name, entry.table))
            if not present:
                continue  # absent from the source: the asset skips it, the sensor ignores it
            cursor, _ = entry.resolve_cursor(present)
            parts.append(
                sql.SQL("select {key}, {cursor}::text, count(*) from {table}").format(
                    key=sql.Literal(entry.asset_key_str),
                    cursor=sql.SQL("max({})").format(sql.Identifier(cursor)) if cursor else sql.SQL("null"),
                    table=sql.Identifier(entry.schema_name, entry.table),
                )
            )
        if not parts:
            return fingerprints
        cur.execute(sql.SQL(" union all ").join(parts))
        for key, newest, count in cur.fetchall():
            fingerprints[key] = f"{newest}|{count}"
    return fingerprints


def changed_tables(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(key for key, value in current.items() if previous.get(key) != value)


def build_change_sensor(tables: Sequence[SourceTable], job) -> dg.SensorDefinition:
    """The change sensor over `tables`, asking Dagster for each of their source resources by key."""
    by_resource: dict[str, list[SourceTable]] = defaultdict(list)
    for entry in tables:
        by_resource[entry.resource].append(entry)

    def raw_source_change_sensor(context: dg.SensorEvaluationContext, **resources: PostgresResource):
        previous = json.loads(context.cursor) if context.cursor else {}
        current: dict[str, str] = {}
        unreachable = []
        for resource_key, entries in by_resource.items():
            resource = resources[resource_key]
            try:
                current.update(source_fingerprints(resource, entries))
            except (DatabaseConnectionError, psycopg2.Error) as err:
                # keep what we knew: an unreachable source neither triggers nor forgets its tables
                unreachable.append(resource.describe())
                context.log.warning(f"{resource.describe()} not watched this tick: {str(err).strip()[:300]}")
                current.update({e.asset_key_str: previous[e.asset_key_str] for e in entries if e.asset_key_str in previous})
        changed = changed_tables(previous, current)
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not changed:
            suffix = f" (unreachable: {', '.join(unreachable)})" if unreachable else ""
            return dg.SkipReason(f"no source table changed since the last tick{suffix}")
        digest = hashlib.sha256(json.dumps({k: current[k] for k in changed}, sort_keys=True).encode()).hexdigest()[:16]
        return dg.RunRequest(
            run_key=f"raw-change-{digest}",
            asset_selection=[dg.AssetKey(key.split("/")) for key in changed],
            tags={"revops/trigger": "source-change", "revops/changed_tables": str(len(changed))},
        )

    # the catalog's source resources as keyword parameters, so Dagster hands exactly those to every tick
    raw_source_change_sensor.__signature__ = inspect.Signature(
        [inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=dg.SensorEvaluationContext)]
        + [inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=PostgresResource) for key in by_resource]
    )
    return dg.sensor(
        name="raw_source_change_sensor",
        job=job,
        minimum_interval_seconds=sensor_interval(60),
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Requests raw syncs for exactly the source tables whose newest cursor or row count changed",
    )(raw_source_change_sensor)


# The catalog as configured when the code location loads (names kept for whoever refers to them).
raw_sync_job = build_raw_sync_job(source_tables())
raw_hourly_schedule = build_hourly_schedule(source_tables(), raw_sync_job)
raw_source_change_sensor = build_change_sensor(source_tables(), raw_sync_job)
