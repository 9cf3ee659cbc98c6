"""The code location loads, as `dagster dev` and `dg check defs` see it, with every layer in it, each asset with its
layer's automation and freshness, and nothing heavy imported on the way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from revops_assets.automation.policies import LAYER_POLICIES, layer_policy
from revops_assets.definitions import build_definitions
from revops_assets.sources.catalog import source_tables

ROOT = Path(__file__).resolve().parents[1]
# What the code location must not import at load (each run process loads it again): see COMMON agreements.
HEAVY_MODULES = ("torch", "transformers", "sentence_transformers", "FlagEmbedding", "sklearn", "scipy", "splink",
                 "duckdb", "faker", "pandas")


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions()


def test_definitions_hold_every_layer(defs):
    dg.Definitions.validate_loadable(defs)
    keys = {"/".join(k.path) for k in defs.resolve_asset_graph().get_all_asset_keys()}
    raw = {k for k in keys if k.startswith("raw/")}
    assert raw == {e.asset_key_str for e in source_tables()} and len(raw) >= 23
    assert {"core/odoo_opportunities", "core/ace_opportunities", "core/aws_accounts", "core/companies",
            "core/aws_costs_monthly", "core/customer_invoices_monthly", "core/billing_reconciliation_monthly",
            "search/odoo_opportunity_embeddings", "search/ace_opportunity_embeddings",
            "matching/opportunity_matches", "matching/review_queue", "matching/reconciliation",
            "matching/match_quality"} <= keys
    assert {s.name for s in defs.sensors} == {"raw_source_change_sensor", "match_decisions_sensor", "revops_automation"}
    assert {s.name for s in defs.schedules} == {"raw_hourly_sync"}
    assert set(defs.resources) >= {"odoo_db", "apn_db", "warehouse_db", "embedder"}


def test_every_asset_has_its_layers_freshness_and_automation(defs):
    graph = defs.resolve_asset_graph()
    by_layer: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        policy = layer_policy(node.group_name)
        by_layer.setdefault(policy.layer, set()).add(key.to_user_string())
        assert node.freshness_policy == policy.freshness, key
        assert node.automation_condition == policy.automation, key
    assert {"raw", "core", "core_billing", "search", "matching"} <= set(by_layer)
    # raw is started by its sensor and schedule, everything downstream by conditions gated on blocking checks
    assert LAYER_POLICIES["raw"].automation is None
    for layer in ("core", "search", "matching", "rules"):
        labels = _labels(LAYER_POLICIES[layer].automation)
        assert {"eager", "all_deps_blocking_checks_passed"} <= labels, layer
    billing = _labels(LAYER_POLICIES["core_billing"].automation)
    assert "on_cron(0 5 * * *, UTC)" in billing and "all_deps_blocking_checks_passed" in billing


def test_a_group_outside_every_layer_is_refused():
    with pytest.raises(KeyError, match="belongs to no layer"):
        layer_policy("scratch")
    assert layer_policy("raw_salesforce").layer == "raw"


def test_automation_sensor_runs_by_default_and_runs_are_in_lanes(defs):
    sensor = next(s for s in defs.sensors if s.name == "revops_automation")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert defs.resolve_job_def("raw_sync").tags["revops/lane"] == "raw"
    assert defs.resolve_job_def("rescore_matches").tags["revops/lane"] == "downstream"
    assert sensor.run_tags["revops/lane"] == "downstream"
    # dagster.yaml lets one run per lane execute at a time (test_daemon_loop checks that runs never overlap)
    limits = yaml.safe_load((ROOT / "dagster.yaml").read_text())["concurrency"]["runs"]["tag_concurrency_limits"]
    assert {"key": "revops/lane", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits


def test_sync_and_automation_runs_execute_in_one_process(defs):
    assert defs.resolve_job_def("raw_sync").executor_def.name == dg.in_process_executor.name
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == dg.in_process_executor.name


def test_column_descriptions_and_lineage_are_attached_at_definition_time(defs):
    graph = defs.resolve_asset_graph()
    leads = graph.get(dg.AssetKey(["core", "odoo_opportunities"]))
    columns = {c.name: c.description for c in leads.metadata["dagster/column_schema"].columns}
    assert "crm.lead" in columns["odoo_opportunity_id"] and "From odoo.lead.name (raw.odoo_crm_lead)" in columns["title"]
    assert "| `title` | odoo.lead.name (raw.odoo_crm_lead) |" in leads.metadata["column_lineage"].value
    matches = graph.get(dg.AssetKey(["matching", "opportunity_matches"]))
    assert all(c.description for c in matches.metadata["dagster/column_schema"].columns)


def test_code_location_imports_nothing_heavy():
    probe = ("import sys, revops_assets.definitions as d; d.build_definitions(); "
             f"print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at load: {done.stdout.strip()}"


def test_dg_check_defs_passes(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    dg_cli = Path(sys.executable).with_name("dg")
    done = subprocess.run([str(dg_cli), "check", "defs"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All definitions loaded successfully" in done.stdout + done.stderr


def _labels(condition: dg.AutomationCondition) -> set[str]:
    out, todo = set(), [condition]
    while todo:
        node = todo.pop()
        if node.get_label():
            out.add(node.get_label())
        out.add(node.name)
        todo.extend(node.children)
    return out
