"""The code location: every layer's assets, checks, schedules and sensors, with the shared resources."""

from __future__ import annotations

import dagster as dg

from revops_assets.core.definitions import core_definitions
from revops_assets.matching.definitions import matching_definitions
from revops_assets.raw.definitions import raw_definitions
from revops_assets.rules.definitions import rules_definitions
from revops_assets.search.definitions import search_definitions
from revops_assets.resources.executor import with_executor
from revops_assets.resources.postgres import source_and_warehouse_resources


def build_definitions() -> dg.Definitions:
    """All definitions; a plain function so the CLI and tests can build them without the decorator's loader."""
    layers: list[dg.Definitions] = [raw_definitions(), core_definitions(), search_definitions(), matching_definitions(),
                                    rules_definitions()]
    return with_executor(dg.Definitions.merge(*layers, dg.Definitions(resources=source_and_warehouse_resources())))


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
