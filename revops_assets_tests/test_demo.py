"""The main job, end to end: `revops demo` on its own embedded Postgres, ending with the summary."""

from __future__ import annotations

import os

import dagster as dg

from revops_assets import cli, settings
from revops_assets.core.billing import monthly_partitions

from .conftest import free_port


def test_demo_runs_every_layer_and_summarizes(server_home, monkeypatch, capsys):
    # the demo exports its connections into the process: let monkeypatch restore them afterwards
    for name in (*settings.DSN_VARS, "DAGSTER_PG_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAGSTER_HOME", os.environ["DAGSTER_HOME"])
    monkeypatch.setenv("REVOPS_HOME", str(server_home / "home"))
    monkeypatch.setenv("REVOPS_PG_PORT", str(free_port()))
    try:
        rc = cli.main(["demo", "--scale", "1000", "--seed", "42"])
        out = capsys.readouterr().out
        with dg.DagsterInstance.from_config(str(settings.dagster_home())) as instance:
            billed = instance.get_materialized_partitions(dg.AssetKey(["core", "aws_costs_monthly"]))
    finally:
        settings.embedded_server().stop()
    assert rc == 0, out[-3000:]
    assert "Summary" in out and "checks:" in out and ", 0 failed" in out
    for layer in ("raw", "core", "search", "matching"):
        line = next(l for l in out.splitlines() if l.strip().startswith(layer + " "))
        assert int(line.split()[1]) > 0, line
    raw_tables = int(next(l for l in out.splitlines() if l.strip().startswith("raw ")).split()[1])
    assert raw_tables >= 23
    assert "search/odoo_opportunity_embeddings: 1,000 embedded" in out
    quality = next(l for l in out.splitlines() if "matching/match_quality: " in l)
    f1 = float(quality.split("F1 auto-matched ")[1].split()[0])
    assert f1 >= 0.95 and "candidate recall" in quality
    assert "OK: demo finished" in out
    # progress while it runs: one line per step with a count and an ETA, embedding with counts, rate and ETA
    counts = [l.split("]")[0].strip(" [").split("/") for l in out.splitlines() if l.strip().startswith("[")]
    assert len(counts) >= raw_tables + 8 and all(int(total) == len(counts) for _, total in counts)
    assert [int(done) for done, _ in counts] == list(range(1, len(counts) + 1))
    assert "ETA" in next(l for l in out.splitlines() if l.strip().startswith("[  2/"))
    assert any("embedding odoo_opportunity_embeddings: 1,000 / 1,000 rows" in l for l in out.splitlines())
    # every billing month is built, none left "missing" in the UI
    assert billed == set(monthly_partitions.get_partition_keys())
