"""The code location: every layer's assets, checks, schedules and sensors, with the shared resources.

Cross-cutting policy is applied here, once, to every asset spec by its layer (asset group), so an asset added to a
layer needs no code for it:
- automation conditions and freshness policies (revops_assets/automation/policies.py);
- column descriptions from the data dictionary, and column lineage as Markdown (revops_assets/dictionary.py);
- the automation condition sensor (running by default), the executor every run uses, and the run tags by which
  dagster.yaml keeps two runs of the same layer from running at once (revops_assets/automation/runs.py).

Loading must stay fast (< 3 s for `dagster dev`, and every run process loads it again): modules imported from here
import no torch, transformers, scikit-learn, scipy, pandas or faker at module level (test_definitions checks it).
"""

from __future__ import annotations

import warnings

import dagster as dg

from revops_assets.automation.policies import with_layer_policy
from revops_assets.automation.runs import automation_sensor
from revops_assets.core.definitions import core_definitions
from revops_assets.dictionary import documented
from revops_assets.matching.definitions import matching_definitions
from revops_assets.raw.definitions import raw_definitions
from revops_assets.rules.definitions import rules_definitions
from revops_assets.resources.executor import with_executor
from revops_assets.resources.postgres import source_and_warehouse_resources
from revops_assets.search.definitions import search_definitions


def layer_definitions() -> list[dg.Definitions]:
    """Each layer's own definitions; a new layer is one more entry here."""
    return [raw_definitions(), core_definitions(), search_definitions(), matching_definitions(), rules_definitions()]


def build_definitions() -> dg.Definitions:
    """All definitions; a plain function so the CLI and tests can build them without the decorator's loader."""
    with warnings.catch_warnings():  # map_asset_specs is marked preview; it is the documented way to do this
        warnings.simplefilter("ignore", dg.PreviewWarning)
        assets = dg.Definitions.merge(*layer_definitions()).map_asset_specs(
            func=lambda spec: documented(with_layer_policy(spec))
        )
    merged = dg.Definitions.merge(
        assets, dg.Definitions(resources=source_and_warehouse_resources(), sensors=[automation_sensor()])
    )
    return with_executor(merged)


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
