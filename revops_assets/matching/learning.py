"""Learning from review decisions: decisions move the weights, the prior and the probability scale.

1. Weights and prior: the decided pairs are clamped in the EM of `calibration.estimate` (confirmed = 1, rejected = 0)
   while every undecided candidate still contributes its expected value, so a few dozen decisions correct the
   estimates without being the only data they rest on. Nothing else is labelled: the rivals of a confirmed pair
   are NOT taken as rejections (one ACE registration can truly cover two Odoo deals, and the reverse), only the
   soft one-to-one of the E-step prefers one partner per record.
2. Calibration on held folds: with at least `calibration.min_decisions` decisions (and 5 of each kind), the
   decided pairs are split in k folds; for each, EM runs with the other folds' decisions clamped and scores the
   held-out fold. A logistic fit of the held-out log-odds (log_odds' = a * log_odds + b, shrunk toward a = 1,
   b = 0) and the held-out log-loss, ROC-AUC and F1 before and after it are reported. It is APPLIED only with
   `calibration.apply_held_fold_calibration` (and when it lowers the held-out log-loss): decisions taken from the
   review queue are its most uncertain pairs, not a sample of all pairs, and a fit on them mis-scales the rest (on
   the demo's data it pushed every probability under 0.8).

`fit_from_labels` is the same thing as a function of two tables and a decision list (what `link` does inside).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .scoring import MatchModel, contributions_from_codes, prior, probability
from .spec import LinkSpec


@dataclass
class FitResult:
    """The model to use next and how it was obtained."""

    model: MatchModel
    fitted: bool
    message: str
    n_labels: int = 0
    n_pos: int = 0
    n_neg: int = 0
    cv: dict = field(default_factory=dict)


def log_odds(model: MatchModel, codes: np.ndarray) -> np.ndarray:
    return prior(model) + contributions_from_codes(codes, model).sum(axis=1)


def _metrics(y: np.ndarray, lo: np.ndarray) -> dict:
    from sklearn.metrics import f1_score, log_loss, roc_auc_score

    p = probability(lo)
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if 0 < y.sum() < len(y) else None,
        "f1": round(float(f1_score(y, p >= 0.5, zero_division=0)), 4),
        "log_loss": round(float(log_loss(y, np.clip(p, 1e-9, 1 - 1e-9), labels=[0, 1])), 4),
    }


def _platt(lo: np.ndarray, y: np.ndarray, shrink: float = 1.0) -> tuple[float, float]:
    """a, b minimizing log-loss of sigmoid(a * lo + b) plus shrink * ((a - 1)^2 + b^2) / n."""
    from scipy.optimize import minimize

    lo = np.clip(lo, -30, 30)

    def loss(v):
        a, b = v
        z = a * lo + b
        ll = np.sum(np.logaddexp(0, z) - y * z)
        return (ll + shrink * ((a - 1) ** 2 + b**2)) / len(y)

    res = minimize(loss, x0=[1.0, 0.0], method="L-BFGS-B", bounds=[(0.05, 5.0), (-15.0, 15.0)])
    return float(res.x[0]), float(res.x[1])


def calibrate_on_folds(model: MatchModel, codes: np.ndarray, li: np.ndarray, ri: np.ndarray, n_left: int,
                       n_right: int, random_codes: np.ndarray, spec: LinkSpec, labels: np.ndarray,
                       folds: int = 5, seed: int = 0) -> MatchModel:
    """`model` (EM with every decision clamped) with a held-fold calibration of its log-odds, when there are
    enough decisions and it helps (see the module docstring); the figures go to model.report["calibration"]."""
    from sklearn.model_selection import StratifiedKFold

    from .calibration import estimate

    decided = np.flatnonzero(labels >= 0)
    y = labels[decided].astype(int)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    need = spec.calibration.min_decisions
    if len(y) < need or n_pos < 5 or n_neg < 5:
        model.report["calibration"] = (f"none: {len(y)} decisions ({n_pos} confirmed, {n_neg} rejected); held-fold "
                                       f"calibration needs >= {need} with >= 5 of each (they are clamped in EM)")
        return model
    k = min(folds, n_pos, n_neg)
    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(decided, y):
        lab = labels.copy()
        lab[decided[test]] = -1
        m = estimate(codes, li, ri, n_left, n_right, random_codes, spec, labels=lab, start=model, iterations=10)
        oof[test] = log_odds(m, codes[decided[test]])
    a, b = _platt(oof, y)
    before, after = _metrics(y, oof), _metrics(y, a * oof + b)
    report = {"decisions": len(y), "confirmed": n_pos, "rejected": n_neg, "folds": k, "scale": round(a, 4),
              "shift": round(b, 4), "held_out_before": before, "held_out_after": after}
    if after["log_loss"] < before["log_loss"] and spec.calibration.apply_held_fold_calibration:
        model = model.model_copy(update={"scale": a, "shift": b})
        report["applied"] = True
    else:
        report["applied"] = False
    model.report["calibration"] = report
    return model


def fit_from_labels(left: pd.DataFrame, right: pd.DataFrame, decisions: pd.DataFrame, spec: LinkSpec,
                    candidate_pairs: dict[str, pd.DataFrame] | None = None) -> FitResult:
    """The model `link` would use with these decisions (EM with them clamped, calibrated on held folds)."""
    from .engine import link

    result = link(left, right, spec, decisions=decisions, candidate_pairs=candidate_pairs)
    model = result.model
    dec = result.stats["decisions"]
    cal = model.report.get("calibration")
    cv = cal if isinstance(cal, dict) else {}
    n = dec["confirmed"] + dec["rejected"]
    message = (f"EM with {n} decisions clamped ({dec['confirmed']} confirmed, {dec['rejected']} rejected); "
               + (f"held-fold calibration a={cv['scale']}, b={cv['shift']}"
                  f" ({'applied' if cv.get('applied') else 'not applied: no better held-out log-loss'})"
                  if cv else str(cal)))
    return FitResult(model=model, fitted=model.kind == "fitted", message=message, n_labels=n,
                     n_pos=dec["confirmed"], n_neg=dec["rejected"], cv=cv)
