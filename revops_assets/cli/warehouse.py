"""`revops up | down | status | env`: the warehouse server's lifecycle and the environment that points at it."""

from __future__ import annotations

import argparse
import shlex

from revops_assets import settings


def cmd_up(args: argparse.Namespace) -> None:
    from revops_assets.warehouse.bootstrap import bring_up

    for line in bring_up():
        print(line)


def cmd_down(args: argparse.Namespace) -> None:
    if settings.uses_external_servers():
        print("external servers are configured (WAREHOUSE_DSN, ODOO_DSN, APN_DSN): nothing embedded to stop")
        return
    print(f"embedded Postgres: {settings.embedded_server().stop()}")


def cmd_status(args: argparse.Namespace) -> None:
    from revops_assets.warehouse.bootstrap import describe_status

    for line in describe_status():
        print(line)


def cmd_env(args: argparse.Namespace) -> None:
    conns = settings.connections()
    env = conns.as_env()
    env["REVOPS_HOME"] = str(settings.revops_home())
    env["DAGSTER_HOME"] = str(settings.dagster_home())
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")


def register(sub) -> None:
    sub.add_parser("up", help="start the embedded Postgres (or use external DSNs) and create databases and schemas"
                   ).set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop the embedded Postgres").set_defaults(func=cmd_down)
    sub.add_parser("status", help="show the server, its databases and rows per warehouse layer").set_defaults(
        func=cmd_status)
    sub.add_parser("env", help="print export lines for WAREHOUSE_DSN, ODOO_DSN, APN_DSN, DAGSTER_PG_URL, DAGSTER_HOME"
                   ).set_defaults(func=cmd_env)
