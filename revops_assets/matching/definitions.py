"""Matching layer definitions: matches, review queue, reconciliation, quality, and re-scoring on new decisions."""

import dagster as dg

from revops_assets.automation.match_review import match_decisions_sensor, rescore_job
from revops_assets.matching.assets import matching_assets


def matching_definitions() -> dg.Definitions:
    return dg.Definitions(assets=matching_assets, jobs=[rescore_job], sensors=[match_decisions_sensor])
