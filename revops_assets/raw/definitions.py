"""Raw layer definitions: the catalog's assets with their sync job, change sensor and hourly schedule."""

import dagster as dg

from revops_assets.automation.raw_sync import raw_hourly_schedule, raw_source_change_sensor, raw_sync_job
from revops_assets.raw.assets import raw_assets


def raw_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=raw_assets(),
        jobs=[raw_sync_job],
        sensors=[raw_source_change_sensor],
        schedules=[raw_hourly_schedule],
    )
