"""Bringing the warehouse up (embedded or external), seeding the synthetic sources, and describing the state.

Kept apart from the CLI so tests and the demo call the same code the commands do.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from psycopg2 import sql

from revops_assets import settings
from revops_assets.resources.postgres import connect
from revops_assets.warehouse.ddl import apply_warehouse_ddl
from revops_assets.warehouse.targets import (
    TargetRefused,
    create_synthetic_database,
    mark_synthetic_target,
    require_synthetic_target,
)

LAYER_SCHEMAS = ("raw", "core", "search", "matching", "rules", "ops")


def bring_up() -> list[str]:
    """Start (or reuse) the servers, create the databases, apply the warehouse DDL; safe to run any number of times."""
    lines: list[str] = []
    if settings.uses_external_servers():
        lines.append("external servers configured by WAREHOUSE_DSN / ODOO_DSN / APN_DSN: starting nothing embedded")
    else:
        server = settings.embedded_server()
        lines.append(f"embedded Postgres ({server.pgdata}): {server.start()}")
        for db in (settings.WAREHOUSE_DB, settings.DAGSTER_DB, settings.ODOO_DB, settings.APN_DB):
            created = server.ensure_database(db, extensions=("vector",) if db == settings.WAREHOUSE_DB else ())
            lines.append(f"database {db}: {'created' if created else 'exists'}")
        # every database of the embedded server is the project's: its two sources may be seeded
        for db, name in ((settings.ODOO_DB, "odoo source"), (settings.APN_DB, "apn source")):
            mark_synthetic_target(server.dsn(db), name)
        link_dagster_home()
    conns = settings.connections()
    applied = apply_warehouse_ddl(conns.warehouse_dsn)
    lines.append(f"warehouse schemas {', '.join(LAYER_SCHEMAS)} ready ({', '.join(applied)})")
    if conns.dagster_pg_url:
        limits = set_pool_limits(conns.dagster_pg_url)
        lines.append("dagster pools: " + ", ".join(f"{pool}={n}" for pool, n in limits.items()))
    return lines


# Reads per source database and GPU model copies allowed at once (dagster.yaml only holds the default limit).
POOL_LIMITS = {"odoo_source": 2, "apn_source": 2, "gpu": 1}


def set_pool_limits(dagster_pg_url: str) -> dict[str, int]:
    """Set the concurrency pools on the Dagster instance whose storage is `dagster_pg_url`."""
    import dagster as dg

    previous = os.environ.get("DAGSTER_PG_URL")
    os.environ["DAGSTER_PG_URL"] = dagster_pg_url  # dagster.yaml reads it while the instance loads
    try:
        instance = dg.DagsterInstance.from_config(str(link_dagster_home()))
        try:
            for pool, limit in POOL_LIMITS.items():
                instance.event_log_storage.set_concurrency_slots(pool, limit)
        finally:
            instance.dispose()
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_PG_URL", None)
        else:
            os.environ["DAGSTER_PG_URL"] = previous
    return dict(POOL_LIMITS)


def link_dagster_home() -> Path:
    """DAGSTER_HOME under $REVOPS_HOME whose dagster.yaml is the repo's (one source of truth, git-ignored home)."""
    home = settings.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    link = home / "dagster.yaml"
    target = settings.dagster_yaml()
    if link.is_symlink() or link.exists():
        if link.resolve() == target.resolve():
            return home
        link.unlink()
    link.symlink_to(target)
    return home


SOURCE_NAMES = (("ODOO_DSN", "odoo source"), ("APN_DSN", "apn source"))


def seed(*, scale: int, seed: int, noise: float = 1.0, billing_rows: int | None = None, create_db: bool = False,
         profile: str = "classic", noise_level: str = "standard"):
    """Rebuild both synthetic source databases (schema profile and noise level named) and the ground-truth file.

    Only databases the project created for synthetic data are touched (see warehouse.targets): on the embedded
    server `revops up` created and marked them; on external servers `create_db=True` creates the databases the DSNs
    name. Anything else is refused before a single statement runs against it.
    """
    from revops_assets.sources.synthetic import seed_sources

    if scale < 1:
        raise ValueError(f"--scale must be at least 1, got {scale}")
    conns = settings.connections()
    dsns = {"ODOO_DSN": conns.odoo_dsn, "APN_DSN": conns.apn_dsn}
    if _same_database(conns.odoo_dsn, conns.apn_dsn):
        raise TargetRefused("ODOO_DSN and APN_DSN name the same database: the two sources need one database each")
    for var, name in SOURCE_NAMES:
        if create_db:
            create_synthetic_database(dsns[var], name)
        else:
            require_synthetic_target(dsns[var], name)
    return seed_sources(
        conns.odoo_dsn,
        conns.apn_dsn,
        settings.truth_dir(),
        scale=scale,
        seed=seed,
        noise=noise,
        billing_rows=billing_rows,
        profile=profile,
        noise_level=noise_level,
    )


def _same_database(a: str, b: str) -> bool:
    from psycopg2.extensions import parse_dsn

    keys = ("host", "port", "dbname")
    pa, pb = parse_dsn(a), parse_dsn(b)
    return all(pa.get(k) == pb.get(k) for k in keys)


def seed_summary(report) -> list[str]:
    """What `revops seed` prints: rows per source table, the ground truth, the time taken."""
    lines = [f"seeded synthetic sources (scale {report.scale}, seed {report.seed}, noise {report.noise:g}) "
             f"in {report.elapsed_s:.1f}s"]
    for source, rows in report.rows.items():
        listing = ", ".join(f"{table} {count:,}" for table, count in sorted(rows.items()))
        lines.append(f"  {source}: {len(rows)} tables, {sum(rows.values()):,} rows")
        lines.extend(textwrap.wrap(listing, width=116, initial_indent="    ", subsequent_indent="    "))
    lines.append(f"  ground truth: {report.links:,} ACE <-> Odoo links in {report.truth_path}")
    return lines


def layer_row_counts(warehouse_dsn: str) -> dict[str, dict[str, int]]:
    """Exact rows per table in each warehouse layer (small enough to count for the summary)."""
    counts: dict[str, dict[str, int]] = {}
    conn = connect(warehouse_dsn, name="warehouse", read_only=True)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema = any(%s) and table_type = 'BASE TABLE' order by 1, 2",
                (list(LAYER_SCHEMAS),),
            )
            for schema, table in cur.fetchall():
                cur.execute(sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
                counts.setdefault(schema, {})[table] = cur.fetchone()[0]
    finally:
        conn.close()
    return counts


def describe_status() -> list[str]:
    lines: list[str] = []
    if settings.uses_external_servers():
        lines.append("servers: external (WAREHOUSE_DSN, ODOO_DSN, APN_DSN set)")
    else:
        status = settings.owned_embedded_server().status()
        lines.append(f"embedded Postgres: {status.detail} — data in {status.pgdata}")
        if not status.running:
            return lines
    counts = layer_row_counts(settings.connections().warehouse_dsn)
    for schema in LAYER_SCHEMAS:
        tables = counts.get(schema, {})
        lines.append(f"  {schema:<9} {len(tables):>3} tables {sum(tables.values()):>12,} rows")
    return lines


def apply_connection_env() -> settings.Connections:
    """Export the DSNs into this process so `dg.EnvVar` resources resolve in in-process runs (demo, bench)."""
    conns = settings.connections()
    os.environ.update(conns.as_env())
    os.environ.setdefault("REVOPS_HOME", str(settings.revops_home()))
    return conns
