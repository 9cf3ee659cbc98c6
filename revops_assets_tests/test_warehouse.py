"""The embedded warehouse and the connection resources, on real Postgres servers."""

from __future__ import annotations

import socket

import psycopg2
import psycopg2.errors
import pytest

from revops_assets import cli, settings
from revops_assets.resources.postgres import DatabaseConnectionError, PostgresResource, connect, redact
from revops_assets.warehouse.embedded import EmbeddedPostgres, EmbeddedServerError

from .conftest import free_port


@pytest.fixture
def embedded_env(server_home, monkeypatch):
    """A private REVOPS_HOME and port, with no external DSNs, as on a fresh machine; stopped afterwards."""
    for name in (*settings.DSN_VARS, "DAGSTER_PG_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVOPS_HOME", str(server_home / "home"))
    monkeypatch.setenv("REVOPS_PG_PORT", str(free_port()))
    yield server_home / "home"
    settings.embedded_server().stop()


def _databases(dsn: str) -> set[str]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select datname from pg_database")
        return {row[0] for row in cur.fetchall()}


def test_up_is_idempotent_and_down_stops(embedded_env, capsys):
    assert cli.main(["up"]) == 0
    first = capsys.readouterr().out
    assert "initialised and started" in first
    assert cli.main(["up"]) == 0
    second = capsys.readouterr().out
    assert "already running" in second and "database revops_core: exists" in second

    conns = settings.connections()
    assert {"revops_core", "dagster", "odoo", "apn"} <= _databases(conns.warehouse_dsn)
    with psycopg2.connect(conns.warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute("select nspname from pg_namespace")
        assert {"raw", "core", "search", "matching", "rules", "ops"} <= {r[0] for r in cur.fetchall()}
        cur.execute("select extversion from pg_extension where extname = 'vector'")
        assert cur.fetchone() is not None
        cur.execute("select '[1,2,3]'::vector <=> '[1,2,4]'::vector")
        assert 0 < cur.fetchone()[0] < 0.05
    assert (settings.dagster_home() / "dagster.yaml").resolve() == settings.project_root() / "dagster.yaml"
    assert "dagster pools: odoo_source=2, apn_source=2, gpu=1" in first
    with psycopg2.connect(conns.warehouse_dsn.replace("revops_core", "dagster")) as conn, conn.cursor() as cur:
        cur.execute("select concurrency_key, count(*) from concurrency_slots group by 1 order by 1")
        assert cur.fetchall() == [("apn_source", 2), ("gpu", 1), ("odoo_source", 2)]

    assert cli.main(["down"]) == 0
    assert "stopped" in capsys.readouterr().out
    assert not settings.embedded_server().status().running
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(conns.warehouse_dsn, connect_timeout=2)
    # and it comes back with its data
    assert cli.main(["up"]) == 0
    assert "database odoo: exists" in capsys.readouterr().out


def test_busy_port_is_a_clear_error(embedded_env, capsys):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.embedded_port()))
        squatter.listen()
        assert cli.main(["up"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("revops: error:") and "already in use" in err and "REVOPS_PG_PORT" in err
    assert "Traceback" not in err


def test_stale_lock_is_cleared(server_home):
    server = EmbeddedPostgres(server_home / "h", free_port())
    server.start()
    pid_file = server.pgdata / "postmaster.pid"
    server.stop()
    # a lock left by a crashed server whose pid no longer runs
    pid_file.write_text("999999\n" + str(server.pgdata) + "\n0\n" + str(server.port) + "\n")
    assert "stale lock" in server.status().detail
    try:
        assert "started" in server.start()
        assert server.status().running
    finally:
        server.stop()


def test_env_prints_embedded_exports(embedded_env, capsys):
    assert cli.main(["env"]) == 0
    out = capsys.readouterr().out
    for name in ("WAREHOUSE_DSN", "ODOO_DSN", "APN_DSN", "DAGSTER_PG_URL", "DAGSTER_HOME", "REVOPS_HOME"):
        assert f"export {name}=" in out
    assert "postgresql+psycopg2://" in out


def test_external_servers_start_nothing(pg, tmp_path, monkeypatch, capsys):
    dsn = pg.create_database("external_wh")
    monkeypatch.setenv("REVOPS_HOME", str(tmp_path / "never"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("WAREHOUSE_DSN", dsn)
    monkeypatch.setenv("ODOO_DSN", pg.dsn("postgres"))
    monkeypatch.setenv("APN_DSN", pg.dsn("postgres"))
    assert cli.main(["up"]) == 0
    out = capsys.readouterr().out
    assert "starting nothing embedded" in out
    assert not (tmp_path / "never" / "pgdata").exists()
    assert cli.main(["env", "--show-secrets"]) == 0
    assert f"export WAREHOUSE_DSN='{dsn}'" in capsys.readouterr().out
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('ops.match_decisions')")
        assert cur.fetchone()[0] == "ops.match_decisions"


def test_read_only_source_refuses_writes(pg):
    dsn = pg.create_database("ro_source")
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("create table crm_lead (id serial primary key, name text)")
        cur.execute("insert into crm_lead (name) values ('x')")
    source = PostgresResource(dsn=dsn, connection_name="odoo source", read_only=True)
    with source.connection() as conn, conn.cursor() as cur:
        cur.execute("select count(*) from crm_lead")
        assert cur.fetchone()[0] == 1
    for statement in ("insert into crm_lead (name) values ('y')", "update crm_lead set name = 'z'", "create table t (a int)"):
        with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
            with source.connection() as conn, conn.cursor() as cur:
                cur.execute(statement)
    warehouse = PostgresResource(dsn=dsn, connection_name="warehouse")
    with warehouse.connection() as conn, conn.cursor() as cur:
        cur.execute("insert into crm_lead (name) values ('w')")
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select array_agg(name order by id) from crm_lead")
        assert cur.fetchone()[0] == ["x", "w"]


def test_wrong_dsn_names_connection_without_password(pg):
    secret = "s3cr3t-Pa55"
    bad = f"host=127.0.0.1 port={free_port()} user=odoo password={secret} dbname=odoo"
    with pytest.raises(DatabaseConnectionError) as info:
        connect(bad, name="odoo source", read_only=True)
    message = str(info.value)
    assert "odoo source" in message and f"127.0.0.1:{bad.split('port=')[1].split()[0]}/odoo" in message
    assert secret not in message and secret not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    # a missing database on a live server, URL form with the password inline
    url = f"postgresql://postgres:{secret}@127.0.0.1:{pg.server.port}/no_such_db"
    with pytest.raises(DatabaseConnectionError) as info:
        PostgresResource(dsn=url, connection_name="apn source", read_only=True).connection().__enter__()
    assert "apn source" in str(info.value) and "no_such_db" in str(info.value) and secret not in str(info.value)


def test_redact_masks_every_form():
    dsn = "host=h password=hunter2 dbname=d"
    assert "hunter2" not in redact("failed: password=hunter2 for user", dsn)
    assert "pw" not in redact("postgresql://u:pw@h/d", "postgresql://u:pw@h/d").split("@")[0].split(":")[-1]


def test_bad_port_setting_is_a_clear_error(monkeypatch, capsys):
    for name in settings.DSN_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVOPS_PG_PORT", "not-a-port")
    assert cli.main(["env"]) == 1
    assert "REVOPS_PG_PORT must be a port number" in capsys.readouterr().err


def test_embedded_start_refuses_second_port(server_home):
    server = EmbeddedPostgres(server_home / "h", free_port())
    server.start()
    try:
        with pytest.raises(EmbeddedServerError, match="already runs on port"):
            EmbeddedPostgres(server_home / "h", free_port()).start()
    finally:
        server.stop()
