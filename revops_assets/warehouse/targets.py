"""Which databases the project may wipe: only synthetic-source databases it created itself.

Seeding drops and rebuilds a source database's `public` schema. Pointed at a partner's real Odoo, that would delete
the CRM, so every destructive path first requires the target to carry the project's marker: a one-row table in
its own schema (`revops_synthetic.marker`, outside `public`, so a re-seed keeps it). Only the project writes it:
when the embedded server creates its source databases (`revops up`), or when `revops seed --create-db` creates a new
database on an external server. A database without the marker is refused with a one-line error naming it, and
nothing is dropped.
"""

from __future__ import annotations

from psycopg2 import sql
from psycopg2.extensions import make_dsn, parse_dsn

from revops_assets.resources.postgres import connect, describe_dsn

MARKER_SCHEMA = "revops_synthetic"
MARKER_TABLE = "marker"
PURPOSE = "synthetic source database created by revops-assets; `revops seed` may drop and rebuild it"


class TargetRefused(ValueError):
    """A destructive command was pointed at a database the project did not create."""


def _marker() -> sql.Composable:
    return sql.Identifier(MARKER_SCHEMA, MARKER_TABLE)


def is_synthetic_target(dsn: str, name: str) -> bool:
    """True when the database carries the project's synthetic-source marker (read-only check)."""
    conn = connect(dsn, name=name, read_only=True)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select to_regclass(%s)", (f"{MARKER_SCHEMA}.{MARKER_TABLE}",))
            if cur.fetchone()[0] is None:
                return False
            cur.execute(sql.SQL("select count(*) from {}").format(_marker()))
            return cur.fetchone()[0] > 0
    finally:
        conn.close()


def mark_synthetic_target(dsn: str, name: str) -> None:
    """Record that the project created this database for synthetic data (idempotent)."""
    conn = connect(dsn, name=name)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(MARKER_SCHEMA)))
            cur.execute(
                sql.SQL("create table if not exists {} (purpose text not null, created_at timestamptz not null "
                        "default now(), created_by text not null default current_user)").format(_marker())
            )
            cur.execute(sql.SQL("select count(*) from {}").format(_marker()))
            if cur.fetchone()[0] == 0:
                cur.execute(sql.SQL("insert into {} (purpose) values (%s)").format(_marker()), (PURPOSE,))
    finally:
        conn.close()


def require_synthetic_target(dsn: str, name: str) -> None:
    """Refuse (TargetRefused) unless the database was created by the project for synthetic data."""
    if not is_synthetic_target(dsn, name):
        raise TargetRefused(
            f"refusing to seed the {name} database {describe_dsn(dsn)}: it was not created by revops-assets "
            f"(no {MARKER_SCHEMA}.{MARKER_TABLE}), so nothing was dropped; point the DSN at a new database name and "
            "run `revops seed --create-db` to create it"
        )


def create_synthetic_database(dsn: str, name: str) -> str:
    """Create the database the DSN names (on that server, through its `postgres` database) and mark it.

    An existing database is only accepted when it already carries the marker; returns what was done."""
    dbname = parse_dsn(dsn).get("dbname")
    if not dbname:
        raise TargetRefused(f"the {name} DSN names no database ({describe_dsn(dsn)})")
    conn = connect(make_dsn(dsn, dbname="postgres"), name=f"{name} server")  # same server, its maintenance db
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (dbname,))
            exists = cur.fetchone() is not None
            if not exists:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))
    finally:
        conn.close()
    if exists:
        require_synthetic_target(dsn, name)
        return f"{name} database {describe_dsn(dsn)}: exists (created by revops-assets)"
    mark_synthetic_target(dsn, name)
    return f"{name} database {describe_dsn(dsn)}: created"

