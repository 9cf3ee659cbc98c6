"""`revops run`: the main job on your own databases: every asset materialized in-process, then the summary.

Nothing is seeded and no source is written: raw syncs from the configured sources (ODOO_DSN, APN_DSN, ... with
WAREHOUSE_DSN; or the embedded server's databases), core/search/matching follow, and partitioned assets run for the
partitions that have data. Run `revops doctor` first to see what your sources provide.
"""

from __future__ import annotations

import argparse

from revops_assets.cli.errors import CliError


def cmd_run(args: argparse.Namespace) -> None:
    from revops_assets.demo import run_main_job
    from revops_assets.warehouse.bootstrap import bring_up

    print("== revops run ==")
    if args.no_up:
        print("  using the servers as they are (--no-up)")
    else:  # embedded: start it; external: apply the warehouse DDL (idempotent), never touching the sources
        for line in bring_up():
            print(f"  {line}")
    if not run_main_job(full_raw=args.full, title="run"):
        raise CliError("some assets or checks failed (see above; `revops doctor` checks the sources)")


def register(sub) -> None:
    run = sub.add_parser("run", help="materialize every asset on the configured sources (no seeding), then a summary")
    run.add_argument("--full", action="store_true", help="reload every raw table in full instead of incrementally")
    run.add_argument("--no-up", action="store_true", help="do not start or prepare the embedded server")
    run.set_defaults(func=cmd_run)
