"""`revops bench match --pgvector N`: the path the matching assets take, through Postgres and pgvector, at N x N.

The bench's synthetic linkage (`make_linkage`, as for the in-memory bench) is written into a database of its own on
the embedded server (`bench_match`, created and dropped by this bench): the core columns the matching SQL reads
(sql/matching/ace_side.sql, odoo_side.sql) and the search layer's embedding tables (its own DDL, its HNSW indexes on
the Odoo side, which is the side the nearest-neighbour query searches). Then, timed and memory-sampled, exactly what
the `matching/opportunity_matches` asset does: `warehouse.run_matching` (both sides read through server-side
cursors, `link`) and `warehouse.write_results` (COPY into _next tables, swapped in), once per source of vector
candidates (`candidates.knn_source`): "memory" (the default: the engine searches the vectors read with the sides)
and "pgvector" (the HNSW indexes). Index builds are the search layer's cost, printed apart. Quality is scored
against the known truth.
"""

from __future__ import annotations

import io
import json
import struct
import time

import numpy as np
import pandas as pd
from psycopg2 import sql

from revops_assets import settings
from revops_assets.bench.match import PeakRss, _cpu_s, _rss_mb

BENCH_DB = "bench_match"
MODEL_ID = "bench-synthetic-384"

ACE_COLUMNS = {  # what sql/matching/ace_side.sql reads from core.ace_opportunities
    "ace_opportunity_id": "text primary key", "company_name_norm": "text", "company_key": "text", "title": "text",
    "domain": "text", "aws_account_id": "text", "partner_crm_id": "text", "expected_monthly_spend_usd": "numeric",
    "target_close_date": "date", "aws_create_date": "timestamptz", "status": "text", "stage": "text",
    "origin": "text", "identity_text": "text", "context_text": "text",
}
ODOO_COLUMNS = {  # what sql/matching/odoo_side.sql reads from core.odoo_opportunities
    "odoo_opportunity_id": "integer primary key", "company_name_norm": "text", "company_key": "text", "title": "text",
    "domain": "text", "aws_account_id": "text", "expected_revenue_usd": "numeric", "date_deadline": "date",
    "create_date": "timestamp", "outcome": "text", "origination": "text", "identity_text": "text",
    "context_text": "text",
}


def _copy_csv(cur, table: sql.Identifier, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N", date_format="%Y-%m-%d")
    buffer.seek(0)
    cur.copy_expert(sql.SQL("copy {} ({}) from stdin with (format csv, null '\\N')").format(
        table, sql.SQL(", ").join(map(sql.Identifier, frame.columns))), buffer)


def _field(data: bytes | None) -> bytes:
    return struct.pack("!i", -1) if data is None else struct.pack("!i", len(data)) + data


def _vector(v: np.ndarray) -> bytes:
    """pgvector's binary form: int16 dimension, int16 unused, float4 values, network byte order."""
    return struct.pack("!hh", len(v), 0) + np.asarray(v, dtype=">f4").tobytes()


def _copy_embeddings(cur, table: sql.Identifier, frame: pd.DataFrame, id_column: str, integer_ids: bool) -> None:
    """opportunity_id, model_id, hashes, both vectors and the lexical weights, in COPY's binary format (text
    vectors would be ~1 GB of digits to print and parse at 100k rows)."""
    out = io.BytesIO()
    out.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
    for oid, ident, ctx, sparse in zip(frame[id_column], frame["identity_vec"], frame["context_vec"],
                                       frame["sparse_context"]):
        out.write(struct.pack("!h", 7))
        out.write(_field(struct.pack("!i", int(oid)) if integer_ids else str(oid).encode()))
        out.write(_field(MODEL_ID.encode()) + _field(b"-") + _field(b"-"))
        # the embeddings table requires both vectors; a record without a context text gets its identity's
        out.write(_field(_vector(ident)) + _field(_vector(ctx if ctx is not None else ident)))
        out.write(_field(b"\x01" + json.dumps(sparse).encode() if sparse else None))
    out.write(struct.pack("!h", -1))
    out.seek(0)
    cur.copy_expert(sql.SQL("copy {} (opportunity_id, model_id, identity_hash, context_hash, identity_vec, "
                            "context_vec, context_sparse) from stdin with (format binary)").format(table), out)


def load(dsn: str, data, dim: int, echo=print) -> dict:
    """Core-shaped tables, embedding tables and the Odoo side's HNSW indexes; seconds of each step."""
    from revops_assets.resources.postgres import connect
    from revops_assets.search.embeddings import ACE_TARGET, ODOO_TARGET, _create_indexes, _create_table

    left = data.left.copy()
    left["status"] = None
    right = data.right.rename(columns={"stage": "outcome"}).copy()
    right["outcome"] = right["outcome"].map({"Won": "won", "Lost": "lost"}).fillna("open")
    for frame in (left, right):  # what core embeds as the identity text: the company (never empty here)
        frame["identity_text"] = frame["company_name_norm"]
    seconds = {}
    conn = connect(dsn, name="warehouse")
    try:
        with conn, conn.cursor() as cur:
            t0 = time.perf_counter()
            for name, columns, frame in (("ace_opportunities", ACE_COLUMNS, left),
                                         ("odoo_opportunities", ODOO_COLUMNS, right)):
                table = sql.Identifier("core", name)
                cur.execute(sql.SQL("create table {} ({})").format(table, sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items())))
                _copy_csv(cur, table, frame[list(columns)])
            for target, frame, integer_ids in ((ACE_TARGET, left, False), (ODOO_TARGET, right, True)):
                _create_table(cur, target, target.name, dim)
                _copy_embeddings(cur, target.table, frame, target.id_column, integer_ids)
            seconds["load"] = round(time.perf_counter() - t0, 1)
        echo(f"  loaded {len(left):,} + {len(right):,} rows with {dim}-d vectors in {seconds['load']} s")
        with conn, conn.cursor() as cur:
            t0 = time.perf_counter()
            _create_indexes(cur, ODOO_TARGET)
            seconds["hnsw_index_build"] = round(time.perf_counter() - t0, 1)
            cur.execute("analyze")
        echo(f"  HNSW indexes (identity + context, Odoo side) built in {seconds['hnsw_index_build']} s")
    finally:
        conn.close()
    return seconds


def _timed_match(dsn: str, knn_source: str, truth: pd.DataFrame, n: int, echo=print) -> dict:
    """What the opportunity_matches asset does, with vector candidates from `knn_source`, timed and sampled."""
    from revops_assets.matching.evaluation import evaluate
    from revops_assets.matching.spec import load_spec
    from revops_assets.matching.warehouse import run_matching, write_results
    from revops_assets.resources.postgres import connect

    spec = load_spec("ace_to_odoo")
    spec.candidates.knn_source = knn_source
    before = _rss_mb()
    conn = connect(dsn, name="warehouse")
    try:
        with PeakRss() as mem:
            t0, cpu0 = time.perf_counter(), _cpu_s()
            with conn:
                run = run_matching(conn, spec)
            t1 = time.perf_counter()
            with conn:
                write_results(conn, run)
            t2 = time.perf_counter()
            cpu = _cpu_s() - cpu0
    finally:
        conn.close()
    quality = evaluate(run.result, truth)
    stats = run.result.stats
    out = {
        "n": n, "knn_source": knn_source, "match_s": round(t1 - t0, 1), "write_s": round(t2 - t1, 1),
        "total_s": round(t2 - t0, 1), "cpu_s": round(cpu, 1), "peak_rss_mb": round(mem.peak_mb),
        "extra_mb": round(mem.peak_mb - before), "pairs": stats["pairs_scored"],
        "candidate_recall": round(quality["candidates"]["recall"], 4),
        "recall_by_source": quality["candidates"]["recall_by_source"], "auto_f1": quality["auto"]["f1"],
        "matched_f1": quality["matched"]["f1"], "knn": run.knn, "timings": stats["timings"],
    }
    echo(f"  {n:,} x {n:,}, vector candidates from {knn_source}: match {out['match_s']} s + write "
         f"{out['write_s']} s = {out['total_s']} s wall, {out['cpu_s']} s CPU (this process), peak "
         f"{out['peak_rss_mb']} MB ({out['extra_mb']} MB above start)")
    echo(f"    pairs {out['pairs']:,}  candidate recall {out['candidate_recall']}  auto F1 {out['auto_f1']}  "
         f"match F1 {out['matched_f1']}")
    echo(f"    vector candidates: {run.knn} {stats.get('knn_search', '')}; recall by source: "
         f"{ {k: v for k, v in out['recall_by_source'].items() if v} }")
    echo(f"    stage seconds: {stats['timings']}")
    return out


def run(n: int, dim: int = 384, seed: int = 0, keep: bool = False, knn_sources=("memory", "pgvector"),
        echo=print) -> dict:
    from revops_assets.matching.synthetic import make_linkage
    from revops_assets.warehouse.bootstrap import bring_up
    from revops_assets.warehouse.ddl import apply_warehouse_ddl

    if settings.uses_external_servers():
        raise SystemExit("bench match --pgvector uses the embedded server; unset WAREHOUSE_DSN/ODOO_DSN/APN_DSN")
    bring_up()
    server = settings.embedded_server()
    server.drop_database(BENCH_DB)  # this bench's own database, from an earlier run
    server.ensure_database(BENCH_DB)
    dsn = server.dsn(BENCH_DB)
    try:
        apply_warehouse_ddl(dsn)
        data = make_linkage(n_left=n, n_right=n, dim=dim, seed=seed)
        out = load(dsn, data, dim, echo)
        data.left = data.right = None  # what the asset holds is what it reads back, not the generator's frames
        out["runs"] = {}
        for knn_source in knn_sources:
            out["runs"][knn_source] = _timed_match(dsn, knn_source, data.truth, n, echo)
        return out
    finally:
        if not keep:
            server.drop_database(BENCH_DB)
