"""`revops review ...`: work the matching review queue, record decisions, import and export CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from revops_assets import settings
from revops_assets.cli.errors import CliError


def cmd_review(args: argparse.Namespace) -> None:
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
                batch = review.read_import(Path(args.file), args.by or review.reviewer())
                print(f"imported {review.record(conn, batch)} decisions from {args.file}")
            elif args.action == "export" and args.what == "proposals":
                from revops_assets.rules.proposals import ProposalsMissing, export_proposals

                try:
                    print(f"exported {export_proposals(conn, Path(args.file))} ACE update proposals to {args.file}")
                except ProposalsMissing as err:
                    raise CliError(str(err)) from None
            elif args.action == "export":
                print(f"exported {review.export(conn, args.what, Path(args.file))} rows of {args.what} to {args.file}")
    except review.ReviewError as err:
        raise CliError(str(err)) from None
    finally:
        conn.close()


def register(sub) -> None:
    rev = sub.add_parser("review", help="work the matching review queue: list, confirm, reject, import, export")
    rev.set_defaults(func=cmd_review)
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
    exp = actions.add_parser("export", help="queue | matches | decisions | reconciliation | proposals to CSV "
                             "(proposals also to .json / .jsonl: UpdateOpportunity payloads)")
    exp.add_argument("what", choices=["queue", "matches", "decisions", "reconciliation", "proposals"])
    exp.add_argument("file")
