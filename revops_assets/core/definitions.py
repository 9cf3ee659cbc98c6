"""Core layer definitions: entity tables and the month-partitioned billing facts."""

import dagster as dg

from revops_assets.core.assets import core_assets
from revops_assets.core.billing import billing_assets


def core_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[*core_assets(), *billing_assets])
