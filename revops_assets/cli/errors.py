"""Errors the CLI prints as one line (`revops: error: ...`, exit 1) instead of a traceback."""

from __future__ import annotations


class CliError(RuntimeError):
    """An error already phrased for the user."""


def user_errors() -> tuple[type[BaseException], ...]:
    """Problems a user can act on. A server that goes away mid-command (psycopg2.OperationalError) is one of them:
    its message names the server, and libpq never includes the password."""
    import psycopg2

    from revops_assets.resources.postgres import DatabaseConnectionError
    from revops_assets.warehouse.embedded import EmbeddedServerError

    return (CliError, DatabaseConnectionError, EmbeddedServerError, ValueError, FileNotFoundError,
            psycopg2.OperationalError)


def one_line(err: BaseException) -> str:
    """The message as printed. Server errors (libpq adds a second, indented hint line) become one line; our own
    multi-line reports (every bad row of an import) keep their lines."""
    import psycopg2

    from revops_assets.resources.postgres import DatabaseConnectionError

    text = str(err).strip()
    if isinstance(err, (DatabaseConnectionError, psycopg2.Error)):
        return " ".join(text.split())
    return text
