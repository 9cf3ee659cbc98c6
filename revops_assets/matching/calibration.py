"""Unsupervised calibration: Fellegi-Sunter EM on the data at hand, the hand-set weights only as its prior.

As Splink does (`linker.training.estimate_u_using_random_sampling` + `estimate_parameters_using_expectation_
maximisation`):
- u (how often each level occurs among NON-matches) is counted on random pairs of the two tables, which are almost
  all non-matches;
- m (how often each level occurs among matches) and the match prior are estimated by EM over the candidate pairs,
  where matches are concentrated: E-step, each candidate's match probability under the current m, u and prior;
  M-step, m = the probability-weighted level frequencies; prior = expected matches / (n_left x n_right), the
  probability that two random records match (candidates hold nearly every match).

Where it departs from Splink, and why:
- Correlated features are grouped into one comparison (scoring.level_defs), so EM estimates what the company
  evidence says as a whole instead of multiplying account, domain, name and embedding as if independent.
- Group levels are bands of the members' weights estimated by a first, per-feature EM (`grouped_defs`), so the
  hand-set weights do not decide how a group is cut.
- Optionally (`condition_on: company`, off by default), the u of every other comparison is estimated twice: from
  random pairs for pairs of different companies, and by EM among the candidates of the same company, whose
  non-matches are that customer's other deals (only while they hold enough expected non-matches).
- m is a MAP estimate: `prior_strength` pseudo-pairs distributed as the hand-set weights imply (m ∝ u * e^w), so a
  level seen rarely keeps a sensible weight and the estimate cannot run away on small data.
- Soft one-to-one (`one_to_one`): in each E-step a record's candidates share one "which of them, or none"
  posterior (left first, then right), the linkage's own structure, which keeps a company's several deals from all
  counting as matches.
- Decisions, when given, are clamped (confirmed = 1, rejected = 0) in every E-step: semi-supervised EM.
"""

from __future__ import annotations

import numpy as np

from .scoring import MatchModel, level_codes, level_defs, logit, probability
from .spec import LinkSpec

SMOOTH = 0.5  # add-half counts for u, so a level never seen among random pairs gets a finite weight


def _counts(codes: np.ndarray, n_levels: int, weights: np.ndarray | None = None) -> np.ndarray:
    ok = codes >= 0
    w = None if weights is None else weights[ok]
    return np.bincount(codes[ok], weights=w, minlength=n_levels)[:n_levels].astype(float)


def u_from_random(random_codes: np.ndarray, n_levels: list[int]) -> list[np.ndarray]:
    out = []
    for j, k in enumerate(n_levels):
        c = _counts(random_codes[:, j], k) + SMOOTH
        out.append(c / c.sum())
    return out


def one_to_one_posterior(gamma: np.ndarray, li: np.ndarray, ri: np.ndarray, n_left: int, n_right: int,
                lam: float) -> np.ndarray:
    """Each record has at most one match: per left (then per right), the posterior of "which candidate, or none",
    P(j) = o_j / ((1 - pi) + sum of the record's odds o_k), with o = p / (1 - p) and pi = lam x (size of the other
    table), the prior share of records that have a match at all."""
    for idx, n, n_other in ((li, n_left, n_right), (ri, n_right, n_left)):
        pi = min(lam * n_other, 0.99)
        odds = gamma / np.maximum(1.0 - gamma, 1e-12)
        total = np.bincount(idx, weights=odds, minlength=n)
        gamma = odds / ((1.0 - pi) + total[idx])
    return np.clip(gamma, 0.0, 1.0)


def _weights(m: np.ndarray, u: np.ndarray) -> np.ndarray:
    """ln m/u per level."""
    return np.log(m) - np.log(u)


def random_pairs(n_left: int, n_right: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n distinct-ish random (left, right) positions (all pairs when the product is small)."""
    total = n_left * n_right
    rng = np.random.default_rng(seed)
    if total <= n:
        grid = np.arange(total, dtype=np.int64)
    else:
        grid = np.unique(rng.integers(0, total, n, dtype=np.int64))
    return grid // n_right, grid % n_right


def estimate(
    codes: np.ndarray,
    li: np.ndarray,
    ri: np.ndarray,
    n_left: int,
    n_right: int,
    random_codes: np.ndarray,
    spec: LinkSpec,
    labels: np.ndarray | None = None,
    start: MatchModel | None = None,
    iterations: int | None = None,
    defs: list | None = None,
) -> MatchModel:
    """EM estimates for the candidate pairs' level `codes` (rows aligned with li, ri; see module docstring).

    `labels`: per candidate 1 (confirmed), 0 (rejected) or -1 (undecided). `start`: the model whose E-step begins
    (default: the hand-set weights). Returns a MatchModel of kind "em" ("fitted" when labels were clamped).
    """
    cal = spec.calibration
    defs = defs if defs is not None else (start.levels if start is not None else level_defs(spec))
    names = [d.name for d in defs]
    n_levels = [d.n_levels for d in defs]
    u_rand = u_from_random(random_codes, n_levels)
    m_prior = []
    for d, u in zip(defs, u_rand):
        m = u * np.exp(np.asarray(d.default_weights, float))
        m_prior.append(m / m.sum())
    cond = spec.weights.condition_on
    cj = names.index(cond) if cond in names else None
    # "same" (e.g. same company): the bands whose lower edge is at least `same_at` log-odds of agreement
    same_levels = ([i for i, t in enumerate(defs[cj].thresholds) if t >= spec.weights.same_at]
                   if cj is not None else [])
    same = np.isin(codes[:, cj], same_levels) if cj is not None else np.zeros(len(codes), bool)
    clamp = labels is not None and (np.asarray(labels) >= 0).any()
    lab = np.asarray(labels) if clamp else None

    model = start or MatchModel(prior_log_odds=spec.weights.prior_log_odds, levels=defs,
                                weights={d.name: list(d.default_weights) for d in defs})
    from .scoring import contributions_from_codes, prior

    if start is None:  # the hand-set model's candidate-level prior, then EM's own
        lo = prior(model) + contributions_from_codes(codes, model).sum(axis=1)
    else:
        lo = prior(start) + contributions_from_codes(codes, start).sum(axis=1)
    gamma = probability(lo)
    m_est = [mp.copy() for mp in m_prior]
    u_same = [u.copy() for u in u_rand]
    lam = 1.0 / max(n_left * n_right, 1)
    n_iter = iterations or cal.iterations
    done = 0
    for done in range(1, n_iter + 1):
        if cal.one_to_one:
            gamma = one_to_one_posterior(gamma, li, ri, n_left, n_right, lam)
        if clamp:
            gamma = np.where(lab >= 0, lab, gamma)
        # M-step
        prev = [m.copy() for m in m_est]
        # conditioning needs non-matches to learn from: among same-company candidates, at least 30 expected ones
        # and 5% (pairs given for scoring may hold almost none; their u would then be learned from matches)
        nonmatch_same = float((1.0 - gamma[same]).sum()) if same.any() else 0.0
        condition = nonmatch_same >= max(30.0, 0.05 * float(same.sum()))
        for j, k in enumerate(n_levels):
            c = codes[:, j]
            m_counts = _counts(c, k, gamma) + cal.prior_strength * m_prior[j]
            m_est[j] = m_counts / m_counts.sum()
            if cj is not None and j != cj and same.any():
                if condition:
                    u_counts = _counts(c[same], k, 1.0 - gamma[same]) + cal.prior_strength * u_rand[j]
                    u_same[j] = u_counts / u_counts.sum()
                else:
                    u_same[j] = u_rand[j]
        lam = float(np.clip(gamma.sum() / max(n_left * n_right, 1), 1e-12, 0.5))
        # E-step
        lo = np.full(len(codes), logit(lam))
        for j in range(len(defs)):
            c = codes[:, j]
            w = _weights(m_est[j], u_rand[j])
            contrib = np.where(c >= 0, np.append(w, 0.0)[c], 0.0)
            if cj is not None and j != cj and same.any():
                ws = _weights(m_est[j], u_same[j])
                contrib = np.where(same & (c >= 0), np.append(ws, 0.0)[c], contrib)
            lo += contrib
        gamma = probability(lo)
        if max(float(np.abs(a - b).max()) for a, b in zip(m_est, prev)) < 1e-5:
            break
    if cal.one_to_one:
        gamma = one_to_one_posterior(gamma, li, ri, n_left, n_right, lam)
    if clamp:
        gamma = np.where(lab >= 0, lab, gamma)
    lam = float(np.clip(gamma.sum() / max(n_left * n_right, 1), 1e-12, 0.5))

    weights = {n: [round(float(x), 4) for x in _weights(m, u)] for n, m, u in zip(names, m_est, u_rand)}
    weights_same = {}
    if cj is not None and same.any():
        weights_same = {n: [round(float(x), 4) for x in _weights(m, u)]
                        for j, (n, m, u) in enumerate(zip(names, m_est, u_same)) if j != cj}
    report = {
        "method": "Fellegi-Sunter EM" + (" with decisions clamped" if clamp else ""),
        "iterations": done,
        "candidate_pairs": int(len(codes)),
        "random_pairs": int(len(random_codes)),
        "expected_matches": round(float(gamma.sum()), 1),
        "match_prior": float(f"{lam:.4g}"),
        "m": {n: [round(float(x), 4) for x in m] for n, m in zip(names, m_est)},
        "u": {n: [float(f"{x:.4g}") for x in u] for n, u in zip(names, u_rand)},
        "u_same_company": {n: [round(float(x), 4) for x in u_same[j]] for j, n in enumerate(names)
                           if cj is not None and j != cj},
        "thresholds": {d.name: d.thresholds for d in defs},
    }
    return MatchModel(prior_log_odds=round(logit(lam), 4), levels=defs, weights=weights, weights_same=weights_same,
                      condition_on=cond if weights_same else None, same_levels=same_levels,
                      kind="fitted" if clamp else "em", report=report)



def grouped_defs(feats, random_feats, li, ri, n_left: int, n_right: int, spec: LinkSpec,
                 labels: np.ndarray | None = None) -> list:
    """Level definitions whose group bands come from the data, not from the hand-set weights.

    First every feature is its own comparison (Splink's independent model) and EM estimates its weights; a group's
    value is then the sum of its members' estimated weights (a data-driven ranking of, e.g., how strongly the company
    evidence agrees), and its bands are quantiles of that value among all candidates (upper half) and among the
    likely matches (p >= 0.5 in that first model), so every band is populated where it matters. The grouped EM that
    follows estimates each band's own weight: the sum only orders pairs, it is never taken as the evidence.
    """
    from .learning import log_odds
    from .spec import Levels

    w = spec.weights
    if not w.groups:
        return level_defs(spec)
    flat = spec.model_copy(update={"weights": w.model_copy(update={"groups": {}, "condition_on": None})})
    defs0 = level_defs(flat)
    codes0 = level_codes(feats, defs0)
    m0 = estimate(codes0, li, ri, n_left, n_right, level_codes(random_feats, defs0), flat, labels=labels, defs=defs0)
    likely = probability(log_odds(m0, codes0)) >= 0.5
    member_levels = {f: Levels(thresholds=list(w.levels[f].thresholds), weights=m0.weights[f])
                     for members in w.groups.values() for f in members if f in m0.weights}
    provisional = level_defs(spec, member_levels)
    edges = {}
    from .scoring import comparison_value

    for d in provisional:
        if not d.is_group:
            continue
        v = comparison_value(feats, d)
        ok = ~np.isnan(v)
        qs = list(np.quantile(v[ok], [0.5, 0.75, 0.9])) if ok.any() else []
        if (ok & likely).any():
            qs += list(np.quantile(v[ok & likely], [0.05, 0.2, 0.4, 0.6, 0.8]))
        cut = sorted({round(float(q), 3) for q in qs}, reverse=True)
        edges[d.name] = cut or d.thresholds
    return level_defs(spec, member_levels, edges)
