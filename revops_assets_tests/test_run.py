"""`revops run`: the main job on databases the user points it at (external DSNs), nothing seeded, nothing written to
the sources; on both schema profiles of the synthetic sources (designed apart: legacy ACE names vs Partner Central
API names, different custom Odoo modules, absent tables) the whole pipeline materializes with 0 failures, through
the mapping alone."""

from __future__ import annotations

import contextlib
import io

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


EXAMPLES = settings.data_dir() / "examples"
# Configuration only: partner_central's billing module is another vendor's, so that installation names its tables
# in a catalog override and points three mapping entities at them (data/examples/partner_central).
PROFILE_CONFIG = {
    "classic": {},
    "partner_central": {
        "REVOPS_SOURCE_CATALOG": str(EXAMPLES / "partner_central" / "source_catalog.yaml"),
        "REVOPS_MAPPING_OVERRIDES": str(EXAMPLES / "partner_central" / "mapping_overrides.yaml"),
    },
}


def _f1(out: str) -> float:
    line = next(l for l in out.splitlines() if "matching/match_quality: F1 auto-matched" in l)
    return float(line.split("F1 auto-matched ")[1].split()[0])


@pytest.fixture(scope="module")
def runs(pg, tmp_path_factory):
    """`revops run` on each profile's sources (same seed and noise), as a user with their own servers would."""
    from revops_assets.sources.synthetic import seed_sources

    done = {}
    for profile in PROFILES:
        with pytest.MonkeyPatch.context() as mp:
            dsns = {var: pg.create_database(f"run_{profile}_{db}") for var, db in
                    (("ODOO_DSN", "odoo"), ("APN_DSN", "apn"), ("WAREHOUSE_DSN", "wh"))}
            mp.setenv("REVOPS_HOME", str(tmp_path_factory.mktemp(f"run_{profile}")))
            mp.delenv("DAGSTER_PG_URL", raising=False)
            for var, value in PROFILE_CONFIG[profile].items():
                mp.setenv(var, value)
            seed_sources(dsns["ODOO_DSN"], dsns["APN_DSN"], settings.truth_dir(), scale=150, seed=5, profile=profile)
            before = {db: _source_counts(dsns[db]) for db in ("ODOO_DSN", "APN_DSN")}
            for var, dsn in dsns.items():
                mp.setenv(var, dsn)
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                rc = cli.main(["run"])
                first = buffer.getvalue()
                rerun = None
                if profile == "classic":  # a second run is incremental and changes nothing
                    buffer.truncate(0)
                    buffer.seek(0)
                    rerun = (cli.main(["run"]), buffer.getvalue())
            after = {db: _source_counts(dsns[db]) for db in before}
            done[profile] = {"rc": rc, "out": first, "rerun": rerun, "dsns": dsns, "sources_unchanged": after == before}
    return done


@pytest.mark.parametrize("profile", PROFILES)
def test_run_materializes_every_layer_on_the_configured_sources(runs, profile):
    run = runs[profile]
    out = run["out"]
    assert run["rc"] == 0, out[-4000:]
    assert "using the configured servers" not in out  # external servers: `revops up` prepared the warehouse only
    assert ", 0 failed" in out and "FAILED steps" not in out and "OK: run finished" in out
    # partitioned assets run for the months with billing lines, on either billing module (partner_central's through
    # configuration alone)
    assert "months with data" in out
    for layer in ("raw", "core", "search", "matching", "rules"):
        line = next(l for l in out.splitlines() if l.strip().startswith(layer + " "))
        assert int(line.split()[1]) > 0, line
    assert run["sources_unchanged"]  # nothing written to the sources
    # the deal amounts matching compares reach core on either schema (on partner_central: the monthly USD revenue,
    # never the total budget)
    with_spend, rows = _warehouse(run["dsns"]["WAREHOUSE_DSN"], "select count(expected_monthly_spend_usd), count(*) "
                                                                "from core.ace_opportunities")
    assert rows > 100 and with_spend / rows > 0.9, (with_spend, rows)
    costs, = _warehouse(run["dsns"]["WAREHOUSE_DSN"], "select count(*) from core.aws_costs_monthly")
    assert costs > 0


def test_both_profiles_match_equally_well(runs):
    """Same business, same noise, schemas designed apart: the mapping carries every feature's data across."""
    f1 = {profile: _f1(run["out"]) for profile, run in runs.items()}
    print(f"\nF1 auto-matched per profile: {f1}")
    assert abs(f1["partner_central"] - f1["classic"]) <= 0.02, f1


def test_a_second_run_is_incremental_and_changes_nothing(runs):
    rc, out = runs["classic"]["rerun"]
    assert rc == 0 and ", 0 failed" in out, out[-4000:]
    assert "0 embedded" in out
