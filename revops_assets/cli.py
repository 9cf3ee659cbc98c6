"""`revops`: run the embedded warehouse, seed the synthetic sources, run the demo, benchmarks and reviews.

Every command prints a short, readable result; problems a user can fix (busy port, wrong DSN, missing table) are
printed as one line starting with `revops: error:` and exit 1, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import warnings
from collections.abc import Sequence

from revops_assets import settings


class CliError(RuntimeError):
    """An error already phrased for the user."""


def _user_errors() -> tuple[type[BaseException], ...]:
    from revops_assets.resources.postgres import DatabaseConnectionError
    from revops_assets.warehouse.embedded import EmbeddedServerError

    return (CliError, DatabaseConnectionError, EmbeddedServerError, ValueError, FileNotFoundError)


# -- warehouse lifecycle ------------------------------------------------------------------------------------------
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


# -- data -------------------------------------------------------------------------------------------------------
def cmd_seed(args: argparse.Namespace) -> None:
    from revops_assets.warehouse.bootstrap import bring_up, seed

    if not settings.uses_external_servers():
        bring_up()
    report = seed(scale=args.scale, seed=args.seed, noise=args.noise, billing_rows=args.billing_rows)
    print(report.summary() if hasattr(report, "summary") else report)


def cmd_demo(args: argparse.Namespace) -> None:
    from revops_assets.demo import run_demo

    if not run_demo(scale=args.scale, seed_value=args.seed, noise=args.noise):
        raise CliError("some assets or checks failed (see above)")


def cmd_bench(args: argparse.Namespace) -> None:
    if args.what == "ingest":
        from revops_assets.bench.ingest import main as bench_main
    elif args.what == "embed":
        from revops_assets.bench.embed import main as bench_main
    else:
        from revops_assets.bench.match import main as bench_main
    bench_main(args.rest)


def cmd_review(args: argparse.Namespace) -> None:
    from pathlib import Path

    from revops_assets.matching import review
    from revops_assets.resources.postgres import connect

    conn = connect(settings.connections().warehouse_dsn, name="warehouse")
    try:
        with conn:
            if args.action == "list":
                rows = review.queue(conn, args.limit)
                if not rows:
                    print("the review queue is empty")
                for ace, odoo, score, ace_cust, ace_title, odoo_cust, odoo_title, reasons in rows:
                    print(f"{ace} <-> {odoo}  p={score}\n  ACE : {ace_cust} | {ace_title}\n"
                          f"  Odoo: {odoo_cust} | {odoo_title}\n  why : {reasons}")
            elif args.action in ("confirm", "reject"):
                decision = review.Decision(args.ace_id, args.odoo_id, review.normalize_decision(args.action, "command"),
                                           args.by or review.reviewer(), args.note)
                review.record(conn, [decision], [f"{args.action} {args.ace_id} {args.odoo_id}"])
                print(f"recorded: {args.ace_id} <-> {args.odoo_id} {decision.decision} by {decision.decided_by}; "
                      "the match_decisions sensor re-scores (or run the matching assets)")
            elif args.action == "import":
                decisions, where = review.read_import(Path(args.file), args.by or review.reviewer())
                print(f"imported {review.record(conn, decisions, where)} decisions from {args.file}")
            elif args.action == "export":
                print(f"exported {review.export(conn, args.what, Path(args.file))} rows of {args.what} to {args.file}")
    except review.ReviewError as err:
        raise CliError(str(err)) from None
    finally:
        conn.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="revops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("up", help="start the embedded Postgres (or use external DSNs) and create databases and schemas")
    sub.add_parser("down", help="stop the embedded Postgres")
    sub.add_parser("status", help="show the server, its databases and rows per warehouse layer")
    sub.add_parser("env", help="print export lines for WAREHOUSE_DSN, ODOO_DSN, APN_DSN, DAGSTER_PG_URL, DAGSTER_HOME")

    seed = sub.add_parser("seed", help="(re)build the synthetic Odoo and APN source databases")
    seed.add_argument("--scale", type=int, default=3000, help="number of Odoo opportunities (default 3000)")
    seed.add_argument("--seed", type=int, default=42, help="random seed: same seed, same data")
    seed.add_argument("--noise", type=float, default=1.0, help="noise multiplier between Odoo and ACE (default 1)")
    seed.add_argument("--billing-rows", type=int, default=None, help="generate at least N billing rows (benchmarks)")

    demo = sub.add_parser("demo", help="up + seed + materialize every asset in-process, then a summary")
    demo.add_argument("--scale", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--noise", type=float, default=1.0, help="noise multiplier of the synthetic sources")

    bench = sub.add_parser("bench", help="benchmarks: ingest, embed, match (each prints its in-run baseline)")
    bench.add_argument("what", choices=["ingest", "embed", "match"])
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="options of that benchmark (--help for them)")
    rev = sub.add_parser("review", help="work the matching review queue: list, confirm, reject, import, export")
    actions = rev.add_subparsers(dest="action", required=True)
    lst = actions.add_parser("list", help="pairs to review, most uncertain first")
    lst.add_argument("--limit", type=int, default=20)
    for name in ("confirm", "reject"):
        act = actions.add_parser(name, help=f"{name} that ACE opportunity <-> Odoo opportunity pair")
        act.add_argument("ace_id")
        act.add_argument("odoo_id")
        act.add_argument("--note")
        act.add_argument("--by", help="reviewer (default $REVOPS_REVIEWER or your login)")
    imp = actions.add_parser("import", help="decisions from CSV: ace_opportunity_id,odoo_opportunity_id,decision[,note][,decided_by]")
    imp.add_argument("file")
    imp.add_argument("--by")
    exp = actions.add_parser("export", help="queue | matches | decisions | reconciliation to CSV")
    exp.add_argument("what", choices=["queue", "matches", "decisions", "reconciliation"])
    exp.add_argument("file")
    return parser


COMMANDS = {
    "review": cmd_review,
    "up": cmd_up,
    "down": cmd_down,
    "status": cmd_status,
    "env": cmd_env,
    "seed": cmd_seed,
    "demo": cmd_demo,
    "bench": cmd_bench,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warnings.filterwarnings("ignore", category=Warning, module="dagster")
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    try:
        COMMANDS[args.command](args)
    except _user_errors() as err:
        print(f"revops: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
