"""`revops bench <what> [options]`: benchmarks, each printing its in-run baseline (figures in docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import importlib

# benchmark name -> module with `main(argv)`; adding a benchmark is one line here.
BENCHMARKS = {
    "ingest": "revops_assets.bench.ingest",
    "embed": "revops_assets.bench.embed",
    "match": "revops_assets.bench.match",
    "freshness": "revops_assets.bench.freshness",
}


def cmd_bench(args: argparse.Namespace) -> None:
    importlib.import_module(BENCHMARKS[args.what]).main(args.rest)


def register(sub) -> None:
    bench = sub.add_parser("bench", help=f"benchmarks: {', '.join(BENCHMARKS)} (each prints its in-run baseline)")
    bench.add_argument("what", choices=list(BENCHMARKS))
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="options of that benchmark (--help for them)")
    bench.set_defaults(func=cmd_bench)
