"""Match probability as a sum of per-feature log-odds contributions, so every score explains itself.

Like Splink's Fellegi-Sunter model: each feature value falls in a comparison level (e.g. name similarity >= 0.95),
each level carries a weight (a natural-log Bayes factor), and

    log_odds = prior_log_odds + sum of the pair's level weights,   probability = 1 / (1 + exp(-log_odds)).

A missing feature (NaN) contributes exactly 0. The same `MatchModel` shape holds the hand-set defaults from the spec
and a model fitted from review decisions (`learning.fit_from_labels`), so scoring and explanations have one code path.
The explanation of a pair is its waterfall: {"prior": ..., feature: contribution, ...}, which sums to its log-odds.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from .spec import FEATURES, LinkSpec, Levels

CONTRIB_PREFIX = "w_"


class MatchModel(BaseModel):
    """Prior plus per-feature levels; `kind` says whether weights are hand-set ("default") or learned ("fitted")."""

    prior_log_odds: float
    levels: dict[str, Levels]
    kind: Literal["default", "fitted"] = "default"
    report: dict = Field(default_factory=dict)  # for fitted models: label counts and cross-validated quality

    @classmethod
    def from_spec(cls, spec: LinkSpec) -> "MatchModel":
        return cls(prior_log_odds=spec.weights.prior_log_odds, levels=dict(spec.weights.levels), kind="default")


def level_index(values: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """Level of each value: 0 when >= thresholds[0], ..., len(thresholds) when below all; -1 for NaN."""
    values = np.asarray(values, dtype=float)
    idx = (values[:, None] < np.asarray(thresholds, dtype=float)[None, :]).sum(axis=1)
    return np.where(np.isnan(values), -1, idx)


def contributions(features: pd.DataFrame, model: MatchModel) -> pd.DataFrame:
    """Per-feature log-odds contributions (column "w_<feature>"), 0 for missing values or unmodelled features."""
    out = {}
    for name in FEATURES:
        levels = model.levels.get(name)
        if levels is None or name not in features:
            out[CONTRIB_PREFIX + name] = np.zeros(len(features))
            continue
        idx = level_index(features[name].to_numpy(), levels.thresholds)
        weights = np.asarray(levels.weights + [0.0])  # index -1 (missing) reads the appended 0
        out[CONTRIB_PREFIX + name] = weights[idx]
    return pd.DataFrame(out, index=features.index)


def probability(log_odds: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(log_odds, dtype=float)))


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def score(features: pd.DataFrame, model: MatchModel) -> pd.DataFrame:
    """Contributions plus `log_odds` and `probability` for each pair."""
    contrib = contributions(features, model)
    log_odds = model.prior_log_odds + contrib.to_numpy().sum(axis=1)
    contrib["log_odds"] = log_odds
    contrib["probability"] = probability(log_odds)
    return contrib


# ------------------------------------------------------------------------------------------- explanations

_LABELS = {
    "crm_key_eq": ("CRM id on the left points here", "CRM id on the left points elsewhere"),
    "account_eq": ("same AWS account", "different AWS account"),
    "domain_eq": ("same web domain", "different web domain"),
    "origin_eq": ("same origin", "different origin"),
}


def describe(feature: str, value: float, spec_days_half_life: float = 30.0) -> str:
    """A few words a reviewer understands for one feature value."""
    if feature in _LABELS:
        return _LABELS[feature][0 if value >= 0.5 else 1]
    if feature == "name_sim":
        return f"company names {value:.0%} similar"
    if feature == "title_sim":
        return f"titles {value:.0%} similar"
    if feature == "identity_cos":
        return f"company embeddings cos {value:.2f}"
    if feature == "context_cos":
        return f"deal-context embeddings cos {value:.2f}"
    if feature == "sparse_lexical":
        return f"lexical overlap {value:.2f}"
    if feature == "amount_prox":
        return f"amounts {'close' if value >= 0.7 else 'apart'} (proximity {value:.2f})"
    if feature == "date_prox":
        days = spec_days_half_life * np.log2(1.0 / value) if value > 0 else float("inf")
        return f"close dates ~{days:.0f} days apart"
    if feature == "stage_compat":
        return "stages consistent" if value >= 0.99 else ("stages conflict" if value < 0.5 else "stages differ")
    return f"{feature} {value:.2f}"


def explanation(prior: float, feature_row: dict, contrib_row: dict) -> dict:
    """Waterfall of one pair: prior and the contribution of each feature that had a value (sums to log-odds)."""
    out = {"prior": round(float(prior), 6)}
    for name in FEATURES:
        v = feature_row.get(name)
        if v is not None and not np.isnan(v):
            out[name] = round(float(contrib_row.get(CONTRIB_PREFIX + name, 0.0)), 6)
    return out


def reasons(feature_row: dict, contrib_row: dict, top: int = 3, half_life_days: float = 30.0) -> str:
    """The `top` largest contributions as text, e.g. "+3.0 same web domain; -0.8 close dates ~74 days apart"."""
    items = []
    for name in FEATURES:
        w = float(contrib_row.get(CONTRIB_PREFIX + name, 0.0))
        v = feature_row.get(name)
        if w != 0.0 and v is not None and not np.isnan(v):
            items.append((abs(w), w, describe(name, float(v), half_life_days)))
    items.sort(key=lambda t: -t[0])
    return "; ".join(f"{w:+.1f} {text}" for _, w, text in items[:top]) or "no comparable fields"


def explain_frame(pairs: pd.DataFrame, model: MatchModel, half_life_days: float = 30.0) -> tuple[list, list]:
    """Explanation dicts and reason strings for every row of a scored pair table (use on subsets: one dict per row)."""
    feats = pairs.reindex(columns=list(FEATURES)).to_dict("records")
    contribs = pairs.reindex(columns=[CONTRIB_PREFIX + f for f in FEATURES]).fillna(0.0).to_dict("records")
    explanations = [explanation(model.prior_log_odds, f, c) for f, c in zip(feats, contribs)]
    texts = [reasons(f, c, half_life_days=half_life_days) for f, c in zip(feats, contribs)]
    return explanations, texts


FittedModel = MatchModel  # the name the design brief uses for "a model link() can take"
