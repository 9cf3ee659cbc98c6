"""Matching-engine benchmark: wall time, peak memory and quality at scale on synthetic data with a known truth.

Why: candidate generation is what keeps linking sub-quadratic; this measures that it does (time and memory per size)
without losing true pairs (candidate recall), and compares it, on a small subset, with the brute-force baseline that
scores every pair through the same feature/scoring/assignment code, extrapolated to the largest size.
Target: 100k x 100k in under 5 minutes on 2 cores with candidate recall >= 0.99.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from datetime import date

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


def bench_size(n: int, dim: int, seed: int, exhaustive: bool = False, search_dims: int | None = None) -> dict:
    """Generate n x n records, link them (timed, memory-sampled), evaluate against the truth."""
    spec = load_spec("ace_to_odoo")
    if search_dims:
        spec.candidates.knn_search_dims = search_dims
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
    }


def run_match_bench(
    sizes: tuple[int, ...] = (10_000, 100_000), brute_force_subset: int = 2_000, dim: int = 384, seed: int = 0,
    search_dims: int | None = None, echo=print,
) -> dict:
    """Run the all-pairs baseline on `brute_force_subset` squared, then every size; print and return the figures.

    `search_dims` runs the nearest-neighbour search on a truncated-SVD projection (approximate, faster)."""
    echo(f"match bench: {date.today()}, {os.cpu_count()} cpus, {platform.processor() or platform.machine()}, "
         f"dim={dim}, seed={seed}, knn search dims={search_dims or 'exact'}")
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
        rows.append(bench_size(n, dim, seed, search_dims=search_dims))
        show(rows[-1])
        echo(f"    stage seconds: {rows[-1]['timings']}")
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
    parser.add_argument("--search-dims", type=int, default=None, help="approximate kNN on an SVD projection")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    run_match_bench(tuple(args.sizes), brute_force_subset=args.brute_force_subset, dim=args.dim, seed=args.seed,
                    search_dims=args.search_dims)


if __name__ == "__main__":
    main()
