"""`revops eval-er DIR`: precision, recall and F1 of the pairwise matcher on DeepMatcher / Ditto format sets.

DIR is one set (train.txt, valid.txt, test.txt) or a directory of sets (each evaluated, then the mean F1).
Trains on train.txt, picks the threshold on valid.txt, scores test.txt; nothing is tuned to any set. Whole-record
evidence is also compared with each record's other candidate pairs (of all three files, labels unused) where test
and training records have alike numbers of candidates; `--independent` scores each pair on its own.
"""

from __future__ import annotations

import argparse
import json

from revops_assets.cli.errors import CliError


def cmd_eval_er(args: argparse.Namespace) -> None:
    from revops_assets.matching.er_benchmark import FormatError, evaluate_dir, minilm_encoder, set_dirs

    try:
        dirs = set_dirs(args.dir)
    except FormatError as err:
        raise CliError(str(err)) from None
    encoder = minilm_encoder() if args.embeddings else None
    print("pairs scored " + ("independently" if args.independent else
                             "with margins over their records' other candidates (all three files) where test and "
                             "training records have alike numbers of candidates (column 'margins'; "
                             "--independent: never)"))
    print(f"{'set':<26} {'P':>6} {'R':>6} {'F1':>6} {'test pairs':>10} {'matches':>8} {'features':>8} {'seconds':>8} "
          f"{'margins':>8}")
    results = []
    for d in dirs:
        try:
            r = evaluate_dir(d, encoder=encoder, seed=args.seed, independent=args.independent)
        except FormatError as err:
            raise CliError(str(err)) from None
        results.append(r)
        print(f"{r['set']:<26} {100 * r['precision']:6.1f} {100 * r['recall']:6.1f} {100 * r['f1']:6.1f} "
              f"{r['test_pairs']:>10,} {r['test_matches']:>8,} {r['comparisons']:>8} {r['seconds']['total']:>8} "
              f"{'on' if r['pairs_scored'] != 'independently' else 'off':>8}")
    if len(results) > 1:
        mean = sum(r["f1"] for r in results) / len(results)
        print(f"{'mean':<26} {'':>6} {'':>6} {100 * mean:6.1f}")
    if args.json:
        print(json.dumps(results, indent=2))


def register(sub) -> None:
    p = sub.add_parser("eval-er", help="precision / recall / F1 on entity-resolution sets (DeepMatcher format)")
    p.add_argument("dir", help="a set directory (train.txt, valid.txt, test.txt) or a directory of them")
    p.add_argument("--embeddings", action="store_true",
                   help="add MiniLM sentence-embedding comparisons (bundled model, CPU; slower, rarely better)")
    p.add_argument("--independent", action="store_true",
                   help="score each pair on its own evidence, not also against its records' other candidate pairs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="also print every figure as JSON")
    p.set_defaults(func=cmd_eval_er)
