"""Warehouse DDL from sql/warehouse: applied by `revops up` and by tests; every statement is idempotent."""

from __future__ import annotations

from revops_assets.resources.postgres import connect
from revops_assets.settings import sql_dir

# Order matters (schemas before their tables); listed here rather than encoded in file names.
WAREHOUSE_DDL_FILES = ("schemas.sql", "ops.sql", "functions.sql")


def apply_warehouse_ddl(warehouse_dsn: str) -> list[str]:
    """Create the layer schemas, pgvector and the ops tables in one transaction; returns the files applied."""
    conn = connect(warehouse_dsn, name="warehouse")
    try:
        with conn, conn.cursor() as cur:
            for name in WAREHOUSE_DDL_FILES:
                cur.execute((sql_dir() / "warehouse" / name).read_text())
    finally:
        conn.close()
    return list(WAREHOUSE_DDL_FILES)
