"""`revops run`: the main job on databases the user points it at (external DSNs), nothing seeded, nothing written to
the sources; on both schema profiles of the synthetic sources (designed apart: legacy ACE names vs Partner Central
API names, different custom Odoo modules, absent tables) the whole pipeline materializes with 0 failures, through
the mapping alone."""

from __future__ import annotations

import psycopg2
from psycopg2 import sql
import pytest

from revops_assets import cli, settings


PROFILES = ["classic", "partner_central"]


def _source_counts(dsn: str) -> dict[str, int]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select relname, n_live_tup from pg_stat_user_tables order by 1")
        tables = [name for name, _ in cur.fetchall()]
        out = {}
        for table in tables:
            cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("public", table)))
            out[table] = cur.fetchone()[0]
        return out


def _warehouse(dsn: str, statement: str):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(statement)
        return cur.fetchone()


@pytest.mark.parametrize("profile", PROFILES)
def test_run_materializes_every_layer_on_the_configured_sources(pg, tmp_path, monkeypatch, capsys, profile):
    from revops_assets.sources.synthetic import seed_sources

    dsns = {var: pg.create_database(f"run_{profile}_{db}") for var, db in
            (("ODOO_DSN", "odoo"), ("APN_DSN", "apn"), ("WAREHOUSE_DSN", "wh"))}
    monkeypatch.setenv("REVOPS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    seed_sources(dsns["ODOO_DSN"], dsns["APN_DSN"], settings.truth_dir(), scale=150, seed=5, profile=profile)
    before = {db: _source_counts(dsns[db]) for db in ("ODOO_DSN", "APN_DSN")}
    for var, dsn in dsns.items():
        monkeypatch.setenv(var, dsn)

    rc = cli.main(["run"])
    out = capsys.readouterr().out
    assert rc == 0, out[-4000:]
    assert "using the configured servers" not in out  # external servers: `revops up` prepared the warehouse only
    assert ", 0 failed" in out and "FAILED steps" not in out and "OK: run finished" in out
    # partitioned assets run for the months with billing lines; partner_central's billing module is not in the
    # catalog (another vendor's tables: configuration), so it has none and they are skipped, not failed
    assert ("months with data" if profile == "classic" else "partitions: no billing lines") in out
    for layer in ("raw", "core", "search", "matching"):
        line = next(l for l in out.splitlines() if l.strip().startswith(layer + " "))
        assert int(line.split()[1]) > 0, line
    assert "matching/match_quality: F1 auto-matched" in out  # ground truth exists for synthetic sources
    assert {db: _source_counts(dsns[db]) for db in before} == before  # nothing written to the sources
    # the deal amounts matching compares reach core on either schema (on partner_central: the monthly USD revenue,
    # never the total budget)
    with_spend, rows = _warehouse(dsns["WAREHOUSE_DSN"], "select count(expected_monthly_spend_usd), count(*) "
                                                         "from core.ace_opportunities")
    assert rows > 100 and with_spend / rows > 0.9, (with_spend, rows)
    print(next(l for l in out.splitlines() if "matching/match_quality" in l))
    if profile != "classic":
        return

    # a second run is incremental and changes nothing
    rc = cli.main(["run"])
    out = capsys.readouterr().out
    assert rc == 0 and ", 0 failed" in out, out[-4000:]
    assert "0 embedded" in out
