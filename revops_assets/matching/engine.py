"""`link()`: the whole matching run on two DataFrames, with no Dagster and no database.

prepare -> decisions -> candidates -> features -> scores -> one-to-one assignment -> statuses -> explanations.
Review decisions always win over the model: a confirmed pair is emitted as "confirmed" and its two records leave the
pool before assignment; a rejected pair is dropped from the candidates, so it can never be assigned again. When several
decisions touch the same pair the latest wins (by `decided_at` when given, else by row order); when two confirmed
pairs share a record, the latest confirmation wins and the older one is ignored (counted in stats).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .assignment import assign
from .candidates import SOURCE_BIT, generate_candidates, source_labels, union_pairs
from .features import compute_features
from .prepare import Side, id_keys, prepare
from .scoring import MatchModel, explain_frame, logit, score
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
    """Row positions of (left_id, right_id) pairs; pairs naming unknown ids are dropped."""
    lpos = pd.Series(np.arange(ls.n), index=ls.id_keys)
    rpos = pd.Series(np.arange(rs.n), index=rs.id_keys)
    lk, rk = id_keys(frame["left_id"]), id_keys(frame["right_id"])
    known = np.isin(lk, ls.id_keys) & np.isin(rk, rs.id_keys)
    return lpos[lk[known]].to_numpy(), rpos[rk[known]].to_numpy()


def _decision_positions(decisions: pd.DataFrame | None, ls: Side, rs: Side) -> tuple[np.ndarray, np.ndarray, dict]:
    """Confirmed (li, ri) pairs and rejected pair keys (li * n_right + ri) in positions, plus counts."""
    empty = np.zeros(0, np.int64)
    if decisions is None or len(decisions) == 0:
        return np.zeros((0, 2), np.int64), empty, {"confirmed": 0, "rejected": 0, "ignored": 0}
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
    lpos = pd.Series(np.arange(ls.n), index=ls.id_keys)
    rpos = pd.Series(np.arange(rs.n), index=rs.id_keys)
    known = d["l"].isin(lpos.index) & d["r"].isin(rpos.index)
    ignored = int((~known).sum())
    d = d[known].assign(li=lambda x: lpos[x["l"]].to_numpy(), ri=lambda x: rpos[x["r"]].to_numpy())
    conf = d[d["decision"] == "confirmed"]
    n_conf = len(conf)
    # Latest confirmation wins when two share a record.
    conf = conf.drop_duplicates("li", keep="last").drop_duplicates("ri", keep="last")
    ignored += n_conf - len(conf)
    rej = d[d["decision"] == "rejected"]
    confirmed = conf[["li", "ri"]].to_numpy(np.int64)
    rejected = rej["li"].to_numpy(np.int64) * rs.n + rej["ri"].to_numpy(np.int64)
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

    model = model or MatchModel.from_spec(spec)
    th = spec.thresholds
    t = time.perf_counter()
    ls, rs = prepare(left, right, spec)
    confirmed, rejected, dec_stats = _decision_positions(decisions, ls, rs)
    t = lap("prepare", t)

    extra = {"decision": (confirmed[:, 0], confirmed[:, 1])}
    for source, frame in (candidate_pairs or {}).items():
        extra[source] = _positions(frame, ls, rs)
    if exhaustive:
        grid = np.indices((ls.n, rs.n)).reshape(2, -1)
        cand = union_pairs({**extra, "all_pairs": (grid[0], grid[1])}, rs.n)
        cstats = {"by_source": {"all_pairs": int(ls.n * rs.n)}, "timings": {}}
    else:
        cand, cstats = generate_candidates(ls, rs, spec, extra=extra)
    n_before = len(cand)
    if len(rejected):
        cand = cand[~np.isin(cand["left_idx"].to_numpy() * rs.n + cand["right_idx"].to_numpy(), rejected)]
    cand = cand.reset_index(drop=True)
    t = lap("candidates", t)

    li, ri = cand["left_idx"].to_numpy(), cand["right_idx"].to_numpy()
    feats = compute_features(ls, rs, li, ri, spec)
    t = lap("features", t)
    scored = score(feats, model)
    t = lap("scoring", t)

    # Decisions first, then the optimal one-to-one assignment among the remaining records.
    is_conf = (cand["source_mask"].to_numpy() & SOURCE_BIT["decision"]) > 0
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
        "candidate_pairs": n_before,
        "pairs_scored": int(len(pairs)),
        "rejected_pairs_removed": int(n_before - len(cand)),
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
    explanations, texts = explain_frame(a, model, spec.features.date_half_life_days)
    a["explanation"] = explanations
    a["reasons"] = texts
    a["is_match"] = np.isin(status, MATCHED_STATUSES)
    cols = ["left_id", "right_id", "status", "is_match", "probability", "log_odds", "sources", "explanation",
            "reasons"]
    base = pd.DataFrame({"left_id": ls.ids})
    out = base.merge(a[cols], on="left_id", how="left")
    if pd.api.types.is_integer_dtype(np.asarray(assigned["right_id"]).dtype):
        out["right_id"] = out["right_id"].astype("Int64")  # unmatched rows must not turn integer ids into floats
    out["status"] = out["status"].fillna("unmatched")
    out["is_match"] = out["is_match"].fillna(False).astype(bool)
    out["reasons"] = out["reasons"].fillna("no candidate above the floor")
    return out
