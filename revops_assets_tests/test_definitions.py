"""The code location loads, as `dagster dev` and `dg check defs` see it, with every layer in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from revops_assets.definitions import build_definitions
from revops_assets.sources.catalog import source_tables

ROOT = Path(__file__).resolve().parents[1]


def test_definitions_hold_every_layer():
    defs = build_definitions()
    dg.Definitions.validate_loadable(defs)
    keys = {"/".join(k.path) for k in defs.resolve_asset_graph().get_all_asset_keys()}
    raw = {k for k in keys if k.startswith("raw/")}
    assert raw == {e.asset_key_str for e in source_tables()} and len(raw) >= 23
    assert {"core/odoo_opportunities", "core/ace_opportunities", "core/aws_accounts", "core/companies",
            "core/aws_costs_monthly", "core/customer_invoices_monthly", "core/billing_reconciliation_monthly",
            "search/odoo_opportunity_embeddings", "search/ace_opportunity_embeddings",
            "matching/opportunity_matches", "matching/review_queue", "matching/reconciliation",
            "matching/match_quality"} <= keys
    assert {s.name for s in defs.sensors} == {"raw_source_change_sensor", "match_decisions_sensor"}
    assert {s.name for s in defs.schedules} == {"raw_hourly_sync"}
    assert set(defs.resources) >= {"odoo_db", "apn_db", "warehouse_db", "embedder"}


def test_dg_check_defs_passes(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    dg_cli = Path(sys.executable).with_name("dg")
    done = subprocess.run([str(dg_cli), "check", "defs"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All definitions loaded successfully" in done.stdout + done.stderr
