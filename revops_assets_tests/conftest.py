"""Shared fixtures: one real embedded Postgres (pgvector) for the whole test session, stopped at its end."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from revops_assets.warehouse.embedded import EmbeddedPostgres


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


@pytest.fixture(scope="session")
def pg(tmp_path_factory) -> TestPostgres:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "home", free_port())
    server.start()
    try:
        yield TestPostgres(server)
    finally:
        server.stop()
