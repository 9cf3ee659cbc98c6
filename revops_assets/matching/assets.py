"""Matching layer assets: scored candidate pairs and one-to-one matches, the review queue, the reconciliation,
and the quality measured against the synthetic ground truth when it exists.

Review decisions live in ops.match_decisions, outside every asset, so no rebuild can lose them; they are read on
each run, always win over the model, and train it once there are enough of them.
"""

import math
from pathlib import Path
from typing import Optional

import dagster as dg
from pydantic import Field

from revops_assets import settings
from revops_assets.core.build import markdown_preview

# The engine (numpy, pandas, scipy) is imported inside the assets: the code location loads without it.

GROUP = "matching"
PAIRS_KEY = dg.AssetKey(["matching", "candidate_pairs"])
MATCHES_KEY = dg.AssetKey(["matching", "opportunity_matches"])
QUALITY_CHECK = "quality_meets_targets"
TARGET_F1_AUTO = 0.95
TARGET_CANDIDATE_RECALL = 0.99

INPUTS = [
    dg.AssetKey(["core", "ace_opportunities"]),
    dg.AssetKey(["core", "odoo_opportunities"]),
    dg.AssetKey(["search", "ace_opportunity_embeddings"]),
    dg.AssetKey(["search", "odoo_opportunity_embeddings"]),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(PAIRS_KEY, deps=INPUTS, group_name=GROUP, kinds={"postgres"}, owners=["team:revops"],
                     description="Every ACE x Odoo candidate pair (from exact keys, vector neighbours and name "
                     "blocking) with its features, log-odds, probability and whether it was assigned.",
                     tags={"layer": "matching"}),
        dg.AssetSpec(MATCHES_KEY, deps=INPUTS, group_name=GROUP, kinds={"postgres"}, owners=["team:revops"],
                     description="One row per ACE opportunity: its Odoo opportunity (one-to-one), score, status "
                     "(confirmed / auto_matched / needs_review / unmatched), features and the explanation.",
                     tags={"layer": "matching"}),
    ],
    required_resource_keys={"warehouse_db"},
)
def opportunity_matches(context: dg.AssetExecutionContext):
    from revops_assets.dictionary import table_schema
    from revops_assets.matching.warehouse import run_matching, write_results

    with context.resources.warehouse_db.connection() as conn:
        run = run_matching(conn)
        write_results(conn, run)
        with conn.cursor() as cur:  # the real column types, next to the dictionary's descriptions in the UI
            schemas = {key: table_schema(cur, *key.path) for key in (PAIRS_KEY, MATCHES_KEY)}
        previews = {
            "preview": markdown_preview(conn.cursor(), "matching", "opportunity_matches",
                                        ["ace_opportunity_id", "odoo_opportunity_id", "status", "score", "reasons"],
                                        limit=8, order_by="ace_opportunity_id"),
        }
    result = run.result
    stats = result.stats
    status_counts = stats.get("status_counts", {})
    yield dg.MaterializeResult(
        asset_key=PAIRS_KEY,
        metadata={
            "dagster/row_count": len(result.pairs),
            "dagster/column_schema": schemas[PAIRS_KEY],
            "candidates_by_source": dg.MetadataValue.json(stats.get("candidates_by_source", {})),
            "vector_candidates": dg.MetadataValue.json(run.knn),
            "crm_keys": dg.MetadataValue.json(stats.get("crm_keys", {})),
            "generic_titles": dg.MetadataValue.json(stats.get("generic_titles", {})),
        },
    )
    auto = status_counts.get("auto_matched", 0) + status_counts.get("confirmed", 0)
    model = result.model
    yield dg.MaterializeResult(
        asset_key=MATCHES_KEY,
        metadata={
            "dagster/row_count": len(result.matches),
            "dagster/column_schema": schemas[MATCHES_KEY],
            "status_counts": dg.MetadataValue.json(status_counts),
            "model": model.kind,
            "decisions_applied": run.decisions,
            "model_weights": dg.MetadataValue.md(weights_md(model)),
            "estimates": dg.MetadataValue.json(_estimates(model)),
            "timings_s": dg.MetadataValue.json({k: v for k, v in stats.get("timings", {}).items() if isinstance(v, float)}),
            **{k: dg.MetadataValue.md(v) for k, v in previews.items()},
            "summary": f"{len(result.matches):,} ACE opportunities: {auto:,} matched "
            f"({status_counts.get('confirmed', 0):,} confirmed), {status_counts.get('needs_review', 0):,} to review, "
            f"{status_counts.get('unmatched', 0):,} unmatched; {model.kind} model, {run.decisions} decisions",
        },
    )


def _estimates(model) -> dict:
    """The calibration figures worth keeping per run: match prior, EM iterations, m and u, held-fold calibration."""
    keys = ("method", "iterations", "candidate_pairs", "random_pairs", "expected_matches", "match_prior", "m", "u",
            "u_same_company", "thresholds", "calibration")
    return {k: model.report[k] for k in keys if k in model.report}


def weights_md(model) -> str:
    """Each comparison's level weights (ln m/u) as a table: for all pairs, and for pairs of the same company."""
    lines = ["| comparison | levels (thresholds, or names) | weights | weights, same company |", "|---|---|---|---|"]
    for d in model.levels:
        same = model.weights_same.get(d.name)
        levels = ", ".join(d.labels) if d.labels else ", ".join(f"{t:g}" for t in d.thresholds)
        lines.append(f"| {d.name} | {levels} | "
                     f"{', '.join(f'{w:+.2f}' for w in model.weights[d.name])} | "
                     f"{', '.join(f'{w:+.2f}' for w in same) if same else ''} |")
    lines.append(f"\nprior log-odds {model.prior_log_odds:+.2f}; scale {model.scale:.3f}, shift {model.shift:+.3f}")
    return "\n".join(lines)


@dg.asset(
    key=["matching", "review_queue"],
    deps=[MATCHES_KEY],
    group_name=GROUP,
    kinds={"postgres"},
    owners=["team:revops"],
    required_resource_keys={"warehouse_db"},
    description="Pairs to review (needs_review, not yet decided), both sides side by side; `revops review` works it.",
    tags={"layer": "matching"},
)
def review_queue(context: dg.AssetExecutionContext):
    from revops_assets.dictionary import table_schema
    from revops_assets.matching.warehouse import rebuild_from_sql

    with context.resources.warehouse_db.connection() as conn:
        rows = rebuild_from_sql(conn, "review_queue", ["ace_opportunity_id"])
        with conn.cursor() as cur:
            schema = table_schema(cur, "matching", "review_queue")
            preview = markdown_preview(cur, "matching", "review_queue",
                                       ["queue_rank", "ace_customer", "ace_title", "odoo_title", "score",
                                        "review_value"], limit=10, order_by="queue_rank")
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "dagster/column_schema": schema,
                                          "preview": dg.MetadataValue.md(preview)})


@dg.asset(
    key=["matching", "reconciliation"],
    deps=[MATCHES_KEY, dg.AssetKey(["core", "ace_opportunities"]), dg.AssetKey(["core", "odoo_opportunities"])],
    group_name=GROUP,
    kinds={"postgres"},
    owners=["team:revops"],
    required_resource_keys={"warehouse_db"},
    description="ACE deals with no Odoo deal, Odoo AWS deals never registered in ACE, and matched pairs whose stage, "
    "close date or amount disagree, each with what to fix.",
    tags={"layer": "matching"},
)
def reconciliation(context: dg.AssetExecutionContext):
    from revops_assets.dictionary import table_schema
    from revops_assets.matching.warehouse import rebuild_from_sql

    with context.resources.warehouse_db.connection() as conn:
        rows = rebuild_from_sql(conn, "reconciliation")
        with conn.cursor() as cur:
            schema = table_schema(cur, "matching", "reconciliation")
            cur.execute("select issue, count(*) from matching.reconciliation group by 1 order by 1")
            by_issue = dict(cur.fetchall())
            preview = markdown_preview(cur, "matching", "reconciliation",
                                       ["issue", "ace_opportunity_id", "odoo_opportunity_id", "customer_name",
                                        "what_to_fix"], limit=10, order_by="row_id")
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, "dagster/column_schema": schema,
                  "by_issue": dg.MetadataValue.json(by_issue),
                  "preview": dg.MetadataValue.md(preview)}
    )


class QualityConfig(dg.Config):
    truth_path: Optional[str] = Field(
        default=None, description="ground-truth CSV; default $REVOPS_HOME/truth/opportunity_links.csv"
    )
    learning_rounds: int = Field(
        default=2, description="simulated review rounds of 50 decisions from the active-learning queue, answered "
        "from the truth, to report the quality gained per 50 decisions (0: skip)")


def _bar(n: int, top: int, width: int = 20) -> str:
    """A bar on a log scale of its own series' largest bin, so a bin of 3 pairs shows next to one of 30,000."""
    if n <= 0:
        return ""
    return "█" * max(1, int(round(width * math.log1p(n) / math.log1p(max(top, 1)))))


def _histogram_md(dist: dict) -> str:
    """Score distributions of true and false candidate pairs as a Markdown table: every bin with its count and a
    bar (log scale, each series scaled to its own largest bin)."""
    edges = dist["probability_bins"]
    match, non = dist["match_hist"], dist["non_match_hist"]
    top_m, top_n = int(match.max(initial=0)), int(non.max(initial=0))
    lines = ["| score | matches | | non-matches | |", "|---|---:|---|---:|---|"]
    for lo, hi, m, n in zip(edges[:-1], edges[1:], match, non):
        lines.append(f"| {lo:.2f}–{hi:.2f} | {int(m):,} | {_bar(int(m), top_m)} | {int(n):,} | {_bar(int(n), top_n)} |")
    return "\n".join(lines)


def _curve_md(curve: list[dict]) -> str:
    lines = ["| decisions | auto P | auto R | auto F1 | F1 on undecided records | gain vs previous |",
             "|---:|---:|---:|---:|---:|---:|"]
    prev = None
    for c in curve:
        gain = "" if prev is None else f"{c['auto']['f1'] - prev:+.4f}"
        lines.append(f"| {c['decisions']} | {c['auto']['precision']:.4f} | {c['auto']['recall']:.4f} | "
                     f"{c['auto']['f1']:.4f} | {c['auto_undecided']['f1']:.4f} | {gain} |")
        prev = c["auto"]["f1"]
    return "\n".join(lines)


@dg.asset(
    key=["matching", "match_quality"],
    deps=[PAIRS_KEY, MATCHES_KEY],
    group_name=GROUP,
    kinds={"python"},
    owners=["team:revops"],
    required_resource_keys={"warehouse_db"},
    description="Precision, recall and F1 of auto-matched pairs and of best candidates, and candidate recall, "
    "against the ground truth of the synthetic sources (skipped when there is none). Matching never reads truth.",
    check_specs=[dg.AssetCheckSpec(QUALITY_CHECK, asset=["matching", "match_quality"],
                                   description=f"F1(auto) >= {TARGET_F1_AUTO} and candidate recall >= "
                                   f"{TARGET_CANDIDATE_RECALL}; a warning when not: on a deliberately hard noise "
                                   "level it is a measurement to read, not a broken run")],
    tags={"layer": "matching"},
)
def match_quality(context: dg.AssetExecutionContext, config: QualityConfig):
    import pandas as pd

    from revops_assets.matching.warehouse import read_frame

    path = Path(config.truth_path) if config.truth_path else settings.truth_dir() / "opportunity_links.csv"
    if not path.exists():
        context.log.info(f"no ground truth at {path}: nothing to evaluate")
        return dg.MaterializeResult(
            metadata={"truth": f"none at {path}"},
            check_results=[dg.AssetCheckResult(check_name=QUALITY_CHECK, passed=True,
                                               metadata={"skipped": "no ground truth"})],
        )
    truth = pd.read_csv(path, dtype=str).rename(
        columns={"ace_opportunity_id": "left_id", "odoo_opportunity_id": "right_id"}
    )
    from revops_assets.matching.candidates import candidate_recall
    from revops_assets.matching.evaluation import precision_recall, score_distributions

    curve = []
    with context.resources.warehouse_db.connection() as conn:
        if config.learning_rounds > 0:
            from revops_assets.matching.evaluation import active_learning_curve
            from revops_assets.matching.spec import load_spec
            from revops_assets.matching.warehouse import load_sides, vector_candidates

            spec = load_spec("ace_to_odoo")
            left, right = load_sides(conn)
            knn, _ = vector_candidates(conn, spec)
            curve = active_learning_curve(left, right, spec, truth, rounds=config.learning_rounds, per_round=50,
                                          candidate_pairs=knn)
        pairs = read_frame(
            conn,
            "select ace_opportunity_id as left_id, odoo_opportunity_id::text as right_id, sources, probability, log_odds "
            "from matching.candidate_pairs",
        )
        matches = read_frame(
            conn,
            "select ace_opportunity_id as left_id, odoo_opportunity_id::text as right_id, status "
            "from matching.opportunity_matches where odoo_opportunity_id is not null",
        )
    auto = precision_recall(matches[matches["status"].isin(["auto_matched", "confirmed"])], truth)
    matched = precision_recall(matches[matches["status"].isin(["auto_matched", "confirmed", "needs_review"])], truth)
    best = precision_recall(matches, truth)
    recall = candidate_recall(pairs, truth)
    dist = score_distributions(pairs, truth)
    cand_recall = float(recall.get("recall", recall.get("candidate_recall", 0.0)))
    passed = auto["f1"] >= TARGET_F1_AUTO and cand_recall >= TARGET_CANDIDATE_RECALL
    summary = (f"F1 auto-matched {auto['f1']:.3f} (P {auto['precision']:.3f} R {auto['recall']:.3f}), "
               f"best candidates F1 {best['f1']:.3f}, candidate recall {cand_recall:.4f}")
    return dg.MaterializeResult(
        metadata={
            "truth_links": len(truth),
            "auto_matched": dg.MetadataValue.json(auto),
            "matched_incl_review": dg.MetadataValue.json(matched),
            "best_candidates": dg.MetadataValue.json(best),
            "candidate_recall": dg.FloatMetadataValue(round(cand_recall, 4)),
            "f1_auto": dg.FloatMetadataValue(auto["f1"]),
            "score_distributions": dg.MetadataValue.md(_histogram_md(dist)),
            **({"active_learning": dg.MetadataValue.md(_curve_md(curve)),
                "f1_gain_per_50_decisions": dg.MetadataValue.json(
                    [round(b["auto"]["f1"] - a["auto"]["f1"], 4) for a, b in zip(curve, curve[1:])])}
               if curve else {}),
            "summary": summary,
        },
        check_results=[dg.AssetCheckResult(
            check_name=QUALITY_CHECK, passed=passed, severity=dg.AssetCheckSeverity.WARN,
            metadata={"f1_auto": auto["f1"], "candidate_recall": round(cand_recall, 4)},
        )],
    )


matching_assets = [opportunity_matches, review_queue, reconciliation, match_quality]
