"""Learn the level weights from review decisions, keeping the explainable level model.

Each feature's comparison levels become one-hot columns (the missing level is the reference, so missing still
contributes 0: a missing-indicator model whose baseline is "no value"), and a class-balanced L2 logistic regression
learns one weight per level. Its coefficients are exactly the new level weights and its intercept the new prior, so a
fitted model explains itself the same way the defaults do. Class balancing is undone on the intercept
(+ ln(n_pos / n_neg)), making probabilities calibrated to the labelled sample; labels should therefore resemble the
candidates being scored (confirmations alone are not enough: pass the candidate table so each confirmed pair's rival
candidates become implicit rejections, which one-to-one linking implies).

With too few labels (fewer than `min_labels`, or fewer than `min_per_class` of either class), or when the fitted
model does worse than the defaults in cross-validation, the defaults stay and the result says why. Quality is reported by stratified k-fold cross-validation (ROC-AUC, precision, recall, F1 at probability 0.5),
next to the default model's figures on the same labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .features import compute_features
from .prepare import id_keys, prepare
from .scoring import MatchModel, level_index, probability
from .spec import FEATURES, LinkSpec, Levels


@dataclass
class FitResult:
    """The model to use next (fitted, or the defaults when fitting was not possible) and how good it is."""

    model: MatchModel
    fitted: bool
    message: str
    n_labels: int = 0
    n_pos: int = 0
    n_neg: int = 0
    cv: dict = field(default_factory=dict)


def encode_levels(features: pd.DataFrame, levels: dict[str, Levels]) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """One-hot matrix of (feature, level) memberships; a missing value sets no column."""
    blocks, columns = [], []
    for name in FEATURES:
        if name not in levels or name not in features:
            continue
        n_levels = len(levels[name].weights)
        idx = level_index(features[name].to_numpy(), levels[name].thresholds)
        block = np.zeros((len(features), n_levels))
        present = idx >= 0
        block[np.flatnonzero(present), idx[present]] = 1.0
        blocks.append(block)
        columns.extend((name, j) for j in range(n_levels))
    return (np.hstack(blocks) if blocks else np.zeros((len(features), 0))), columns


def _metrics(y: np.ndarray, p: np.ndarray) -> dict:
    from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

    pred = p >= 0.5
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
    }


def _fit_lr(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    lr.fit(x, y)
    shift = float(np.log(y.sum() / (len(y) - y.sum())))  # undo class balancing on the prior
    return lr, shift


def fit_on_features(
    features: pd.DataFrame,
    y: np.ndarray,
    spec: LinkSpec,
    min_labels: int = 20,
    folds: int = 5,
    c: float = 1.0,
    random_state: int = 0,
    min_per_class: int = 10,
    require_improvement: bool = True,
) -> FitResult:
    """Fit level weights from a feature table and 0/1 labels (1 = same entity).

    The fit learns on top of the defaults: the default log-odds is one input (its coefficient a rescales them) next to
    the one-hot levels (their coefficients d adjust single levels, shrunk toward 0 by regularization). A few hundred
    decisions thus correct what the defaults get wrong instead of re-learning everything, and the result is still one
    weight per level (a * default + d), so fitted scores explain themselves like the defaults.
    With `require_improvement`, the defaults stay when the fitted model's cross-validated F1 is below the defaults'
    F1 on the same labels (a few unlucky labels should not make matching worse).
    """
    from sklearn.model_selection import StratifiedKFold

    default = MatchModel.from_spec(spec)
    y = np.asarray(y, dtype=int)
    n, n_pos = len(y), int(y.sum())
    n_neg = n - n_pos
    counts = {"n_labels": n, "n_pos": n_pos, "n_neg": n_neg}
    if n < min_labels or n_pos < min_per_class or n_neg < min_per_class:
        why = (f"kept default weights: {n} labels ({n_pos} confirmed, {n_neg} rejected); "
               f"need >= {min_labels} with >= {min_per_class} of each")
        return FitResult(model=default, fitted=False, message=why, **counts)

    levels = {k: v for k, v in spec.weights.levels.items() if k in features}
    x_levels, columns = encode_levels(features, levels)
    default_lo = default.prior_log_odds + _default_contrib(features, default)
    x = np.column_stack([x_levels, default_lo])  # last column: the defaults' own verdict

    # Out-of-fold probabilities for an honest quality estimate.
    k = min(folds, n_pos, n_neg)
    oof = np.zeros(n)
    for train, test in StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state).split(x, y):
        lr, shift = _fit_lr(x[train], y[train], c)
        oof[test] = probability(lr.decision_function(x[test]) + shift)
    cv = {"folds": k, "fitted": _metrics(y, oof), "default": _metrics(y, probability(default_lo))}

    if require_improvement and cv["fitted"]["f1"] < cv["default"]["f1"]:
        why = (f"kept default weights: fitted model's {k}-fold CV F1 {cv['fitted']['f1']} is below the defaults' "
               f"{cv['default']['f1']} on the same {n} labels")
        return FitResult(model=default, fitted=False, message=why, cv=cv, **counts)

    lr, shift = _fit_lr(x, y, c)
    coef = dict(zip(columns, lr.coef_[0][:-1]))
    scale = float(lr.coef_[0][-1])  # a: how much of the defaults' log-odds to keep
    fitted_levels = {
        name: Levels(thresholds=lv.thresholds,
                     weights=[round(scale * w + float(coef.get((name, j), 0.0)), 4) for j, w in enumerate(lv.weights)])
        for name, lv in levels.items()
    }
    report = {**counts, "cv": cv, "C": c, "default_scale": round(scale, 4)}
    prior = float(lr.intercept_[0]) + shift + scale * default.prior_log_odds
    model = MatchModel(prior_log_odds=round(prior, 4), levels=fitted_levels, kind="fitted", report=report)
    msg = (f"fitted on {n} labels ({n_pos} confirmed, {n_neg} rejected); {k}-fold CV ROC-AUC "
           f"{cv['fitted']['roc_auc']} (defaults {cv['default']['roc_auc']}), F1 {cv['fitted']['f1']} "
           f"(defaults {cv['default']['f1']})")
    return FitResult(model=model, fitted=True, message=msg, cv=cv, **counts)


def _default_contrib(features: pd.DataFrame, model: MatchModel) -> np.ndarray:
    from .scoring import contributions

    return contributions(features, model).to_numpy().sum(axis=1)


def label_table(decisions: pd.DataFrame, candidates: pd.DataFrame | None = None) -> pd.DataFrame:
    """(left_key, right_key, y) from decisions, latest decision per pair winning; with `candidates`
    (left_id, right_id), the other candidates of a confirmed pair's left and right are added as rejections."""
    d = pd.DataFrame({
        "l": id_keys(decisions["left_id"]),
        "r": id_keys(decisions["right_id"]),
        "y": (decisions["decision"].astype(str).str.lower() == "confirmed").astype(int).to_numpy(),
    })
    if "decided_at" in decisions:
        d = d.iloc[np.argsort(pd.to_datetime(decisions["decided_at"]).to_numpy(), kind="stable")]
    d = d.drop_duplicates(["l", "r"], keep="last")
    if candidates is not None and len(candidates):
        c = pd.DataFrame({"l": id_keys(candidates["left_id"]), "r": id_keys(candidates["right_id"])})
        conf = d[d["y"] == 1]
        rivals = pd.concat([
            c.merge(conf[["l"]], on="l"),
            c.merge(conf[["r"]], on="r"),
        ]).drop_duplicates()
        rivals = rivals.merge(d[["l", "r"]], on=["l", "r"], how="left", indicator=True)
        rivals = rivals[rivals["_merge"] == "left_only"][["l", "r"]].assign(y=0)
        d = pd.concat([d, rivals], ignore_index=True)
    return d.reset_index(drop=True)


def fit_from_labels(
    left: pd.DataFrame,
    right: pd.DataFrame,
    decisions: pd.DataFrame,
    spec: LinkSpec,
    candidates: pd.DataFrame | None = None,
    min_labels: int = 20,
    folds: int = 5,
    c: float = 1.0,
    random_state: int = 0,
    min_per_class: int = 10,
    require_improvement: bool = True,
) -> FitResult:
    """Learn weights from decisions (left_id, right_id, decision in {confirmed, rejected}[, decided_at]).

    Features are computed for the decided pairs directly from `left`/`right` (a rejected pair is no longer a
    candidate, so it cannot come from a link result). Pairs whose ids are not in the tables are ignored.
    """
    labels = label_table(decisions, candidates)
    ls, rs = prepare(left, right, spec)
    lpos = pd.Series(np.arange(ls.n), index=ls.id_keys)
    rpos = pd.Series(np.arange(rs.n), index=rs.id_keys)
    labels = labels[labels["l"].isin(lpos.index) & labels["r"].isin(rpos.index)]
    feats = compute_features(ls, rs, lpos[labels["l"]].to_numpy(), rpos[labels["r"]].to_numpy(), spec)
    return fit_on_features(feats, labels["y"].to_numpy(), spec, min_labels, folds, c, random_state, min_per_class,
                           require_improvement)
