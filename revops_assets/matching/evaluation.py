"""Matching quality against a ground truth of (left_id, right_id) pairs, for the quality asset and the benchmark.

Three cuts of the output are scored, from strict to lenient: pairs the engine accepts on its own (auto_matched and
confirmed), everything a reviewer would see as a match (plus needs_review), and every assigned best candidate (plus
"unmatched" rows that still carry a best candidate below the review threshold). Candidate recall bounds them all: a
true pair never proposed cannot be matched. Score distributions of true and false candidate pairs are returned as
arrays and histograms for plotting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .candidates import candidate_recall
from .engine import LinkResult
from .prepare import id_keys


def _keys(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(id_keys(df["left_id"]), id_keys(df["right_id"])))


def precision_recall(predicted: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Precision, recall and F1 of predicted pairs (left_id, right_id) against truth pairs."""
    pred, true = _keys(predicted), _keys(truth)
    tp = len(pred & true)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": len(pred) - tp, "fn": len(true) - tp}


def truth_labels(pairs: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    """1 where a scored pair is a true pair, else 0 (aligned with `pairs`)."""
    true = _keys(truth)
    return np.array([k in true for k in zip(id_keys(pairs["left_id"]), id_keys(pairs["right_id"]))], dtype=int)


def score_distributions(pairs: pd.DataFrame, truth: pd.DataFrame, bins: int = 20) -> dict:
    """Probabilities and log-odds of true vs false candidate pairs, raw and as histograms over fixed bins."""
    y = truth_labels(pairs, truth).astype(bool)
    p = pairs["probability"].to_numpy()
    lo = pairs["log_odds"].to_numpy()
    edges = np.linspace(0.0, 1.0, bins + 1)
    lo_edges = np.linspace(np.floor(lo.min()) if len(lo) else -10, np.ceil(lo.max()) if len(lo) else 10, bins + 1)
    return {
        "match_probability": p[y],
        "non_match_probability": p[~y],
        "match_log_odds": lo[y],
        "non_match_log_odds": lo[~y],
        "probability_bins": edges,
        "match_hist": np.histogram(p[y], edges)[0],
        "non_match_hist": np.histogram(p[~y], edges)[0],
        "log_odds_bins": lo_edges,
        "match_log_odds_hist": np.histogram(lo[y], lo_edges)[0],
        "non_match_log_odds_hist": np.histogram(lo[~y], lo_edges)[0],
    }


def evaluate(result: LinkResult, truth: pd.DataFrame, bins: int = 20) -> dict:
    """Quality of one link run: candidate recall, P/R/F1 at three strictness levels, score distributions."""
    m = result.matches.dropna(subset=["right_id"])
    auto = m[m["status"].isin(["auto_matched", "confirmed"])]
    matched = m[m["is_match"]]
    return {
        "candidates": candidate_recall(result.pairs, truth),
        "auto": precision_recall(auto, truth),
        "matched": precision_recall(matched, truth),
        "assigned": precision_recall(m, truth),
        "distributions": score_distributions(result.pairs, truth, bins),
    }


def active_learning_curve(left: pd.DataFrame, right: pd.DataFrame, spec, truth: pd.DataFrame, rounds: int = 2,
                          per_round: int = 50, candidate_pairs: dict | None = None) -> list[dict]:
    """Quality after each `per_round` decisions taken from the top of the review queue (its order: review_value),
    answered from the truth, as a reviewer would: [{decisions, auto, matched}], starting with none.

    Decided pairs are part of the figures (confirmed pairs count as matches); `auto_undecided` scores only the
    records nobody decided, the honest measure of what the decisions taught the model.
    """
    from .engine import link

    decisions = pd.DataFrame(columns=["left_id", "right_id", "decision"])
    true = _keys(truth)
    curve = []
    for r in range(rounds + 1):
        result = link(left, right, spec, decisions=decisions if len(decisions) else None,
                      candidate_pairs=candidate_pairs)
        m = result.matches.dropna(subset=["right_id"])
        auto = m[m["status"].isin(["auto_matched", "confirmed"])]
        decided_left = set(id_keys(decisions["left_id"])) if len(decisions) else set()
        undecided = auto[~pd.Series(id_keys(auto["left_id"]), index=auto.index).isin(decided_left)]
        truth_undecided = truth[~pd.Series(id_keys(truth["left_id"]), index=truth.index).isin(decided_left)]
        curve.append({"decisions": len(decisions), "auto": precision_recall(auto, truth),
                      "auto_undecided": precision_recall(undecided, truth_undecided),
                      "model": result.model.kind})
        if r == rounds:
            break
        asked = set(zip(id_keys(decisions["left_id"]), id_keys(decisions["right_id"]))) if len(decisions) else set()
        queue = m[m["status"] != "confirmed"].sort_values(["review_value", "information"], ascending=False,
                                                          kind="stable")
        keys = list(zip(id_keys(queue["left_id"]), id_keys(queue["right_id"])))
        pick = [i for i, k in enumerate(keys) if k not in asked][:per_round]
        chosen = queue.iloc[pick]
        verdict = ["confirmed" if k in true else "rejected" for k in
                   zip(id_keys(chosen["left_id"]), id_keys(chosen["right_id"]))]
        decisions = pd.concat([decisions, pd.DataFrame({"left_id": chosen["left_id"].to_numpy(),
                                                        "right_id": chosen["right_id"].to_numpy(),
                                                        "decision": verdict})], ignore_index=True)
    return curve
