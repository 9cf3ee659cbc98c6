"""`revops`: run the embedded warehouse, seed the synthetic sources, run the demo, benchmarks and reviews.

Every command prints a short, readable result; problems a user can fix (busy port, wrong DSN, missing table) are
printed as one line starting with `revops: error:` and exit 1, never as a traceback.

Each module of this package registers one group of commands (`register(subparsers)`, setting `func`); adding a
command is a module plus one line in `COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence

from revops_assets.cli.errors import CliError, one_line, user_errors

__all__ = ["CliError", "build_parser", "main"]

# Order is the order of `revops --help`.
COMMAND_MODULES = (
    "revops_assets.cli.warehouse",  # up, down, status, env
    "revops_assets.cli.deployment",  # init (production set-up on external servers)
    "revops_assets.cli.data",  # seed, demo
    "revops_assets.cli.run",  # run
    "revops_assets.cli.doctor",  # doctor
    "revops_assets.cli.bench",  # bench ingest | embed | match
    "revops_assets.cli.review",  # review list | confirm | reject | import | export
    "revops_assets.cli.eval_er",  # eval-er DIR
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="revops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warnings.filterwarnings("ignore", category=Warning, module="dagster")
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    try:
        args.func(args)
    except user_errors() as err:
        print(f"revops: error: {one_line(err)}", file=sys.stderr)
        return 1
    return 0
