"""Raw layer definitions: the source mirror built from the catalog (see raw/mirror.py)."""

import dagster as dg

from revops_assets.raw.mirror import SourceMirror


def raw_definitions() -> dg.Definitions:
    return SourceMirror.from_config().definitions()
