"""The source mirror as one factory whose configuration is the catalog (like a Sling replication's YAML): the
catalog's tables become raw assets, grouped per source system; its groups become the raw sync job; its source
resources are what the change sensor watches. Nothing here names a source system.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from revops_assets.automation.raw_sync import build_change_sensor, build_hourly_schedule, build_raw_sync_job
from revops_assets.raw.assets import raw_assets
from revops_assets.sources.catalog import Catalog, current_catalog


@dataclass
class SourceMirror:
    catalog: Catalog

    @classmethod
    def from_config(cls) -> "SourceMirror":
        """The shipped catalog with the REVOPS_SOURCE_CATALOG overrides."""
        return cls(current_catalog())

    def definitions(self) -> dg.Definitions:
        """Assets, job, sensor and schedule (the code location adds the source resources together with the
        warehouse's, see resources.postgres.source_and_warehouse_resources)."""
        tables = tuple(self.catalog.tables())  # bad entries are left out here, each logged with its error
        job = build_raw_sync_job(tables)
        return dg.Definitions(
            assets=raw_assets(tables) if tables else [],
            jobs=[job],
            sensors=[build_change_sensor(tables, job)],
            schedules=[build_hourly_schedule(tables, job)],
        )
