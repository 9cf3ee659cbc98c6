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
    server = settings.embedded_server()
    result = server.stop()
    if result == "not running":
        server.verify_owner()  # another state folder's server on our port: an error, and it is never stopped
    print(f"embedded Postgres ({server.pgdata}): {result}")


def cmd_status(args: argparse.Namespace) -> None:
    from revops_assets.warehouse.bootstrap import describe_status

    for line in describe_status():
        print(line)


def cmd_env(args: argparse.Namespace) -> None:
    """Export lines for the shell. External DSNs are already in the environment and carry passwords: they are
    named (without the password) in comments unless --show-secrets asks for the full values."""
    conns = settings.connections()
    env = conns.as_env()
    if not conns.embedded and not args.show_secrets:
        from revops_assets.resources.postgres import describe_dsn

        for name, value in env.items():
            where = describe_dsn(value) if name.endswith("_DSN") else "set"
            print(f"# {name} is taken from your environment ({where}); --show-secrets prints it")
        env = {}
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
    env = sub.add_parser("env", help="print export lines for WAREHOUSE_DSN, ODOO_DSN, APN_DSN, DAGSTER_PG_URL, "
                         "DAGSTER_HOME (external DSNs only with --show-secrets)")
    env.add_argument("--show-secrets", action="store_true", help="also print external DSNs, passwords included")
    env.set_defaults(func=cmd_env)
