"""Where things live and which servers to use, read from the environment only.

One rule decides between the embedded server and external ones: when WAREHOUSE_DSN, ODOO_DSN and APN_DSN are all set
(to anything other than this state folder's embedded server, which `revops env` exports), those servers are used
and nothing embedded is started; otherwise `revops up` runs the embedded Postgres under $REVOPS_HOME and the DSNs
point at it. Setting only some of the three is an error. Secrets (passwords inside DSNs) therefore only ever come
from the environment.

The embedded server belongs to its state folder: before its DSNs are used, whatever answers on its port must be
that folder's own server (`owned_embedded_server`), so two checkouts never share a warehouse by accident.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DSN_VARS = ("WAREHOUSE_DSN", "ODOO_DSN", "APN_DSN")
DEFAULT_PORT = 55432

# Databases the embedded server holds: the warehouse, Dagster's own storage, and the two synthetic sources.
WAREHOUSE_DB = "revops_core"
DAGSTER_DB = "dagster"
ODOO_DB = "odoo"
APN_DB = "apn"


def project_root() -> Path:
    """The checkout the package runs from (editable install), holding sql/, data/ and dagster.yaml."""
    return Path(__file__).resolve().parent.parent


def _shipped(name: str) -> Path:
    """sql/ or data/: the checkout's top-level folder when running from a checkout, else the copy the wheel ships
    inside the package (pyproject.toml maps them to revops_assets/sql and revops_assets/data)."""
    checkout = project_root() / name
    if (project_root() / "pyproject.toml").exists() and checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / name


def sql_dir() -> Path:
    return _shipped("sql")


def data_dir() -> Path:
    return _shipped("data")


def dagster_yaml() -> Path:
    """The instance config: the checkout's, else the copy installed under <prefix>/share/revops-assets."""
    import sys

    checkout = project_root() / "dagster.yaml"
    if checkout.exists():
        return checkout
    return Path(sys.prefix) / "share" / "revops-assets" / "dagster.yaml"


def revops_home() -> Path:
    """$REVOPS_HOME, else a default that does not depend on the current directory: `.revops` in the checkout the
    package runs from, or the user's state directory for an installed package."""
    if os.environ.get("REVOPS_HOME"):
        return Path(os.environ["REVOPS_HOME"]).expanduser().resolve()
    if (project_root() / "pyproject.toml").exists():
        return project_root() / ".revops"
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return (Path(state) / "revops-assets").resolve()


def embedded_port() -> int:
    raw = os.environ.get("REVOPS_PG_PORT", str(DEFAULT_PORT))
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"REVOPS_PG_PORT must be a port number, got {raw!r}") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"REVOPS_PG_PORT must be between 1 and 65535, got {port}")
    return port


def _embedded_dsns() -> dict[str, str]:
    server = embedded_server()
    return {"WAREHOUSE_DSN": server.dsn(WAREHOUSE_DB), "ODOO_DSN": server.dsn(ODOO_DB), "APN_DSN": server.dsn(APN_DB)}


def uses_external_servers() -> bool:
    """True when WAREHOUSE_DSN, ODOO_DSN and APN_DSN are all set to something other than this state folder's
    embedded server (`eval "$(revops env)"` exports the embedded DSNs: they still mean the embedded server).
    Setting only some of them is an error, never silently ignored."""
    present = [name for name in DSN_VARS if os.environ.get(name)]
    if not present:
        return False
    if len(present) < len(DSN_VARS):
        missing = [name for name in DSN_VARS if name not in present]
        raise ValueError(
            f"{', '.join(present)} {'is' if len(present) == 1 else 'are'} set but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not: set all of {', '.join(DSN_VARS)} to use your own servers, "
            "or none of them for the embedded one"
        )
    return {name: os.environ[name] for name in DSN_VARS} != _embedded_dsns()


@dataclass(frozen=True)
class Connections:
    warehouse_dsn: str
    odoo_dsn: str
    apn_dsn: str
    dagster_pg_url: str | None
    embedded: bool

    def as_env(self) -> dict[str, str]:
        env = {"WAREHOUSE_DSN": self.warehouse_dsn, "ODOO_DSN": self.odoo_dsn, "APN_DSN": self.apn_dsn}
        if self.dagster_pg_url:
            env["DAGSTER_PG_URL"] = self.dagster_pg_url
        return env


def connections() -> Connections:
    """The three source/warehouse DSNs and Dagster's storage URL, external when set, else the embedded server's."""
    if uses_external_servers():
        return Connections(
            warehouse_dsn=os.environ["WAREHOUSE_DSN"],
            odoo_dsn=os.environ["ODOO_DSN"],
            apn_dsn=os.environ["APN_DSN"],
            dagster_pg_url=os.environ.get("DAGSTER_PG_URL"),
            embedded=False,
        )
    server = owned_embedded_server()
    return Connections(
        warehouse_dsn=server.dsn(WAREHOUSE_DB),
        odoo_dsn=server.dsn(ODOO_DB),
        apn_dsn=server.dsn(APN_DB),
        dagster_pg_url=server.sqlalchemy_url(DAGSTER_DB),
        embedded=True,
    )


def embedded_server():
    from revops_assets.warehouse.embedded import EmbeddedPostgres

    return EmbeddedPostgres(revops_home(), embedded_port())


def owned_embedded_server():
    """The embedded server of this state folder, after checking that whatever listens on its port is that server
    (and not another checkout's): otherwise a one-line error suggesting another REVOPS_PG_PORT."""
    server = embedded_server()
    server.verify_owner()
    return server


def dagster_home() -> Path:
    """DAGSTER_HOME for the CLI and `dagster dev`: under $REVOPS_HOME, with dagster.yaml linked from the repo."""
    return revops_home() / "dagster_home"


def truth_dir() -> Path:
    """Ground truth of the synthetic sources: outside every database, read only by evaluation."""
    return revops_home() / "truth"
