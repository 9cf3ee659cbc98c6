"""Errors the CLI prints as one line (`revops: error: ...`, exit 1) instead of a traceback."""

from __future__ import annotations


class CliError(RuntimeError):
    """An error already phrased for the user."""


def user_errors() -> tuple[type[BaseException], ...]:
    from revops_assets.resources.postgres import DatabaseConnectionError
    from revops_assets.warehouse.embedded import EmbeddedServerError

    return (CliError, DatabaseConnectionError, EmbeddedServerError, ValueError, FileNotFoundError)
