"""Postgres connections as Dagster resources: the catalog's sources (read-only) and the warehouse.

The DSN comes from the environment (`dg.EnvVar`) and never appears in logs, metadata or exceptions: errors name the
connection ("odoo source") and the host/port/database, with any password masked.

Read-only sources are opened with `default_transaction_read_only` and a read-only session, so a write through them
fails in Postgres itself, and, where the server allows, act as a role that can read but not write (`session_role`,
pg_read_all_data by default for catalog sources): a later `set transaction read write` cannot give that role write
privileges. A session can still undo its own settings (RESET ROLE), so production should log in as a read-only
role (README: Read-only sources).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg2
import psycopg2.extensions
from psycopg2 import sql
from psycopg2.extensions import parse_dsn
from pydantic import Field


class DatabaseConnectionError(RuntimeError):
    """A connection could not be opened; the message names the connection and never carries its password."""


def describe_dsn(dsn: str) -> str:
    """`user@host:port/db` for messages: everything a person needs to find the server, nothing secret."""
    try:
        parts = parse_dsn(dsn)
    except psycopg2.ProgrammingError:
        return "<unparseable DSN>"
    host = parts.get("host", "localhost")
    port = parts.get("port", "5432")
    user = parts.get("user", "")
    db = parts.get("dbname", "")
    return f"{user + '@' if user else ''}{host}:{port}/{db}"


def redact(text: str, dsn: str) -> str:
    """Remove the DSN's password (and any password=... or user:pass@ form) from `text`."""
    try:
        password = parse_dsn(dsn).get("password")
    except psycopg2.ProgrammingError:
        password = None
    if password:
        text = text.replace(password, "****")
    text = re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1****", text, flags=re.IGNORECASE)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1****@", text)


def connect(
    dsn: str, *, name: str, read_only: bool = False, application_name: str = "revops-assets",
    session_role: str | None = None,
):
    """Open a psycopg2 connection; `name` says which one in errors ("odoo source", "warehouse"). `session_role`:
    a role to act as (SET ROLE), e.g. pg_read_all_data, which may read everything and write nothing."""
    options = "-c default_transaction_read_only=on" if read_only else None
    try:
        conn = psycopg2.connect(dsn, connect_timeout=10, application_name=application_name, options=options)
    except psycopg2.Error as err:
        reason = redact(str(err).strip(), dsn)
        raise DatabaseConnectionError(f"cannot connect to the {name} database ({describe_dsn(dsn)}): {reason}") from None
    if session_role:
        _set_role(conn, session_role, f"{name} ({describe_dsn(dsn)})")
    if read_only:
        conn.set_session(readonly=True)
    return conn


_roles_refused: set[tuple[str, str]] = set()


def _set_role(conn, role: str, where: str) -> None:
    """Act as `role` when the server allows it (the login role is a member, the role exists); else say so once and
    go on as the login role."""
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    except psycopg2.Error as err:
        if (where, role) not in _roles_refused:
            _roles_refused.add((where, role))
            logging.getLogger(__name__).warning(
                "%s: cannot act as %s (%s); reading as the login role", where, role, str(err).strip().splitlines()[0]
            )
    finally:
        conn.autocommit = False


class PostgresResource(dg.ConfigurableResource):
    """A Postgres database reached through a DSN taken from the environment."""

    dsn: str = Field(description="libpq DSN or URL; set through an environment variable, never inline")
    connection_name: str = Field(description="name used in errors and metadata, e.g. 'odoo source'")
    read_only: bool = Field(default=False, description="refuse writes (sources are never written)")
    session_role: str | None = Field(
        default=None, description="role to act as once connected (SET ROLE), e.g. pg_read_all_data: reads, never writes"
    )

    def open(self, application_name: str = "revops-assets") -> psycopg2.extensions.connection:
        """A new connection the caller manages (streaming loads hold several at once); `application_name` shows
        in pg_stat_activity (a sync names its run and table there)."""
        return connect(self.dsn, name=self.connection_name, read_only=self.read_only,
                       application_name=application_name, session_role=self.session_role)

    @contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        """A connection whose transaction commits on success and rolls back on any error."""
        conn = self.open()
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def describe(self) -> str:
        return f"{self.connection_name} ({describe_dsn(self.dsn)})"


def source_resources(catalog=None) -> dict[str, PostgresResource]:
    """One read-only resource per source system of the catalog, its DSN bound to the variable the catalog names
    (default <SOURCE>_DSN): a new source system needs no code."""
    from revops_assets.sources.catalog import current_catalog

    catalog = catalog or current_catalog()
    return {
        key: PostgresResource(dsn=dg.EnvVar(dsn_env), connection_name=name, read_only=True, session_role=role)
        for key, (dsn_env, name, role) in catalog.source_connections().items()
    }


def source_and_warehouse_resources(catalog=None) -> dict[str, PostgresResource]:
    """The catalog's sources and the warehouse, bound to environment variables; `revops env` prints them."""
    return {
        **source_resources(catalog),
        "warehouse_db": PostgresResource(dsn=dg.EnvVar("WAREHOUSE_DSN"), connection_name="warehouse"),
    }
