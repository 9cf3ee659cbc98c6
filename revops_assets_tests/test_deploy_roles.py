"""`revops init` on the test server treated as an external one: least-privilege roles, then a raw sync as revops_app.

The session's embedded Postgres plays the production server: the administrator is its `postgres` superuser, the
warehouse and Dagster databases do not exist before init, and the sources are seeded databases on the same server
(their tables owned by `postgres`, as Odoo's are owned by `odoo`). Roles are cluster-wide, so everything this module
creates is dropped at its end.
"""

from __future__ import annotations

import base64

import dagster as dg
import psycopg2
import psycopg2.errors
import pytest
from psycopg2 import sql

from revops_assets import cli
from revops_assets.raw.assets import raw_table_asset
from revops_assets.resources.postgres import PostgresResource
from revops_assets.sources.catalog import source_tables
from revops_assets.warehouse.roles import (
    InitPlan,
    RoleSetupError,
    check_source_role,
    login_role,
    scram_sha256_verifier,
)

APP, ODOO_READER, APN_READER = "revops_app", "revops_odoo_reader", "revops_apn_reader"
DBS = ("deploy_wh", "deploy_dagster", "deploy_odoo", "deploy_apn")
PASSWORDS = {APP: "a1b2c3d4e5f6app0pw", ODOO_READER: "0dd0reader5ecret77", APN_READER: "apnreader5ecret9911"}
SYNCED = (("odoo", "crm_lead"), ("odoo", "crm_stage"), ("apn", "opportunity"))


def _dsn(pg, user: str, db: str) -> str:
    return f"host=127.0.0.1 port={pg.server.port} user={user} password={PASSWORDS[user]} dbname={db}"


def _admin(pg, statement, params=None, db: str = "postgres"):
    conn = psycopg2.connect(pg.dsn(db))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def _drop_everything(pg) -> None:
    for db in DBS:
        pg.server.drop_database(db)
    for role in (APP, ODOO_READER, APN_READER, "revops_super"):
        _admin(pg, sql.SQL("drop role if exists {}").format(sql.Identifier(role)))


@pytest.fixture(scope="module")
def deployment(pg, tmp_path_factory):
    """Seeded sources (owned by the administrator), no warehouse yet, and the environment of the init service."""
    from revops_assets.sources.synthetic import seed_sources

    _drop_everything(pg)
    odoo, apn = pg.create_database("deploy_odoo"), pg.create_database("deploy_apn")
    seed_sources(odoo, apn, tmp_path_factory.mktemp("deploy_truth"), scale=60, seed=3)
    env = {
        "REVOPS_HOME": str(tmp_path_factory.mktemp("deploy_home")),
        "REVOPS_ADMIN_DSN": pg.dsn("postgres"),
        "WAREHOUSE_DSN": _dsn(pg, APP, "deploy_wh"),
        "DAGSTER_PG_URL": f"postgresql+psycopg2://{APP}:{PASSWORDS[APP]}@127.0.0.1:{pg.server.port}/deploy_dagster",
        "ODOO_DSN": _dsn(pg, ODOO_READER, "deploy_odoo"),
        "APN_DSN": _dsn(pg, APN_READER, "deploy_apn"),
        "ODOO_ADMIN_DSN": odoo,
        "APN_ADMIN_DSN": apn,
    }
    yield env
    _drop_everything(pg)


def _run_init(monkeypatch, env: dict[str, str], capsys) -> tuple[int, str, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = cli.main(["init"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_sets_up_least_privilege_and_a_raw_sync_runs_as_revops_app(pg, deployment, monkeypatch, capsys):
    assert not {"deploy_wh", "deploy_dagster"} & {r[0] for r in _admin(pg, "select datname from pg_database")}
    code, out, err = _run_init(monkeypatch, deployment, capsys)
    assert code == 0, err
    assert "database deploy_wh: created" in out and "database deploy_dagster: created" in out
    assert "dagster pools: odoo_source=2, apn_source=2, gpu=1" in out
    assert f"the product connects as {APP}: no superuser" in out
    for password in PASSWORDS.values():
        assert password not in out + err
    plan = repr(InitPlan.from_env(deployment))  # what a traceback's locals would show
    assert "InitPlan(" in plan and not any(password in plan for password in PASSWORDS.values())

    # roles: no elevated attribute; passwords stored as SCRAM verifiers of the DSNs' passwords; readers read-only
    rows = _admin(pg, "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolpassword, "
                      "(select setconfig from pg_db_role_setting where setrole = a.oid and setdatabase = 0) "
                      "from pg_authid a where rolname = any(%s)", ([APP, ODOO_READER, APN_READER],))
    roles = {r[0]: r[1:] for r in rows}
    assert set(roles) == {APP, ODOO_READER, APN_READER}
    for name, (superuser, createrole, createdb, bypassrls, verifier, config) in roles.items():
        assert not (superuser or createrole or createdb or bypassrls)
        iterations, rest = verifier.removeprefix("SCRAM-SHA-256$").split(":", 1)
        salt = base64.b64decode(rest.split("$")[0])
        assert verifier == scram_sha256_verifier(PASSWORDS[name], salt=salt, iterations=int(iterations))
        assert (config == ["default_transaction_read_only=on"]) == (name != APP)

    # the warehouse belongs to the application role, connected as itself
    with psycopg2.connect(deployment["WAREHOUSE_DSN"]) as conn, conn.cursor() as cur:
        cur.execute("select current_user, rolsuper from pg_roles where rolname = current_user")
        assert cur.fetchone() == (APP, False)
        cur.execute("select nspname, nspowner::regrole::text from pg_namespace where nspname = any(%s)",
                    (["raw", "core", "search", "matching", "rules", "ops"],))
        assert dict(cur.fetchall()) == dict.fromkeys(["raw", "core", "search", "matching", "rules", "ops"], APP)
        cur.execute("select tableowner from pg_tables where schemaname = 'ops' group by 1")
        assert cur.fetchall() == [(APP,)]
    with psycopg2.connect(deployment["DAGSTER_PG_URL"].replace("postgresql+psycopg2", "postgresql")) as conn:
        with conn.cursor() as cur:
            cur.execute("select concurrency_key, count(*) from concurrency_slots group by 1 order by 1")
            assert cur.fetchall() == [("apn_source", 2), ("gpu", 1), ("odoo_source", 2)]
            cur.execute("select distinct tableowner from pg_tables where schemaname = 'public'")
            assert cur.fetchall() == [(APP,)]

    # a raw sync, full then incremental, with the product's resources: revops_app + the read-only source roles
    resources = {
        "odoo_db": PostgresResource(dsn=deployment["ODOO_DSN"], connection_name="odoo source", read_only=True),
        "apn_db": PostgresResource(dsn=deployment["APN_DSN"], connection_name="apn source", read_only=True),
        "warehouse_db": PostgresResource(dsn=deployment["WAREHOUSE_DSN"], connection_name="warehouse"),
    }
    entries = [e for e in source_tables() if (e.source, e.table) in SYNCED]
    assets = [raw_table_asset(e) for e in entries]
    first = dg.materialize(assets, resources=resources)
    assert first.success
    assert all(c.passed for c in first.get_asset_check_evaluations() if c.check_name != "no_rows_quarantined")
    _admin(pg, "update crm_lead set name = name || ' (edited)', write_date = now() where id in "
               "(select id from crm_lead order by id limit 3)", db="deploy_odoo")
    second = dg.materialize(assets, resources=resources)
    assert second.success
    materializations = [e.event_specific_data.materialization for e in second.get_asset_materialization_events()]
    modes = {m.asset_key.path[-1]: m.metadata["mode"].value for m in materializations}
    assert modes == {"odoo_crm_lead": "incremental", "odoo_crm_stage": "incremental", "apn_opportunity": "incremental"}
    with psycopg2.connect(deployment["WAREHOUSE_DSN"]) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from raw.odoo_crm_lead where name like '%%(edited)'")
        assert cur.fetchone()[0] == 3
        cur.execute("select tablename, tableowner from pg_tables where schemaname = 'raw' order by 1")
        assert cur.fetchall() == [("apn_opportunity", APP), ("odoo_crm_lead", APP), ("odoo_crm_stage", APP)]
        cur.execute("select status, count(*) from ops.sync_runs group by 1")
        assert cur.fetchall() == [("success", 6)]

    # a source role cannot write, even in a session that asks for read-write
    conn = psycopg2.connect(deployment["ODOO_DSN"])
    try:
        with conn.cursor() as cur:
            with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
                cur.execute("update crm_stage set name = name")
            conn.rollback()
            cur.execute("set transaction read write")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("update crm_stage set name = name")
            conn.rollback()
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("select count(*) from utm_source")  # a source table outside the catalog: not readable
    finally:
        conn.close()

    # init again (an upgrade, a password rotation): idempotent, data kept
    rotated = {**deployment, "APN_DSN": deployment["APN_DSN"].replace(PASSWORDS[APN_READER], "r0tated0apn0pw")}
    code, out, err = _run_init(monkeypatch, rotated, capsys)
    assert code == 0, err
    assert "database deploy_wh: exists" in out and "r0tated0apn0pw" not in out + err
    (verifier,) = _admin(pg, "select rolpassword from pg_authid where rolname = %s", (APN_READER,))[0]
    salt = base64.b64decode(verifier.split(":", 1)[1].split("$")[0])
    assert verifier == scram_sha256_verifier("r0tated0apn0pw", salt=salt)
    with psycopg2.connect(deployment["WAREHOUSE_DSN"]) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from ops.sync_runs")
        assert cur.fetchone()[0] == 6


def test_init_hands_a_superuser_deployment_over_to_the_app_role(pg, deployment, monkeypatch, capsys):
    """A warehouse first built as a superuser (as the previous compose file did) moves onto least privilege."""
    _admin(pg, "create table if not exists ops.legacy_notes (id serial primary key, note text)", db="deploy_wh")
    _admin(pg, "create or replace function core.legacy_fn(x int) returns int language sql as 'select x'",
           db="deploy_wh")
    code, out, err = _run_init(monkeypatch, deployment, capsys)
    assert code == 0, err
    assert "objects handed over" in out
    rows = _admin(pg, "select c.relname, c.relowner::regrole::text from pg_class c where c.relname in "
                      "('legacy_notes', 'legacy_notes_id_seq') union all select proname, proowner::regrole::text "
                      "from pg_proc where proname = 'legacy_fn'", db="deploy_wh")
    assert dict(rows) == {"legacy_notes": APP, "legacy_notes_id_seq": APP, "legacy_fn": APP}


def test_init_refuses_an_elevated_application_role_before_changing_anything(pg, deployment, monkeypatch, capsys):
    _admin(pg, "create role revops_super login superuser")
    env = {**deployment, "WAREHOUSE_DSN": deployment["WAREHOUSE_DSN"].replace(f"user={APP}", "user=revops_super")
           .replace("dbname=deploy_wh", "dbname=deploy_untouched"), "DAGSTER_PG_URL": ""}
    code, _out, err = _run_init(monkeypatch, env, capsys)
    assert code == 1
    assert err.startswith("revops: error:") and "revops_super, which has superuser" in err
    assert "deploy_untouched" not in {r[0] for r in _admin(pg, "select datname from pg_database")}


def test_init_refuses_a_source_role_that_owns_the_source(pg, deployment, monkeypatch, capsys):
    env = {**deployment, "ODOO_DSN": pg.dsn("deploy_odoo")}  # the source's owner (and administrator) itself
    code, _out, err = _run_init(monkeypatch, env, capsys)
    assert code == 1 and "ODOO_DSN connects as postgres, which owns the source's tables" in err


def test_init_needs_the_administrator_and_external_dsns(monkeypatch, capsys):
    for name in ("REVOPS_ADMIN_DSN", "WAREHOUSE_DSN", "ODOO_DSN", "APN_DSN"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["init"]) == 1
    err = capsys.readouterr().err
    assert "set REVOPS_ADMIN_DSN, WAREHOUSE_DSN, ODOO_DSN, APN_DSN" in err


def test_unmanaged_source_role_is_checked_and_warned_about(pg, deployment):
    odoo_tables = [e for e in source_tables() if e.source == "odoo"]
    owner = login_role(pg.dsn("deploy_odoo"), "ODOO_DSN")
    (line,) = check_source_role(pg.dsn("deploy_odoo"), owner, odoo_tables)
    assert line.startswith("WARNING odoo source: postgres") and "superuser" in line and "may write" in line


def test_scram_verifier_matches_postgres_own(pg):
    """Postgres hashes a clear-text password itself; ours, with its salt and iteration count, must be identical."""
    _admin(pg, "set password_encryption = 'scram-sha-256'; drop role if exists scram_probe; "
               "create role scram_probe password 'Tr0ub4dor&3 x'")
    try:
        (stored,) = _admin(pg, "select rolpassword from pg_authid where rolname = 'scram_probe'")[0]
    finally:
        _admin(pg, "drop role scram_probe")
    iterations, rest = stored.removeprefix("SCRAM-SHA-256$").split(":", 1)
    salt = base64.b64decode(rest.split("$")[0])
    assert scram_sha256_verifier("Tr0ub4dor&3 x", salt=salt, iterations=int(iterations)) == stored
    assert scram_sha256_verifier("Tr0ub4dor&3 x") != scram_sha256_verifier("Tr0ub4dor&3 x")  # fresh salt each time
    with pytest.raises(RoleSetupError, match="ASCII"):
        scram_sha256_verifier("pässword")


def test_init_as_a_createrole_administrator_like_rds(pg, deployment, tmp_path, monkeypatch, capsys):
    """RDS/Aurora's master user is no superuser: CREATEROLE + CREATEDB, and it owns the databases it made. pgvector
    is installed by the provider's extension role; here the superuser stands in for it."""
    admin, app = "rds_master_t", "revops_app_rds"
    for db in ("rds_wh", "rds_dagster"):
        pg.server.drop_database(db)
    for role in (app, admin):
        _admin(pg, sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
    _admin(pg, sql.SQL("create role {} login createrole createdb").format(sql.Identifier(admin)))
    try:
        _admin(pg, sql.SQL("create database rds_wh owner {}").format(sql.Identifier(admin)))
        _admin(pg, "create extension vector", db="rds_wh")
        port = pg.server.port
        env = {
            "REVOPS_HOME": str(tmp_path / "home"),
            "REVOPS_ADMIN_DSN": f"host=127.0.0.1 port={port} user={admin} dbname=postgres",
            "WAREHOUSE_DSN": f"host=127.0.0.1 port={port} user={app} dbname=rds_wh",
            "DAGSTER_PG_URL": f"postgresql+psycopg2://{app}@127.0.0.1:{port}/rds_dagster",
            "ODOO_DSN": pg.dsn("deploy_odoo"),
            "APN_DSN": pg.dsn("deploy_apn"),
            "ODOO_ADMIN_DSN": "",
            "APN_ADMIN_DSN": "",
        }
        code, out, err = _run_init(monkeypatch, env, capsys)
        assert code == 0, err
        assert "database rds_dagster: created" in out and "dagster pools: odoo_source=2, apn_source=2, gpu=1" in out
        assert f"the product connects as {app}: no superuser" in out
        # the sources' roles were not managed (no admin DSN) and are reported for what they are
        assert "WARNING odoo source: postgres (not managed here, ODOO_ADMIN_DSN unset)" in out
        assert "superuser" in out.split("WARNING odoo source")[1].splitlines()[0]
        (owner,) = _admin(pg, "select nspowner::regrole::text from pg_namespace where nspname = 'ops'", db="rds_wh")[0]
        assert owner == app
    finally:
        for db in ("rds_wh", "rds_dagster"):
            pg.server.drop_database(db)
        for role in (app, admin):
            _admin(pg, sql.SQL("drop role if exists {}").format(sql.Identifier(role)))


def test_a_server_refusal_is_one_line_without_the_statement(pg, deployment, monkeypatch, capsys):
    """An administrator that may not create roles: the server's reason, no traceback, no password verifier."""
    _admin(pg, "drop role if exists weak_admin_t; create role weak_admin_t login")
    try:
        env = {**deployment, "REVOPS_ADMIN_DSN": f"host=127.0.0.1 port={pg.server.port} user=weak_admin_t dbname=postgres",
               "WAREHOUSE_DSN": deployment["WAREHOUSE_DSN"].replace(f"user={APP}", "user=revops_app_new"),
               "DAGSTER_PG_URL": ""}
        code, _out, err = _run_init(monkeypatch, env, capsys)
        assert code == 1
        assert err.startswith("revops: error: revops init stopped: permission denied to create role")
        assert "SCRAM" not in err and "Traceback" not in err and PASSWORDS[APP] not in err
    finally:
        _admin(pg, "drop role if exists weak_admin_t")
