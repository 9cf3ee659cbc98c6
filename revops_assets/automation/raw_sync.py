"""Keeping raw fresh: a sensor that reacts to source changes, and an hourly schedule as the fallback.

The sensor reads, per source, one cheap aggregate per table (max cursor and row count: a count catches deletes,
which move no cursor) and requests a run for just the tables whose fingerprint changed. Fingerprints live in the
sensor's cursor; the run key is derived from them, so the same change never launches two runs.
"""


import hashlib
import json
from collections import defaultdict

import dagster as dg
from psycopg2 import sql

from revops_assets.automation.runs import RAW_LANE, sensor_interval
from revops_assets.raw.assets import RAW_SELECTION
from revops_assets.resources.postgres import PostgresResource
from revops_assets.sources.catalog import SourceTable, source_tables

# Runs in the raw lane: dagster.yaml lets one raw run execute at a time, the next waits in the queue. Steps run in
# one process (the code location's default executor, automation/runs.py): a sync costs the sum of its tables.
raw_sync_job = dg.define_asset_job(
    "raw_sync", selection=RAW_SELECTION, description="Sync every raw table (incremental where a watermark exists)",
    tags=RAW_LANE,
)
ACTIVE_RUN_STATUSES = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                       dg.DagsterRunStatus.STARTED]


@dg.schedule(
    name="raw_hourly_sync",
    job=raw_sync_job,
    cron_schedule="0 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Fallback for the change sensor: an incremental sync of every raw table each hour, skipped while "
    "a sync of every table is still queued or running",
)
def raw_hourly_schedule(context: dg.ScheduleEvaluationContext):
    active = context.instance.get_runs(dg.RunsFilter(job_name=raw_sync_job.name, statuses=ACTIVE_RUN_STATUSES))
    every_table = {dg.AssetKey(entry.asset_key) for entry in source_tables()}
    # sensor runs name the tables they sync; its first tick names them all
    whole = [run for run in active if not run.asset_selection or run.asset_selection >= every_table]
    if whole:
        return dg.SkipReason(f"raw sync {whole[0].run_id} of every table is still {whole[0].status.value.lower()}")
    return dg.RunRequest(tags={"revops/trigger": "schedule"})


def source_fingerprints(resource: PostgresResource, entries: list[SourceTable]) -> dict[str, str]:
    """`{asset key: "max cursor|row count"}` for the tables that exist in the source (missing ones are skipped)."""
    fingerprints: dict[str, str] = {}
    with resource.connection() as conn, conn.cursor() as cur:
        present = []
        for entry in entries:
            cur.execute("select to_regclass(%s)", (f"{entry.schema_name}.{entry.table}",))
            if cur.fetchone()[0] is not None:
                present.append(entry)
        if not present:
            return fingerprints
        parts = [
            sql.SQL("select {key}, {cursor}::text, count(*) from {table}").format(
                key=sql.Literal(entry.asset_key_str),
                cursor=sql.SQL("max({})").format(sql.Identifier(entry.cursor)) if entry.cursor else sql.SQL("null"),
                table=sql.Identifier(entry.schema_name, entry.table),
            )
            for entry in present
        ]
        cur.execute(sql.SQL(" union all ").join(parts))
        for key, newest, count in cur.fetchall():
            fingerprints[key] = f"{newest}|{count}"
    return fingerprints


def changed_tables(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(key for key, value in current.items() if previous.get(key) != value)


@dg.sensor(
    job=raw_sync_job,
    minimum_interval_seconds=sensor_interval(60),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests raw syncs for exactly the source tables whose newest cursor or row count changed",
)
def raw_source_change_sensor(context: dg.SensorEvaluationContext, odoo_db: PostgresResource, apn_db: PostgresResource):
    resources = {"odoo_db": odoo_db, "apn_db": apn_db}
    by_resource: dict[str, list[SourceTable]] = defaultdict(list)
    for entry in source_tables():
        by_resource[entry.resource].append(entry)
    current: dict[str, str] = {}
    for resource_key, entries in by_resource.items():
        current.update(source_fingerprints(resources[resource_key], entries))
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = changed_tables(previous, current)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return dg.SkipReason("no source table changed since the last tick")
    digest = hashlib.sha256(json.dumps({k: current[k] for k in changed}, sort_keys=True).encode()).hexdigest()[:16]
    return dg.RunRequest(
        run_key=f"raw-change-{digest}",
        asset_selection=[dg.AssetKey(key.split("/")) for key in changed],
        tags={"revops/trigger": "source-change", "revops/changed_tables": str(len(changed))},
    )
