"""A new user's first hour, on real Postgres servers: nothing the project did not create is ever dropped, each state
folder talks only to its own embedded server, and the CLI's edges answer in one readable line."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

from revops_assets import cli, settings
from revops_assets.matching import review
from revops_assets.warehouse.ddl import apply_warehouse_ddl
from revops_assets.warehouse.embedded import EmbeddedPostgres
from revops_assets.warehouse.targets import is_synthetic_target

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_dsns(monkeypatch, tmp_path):
    """No external DSNs, a private state folder and port (nothing listens on it)."""
    for name in (*settings.DSN_VARS, "DAGSTER_PG_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVOPS_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("REVOPS_PG_PORT", str(free_port()))
    return monkeypatch


def _with_sentinel(pg, name: str) -> str:
    dsn = pg.create_database(name)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("create table public.crm_lead (id int primary key, name text)")
        cur.execute("insert into public.crm_lead values (1, 'a real customer deal')")
    return dsn


def _sentinel_rows(dsn: str) -> list[tuple]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select id, name from public.crm_lead")
        return cur.fetchall()


def _external(monkeypatch, warehouse: str, odoo: str, apn: str) -> None:
    monkeypatch.setenv("WAREHOUSE_DSN", warehouse)
    monkeypatch.setenv("ODOO_DSN", odoo)
    monkeypatch.setenv("APN_DSN", apn)


@pytest.mark.parametrize("command", [["seed", "--scale", "20"], ["demo", "--scale", "20"]])
def test_seed_and_demo_refuse_databases_the_project_did_not_create(pg, no_dsns, capsys, command):
    odoo = _with_sentinel(pg, "prod_odoo")
    apn = _with_sentinel(pg, "prod_apn")
    _external(no_dsns, pg.create_database("prod_wh"), odoo, apn)

    assert cli.main(command) == 1
    err = capsys.readouterr().err
    assert err.startswith("revops: error: refusing to seed the odoo source database") and "/prod_odoo" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert _sentinel_rows(odoo) == [(1, "a real customer deal")]
    assert _sentinel_rows(apn) == [(1, "a real customer deal")]


def test_seed_create_db_makes_marked_databases_and_refuses_existing_unmarked_ones(pg, no_dsns, capsys):
    base = pg.dsn("postgres").replace("dbname=postgres", "dbname={}")
    for db in ("made_odoo", "made_apn"):
        pg.server.drop_database(db)
    taken = _with_sentinel(pg, "taken_apn")
    _external(no_dsns, pg.create_database("made_wh"), base.format("made_odoo"), taken)
    assert cli.main(["seed", "--scale", "20", "--create-db"]) == 1
    assert "taken_apn" in capsys.readouterr().err
    assert _sentinel_rows(taken) == [(1, "a real customer deal")]

    no_dsns.setenv("APN_DSN", base.format("made_apn"))
    assert cli.main(["seed", "--scale", "20", "--create-db"]) == 0
    out = capsys.readouterr().out
    assert is_synthetic_target(base.format("made_odoo"), "odoo") and is_synthetic_target(base.format("made_apn"), "apn")
    # a readable summary, not a dataclass repr
    assert out.startswith("seeded synthetic sources (scale 20") and "SeedReport(" not in out
    assert "  odoo: " in out and "  apn: " in out and "ground truth:" in out
    # seeding again needs no flag: the databases carry the marker
    assert cli.main(["seed", "--scale", "20"]) == 0


def test_seed_on_an_unreachable_server_is_one_line(no_dsns, capsys):
    closed = f"host=127.0.0.1 port={free_port()} user=u password=hunter2 dbname="
    _external(no_dsns, closed + "wh", closed + "odoo", closed + "apn")
    assert cli.main(["seed", "--scale", "20"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("revops: error: cannot connect to the") and len(err.strip().splitlines()) == 1
    assert "hunter2" not in err and "Traceback" not in err


def test_only_some_dsns_set_is_an_error(no_dsns, capsys):
    no_dsns.setenv("WAREHOUSE_DSN", "host=127.0.0.1 dbname=wh")
    assert cli.main(["env"]) == 1
    err = capsys.readouterr().err
    assert "WAREHOUSE_DSN is set but ODOO_DSN, APN_DSN are not" in err


def test_env_names_external_dsns_without_passwords_unless_asked(no_dsns, capsys):
    secret = "s3cr3t-Pa55"
    dsn = f"host=db.example.com port=5432 user=revops password={secret} dbname="
    _external(no_dsns, dsn + "wh", dsn + "odoo", dsn + "apn")
    assert cli.main(["env"]) == 0
    out = capsys.readouterr().out
    assert secret not in out
    assert "# WAREHOUSE_DSN is taken from your environment (revops@db.example.com:5432/wh)" in out
    assert "export WAREHOUSE_DSN" not in out and "export REVOPS_HOME=" in out
    assert cli.main(["env", "--show-secrets"]) == 0
    assert f"password={secret}" in capsys.readouterr().out


def test_a_second_state_folder_on_a_busy_port_is_refused(server_home, no_dsns, capsys):
    port = free_port()
    first = EmbeddedPostgres(server_home / "first", port)
    first.start()
    try:
        no_dsns.setenv("REVOPS_HOME", str(server_home / "second"))
        no_dsns.setenv("REVOPS_PG_PORT", str(port))
        for command in (["env"], ["status"], ["review", "list"], ["down"], ["up"]):
            assert cli.main(command) == 1, command
            err = capsys.readouterr().err
            assert err.startswith("revops: error:") and "REVOPS_PG_PORT" in err, (command, err)
            assert len(err.strip().splitlines()) == 1
        assert first.status().running  # `down` from the other folder never stops it
        no_dsns.setenv("REVOPS_HOME", str(server_home / "first"))
        assert cli.main(["env"]) == 0
    finally:
        first.stop()


def test_down_after_eval_env_stops_the_embedded_server(server_home, no_dsns, capsys):
    no_dsns.setenv("REVOPS_HOME", str(server_home / "home"))
    try:
        assert cli.main(["up"]) == 0
        capsys.readouterr()
        assert cli.main(["env"]) == 0
        for line in capsys.readouterr().out.splitlines():  # what `eval "$(revops env)"` does
            name, _, value = line.removeprefix("export ").partition("=")
            no_dsns.setenv(name, shlex.split(value)[0])
        assert not settings.uses_external_servers()
        assert cli.main(["down"]) == 0
        assert "stopped" in capsys.readouterr().out
        assert not settings.embedded_server().status().running
    finally:
        settings.embedded_server().stop()


def test_default_state_folder_does_not_depend_on_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("REVOPS_HOME", raising=False)
    here = settings.revops_home()
    monkeypatch.chdir(tmp_path)
    assert settings.revops_home() == here == ROOT / ".revops"


# -- review import ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def review_db(pg):
    dsn = pg.create_database("review_import")
    apply_warehouse_ddl(dsn)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("create table core.ace_opportunities (ace_opportunity_id text primary key)")
        cur.execute("create table core.odoo_opportunities (odoo_opportunity_id bigint primary key)")
        cur.execute("insert into core.ace_opportunities values ('O1'), ('O2')")
        cur.execute("insert into core.odoo_opportunities values (10), (20)")
    return dsn


def _import(dsn: str, path: Path) -> int:
    conn = psycopg2.connect(dsn)
    try:
        with conn:
            return review.record(conn, review.read_import(path, "tester"))
    finally:
        conn.close()


def _decisions(dsn: str) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from ops.match_decisions")
        return cur.fetchone()[0]


def test_review_import_reports_every_bad_row_at_once(review_db, tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text("ace_opportunity_id,odoo_opportunity_id,decision\n"
                    "O1,10,confirmed\n"
                    "O9,10,rejected\n"     # unknown ACE id
                    "O2,abc,rejected\n"    # not a number
                    "O2,20,perhaps\n"      # bad decision
                    ",20,confirmed\n"      # empty id
                    "O1,99,rejected\n")    # unknown Odoo id
    with pytest.raises(review.ReviewError) as info:
        _import(review_db, path)
    message = str(info.value)
    for expected in ("decisions.csv line 3, field ace_opportunity_id: 'O9'",
                     "decisions.csv line 4, field odoo_opportunity_id: must be an Odoo opportunity id (a number), "
                     "got 'abc'",
                     "decisions.csv line 5, field decision: decision must be 'confirmed' or 'rejected', got 'perhaps'",
                     "decisions.csv line 6, field ace_opportunity_id: empty",
                     "decisions.csv line 7, field odoo_opportunity_id: 99 is not in core.odoo_opportunities"):
        assert expected in message, (expected, message)
    assert "nothing was stored" in message and _decisions(review_db) == 0


def test_review_import_names_the_encoding_problem(review_db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("ace_opportunity_id,odoo_opportunity_id,decision,note\nO1,10,confirmed,ok\n"
                     "O2,20,rejected,Société différente\n".encode("latin-1"))
    with pytest.raises(review.ReviewError, match=r"latin1.csv line 3, column 20: not UTF-8 .* save the file as UTF-8"):
        _import(review_db, path)
    assert _decisions(review_db) == 0


@pytest.mark.parametrize("content, expected", [
    ("", "is empty"),
    ("\n  \n", "is empty"),
    ("ace_opportunity_id,odoo_opportunity_id,decision\n", "has a header but no decisions"),
    ("ace,odoo,decision\nO1,10,confirmed\n", "line 1: missing column(s) ace_opportunity_id, odoo_opportunity_id"),
])
def test_review_import_rejects_empty_and_header_only_files(review_db, tmp_path, content, expected):
    path = tmp_path / "d.csv"
    path.write_text(content)
    with pytest.raises(review.ReviewError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        _import(review_db, path)


def test_review_import_reads_semicolon_csv_from_a_spreadsheet(review_db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffACE_Opportunity_ID;Odoo_Opportunity_ID;Decision\r\nO1;10;yes\r\nO2;20;no\r\n".encode())
    assert _import(review_db, path) == 2


# -- installation ----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_wheel_install_runs_the_demo_from_another_directory(tmp_path):
    """`pip install .` (no checkout on the path): sql/, data/ and dagster.yaml come from the installed package.
    The locked dependencies are borrowed from this environment (a path entry, not its editable finder)."""
    import site
    import sysconfig

    import shutil

    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ behind
    for name in ("pyproject.toml", "setup.py", "README.md", "dagster.yaml", "workspace.yaml"):
        shutil.copy(ROOT / name, source / name if source.exists() else (source.mkdir() or source / name))
    for name in ("revops_assets", "sql", "data"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(source)], check=True, cwd=tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "_locked_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    assert site.getsitepackages()  # (the environment whose packages are borrowed)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                    *map(str, dist.glob("*.whl"))], check=True, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in (*settings.DSN_VARS, "DAGSTER_PG_URL", "DAGSTER_HOME",
                                                             "PYTHONPATH")}
    env.update(REVOPS_HOME=str(tmp_path / "state"), REVOPS_PG_PORT=str(free_port()), HOME=str(tmp_path))
    where = subprocess.run([str(python), "-c", "import revops_assets.settings as s; print(s.__file__); "
                            "print(s.sql_dir()); print(s.dagster_yaml())"],
                           check=True, capture_output=True, text=True, cwd=elsewhere, env=env).stdout.split()
    assert all(str(venv) in path for path in where), where
    try:
        run = subprocess.run([str(venv / "bin" / "revops"), "demo", "--scale", "120"], capture_output=True, text=True,
                             cwd=elsewhere, env=env, timeout=900)
        (tmp_path / "demo.log").write_text(run.stdout + run.stderr)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "OK: demo finished" in run.stdout
    finally:
        subprocess.run([str(venv / "bin" / "revops"), "down"], cwd=elsewhere, env=env, capture_output=True)
