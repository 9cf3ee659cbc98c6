"""Embedding throughput on this machine: texts/s and tokens/s per backend and batch size.

The search layer embeds every opportunity twice (identity and context text), so the question is how long a full
re-embedding takes here and whether BGE-M3 on a GPU meets "a batch of 32 in under 500 ms". Real BGE-M3 weights
cannot be downloaded, but speed does not depend on weight values: `--arch xlm-roberta-large --random-weights`
builds BGE-M3's exact architecture with random weights and runs it through the same `BGEM3FlagModel` code.

Two timings per row. `encode_ms_per_batch` is the end-to-end `Embedder.embed` time divided by the number of
batches: tokenization, the network, sparse post-processing, and for bge-m3 FlagEmbedding's extra probe pass (it
runs the longest batch once more to pick a batch size that fits), so it is what the pipeline pays.
`forward_ms_per_batch` (bge-m3 only) is one padded batch through the network, median of a few runs: the number to
hold against the 500 ms target.

    python -m revops_assets.bench.embed --backend sentence-transformers --batch-sizes 8,32 --n-texts 256
    python -m revops_assets.bench.embed --backend bge-m3 --arch xlm-roberta-large --random-weights --n-texts 32
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date
from typing import Any

from revops_assets.resources.embedder import BACKENDS, Embedder, resolve_device

TARGET_MS_PER_32 = 500.0

_COMPANIES = (
    "Acme Logistics", "Northwind Foods", "Contoso Health", "Globex Manufacturing", "Initech Bank", "Umbrella Pharma",
    "Stark Energy", "Wayne Media", "Hooli Software", "Tyrell Robotics", "Cyberdyne Security", "Soylent Retail",
    "Vandelay Imports", "Massive Dynamic", "Pied Piper", "Oscorp Chemicals", "Aperture Labs", "Gringotts Finance",
)
_SUFFIXES = ("S.L.", "GmbH", "Inc.", "Ltd", "S.A.", "B.V.", "SAS", "LLC")
_WORKLOADS = (
    "SAP workloads", "Windows and SQL Server estate", "Oracle databases", "data warehouse", "e-commerce platform",
    "call centre", "genomics pipelines", "ERP", "VMware clusters", "analytics dashboards", "IoT telemetry",
    "document archive", "mobile backend", "machine learning models", "mainframe batch jobs",
)
_SERVICES = (
    "Amazon EC2", "Amazon S3", "Amazon RDS", "Aurora PostgreSQL", "Amazon Redshift", "AWS Glue", "Amazon Athena",
    "Amazon EKS", "AWS Lambda", "Amazon Bedrock", "Amazon SageMaker", "Amazon Connect", "AWS Control Tower",
    "Amazon WorkSpaces", "AWS Backup", "Elastic Disaster Recovery", "Amazon Kinesis", "Amazon DynamoDB",
)
_TITLES = (
    "Migration of {w} to AWS", "{w} modernisation", "Landing zone and {w}", "Managed services for {w}",
    "Proof of concept: {w} on {s}", "Cost optimisation of {w}", "Disaster recovery for {w}",
)
_SENTENCES = (
    "The customer wants to move its {w} from the on-premises data centre to {s} before the lease ends in {m}.",
    "Current spend is about {n} thousand dollars a month and the CFO expects a business case by {m}.",
    "We proposed a migration readiness assessment followed by a MAP funded mobilise phase.",
    "The IT director asked for a reference architecture with {s} and {s2}, including backup and monitoring.",
    "Security requires encryption at rest, single sign-on and centralised logging across all accounts.",
    "The project covers {n} applications, two environments and a cut-over window on a weekend in {m}.",
    "Licences for the {w} are renewed every year; the team evaluates whether to bring its own licences.",
    "A pilot on {s} showed lower latency and the business unit wants to extend it to production.",
    "Procurement will compare our offer with two other partners; the decision is expected in {m}.",
    "AWS account manager is engaged and the opportunity is registered for co-sell in Partner Central.",
    "Expected annual recurring revenue is {n}0 thousand dollars once all workloads run on {s}.",
    "Stakeholders include the CIO, the head of infrastructure and an external auditor from the bank.",
)
_MONTHS = ("January", "March", "April", "June", "September", "October", "November", "December")


def opportunity_texts(n: int, seed: int = 0, min_words: int = 50, max_words: int = 150) -> list[str]:
    """`n` deterministic CRM-like texts: company, title and a description of `min_words`-`max_words` words."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        company = f"{rng.choice(_COMPANIES)} {rng.choice(_SUFFIXES)}"
        workload, service = rng.choice(_WORKLOADS), rng.choice(_SERVICES)
        title = rng.choice(_TITLES).format(w=workload, s=service)
        target = rng.randint(min_words, max_words)
        words: list[str] = []
        while len(words) < target:
            sentence = rng.choice(_SENTENCES).format(
                w=workload, s=service, s2=rng.choice(_SERVICES), m=rng.choice(_MONTHS), n=rng.randint(2, 90)
            )
            words.extend(sentence.split())
        texts.append(f"{company}. {title}. {' '.join(words[:target])}")
    return texts


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def _forward_ms(embedder: Embedder, texts: list[str], repeats: int) -> float | None:
    """Median ms of one padded batch through the BGE-M3 network (dense + sparse heads), no FlagEmbedding loop."""
    impl = embedder._impl
    if embedder.backend != "bge-m3" or impl is None:
        return None
    import torch

    m3 = impl.model  # BGEM3FlagModel
    inputs = m3.tokenizer(texts, truncation=True, max_length=impl.max_length, padding=True, return_tensors="pt")
    inputs = inputs.to(embedder.device)
    timings = []
    with torch.no_grad():
        for _ in range(repeats):
            _sync(embedder.device)
            started = time.perf_counter()
            m3.model(inputs, return_dense=True, return_sparse=impl.return_sparse, return_colbert_vecs=False)
            _sync(embedder.device)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run_embed_bench(
    backends: Sequence[str] = ("sentence-transformers",),
    batch_sizes: Sequence[int] = (8, 32),
    n_texts: int = 64,
    *,
    model: str | None = None,
    arch: str | None = None,
    random_weights: bool = False,
    device: str = "auto",
    max_length: int = 512,
    forward_repeats: int | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Time `Embedder.embed` over `n_texts` opportunity texts for each backend and batch size; one dict per row.

    `model` is the model directory for every backend (None: each backend's default). With `random_weights`, the
    bge-m3 backend runs a freshly built random model of `arch` (see `revops_assets.bench.random_model.ARCHS`)
    instead. The device is detected ("auto": CUDA with fp16 when present, else CPU fp32).
    """
    from revops_assets.bench.random_model import build_arch

    if arch and not random_weights:
        raise ValueError("--arch only applies with --random-weights (a real model is given with --model)")
    resolved = resolve_device(device)
    on_gpu = resolved.startswith("cuda")
    repeats = forward_repeats if forward_repeats is not None else (5 if on_gpu else 1)
    texts = opportunity_texts(n_texts, seed=seed)
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        for backend in backends:
            if backend not in BACKENDS:
                raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
            backend_model = model
            label = None
            if backend == "bge-m3" and random_weights:
                if not arch:
                    raise ValueError("--random-weights needs --arch (e.g. xlm-roberta-large)")
                workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-m3-"))
                backend_model = str(build_arch(f"{workdir}/{arch}", arch))
                label = f"bge-m3:{arch} (random weights)"
            embedder = Embedder(backend, backend_model, device=resolved, max_length=max_length)
            try:
                tokens = embedder.count_tokens(texts)
                embedder.embed(texts[:2])  # warm-up: lazy init, kernels, allocator
                for batch_size in batch_sizes:
                    embedder.batch_size = batch_size
                    _sync(resolved)
                    started = time.perf_counter()
                    batch = embedder.embed(texts)
                    _sync(resolved)
                    seconds = time.perf_counter() - started
                    n_batches = math.ceil(n_texts / batch_size)
                    forward = _forward_ms(embedder, texts[:batch_size], repeats)
                    rows.append(
                        {
                            "model": label or embedder.model_id,
                            "device": f"{resolved} {'fp16' if on_gpu else 'fp32'}",
                            "dim": batch.dense.shape[1],
                            "batch_size": batch_size,
                            "n_texts": n_texts,
                            "tokens": tokens,
                            "seconds": round(seconds, 3),
                            "texts_per_s": round(n_texts / seconds, 2),
                            "tokens_per_s": round(tokens / seconds, 1),
                            "encode_ms_per_batch": round(seconds * 1000 / n_batches, 1),
                            "forward_ms_per_batch": None if forward is None else round(forward, 1),
                            "load_s": round(embedder.load_seconds, 1),
                        }
                    )
            finally:
                embedder.close()
    return rows


_COLUMNS = (
    "model", "device", "dim", "batch_size", "n_texts", "tokens", "seconds", "texts_per_s", "tokens_per_s",
    "encode_ms_per_batch", "forward_ms_per_batch", "load_s",
)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """Markdown table of `run_embed_bench` rows, plus the 500 ms target verdict for GPU batches of 32."""
    cells = [[("-" if row.get(c) is None else str(row.get(c))) for c in _COLUMNS] for row in rows]
    lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    lines += ["| " + " | ".join(r) + " |" for r in cells]
    for row in rows:
        if row["device"].startswith("cuda") and row["batch_size"] == 32 and row["forward_ms_per_batch"] is not None:
            verdict = "meets" if row["forward_ms_per_batch"] < TARGET_MS_PER_32 else "misses"
            lines.append(
                f"\n{row['model']}: batch of 32 in {row['forward_ms_per_batch']} ms -> {verdict} the "
                f"{TARGET_MS_PER_32:.0f} ms target"
            )
    return "\n".join(lines)


def machine_line() -> str:
    import os

    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), {gpu}, {date.today().isoformat()}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="revops bench embed", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", action="append", choices=BACKENDS, help="repeatable; default sentence-transformers"
    )
    parser.add_argument("--batch-sizes", default="8,32", help="comma-separated (default 8,32)")
    parser.add_argument("--n-texts", type=int, default=None, help="default 256, or 32 for a large random model on CPU")
    parser.add_argument("--model", default=None, help="model directory (default: each backend's default)")
    parser.add_argument("--arch", default=None, help="with --random-weights: xlm-roberta-large (BGE-M3) or tiny")
    parser.add_argument("--random-weights", action="store_true", help="bge-m3: time a random model of --arch")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--max-length", type=int, default=512)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # keep the table readable (FlagEmbedding's own bars cannot be turned off)
    backends = args.backend or ["sentence-transformers"]
    n_texts = args.n_texts
    if n_texts is None:
        slow = args.random_weights and args.arch == "xlm-roberta-large" and resolve_device(args.device) == "cpu"
        n_texts = 32 if slow else 256
    rows = run_embed_bench(
        backends,
        [int(b) for b in args.batch_sizes.split(",") if b.strip()],
        n_texts,
        model=args.model,
        arch=args.arch,
        random_weights=args.random_weights,
        device=args.device,
        max_length=args.max_length,
    )
    print(machine_line())
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
