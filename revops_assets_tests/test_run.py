"""`revops run`: the main job on databases the user points it at (external DSNs), nothing seeded, nothing written to
the sources; every asset materializes (partitioned ones for the months with data) with 0 failures."""

from __future__ import annotations

import psycopg2
import pytest

from revops_assets import cli, settings

PROFILES = [None]


def _source_counts(dsn: str) -> dict[str, int]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select relname, n_live_tup from pg_stat_user_tables order by 1")
        tables = [name for name, _ in cur.fetchall()]
        out = {}
        for table in tables:
            cur.execute(f'select count(*) from public."{table}"')  # noqa: S608 (names from the catalog)
            out[table] = cur.fetchone()[0]
        return out


def _seed(odoo_dsn, apn_dsn, truth_dir, profile):
    from revops_assets.sources.synthetic import seed_sources

    kwargs = {"profile": profile} if profile else {}
    return seed_sources(odoo_dsn, apn_dsn, truth_dir, scale=150, seed=5, **kwargs)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p or "default")
def test_run_materializes_every_layer_on_the_configured_sources(pg, tmp_path, monkeypatch, capsys, profile):
    name = profile or "default"
    dsns = {var: pg.create_database(f"run_{name}_{db}") for var, db in
            (("ODOO_DSN", "odoo"), ("APN_DSN", "apn"), ("WAREHOUSE_DSN", "wh"))}
    monkeypatch.setenv("REVOPS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    _seed(dsns["ODOO_DSN"], dsns["APN_DSN"], settings.truth_dir(), profile)
    before = {db: _source_counts(dsns[db]) for db in ("ODOO_DSN", "APN_DSN")}
    for var, dsn in dsns.items():
        monkeypatch.setenv(var, dsn)

    rc = cli.main(["run"])
    out = capsys.readouterr().out
    assert rc == 0, out[-4000:]
    assert "using the configured servers" not in out  # external servers: `revops up` prepared the warehouse only
    assert ", 0 failed" in out and "FAILED steps" not in out and "OK: run finished" in out
    assert "months with data" in out
    for layer in ("raw", "core", "search", "matching"):
        line = next(l for l in out.splitlines() if l.strip().startswith(layer + " "))
        assert int(line.split()[1]) > 0, line
    assert "matching/match_quality: F1 auto-matched" in out  # ground truth exists for synthetic sources
    assert {db: _source_counts(dsns[db]) for db in before} == before  # nothing written to the sources

    # a second run is incremental and changes nothing
    rc = cli.main(["run"])
    out = capsys.readouterr().out
    assert rc == 0 and ", 0 failed" in out, out[-4000:]
    assert "0 embedded" in out
