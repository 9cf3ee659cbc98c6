"""`revops seed | demo`: the synthetic sources, and the whole graph on them with a summary."""

from __future__ import annotations

import argparse

from revops_assets import settings
from revops_assets.cli.errors import CliError


def cmd_seed(args: argparse.Namespace) -> None:
    from revops_assets.warehouse.bootstrap import bring_up, seed, seed_summary

    if not settings.uses_external_servers():
        bring_up()
    report = seed(scale=args.scale, seed=args.seed, noise=args.noise, billing_rows=args.billing_rows,
                  create_db=args.create_db, profile=args.profile, noise_level=args.noise_level)
    for line in seed_summary(report):
        print(line)


def cmd_demo(args: argparse.Namespace) -> None:
    from revops_assets.demo import run_demo

    if not run_demo(scale=args.scale, seed_value=args.seed, noise=args.noise, profile=args.profile,
                    noise_level=args.noise_level):
        raise CliError("some assets or checks failed (see above)")


def _source_options(parser) -> None:
    parser.add_argument("--profile", default="classic", metavar="NAME",
                        help="schema profile of the synthetic databases (default classic; docs/synthetic_sources.md)")
    parser.add_argument("--noise-level", default="standard", metavar="LEVEL",
                        help="failure modes of real data, by named level (default standard; "
                        "docs/synthetic_sources.md)")


def register(sub) -> None:
    seed = sub.add_parser("seed", help="(re)build the synthetic Odoo and APN source databases")
    seed.add_argument("--scale", type=int, default=3000, help="number of Odoo opportunities (default 3000)")
    seed.add_argument("--seed", type=int, default=42, help="random seed: same seed, same data")
    seed.add_argument("--noise", type=float, default=1.0, help="noise multiplier between Odoo and ACE (default 1)")
    seed.add_argument("--billing-rows", type=int, default=None, help="generate at least N billing rows (benchmarks)")
    seed.add_argument("--create-db", action="store_true",
                      help="external servers: create the (new) databases ODOO_DSN and APN_DSN name, marked as "
                           "synthetic; without it only databases revops-assets created are ever seeded")
    _source_options(seed)
    seed.set_defaults(func=cmd_seed)

    demo = sub.add_parser("demo", help="up + seed + materialize every asset in-process, then a summary")
    demo.add_argument("--scale", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--noise", type=float, default=1.0, help="noise multiplier of the synthetic sources")
    _source_options(demo)
    demo.set_defaults(func=cmd_demo)
