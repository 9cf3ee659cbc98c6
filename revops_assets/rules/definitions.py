"""Rules layer definitions: one eligibility asset per program in data/rules/*.yaml, and the ACE update proposals."""

import dagster as dg

from revops_assets.rules.assets import rules_assets


def rules_definitions() -> dg.Definitions:
    return dg.Definitions(assets=rules_assets())
