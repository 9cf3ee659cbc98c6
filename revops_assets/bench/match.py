"""Matching-engine benchmark: wall time, peak memory and quality at scale on synthetic data with a known truth.

Why: candidate generation is what keeps linking sub-quadratic; this measures that it does (time and memory per size)
without losing true pairs (candidate recall), and compares it, on a small subset, with the brute-force baseline that
scores every pair through the same feature/scoring/assignment code, extrapolated to the largest size.
Target: 100k x 100k in under 2 minutes on 2 cores with candidate recall >= 0.99.

`--pgvector` benches the path the assets take instead (bench/match_warehouse.py): Postgres in, pgvector's HNSW
indexes for vector candidates, results written back.

`--vs-splink` also scores the same candidates with Splink 5 (bench/splink_side.py) and prints both side by side:
F1 at p >= 0.8 and at the best threshold, wall time and peak memory. `--warehouse` runs on the warehouse the
environment names (WAREHOUSE_DSN, e.g. after `revops demo`): the demo's real schema, vector candidates from pgvector
as the assets take them, truth from $REVOPS_HOME/truth.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from datetime import date

import numpy as np

from revops_assets.matching.engine import link
from revops_assets.matching.evaluation import evaluate
from revops_assets.matching.spec import load_spec
from revops_assets.matching.synthetic import make_linkage


class PeakRss:
    """Samples this process's resident memory in a thread; `peak_mb` is the highest value seen."""

    def __init__(self, interval: float = 0.05):
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = self._proc.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def _cpu_s() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def bench_size(n: int, dim: int, seed: int, exhaustive: bool = False, precision: str = "auto") -> dict:
    """Generate n x n records, link them (timed, memory-sampled), evaluate against the truth."""
    spec = load_spec("ace_to_odoo")
    spec.candidates.knn_precision = precision
    t0 = time.perf_counter()
    data = make_linkage(n_left=n, n_right=n, dim=dim, seed=seed)
    gen_s = time.perf_counter() - t0
    before = _rss_mb()
    with PeakRss() as mem:
        t0, cpu0 = time.perf_counter(), _cpu_s()
        result = link(data.left, data.right, spec, exhaustive=exhaustive)
        link_s, cpu_s = time.perf_counter() - t0, _cpu_s() - cpu0
    quality = evaluate(result, data.truth)
    return {
        "n": n,
        "mode": "all pairs" if exhaustive else "candidates",
        "generate_s": round(gen_s, 1),
        "link_s": round(link_s, 1),
        "cpu_s": round(cpu_s, 1),  # user + system CPU of this process: what the run costs without other load
        "peak_rss_mb": round(mem.peak_mb),
        "link_extra_mb": round(mem.peak_mb - before),
        "pairs_scored": result.stats["pairs_scored"],
        "candidate_recall": round(quality["candidates"]["recall"], 4),
        "auto_f1": quality["auto"]["f1"],
        "matched_f1": quality["matched"]["f1"],
        "matched_precision": quality["matched"]["precision"],
        "matched_recall": quality["matched"]["recall"],
        "timings": result.stats["timings"],
        "candidates_by_source": result.stats["candidates_by_source"],
        "knn_search": result.stats.get("knn_search", {}),
    }


def _side_by_side(left, right, truth, spec, candidate_pairs=None, label: str = "", echo=print) -> dict:
    """The engine and Splink on the same data and candidates: F1 at 0.8 and best, seconds, extra peak MB."""
    import pandas as pd

    from revops_assets.bench.splink_side import best_f1, f1_at, splink_scores
    from revops_assets.matching.prepare import prepare

    before = _rss_mb()
    with PeakRss() as mem:
        t0 = time.perf_counter()
        result = link(left, right, spec, candidate_pairs=candidate_pairs)
        engine_s = time.perf_counter() - t0
    engine_mb = mem.peak_mb - before
    assigned = result.matches.dropna(subset=["right_id"])
    ls, rs = prepare(left, right, spec)
    li = pd.Index(ls.id_keys).get_indexer(result.pairs["left_id"].astype(str))
    ri = pd.Index(rs.id_keys).get_indexer(result.pairs["right_id"].astype(str))
    before = _rss_mb()
    with PeakRss() as mem:
        t0 = time.perf_counter()
        pairs, _ = splink_scores(ls, rs, li, ri)
        splink_s = time.perf_counter() - t0
    splink_mb = mem.peak_mb - before
    # Splink plus the engine's one-to-one assignment: how much of the difference is scoring, how much assignment
    from revops_assets.matching.assignment import assign
    from revops_assets.matching.scoring import logit

    lo = np.log(np.clip(pairs["probability"].to_numpy(), 1e-12, 1 - 1e-12)) - np.log1p(
        -np.clip(pairs["probability"].to_numpy(), 1e-12, 1 - 1e-12))
    pl = pd.Index(ls.id_keys).get_indexer(pairs["left_id"].astype(str))
    pr = pd.Index(rs.id_keys).get_indexer(pairs["right_id"].astype(str))
    one_to_one = pairs.iloc[assign(pl, pr, lo - logit(spec.thresholds.floor))]
    rows = {
        "engine": {"f1_at_0.8": f1_at(assigned, truth, 0.8), "best": best_f1(assigned, truth),
                   "seconds": round(engine_s, 1), "peak_extra_mb": round(engine_mb)},
        "splink": {"f1_at_0.8": f1_at(pairs, truth, 0.8), "best": best_f1(pairs, truth),
                   "seconds": round(splink_s, 1), "peak_extra_mb": round(splink_mb)},
        "splink + one-to-one": {"f1_at_0.8": f1_at(one_to_one, truth, 0.8), "best": best_f1(one_to_one, truth),
                                "seconds": None, "peak_extra_mb": None},
    }
    echo(f"  {label}: {len(result.pairs):,} candidate pairs, {len(truth):,} true links")
    echo(f"    {'':<22} {'F1 @0.8':>8} {'best F1':>8} {'at p':>6} {'seconds':>8} {'extra MB':>9}")
    for name, r in rows.items():
        echo(f"    {name:<22} {r['f1_at_0.8']:>8} {r['best'][0]:>8} {r['best'][1]:>6} "
             f"{'' if r['seconds'] is None else r['seconds']:>8} {'' if r['peak_extra_mb'] is None else r['peak_extra_mb']:>9}")
    return rows


def vs_splink(sizes: tuple[int, ...], dim: int, seed: int, warehouse: bool, echo=print) -> dict:
    """Side by side on the bench's synthetic data (each size) or on the warehouse's real schema."""
    spec = load_spec("ace_to_odoo")
    out = {}
    if warehouse:
        import pandas as pd

        from revops_assets import settings
        from revops_assets.matching.warehouse import load_sides, vector_candidates
        from revops_assets.resources.postgres import connect

        conn = connect(settings.connections().warehouse_dsn, name="warehouse")
        try:
            left, right = load_sides(conn)
            knn, _ = vector_candidates(conn, spec)
        finally:
            conn.close()
        truth = pd.read_csv(settings.truth_dir() / "opportunity_links.csv", dtype=str).rename(
            columns={"ace_opportunity_id": "left_id", "odoo_opportunity_id": "right_id"})
        out["warehouse"] = _side_by_side(left, right, truth, spec, knn, "warehouse (demo schema, pgvector)", echo)
        return out
    for n in sizes:
        data = make_linkage(n_left=n, n_right=n, dim=dim, seed=seed)
        out[n] = _side_by_side(data.left, data.right, data.truth, spec, None, f"synthetic {n:,} x {n:,}", echo)
    return out


def run_match_bench(
    sizes: tuple[int, ...] = (10_000, 100_000), brute_force_subset: int = 2_000, dim: int = 384, seed: int = 0,
    precision: str = "auto", echo=print,
) -> dict:
    """Run the all-pairs baseline on `brute_force_subset` squared, then every size; print and return the figures.

    `precision` is the vector search's (spec candidates.knn_precision): "auto" (a bfloat16 shortlist re-ranked
    exactly where the CPU is fast at it), "exact" or "bfloat16"; the measured recall against exact is printed."""
    from revops_assets.matching.candidates import uses_shortlist

    search = "bfloat16 shortlist + exact re-rank" if uses_shortlist(precision) else "exact float32"
    echo(f"match bench: {date.today()}, {os.cpu_count()} cpus, {platform.processor() or platform.machine()}, "
         f"dim={dim}, seed={seed}, knn search: {search} (precision={precision})")
    rows = []
    head = (f"{'n x n':>17} {'mode':>10} {'link s':>7} {'cpu s':>7} {'peak MB':>8} {'pairs':>10} {'cand rec':>8} "
            f"{'auto F1':>7} {'match F1':>8}")
    echo(head)

    def show(r: dict) -> None:
        echo(f"{r['n']:>8,} x {r['n']:<8,}" + f"{r['mode']:>10} {r['link_s']:>7} {r['cpu_s']:>7} "
             f"{r['peak_rss_mb']:>8} {r['pairs_scored']:>10,} {r['candidate_recall']:>8} {r['auto_f1']:>7} "
             f"{r['matched_f1']:>8}")

    if brute_force_subset:
        for exhaustive in (False, True):
            rows.append(bench_size(brute_force_subset, dim, seed, exhaustive=exhaustive))
            show(rows[-1])
    for n in sizes:
        rows.append(bench_size(n, dim, seed, precision=precision))
        show(rows[-1])
        echo(f"    stage seconds: {rows[-1]['timings']}")
        if rows[-1]["knn_search"]:
            echo(f"    knn recall vs exact (sample of left rows): {rows[-1]['knn_search']['recall_vs_exact']}")
    out = {"rows": rows}
    if brute_force_subset and sizes:
        brute = rows[1]
        largest = max(sizes)
        factor = (largest / brute_force_subset) ** 2
        out["brute_force_extrapolated_s"] = round(brute["link_s"] * factor)
        echo(f"all-pairs baseline at {largest:,} x {largest:,}: ~{brute['link_s'] * factor / 3600:,.1f} h "
             f"({brute['link_s']} s at {brute_force_subset:,}^2 x {factor:,.0f}); candidates at that size: "
             f"{rows[-1]['link_s']} s")
    return out


def main(argv: list[str] | None = None) -> None:
    """`revops bench match [SIZE ...] [--brute-force-subset N] [--search-dims N]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="revops bench match", description=run_match_bench.__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000], help="n for n x n runs")
    parser.add_argument("--brute-force-subset", type=int, default=2_000, help="all-pairs baseline size (0: skip)")
    parser.add_argument("--knn-precision", choices=["auto", "exact", "bfloat16"], default="auto",
                        help="vector search: bfloat16 shortlist + exact re-rank where fast (auto), or exact")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vs-splink", action="store_true", help="also score the same candidates with Splink 5")
    parser.add_argument("--warehouse", action="store_true",
                        help="with --vs-splink: the warehouse of WAREHOUSE_DSN (the demo's schema) instead")
    parser.add_argument("--pgvector", action="store_true",
                        help="the assets' path instead: each size written to Postgres, vector candidates from "
                             "pgvector's HNSW indexes, results written back (embedded server)")
    parser.add_argument("--keep", action="store_true", help="with --pgvector: keep the bench database")
    parser.add_argument("--knn-sources", default="memory,pgvector",
                        help="with --pgvector: vector candidate sources to time, comma-separated (memory, pgvector)")
    args = parser.parse_args(argv)
    if args.pgvector:
        from revops_assets.bench.match_warehouse import run as run_pgvector

        print(f"match bench through pgvector: {date.today()}, {os.cpu_count()} cpus, dim={args.dim}, seed={args.seed}")
        for n in args.sizes:
            run_pgvector(n, args.dim, args.seed, keep=args.keep, knn_sources=tuple(args.knn_sources.split(",")))
        return
    if args.vs_splink:
        try:
            import splink  # noqa: F401
        except ImportError:
            raise SystemExit("revops bench match --vs-splink needs the splink extra: pip install 'revops-assets[splink]'")
        print(f"match vs Splink 5: {date.today()}, {os.cpu_count()} cpus")
        vs_splink(tuple(args.sizes), args.dim, args.seed, args.warehouse)
        return
    run_match_bench(tuple(args.sizes), brute_force_subset=args.brute_force_subset, dim=args.dim, seed=args.seed,
                    precision=args.knn_precision)


if __name__ == "__main__":
    main()
