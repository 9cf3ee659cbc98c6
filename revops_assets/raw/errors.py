"""Errors of the raw layer: which are transient (worth a retry) and how a failure is told.

A sync talks to two servers. When one fails, the message says which connection (described without its password),
what the sync was doing and the database's own words, e.g. "the odoo source connection (ro@db:5432/odoo) was lost
while streaming the delta of odoo.public.crm_lead: DatabaseError: error with status PGRES_COPY_OUT and no message
from the libpq". Transient classes are decided by SQLSTATE and by the connection's state, not by the exception's
Python type (libpq reports a connection dropped mid-COPY as a bare DatabaseError with no code).
"""

from __future__ import annotations

import psycopg2

from revops_assets.resources.postgres import DatabaseConnectionError

# SQLSTATEs worth a retry: the statement may well succeed a moment later.
TRANSIENT_SQLSTATES = {
    "40001": "serialization failure",
    "40P01": "deadlock",
    "55P03": "lock not available",
    "57P01": "server terminated the connection (administrator command)",
    "57P02": "server crash shutdown",
    "57P03": "server not accepting connections yet",
    "53300": "too many connections",
    "08000": "connection exception",
    "08001": "could not establish the connection",
    "08003": "connection does not exist",
    "08004": "server rejected the connection",
    "08006": "connection failure",
}


class SourceTableMissing(RuntimeError):
    """A catalog table (or a key column it names) is absent from its source."""


class TransientSyncError(RuntimeError):
    """A failure a retry may fix (a connection lost, a deadlock); the message names connection and step."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class SyncBusy(RuntimeError):
    """Another sync of the same table held it for longer than this one would wait."""


def one_line(err: BaseException) -> str:
    """`Type: first line of the message`, for audit rows and logs."""
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0] if text else ''}"[:2000]


def transient_reason(err: BaseException, lost_connection: bool = False) -> str | None:
    """Why `err` is worth a retry, or None. `lost_connection`: one of the sync's connections is closed now."""
    if isinstance(err, TransientSyncError):
        return err.reason
    if isinstance(err, DatabaseConnectionError):
        return "could not connect"
    if not isinstance(err, psycopg2.Error):
        return "connection lost" if lost_connection and isinstance(err, OSError) else None
    code = getattr(err, "pgcode", None)
    if code in TRANSIENT_SQLSTATES:
        return TRANSIENT_SQLSTATES[code]
    if (code and code.startswith("08")) or lost_connection:
        return "connection lost"  # whatever the statement said, the connection under it is gone
    if code is None and isinstance(err, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        # libpq's own errors carry no SQLSTATE: "server closed the connection unexpectedly", "error with status
        # PGRES_COPY_OUT and no message from the libpq", "connection already closed"
        return "connection lost"
    return None


def safe_rollback(conn) -> None:
    try:
        if conn is not None and not conn.closed:
            conn.rollback()
    except Exception:
        pass
