"""`link()`: the whole matching run on two DataFrames, with no Dagster and no database.

prepare -> decisions -> candidates -> features -> calibration (EM on these tables, decisions clamped; see
calibration.py) -> scores -> one-to-one assignment -> statuses -> explanations.
Review decisions always win over the model: a confirmed pair is emitted as "confirmed" and its two records leave the
pool before assignment; a rejected pair teaches the calibration, then is dropped from the candidates, so it can never
be assigned again. When several decisions touch the same pair the latest wins (by `decided_at` when given, else by
row order); when two confirmed pairs share a record, the latest confirmation wins and the older one is ignored
(counted in stats).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .assignment import assign
from .candidates import generate_candidates, source_labels, union_pairs
from .features import compute_features
from .prepare import Side, id_keys, prepare
from .scoring import CONTRIB_PREFIX, MatchModel, explain_frame, logit, score
from .spec import MATCHED_STATUSES, LinkSpec


@dataclass
class LinkResult:
    """Outcome of one run.

    pairs: every scored candidate pair: left_id, right_id, sources, the FEATURES columns, w_<feature> contributions,
        log_odds, probability, decision (confirmed/None), assigned (bool).
    matches: one row per left record: left_id, right_id (the assigned right, None when no candidate reached the floor),
        status (confirmed | auto_matched | needs_review | unmatched), probability, log_odds, sources, explanation
        (dict feature -> contribution, summing to log_odds), reasons (short text). An "unmatched" row may still carry
        its best right_id below the review threshold: use `is_match` (status in MATCHED_STATUSES) to filter.
    stats: counts per candidate source, pairs scored, decisions applied, status counts, timings in seconds.
    unmatched_right_ids: right ids no left record is matched to (e.g. Odoo AWS deals never registered in ACE).
    """

    pairs: pd.DataFrame
    matches: pd.DataFrame
    stats: dict
    model: MatchModel
    unmatched_right_ids: list = field(default_factory=list)


def _positions(frame: pd.DataFrame, ls: Side, rs: Side) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of (left_id, right_id) pairs; pairs naming unknown ids are dropped.

    A hash lookup (pandas Index.get_indexer), linear in the number of pairs: np.isin on object arrays of string ids
    compares element by element and was quadratic in practice."""
    lpos = pd.Index(ls.id_keys).get_indexer(id_keys(frame["left_id"]))
    rpos = pd.Index(rs.id_keys).get_indexer(id_keys(frame["right_id"]))
    known = (lpos >= 0) & (rpos >= 0)
    return lpos[known].astype(np.int64), rpos[known].astype(np.int64)


def _decision_positions(decisions: pd.DataFrame | None, ls: Side, rs: Side) -> tuple[np.ndarray, np.ndarray, dict]:
    """Confirmed and rejected (li, ri) pairs in positions, plus counts."""
    if decisions is None or len(decisions) == 0:
        return np.zeros((0, 2), np.int64), np.zeros((0, 2), np.int64), {"confirmed": 0, "rejected": 0, "ignored": 0}
    d = pd.DataFrame({
        "l": id_keys(decisions["left_id"]),
        "r": id_keys(decisions["right_id"]),
        "decision": decisions["decision"].astype(str).str.lower().to_numpy(),
    })
    if "decided_at" in decisions:
        d = d.iloc[np.argsort(pd.to_datetime(decisions["decided_at"]).to_numpy(), kind="stable")]
    bad = ~d["decision"].isin(["confirmed", "rejected"])
    if bad.any():
        raise ValueError(f"decision must be 'confirmed' or 'rejected', got {sorted(d.loc[bad, 'decision'].unique())}")
    d = d.drop_duplicates(["l", "r"], keep="last")
    d["li"] = pd.Index(ls.id_keys).get_indexer(d["l"].to_numpy())
    d["ri"] = pd.Index(rs.id_keys).get_indexer(d["r"].to_numpy())
    known = (d["li"] >= 0) & (d["ri"] >= 0)
    ignored = int((~known).sum())
    d = d[known]
    conf = d[d["decision"] == "confirmed"]
    n_conf = len(conf)
    # Latest confirmation wins when two share a record.
    conf = conf.drop_duplicates("li", keep="last").drop_duplicates("ri", keep="last")
    ignored += n_conf - len(conf)
    rej = d[d["decision"] == "rejected"]
    confirmed = conf[["li", "ri"]].to_numpy(np.int64)
    rejected = rej[["li", "ri"]].to_numpy(np.int64)
    return confirmed, rejected, {"confirmed": len(conf), "rejected": len(rej), "ignored": ignored}


def link(
    left: pd.DataFrame,
    right: pd.DataFrame,
    spec: LinkSpec,
    decisions: pd.DataFrame | None = None,
    model: MatchModel | None = None,
    exhaustive: bool = False,
    candidate_pairs: dict[str, pd.DataFrame] | None = None,
) -> LinkResult:
    """Link `left` to `right` as `spec` describes; decisions (left_id, right_id, decision[, decided_at]) always win.

    `exhaustive=True` scores every left x right pair instead of candidates (a brute-force baseline for small tables).
    `candidate_pairs` supplies candidates found elsewhere, by source name (e.g. "knn_identity" from a pgvector index):
    DataFrames of left_id, right_id; a source given here is not searched again in memory.
    """
    t_start = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, t0: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        return now

    th = spec.thresholds
    t = time.perf_counter()
    ls, rs = prepare(left, right, spec)
    confirmed, rejected, dec_stats = _decision_positions(decisions, ls, rs)
    t = lap("prepare", t)

    # decided pairs are candidates too: EM learns from both kinds; rejected ones leave before assignment
    extra = {"decision": (np.r_[confirmed[:, 0], rejected[:, 0]], np.r_[confirmed[:, 1], rejected[:, 1]])}
    for source, frame in (candidate_pairs or {}).items():
        extra[source] = _positions(frame, ls, rs)
    if exhaustive:
        grid = np.indices((ls.n, rs.n)).reshape(2, -1)
        cand = union_pairs({**extra, "all_pairs": (grid[0], grid[1])}, rs.n)
        cstats = {"by_source": {"all_pairs": int(ls.n * rs.n)}, "timings": {}}
    else:
        cand, cstats = generate_candidates(ls, rs, spec, extra=extra)
    n_before = len(cand)
    t = lap("candidates", t)

    li, ri = cand["left_idx"].to_numpy(), cand["right_idx"].to_numpy()
    feats = compute_features(ls, rs, li, ri, spec)
    t = lap("features", t)
    labels = _labels(li, ri, confirmed, rejected, rs.n)
    if model is None:
        model = calibrate(ls, rs, li, ri, feats, spec, labels)
    t = lap("calibration", t)
    keep = labels != 0  # rejected pairs can never be assigned again
    cand, feats, li, ri = cand[keep].reset_index(drop=True), feats[keep].reset_index(drop=True), li[keep], ri[keep]
    scored = with_rivals(score(feats, model), model, li, ri, ls.n, rs.n)
    t = lap("scoring", t)

    # Decisions first, then the optimal one-to-one assignment among the remaining records.
    is_conf = labels[keep] == 1
    taken_l = np.zeros(ls.n, bool)
    taken_r = np.zeros(rs.n, bool)
    taken_l[confirmed[:, 0]] = True
    taken_r[confirmed[:, 1]] = True
    log_odds = scored["log_odds"].to_numpy()
    gain = np.where(taken_l[li] | taken_r[ri], -1.0, log_odds - logit(th.floor))
    chosen = assign(li, ri, gain)
    assigned = np.zeros(len(cand), bool)
    assigned[chosen] = True
    assigned |= is_conf
    t = lap("assignment", t)

    pairs = pd.DataFrame({
        "left_id": ls.ids[li],
        "right_id": rs.ids[ri],
        "sources": source_labels(cand["source_mask"].to_numpy()),
    })
    pairs = pd.concat([pairs, feats, scored], axis=1)
    pairs["decision"] = np.where(is_conf, "confirmed", None)
    pairs["assigned"] = assigned

    matches = _matches(pairs[assigned], ls, th, model, spec)
    t = lap("explanations", t)
    timings["total"] = round(time.perf_counter() - t_start, 3)

    matched_right = matches.loc[matches["is_match"], "right_id"]
    status_counts = matches["status"].value_counts().to_dict()
    stats = {
        "n_left": ls.n,
        "n_right": rs.n,
        "candidates_by_source": cstats["by_source"],
        "knn_search": cstats.get("knn", {}),
        "candidate_pairs": n_before,
        "pairs_scored": int(len(pairs)),
        "rejected_pairs_removed": int(n_before - len(cand)),
        "crm_keys": {name: {"filled": side.crm_key_status.get("filled", 0),
                            "parsed_as_ids": side.crm_key_status.get("parsed", 0),
                            "existing_ids": side.crm_key_status.get("existing", 0)}
                     for name, side in (("left", ls), ("right", rs)) if side.crm_key_status is not None},
        "generic_titles": {"left": int(ls.title_generic.sum()) if ls.title_generic is not None else 0,
                           "right": int(rs.title_generic.sum()) if rs.title_generic is not None else 0},
        "decisions": dec_stats,
        "status_counts": {s: int(status_counts.get(s, 0)) for s in ("confirmed", "auto_matched", "needs_review",
                                                                   "unmatched")},
        "model": model.kind,
        "timings": {**timings, "candidates_by_source": cstats["timings"]},
    }
    unmatched_right = rs.ids[~pd.Series(rs.ids).isin(matched_right).to_numpy()].tolist()
    return LinkResult(pairs=pairs, matches=matches, stats=stats, model=model, unmatched_right_ids=unmatched_right)


def _matches(assigned: pd.DataFrame, ls: Side, th, model: MatchModel, spec: LinkSpec) -> pd.DataFrame:
    """One row per left record with its assigned pair (if any), status and explanation."""
    a = assigned.copy()
    p = a["probability"].to_numpy()
    status = np.select([a["decision"].to_numpy() == "confirmed", p >= th.auto, p >= th.review],
                       ["confirmed", "auto_matched", "needs_review"], "unmatched")
    a["status"] = status
    explanations, texts = explain_frame(a, model, spec)
    a["information"] = expected_information(a["probability"].to_numpy())
    a["review_value"] = review_value(a["probability"].to_numpy(), status == "auto_matched")
    a["explanation"] = explanations
    a["reasons"] = texts
    a["is_match"] = np.isin(status, MATCHED_STATUSES)
    cols = ["left_id", "right_id", "status", "is_match", "probability", "log_odds", "sources", "explanation",
            "reasons", "information", "review_value"]
    base = pd.DataFrame({"left_id": ls.ids})
    out = base.merge(a[cols], on="left_id", how="left")
    if pd.api.types.is_integer_dtype(np.asarray(assigned["right_id"]).dtype):
        out["right_id"] = out["right_id"].astype("Int64")  # unmatched rows must not turn integer ids into floats
    out["status"] = out["status"].fillna("unmatched")
    out["is_match"] = out["is_match"].fillna(False).astype(bool)
    out["reasons"] = out["reasons"].fillna("no candidate above the floor")
    out["information"] = out["information"].fillna(0.0)
    out["review_value"] = out["review_value"].fillna(0.0)
    return out


def with_rivals(scored: pd.DataFrame, model: MatchModel, li: np.ndarray, ri: np.ndarray, n_left: int,
                n_right: int) -> pd.DataFrame:
    """Each pair's probability given its records' OTHER candidates too: the posterior of "which candidate, or
    none" of its left record, then of its right record (calibration.one_to_one_posterior, with the estimated match
    prior).
    A pair with no plausible rival gains, one with a strong rival loses. The change is the `w_rivals`
    contribution, so the explanation still sums to the log-odds."""
    if model.kind == "default" or "match_prior" not in model.report or len(li) == 0:
        scored[CONTRIB_PREFIX + "rivals"] = 0.0
        return scored
    from .calibration import one_to_one_posterior

    p = scored["probability"].to_numpy()
    prior_match = float(model.report["match_prior"])
    p2 = np.clip(one_to_one_posterior(p, li, ri, n_left, n_right, prior_match), 1e-12, 1 - 1e-12)
    lo2 = np.log(p2) - np.log1p(-p2)
    scored[CONTRIB_PREFIX + "rivals"] = lo2 - scored["log_odds"].to_numpy()
    scored["log_odds"] = lo2
    scored["probability"] = p2
    return scored


def _labels(li: np.ndarray, ri: np.ndarray, confirmed: np.ndarray, rejected: np.ndarray, n_right: int) -> np.ndarray:
    """Per candidate: 1 confirmed, 0 rejected, -1 undecided."""
    key = li.astype(np.int64) * n_right + ri
    labels = np.full(len(li), -1, np.int8)
    labels[np.isin(key, confirmed[:, 0] * n_right + confirmed[:, 1])] = 1
    labels[np.isin(key, rejected[:, 0] * n_right + rejected[:, 1])] = 0
    return labels


def calibrate(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray, feats: pd.DataFrame, spec: LinkSpec,
              labels: np.ndarray | None = None) -> MatchModel:
    """The model for this run: EM on these tables (decisions clamped, and a held-fold calibration once there are
    enough of them), or the hand-set weights when spec.calibration.method is "defaults"."""
    if spec.calibration.method == "defaults" or len(li) < spec.calibration.min_pairs:
        model = MatchModel.from_spec(spec)
        if spec.calibration.method != "defaults":
            model.report["calibration"] = (f"hand-set weights: {len(li)} candidate pairs are too few to estimate "
                                           f"from (EM needs >= {spec.calibration.min_pairs})")
        return model
    from .calibration import estimate, grouped_defs, random_pairs
    from .scoring import level_codes

    rl, rr = random_pairs(ls.n, rs.n, spec.calibration.random_pairs)
    random_feats = compute_features(ls, rs, rl, rr, spec)
    defs = grouped_defs(feats, random_feats, li, ri, ls.n, rs.n, spec, labels)
    random_codes = level_codes(random_feats, defs)
    codes = level_codes(feats, defs)
    model = estimate(codes, li, ri, ls.n, rs.n, random_codes, spec, labels=labels, defs=defs)
    if labels is not None and (labels >= 0).any():
        from .learning import calibrate_on_folds

        model = calibrate_on_folds(model, codes, li, ri, ls.n, rs.n, random_codes, spec, labels)
    return model


def expected_information(p: np.ndarray) -> np.ndarray:
    """What a reviewer's verdict on a pair is expected to teach: the entropy of its match probability, in bits
    (1 at p = 0.5, ~0 for certain pairs). The review queue is ordered by it."""
    p = np.clip(np.asarray(p, float), 1e-9, 1 - 1e-9)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def review_value(p: np.ndarray, accepted: np.ndarray) -> np.ndarray:
    """The chance that a reviewer's verdict changes what the engine outputs for a pair: for a pair it does not
    accept on its own, the probability it is a match (a confirmation adds it); for an auto-matched one, the
    probability it is not (a rejection removes it). The review queue is ordered by it, then by information: a pair
    just under the auto threshold is worth more than a coin flip the engine already leaves out (docs/benchmarks.md:
    on the harder generator, 100 decisions in this order did better than in entropy order at medium and high noise)."""
    p = np.asarray(p, float)
    return np.where(np.asarray(accepted, bool), 1.0 - p, p)


def score_pairs(left: pd.DataFrame, right: pd.DataFrame, pairs: pd.DataFrame, spec: LinkSpec,
                model: MatchModel | None = None) -> pd.DataFrame:
    """Pairwise mode: score GIVEN pairs (left_id, right_id) with the spec's comparisons, no candidate search or
    assignment. Without a model, EM estimates one on these pairs (u from random pairs of the two tables).
    Returns the pairs with their features, contributions, log_odds and probability; unknown ids are dropped."""
    ls, rs = prepare(left, right, spec)
    li, ri = _positions(pairs, ls, rs)
    feats = compute_features(ls, rs, li, ri, spec)
    model = model or calibrate(ls, rs, li, ri, feats, spec)
    scored = score(feats, model)
    out = pd.DataFrame({"left_id": ls.ids[li], "right_id": rs.ids[ri]})
    return pd.concat([out, feats, scored], axis=1)
