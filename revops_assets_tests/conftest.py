"""Shared fixtures: one real embedded Postgres (pgvector) for the whole test session, stopped at its end."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from revops_assets.warehouse.embedded import EmbeddedPostgres
from revops_assets_tests.fixtures_models import minilm_path, tiny_bge_m3_path  # noqa: F401 (fixtures)
from revops_assets_tests.live_stack import live_stack  # noqa: F401 (fixture)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestPostgres:
    """The session's server plus helpers to make throw-away databases on it."""

    def __init__(self, server: EmbeddedPostgres) -> None:
        self.server = server

    def dsn(self, dbname: str) -> str:
        return self.server.dsn(dbname)

    def create_database(self, name: str, drop: bool = True) -> str:
        """An empty database with pgvector installed; returns its DSN."""
        if drop:
            self.server.drop_database(name)
        self.server.ensure_database(name)
        return self.dsn(name)


@pytest.fixture(scope="session", autouse=True)
def _dagster_home(tmp_path_factory) -> Path:
    """Tests never touch a real DAGSTER_HOME."""
    home = tmp_path_factory.mktemp("dagster_home")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def server_home_dir() -> Path:
    """A home for an embedded server outside pytest's tmp root, which pytest keeps at mode 0700 (the server runs
    as another user when we are root)."""
    return Path(tempfile.mkdtemp(prefix="revops-test-pg-"))


@pytest.fixture
def server_home():
    home = server_home_dir()
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def pg() -> TestPostgres:
    home = server_home_dir()
    server = EmbeddedPostgres(home / "home", free_port(), durable=False)  # throw-away data: no fsync
    server.start()
    try:
        yield TestPostgres(server)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


class SeededWarehouse:
    """Synthetic sources seeded at a small scale and mirrored into raw: the input of core/search/matching tests."""

    def __init__(self, pg: TestPostgres, root: Path, scale: int, seed: int) -> None:
        from revops_assets.resources.postgres import PostgresResource
        from revops_assets.sources.synthetic import seed_sources
        from revops_assets.warehouse.ddl import apply_warehouse_ddl

        self.odoo_dsn = pg.create_database(f"odoo_s{seed}")
        self.apn_dsn = pg.create_database(f"apn_s{seed}")
        self.warehouse_dsn = pg.create_database(f"warehouse_s{seed}")
        self.truth_dir = root / "truth"
        self.report = seed_sources(self.odoo_dsn, self.apn_dsn, self.truth_dir, scale=scale, seed=seed)
        apply_warehouse_ddl(self.warehouse_dsn)
        self.resources = {
            "odoo_db": PostgresResource(dsn=self.odoo_dsn, connection_name="odoo source", read_only=True),
            "apn_db": PostgresResource(dsn=self.apn_dsn, connection_name="apn source", read_only=True),
            "warehouse_db": PostgresResource(dsn=self.warehouse_dsn, connection_name="warehouse"),
        }

    def query(self, statement: str, params=None, dsn: str | None = None):
        import psycopg2

        with psycopg2.connect(dsn or self.warehouse_dsn) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else None


@pytest.fixture(scope="session")
def seeded(pg, tmp_path_factory) -> SeededWarehouse:
    """Seeded at scale 300 and with every raw table loaded (full)."""
    import dagster as dg

    from revops_assets.raw.assets import raw_assets

    warehouse = SeededWarehouse(pg, tmp_path_factory.mktemp("seeded"), scale=300, seed=11)
    result = dg.materialize(raw_assets(), resources=warehouse.resources)
    assert result.success
    return warehouse


@pytest.fixture(scope="session")
def core_ready(seeded) -> SeededWarehouse:
    """The seeded warehouse with every core entity built."""
    import dagster as dg

    from revops_assets.core.assets import core_assets

    assert dg.materialize(core_assets(), resources=seeded.resources).success
    return seeded
