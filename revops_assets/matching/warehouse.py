"""The matching engine against the warehouse: load both sides and the decisions, run `link`, store the results.

The engine itself (`revops_assets.matching.engine`) knows nothing about Postgres; this module is the only bridge.
Results replace `matching.candidate_pairs` and `matching.opportunity_matches` atomically (built as _next_ tables
and swapped in one transaction). ops.match_decisions is only ever read here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pgvector.psycopg2 import register_vector
from psycopg2 import sql

from revops_assets.core.build import swap_in
from revops_assets.matching.features import FEATURES
from revops_assets.matching.spec import LinkSpec, load_spec
from revops_assets.settings import sql_dir

FETCH_ROWS = 5000


@lru_cache(maxsize=None)
def matching_sql(name: str) -> str:
    return (sql_dir() / "matching" / name).read_text()


def read_frame(conn, query: str) -> pd.DataFrame:
    """A query's rows as a DataFrame, fetched through a server-side cursor in batches."""
    register_vector(conn)
    with conn.cursor(name="matching_input") as cur:
        cur.itersize = FETCH_ROWS
        cur.execute(query)
        rows = []
        columns = None
        while True:
            batch = cur.fetchmany(FETCH_ROWS)
            if columns is None:
                columns = [d.name for d in cur.description]
            if not batch:
                break
            rows.extend(batch)
    frame = pd.DataFrame(rows, columns=columns)
    for column in frame.columns:
        if column.endswith("_vec"):  # pgvector's Vector -> float32 numpy, what the engine stacks
            frame[column] = [None if v is None else np.asarray(v.to_numpy(), dtype=np.float32) for v in frame[column]]
    return frame


def load_sides(conn) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_frame(conn, matching_sql("ace_side.sql")), read_frame(conn, matching_sql("odoo_side.sql"))


def load_decisions(conn) -> pd.DataFrame:
    with conn.cursor() as cur:
        cur.execute(matching_sql("live_decisions.sql"))
        rows = cur.fetchall()
        columns = [d.name for d in cur.description]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class MatchRun:
    result: "LinkResult"  # noqa: F821 (engine imported lazily: scipy/scikit-learn stay out of the code location)
    decisions: int
    knn: dict  # how vector candidates were found: pgvector (seconds per vector) or in memory


def vector_candidates(conn, spec: LinkSpec) -> tuple[dict[str, pd.DataFrame], dict]:
    """Vector candidates as `spec.candidates.knn_source` says: "memory" (the default) leaves them to the engine,
    which searches the vectors `load_sides` has already read (a bfloat16 shortlist re-ranked exactly: recall ~1.0);
    "pgvector" asks the HNSW indexes. Measured at 100k x 100k (docs/benchmarks.md), one lateral HNSW lookup per ACE
    row took minutes per vector kind where the in-memory search takes ~30 s, at lower recall."""
    if spec.candidates.knn_source == "pgvector":
        return pgvector_candidates(conn, spec)
    return {}, {"knn": "in memory (the vectors read with the sides)"}


def pgvector_candidates(conn, spec: LinkSpec) -> tuple[dict[str, pd.DataFrame], dict]:
    """k nearest Odoo opportunities of every ACE opportunity per vector kind, from the HNSW indexes.

    Only when both embedding tables hold one and the same model (else the engine searches in memory)."""
    with conn.cursor() as cur:
        cur.execute(
            "select (select array_agg(distinct model_id) from search.ace_opportunity_embeddings), "
            "       (select array_agg(distinct model_id) from search.odoo_opportunity_embeddings)"
            " where to_regclass('search.ace_opportunity_embeddings') is not null"
            "   and to_regclass('search.odoo_opportunity_embeddings') is not null"
        )
        row = cur.fetchone()
        if row is None or not row[0] or row[0] != row[1] or len(row[0]) != 1:
            return {}, {"knn": "in memory (embedding tables missing or from different models)"}
        # a wider search list than pgvector's default 40 keeps the approximate search's recall near exact
        cur.execute("set local hnsw.ef_search = %s", (max(100, 4 * spec.candidates.knn_k),))
    pairs, seconds = {}, {}
    for kind in spec.candidates.knn_vectors:
        started = time.perf_counter()
        query = sql.SQL(matching_sql("knn_candidates.sql")).format(column=sql.Identifier(f"{kind}_vec"))
        with conn.cursor() as cur:
            cur.execute(query, {"k": spec.candidates.knn_k, "min_cosine": spec.candidates.knn_min_cosine})
            pairs[f"knn_{kind}"] = pd.DataFrame(cur.fetchall(), columns=["left_id", "right_id"])
        seconds[f"knn_{kind}"] = round(time.perf_counter() - started, 3)
    return pairs, {"knn": "pgvector hnsw", "seconds": seconds}


def run_matching(conn, spec: LinkSpec | None = None) -> MatchRun:
    """Score every ACE opportunity against Odoo: EM estimates on these tables, live decisions clamped in it (and a
    held-fold calibration once there are enough of them); decisions always win over the model."""
    from revops_assets.matching.engine import link

    spec = spec or load_spec("ace_to_odoo")
    left, right = load_sides(conn)
    decisions = load_decisions(conn)
    knn_pairs, knn = vector_candidates(conn, spec)
    result = link(left, right, spec, decisions=decisions if len(decisions) else None, candidate_pairs=knn_pairs)
    return MatchRun(result=result, decisions=len(decisions), knn=knn)


# -- writing ------------------------------------------------------------------------------------------------------
PAIR_COLUMNS = ["ace_opportunity_id", "odoo_opportunity_id", "sources", *FEATURES, "log_odds", "probability",
                "decision", "assigned"]


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else repr(float(value))
    if isinstance(value, (bool, np.bool_)):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=float)
    return str(value)


def _copy_frame(cur, table: sql.Identifier, columns: list[str], frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in frame.itertuples(index=False, name=None):
        writer.writerow(["\\N" if (v := _cell(value)) is None else v for value in row])
    buffer.seek(0)
    cur.copy_expert(
        sql.SQL("copy {} ({}) from stdin with (format csv, null '\\N')").format(
            table, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        ),
        buffer,
    )


def write_results(conn, run: MatchRun) -> None:
    """Replace matching.candidate_pairs and matching.opportunity_matches in the caller's transaction."""
    result = run.result
    model_kind = result.model.kind
    feature_defs = sql.SQL(", ").join(sql.SQL("{} double precision").format(sql.Identifier(f)) for f in FEATURES)
    with conn.cursor() as cur:
        cur.execute("drop table if exists matching._next_candidate_pairs, matching._next_opportunity_matches")
        cur.execute(
            sql.SQL(
                "create table matching._next_candidate_pairs (ace_opportunity_id text not null, "
                "odoo_opportunity_id integer not null, sources text, {features}, log_odds double precision, "
                "probability double precision, decision text, assigned boolean)"
            ).format(features=feature_defs)
        )
        pairs = result.pairs.rename(columns={"left_id": "ace_opportunity_id", "right_id": "odoo_opportunity_id"})
        pairs = pairs.assign(decision=pairs["decision"] if "decision" in pairs else None)
        _copy_frame(cur, sql.Identifier("matching", "_next_candidate_pairs"), PAIR_COLUMNS, pairs[PAIR_COLUMNS])
        swap_in(cur, "matching", "candidate_pairs", ["ace_opportunity_id", "odoo_opportunity_id"])

        cur.execute(
            sql.SQL(
                "create table matching._next_opportunity_matches (ace_opportunity_id text not null, "
                "odoo_opportunity_id integer, score double precision, log_odds double precision, status text not null, "
                "sources text, {features}, explanation jsonb, reasons text, information double precision, "
                "review_value double precision, "
                "model text not null, "
                "matched_at timestamptz not null default now())"
            ).format(features=feature_defs)
        )
        matches = result.matches.rename(columns={"left_id": "ace_opportunity_id", "right_id": "odoo_opportunity_id",
                                                 "probability": "score"})
        feats = result.pairs[["left_id", "right_id", *FEATURES]].rename(
            columns={"left_id": "ace_opportunity_id", "right_id": "odoo_opportunity_id"}
        )
        matches = matches.merge(feats, on=["ace_opportunity_id", "odoo_opportunity_id"], how="left")
        matches["model"] = model_kind
        columns = ["ace_opportunity_id", "odoo_opportunity_id", "score", "log_odds", "status", "sources", *FEATURES,
                   "explanation", "reasons", "information", "review_value", "model"]
        frame = matches[columns].copy()
        # ids as text so pandas cannot turn them into floats ("10.0") next to missing values
        frame["odoo_opportunity_id"] = pd.Series(
            [None if pd.isna(v) else str(int(float(v))) for v in frame["odoo_opportunity_id"]], dtype=object,
            index=frame.index,
        )
        _copy_frame(cur, sql.Identifier("matching", "_next_opportunity_matches"), columns, frame)
        swap_in(cur, "matching", "opportunity_matches", ["ace_opportunity_id"])
        cur.execute("create index on matching.opportunity_matches (odoo_opportunity_id)")
        cur.execute("create index on matching.opportunity_matches (status)")


def rebuild_from_sql(conn, name: str, primary_key: list[str] | None = None) -> int:
    """matching.<name> from sql/matching/<name>.sql (which creates matching._next_<name>), swapped in."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("drop table if exists {}").format(sql.Identifier("matching", f"_next_{name}")))
        cur.execute(matching_sql(f"{name}.sql"))
        if primary_key is None:
            cur.execute(
                sql.SQL("alter table {} add column row_id bigint generated always as identity").format(
                    sql.Identifier("matching", f"_next_{name}")
                )
            )
            primary_key = ["row_id"]
        swap_in(cur, "matching", name, primary_key)
        cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier("matching", name)))
        return cur.fetchone()[0]
