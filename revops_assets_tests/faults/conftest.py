"""The fault suite's world: a source server and a warehouse server of their own (each scenario stops, kills or
disturbs one of them), a read-only source role with a real password, a Dagster instance on Postgres (our
dagster.yaml) on the session's server, and the ledger whose summary line ends the run.

`make faults` runs this package alone; `make test` runs it with the rest.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import psycopg2
import pytest

from revops_assets.resources.postgres import PostgresResource
from revops_assets.warehouse.ddl import apply_warehouse_ddl
from revops_assets.warehouse.embedded import EmbeddedPostgres
from revops_assets_tests.conftest import free_port, server_home_dir
from revops_assets_tests.faults.ledger import LEDGER

PASSWORD = "Fault-Suite-s3cr3t-0f-the-reader"
READER = "revops_reader"
BIG_ROWS = 300_000


class Server:
    """An embedded server a scenario may stop (-m immediate) and start again."""

    def __init__(self, name: str) -> None:
        self.home = server_home_dir()
        self.pg = EmbeddedPostgres(self.home / name, free_port())

    def start(self) -> None:
        self.pg.start()

    def crash(self) -> None:
        """`pg_ctl stop -m immediate`: every backend dies at once, no checkpoint (recovery on the next start)."""
        self.pg._pg_ctl(["stop", "-w", "-t", "60", "-m", "immediate"], what="stop")

    def dsn(self, db: str, user: str = "postgres", password: str | None = None) -> str:
        secret = f" password={password}" if password else ""
        return f"host=127.0.0.1 port={self.pg.port} user={user}{secret} dbname={db}"

    def database(self, name: str) -> str:
        self.pg.drop_database(name)
        self.pg.ensure_database(name, extensions=())
        return self.dsn(name)

    def close(self) -> None:
        try:
            self.pg.stop()
        finally:
            shutil.rmtree(self.home, ignore_errors=True)


def _require_password(server: Server) -> None:
    """The reader role logs in with its password (scram), everyone else as before (trust)."""
    hba = server.pg.pgdata / "pg_hba.conf"
    text = hba.read_text()
    line = f"host all {READER} 127.0.0.1/32 scram-sha-256\n"
    if line not in text:
        hba.write_text(line + text)
    with psycopg2.connect(server.dsn("postgres")) as conn, conn.cursor() as cur:
        cur.execute("select pg_reload_conf()")


@pytest.fixture(scope="package")
def source_server():
    server = Server("source")
    server.start()
    try:
        _require_password(server)
        conn = psycopg2.connect(server.dsn("postgres"))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"create role {READER} login password %s", (PASSWORD,))
            cur.execute(f"grant pg_read_all_data to {READER}")
        conn.close()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="package")
def warehouse_server():
    server = Server("warehouse")
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def source_db(source_server, request):
    """A fresh source database; returns (admin DSN, read-only resource through the reader role and its password)."""
    name = "src_" + request.node.name[:40].lower().replace("[", "_").replace("]", "")
    admin = source_server.database(name)
    reader = source_server.dsn(name, user=READER, password=PASSWORD)
    return admin, PostgresResource(dsn=reader, connection_name="faults source", read_only=True)


@pytest.fixture
def warehouse_db(warehouse_server, request):
    name = "wh_" + request.node.name[:40].lower().replace("[", "_").replace("]", "")
    dsn = warehouse_server.database(name)
    apply_warehouse_ddl(dsn)
    return dsn, PostgresResource(dsn=dsn, connection_name="faults warehouse")


@pytest.fixture(scope="package")
def dagster_instance(pg, tmp_path_factory):
    """A Dagster instance on Postgres configured by the project's dagster.yaml (run monitoring included)."""
    import dagster as dg

    from revops_assets.settings import dagster_yaml

    home = tmp_path_factory.mktemp("faults_dagster_home")
    shutil.copy(dagster_yaml(), home / "dagster.yaml")
    pg.create_database("dagster_faults")
    url = pg.server.sqlalchemy_url("dagster_faults")
    previous = os.environ.get("DAGSTER_PG_URL")
    os.environ["DAGSTER_PG_URL"] = url
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield instance, home, url
    finally:
        instance.dispose()
        if previous is None:
            os.environ.pop("DAGSTER_PG_URL", None)
        else:
            os.environ["DAGSTER_PG_URL"] = previous


# -- what every scenario printed or logged, for the secret scan -----------------------------------------------
OUTPUT: list[str] = []


@pytest.fixture(autouse=True)
def _keep_output(capfd, caplog):
    yield
    out, err = capfd.readouterr()
    OUTPUT.extend([out, err, caplog.text])


def pytest_terminal_summary(terminalreporter):
    if LEDGER.scenarios:
        terminalreporter.write_line(LEDGER.summary())
        for scenario, tally in LEDGER.scenarios.items():
            for problem in tally.problems[:5]:
                terminalreporter.write_line(f"  {scenario}: {problem}")


def pytest_sessionfinish(session, exitstatus):
    if LEDGER.scenarios and not LEDGER.total().clean and session.exitstatus == 0:
        session.exitstatus = 1
