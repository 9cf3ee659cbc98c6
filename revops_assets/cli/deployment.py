"""`revops init`: set up external servers for production, as the compose file's init service and the Kubernetes
init job do.

With an administrator connection (REVOPS_ADMIN_DSN) it creates the roles and databases and hands the layer schemas
to the application role (revops_assets/warehouse/roles.py); then, connected as the application role itself (the
user of WAREHOUSE_DSN / DAGSTER_PG_URL), it does what `revops up` does on external servers: the warehouse DDL
(migrations included) and the Dagster pool limits. So a successful init also proves the product runs without
superuser rights. Harmless to repeat; run it again after an upgrade or a password rotation.
"""

from __future__ import annotations

import argparse

from revops_assets.cli.errors import CliError


def cmd_init(args: argparse.Namespace) -> None:
    import psycopg2

    from revops_assets import settings
    from revops_assets.warehouse.bootstrap import bring_up
    from revops_assets.warehouse.roles import InitPlan, set_up_roles, verify_app_role

    plan = InitPlan.from_env()  # configuration errors (RoleSetupError) are printed as one line by the CLI
    try:
        for line in set_up_roles(plan):
            print(line, flush=True)
        if not settings.uses_external_servers():  # InitPlan checked the DSNs: cannot happen, but never start one
            raise CliError("revops init needs WAREHOUSE_DSN, ODOO_DSN and APN_DSN")
        for line in bring_up():
            print(line, flush=True)
        print(verify_app_role(plan.warehouse_dsn))
    except psycopg2.Error as err:
        # the server's own words (e.g. "permission denied to create role"), never the statement that failed: role
        # statements carry password verifiers
        diag = err.diag
        detail = "; ".join(filter(None, (diag.message_primary, diag.message_detail, diag.message_hint)))
        raise CliError(f"revops init stopped: {detail or type(err).__name__} (nothing after this step was done; "
                       "fix it and run revops init again)") from None


def register(sub) -> None:
    sub.add_parser(
        "init",
        help="production set-up on external servers: roles (revops_app, read-only source roles), databases, "
        "DDL migrations and pools, as REVOPS_ADMIN_DSN then as the application role",
    ).set_defaults(func=cmd_init)
