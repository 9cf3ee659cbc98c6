"""Pairwise mode: score given pairs of two tables with comparisons chosen from the data and a learned combination.

Used by `revops eval-er` (the DeepMatcher / Ditto benchmark format) and by anyone holding labelled pairs of two
tables without a linkage spec. Nothing here knows a data set: the comparisons come from the column types
(`comparisons.comparisons_for`), the combination is learned from labelled pairs, and the decision threshold is the one
that maximizes F1 on held-out labelled pairs (a validation split, or out-of-fold predictions when there is none).

The learner is an ensemble of gradient-boosted trees (scikit-learn's HistGradientBoosting: missing values are a
native branch, so "cannot compare" stays distinct from "different") with a logistic regression over the same
features, averaged in probability; trees find interactions (a matching model number matters when brands agree),
the linear model keeps small training sets from being over-fitted. Probabilities are calibrated on held folds
(isotonic on out-of-fold predictions) so that a threshold means the same on any data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .comparisons import Comparison, Encoder, compare, comparisons_for


@dataclass
class PairwiseModel:
    """A fitted combination of comparison values -> match probability, and its decision threshold."""

    columns: list[str]
    threshold: float = 0.5
    report: dict = field(default_factory=dict)
    _models: list = field(default_factory=list, repr=False)
    _calibrator: object | None = field(default=None, repr=False)

    def raw_proba(self, x: pd.DataFrame) -> np.ndarray:
        return np.mean([_predict(m, x[self.columns].to_numpy(float)) for m in self._models], axis=0)

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        p = self.raw_proba(x)
        return self._calibrator.predict(p) if self._calibrator is not None else p


def _predict(model, x: np.ndarray) -> np.ndarray:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _predict_1(model, x)


def _predict_1(model, x: np.ndarray) -> np.ndarray:
    kind, est = model
    if kind == "linear":
        imputer, scaler, lr = est
        return lr.predict_proba(scaler.transform(imputer.transform(x)))[:, 1]
    return est.predict_proba(x)[:, 1]


def _fit_models(x: np.ndarray, y: np.ndarray, seed: int) -> list:
    from threadpoolctl import threadpool_limits

    # One OpenMP thread: on a shared or small machine, busy-waiting threads make boosting 20x slower, not faster.
    with threadpool_limits(1):
        return _fit_models_1(x, y, seed)


def _fit_models_1(x: np.ndarray, y: np.ndarray, seed: int) -> list:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    models = []
    min_leaf = int(np.clip(len(y) // 100, 5, 20))
    for s in range(3):
        hgb = HistGradientBoostingClassifier(
            max_iter=300, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=min_leaf, l2_regularization=1.0,
            class_weight="balanced", random_state=seed + s,
        )
        hgb.fit(x, y)
        models.append(("trees", hgb))
    # missing values: an indicator per column plus the median, so "absent" differs from "dissimilar"
    imputer = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)
    xi = imputer.fit_transform(x)
    scaler = StandardScaler().fit(xi)
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)
    lr.fit(scaler.transform(xi), y)
    models.append(("linear", (imputer, scaler, lr)))
    return models


def best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The probability cut that maximizes F1 on (p, y), and that F1; ties broken toward the middle of the range."""
    y = np.asarray(y, int)
    if y.sum() == 0:
        return 0.5, 0.0
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ps) + 1)
    f1 = 2 * tp / (k + y.sum())
    # only cut between distinct probabilities
    distinct = np.r_[ps[1:] != ps[:-1], True]
    f1 = np.where(distinct, f1, -1)
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    i = best[len(best) // 2]
    nxt = ps[i + 1] if i + 1 < len(ps) else 0.0
    return float((ps[i] + nxt) / 2), float(f1[i])


def fit_pairwise(x: pd.DataFrame, y: np.ndarray, x_valid: pd.DataFrame | None = None,
                 y_valid: np.ndarray | None = None, folds: int = 5, seed: int = 0) -> PairwiseModel:
    """Fit on (x, y); calibrate on out-of-fold predictions; threshold on the validation pairs when given."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y, int)
    # a comparison with one value (or none) on the training pairs carries nothing to learn from
    cols = [c for c in x.columns if x[c].nunique(dropna=True) > 1]
    xa = x[cols].to_numpy(float)
    k = int(min(folds, y.sum(), len(y) - y.sum()))
    oof = np.full(len(y), np.nan)
    if k >= 2:
        for tr, te in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(xa, y):
            models = _fit_models(xa[tr], y[tr], seed)
            oof[te] = np.mean([_predict(m, xa[te]) for m in models], axis=0)
    model = PairwiseModel(columns=cols, _models=_fit_models(xa, y, seed))
    if k >= 2:
        model._calibrator = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(oof, y)
    report = {"train_pairs": int(len(y)), "train_matches": int(y.sum()), "features": len(cols)}
    if x_valid is not None and y_valid is not None and np.asarray(y_valid).sum() > 0:
        pv = model.raw_proba(x_valid)
        raw_t, f1v = best_threshold(pv, np.asarray(y_valid, int))
        report.update(threshold_from="valid", valid_f1=round(f1v, 4))
        model.threshold = float(model._calibrator.predict([raw_t])[0]) if model._calibrator is not None else raw_t
        model._raw_threshold = raw_t
    elif k >= 2:
        raw_t, f1o = best_threshold(oof, y)
        report.update(threshold_from="out-of-fold", oof_f1=round(f1o, 4))
        model.threshold = float(model._calibrator.predict([raw_t])[0])
        model._raw_threshold = raw_t
    else:
        model._raw_threshold = 0.5
    model.report = report
    return model


def predict(model: PairwiseModel, x: pd.DataFrame) -> np.ndarray:
    """Match decisions (bool) at the model's threshold (compared on the raw ensemble score, before calibration,
    so isotonic ties cannot move the cut)."""
    return model.raw_proba(x) >= getattr(model, "_raw_threshold", 0.5)


def score_pairs(left: pd.DataFrame, right: pd.DataFrame, pairs: pd.DataFrame, model: PairwiseModel,
                comparisons: list[Comparison]) -> pd.DataFrame:
    """Probability and decision for given pairs (left_idx, right_idx: row positions), with the comparison values.

    Give all candidate pairs of the records at once: a `relative` comparison's margins are taken over the pairs given.
    """
    feats = compare(comparisons, left, right, pairs["left_idx"], pairs["right_idx"])
    out = pd.concat([pairs.reset_index(drop=True), feats], axis=1)
    out["probability"] = model.predict_proba(feats)
    out["match"] = predict(model, feats)
    return out


def comparisons_and_features(left: pd.DataFrame, right: pd.DataFrame, li: np.ndarray, ri: np.ndarray,
                             encoder: Encoder | None = None) -> tuple[list[Comparison], pd.DataFrame]:
    """Comparisons chosen for these tables and their values for the pairs (li, ri)."""
    comps = comparisons_for(left, right, encoder=encoder)
    return comps, compare(comps, left, right, li, ri)
