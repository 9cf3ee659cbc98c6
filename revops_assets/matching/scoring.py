"""Match probability as a sum of per-comparison log-odds contributions, so every score explains itself.

Like Splink's Fellegi-Sunter model: each comparison of a pair falls in a level, each level carries a weight
(ln m/u: how much more often that level is seen among matches than among non-matches), and

    log_odds = prior_log_odds + sum of the pair's level weights,   probability = 1 / (1 + exp(-log_odds)).

A comparison is a single feature (close dates, amounts, stages, ...) with threshold levels, or a GROUP of correlated
features (company: account, domain, name, identity embedding) whose level is the band of their summed hand-set
weights, so correlated evidence is one comparison with one estimated weight per band instead of several weights
multiplied as if independent. With `condition_on` (the company group), the other comparisons carry a second set of
weights for pairs whose company agrees (`weights_same`): there, a shared deal context is judged against the same
customer's other deals, not against random pairs, which is what keeps another deal of the same customer from
reaching p ~ 1.

A missing value (NaN, every member of a group NaN) contributes exactly 0. The same `MatchModel` holds the hand-set
defaults, the EM estimates (`calibration.py`) and a model refined by decisions (`learning.py`). `scale` and `shift`
(a held-fold calibration of the log-odds from decisions) are folded into the contributions, so the explanation
{"prior": ..., comparison: contribution} always sums to the pair's log-odds.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from .features import BY_NAME, FEATURES, describe
from .spec import Levels, LinkSpec

CONTRIB_PREFIX = "w_"


class LevelDef(BaseModel):
    """One comparison: the feature(s) it reads, its level thresholds (descending) and its hand-set weights."""

    name: str
    members: list[str]
    thresholds: list[float]
    default_weights: list[float]
    member_levels: dict[str, Levels] = Field(default_factory=dict)  # groups: the members' own hand-set levels
    labels: list[str] = Field(default_factory=list)  # a name per level for reports, when the levels have names

    @property
    def n_levels(self) -> int:
        return len(self.thresholds) + 1

    @property
    def is_group(self) -> bool:
        return bool(self.member_levels)


def level_defs(spec: LinkSpec, member_levels: dict[str, Levels] | None = None,
               group_edges: dict[str, list[float]] | None = None) -> list[LevelDef]:
    """The comparisons of a spec: each group once, then every other feature that has levels, in FEATURES order.

    A group's value is the sum of its members' weights: the hand-set ones, or `member_levels` (estimated on the
    data, see calibration.grouped_defs). Its levels are `group_edges[group]` or equal-width bands over the possible
    sums; a band's hand-set weight is its middle.
    """
    w = spec.weights
    defs: list[LevelDef] = []
    grouped = {f for members in w.groups.values() for f in members}
    for name, members in w.groups.items():
        chosen = {f: (member_levels or {}).get(f, w.levels[f]) for f in members if f in w.levels}
        hi = sum(max(lv.weights) for lv in chosen.values())
        lo = sum(min(lv.weights) for lv in chosen.values())
        k = max(w.group_levels, 2)
        edges = (group_edges or {}).get(name) or [round(hi - (hi - lo) * i / k, 4) for i in range(1, k)]
        mids = [round((a + b) / 2, 4) for a, b in zip([hi, *edges], [*edges, lo])]
        defs.append(LevelDef(name=name, members=members, thresholds=edges, default_weights=mids,
                             member_levels=chosen))
    for f in FEATURES:
        if f in w.levels and f not in grouped:
            levels = BY_NAME[f].levels_for(spec, w.levels[f]) if BY_NAME[f].levels_for else w.levels[f]
            defs.append(LevelDef(name=f, members=[f], thresholds=list(levels.thresholds),
                                 default_weights=list(levels.weights), labels=list(levels.labels or [])))
    return defs


def level_index(values: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """Level of each value: 0 when >= thresholds[0], ..., len(thresholds) when below all; -1 for NaN."""
    values = np.asarray(values, dtype=float)
    idx = (values[:, None] < np.asarray(thresholds, dtype=float)[None, :]).sum(axis=1)
    return np.where(np.isnan(values), -1, idx)


def member_contribution(features: pd.DataFrame, name: str, levels: Levels) -> np.ndarray:
    """A feature's hand-set contribution (NaN where the value is missing)."""
    if name not in features:
        return np.full(len(features), np.nan)
    idx = level_index(features[name].to_numpy(), levels.thresholds)
    weights = np.asarray(list(levels.weights) + [np.nan])
    return weights[idx]


def comparison_value(features: pd.DataFrame, d: LevelDef) -> np.ndarray:
    """The number a comparison's thresholds apply to: the feature itself, or a group's summed hand-set weights."""
    if not d.is_group:
        return features[d.name].to_numpy(float) if d.name in features else np.full(len(features), np.nan)
    parts = np.column_stack([member_contribution(features, f, lv) for f, lv in d.member_levels.items()])
    total = np.nansum(parts, axis=1)
    return np.where(np.isnan(parts).all(axis=1), np.nan, total)


def level_codes(features: pd.DataFrame, defs: list[LevelDef]) -> np.ndarray:
    """(n_pairs, n_comparisons) int16 level codes, -1 where the comparison has no value."""
    if not defs:
        return np.zeros((len(features), 0), np.int16)
    return np.column_stack([level_index(comparison_value(features, d), d.thresholds) for d in defs]).astype(np.int16)


class MatchModel(BaseModel):
    """Prior plus per-level weights of each comparison.

    kind: "default" (hand-set weights), "em" (estimated on the data without labels), "fitted" (estimated with review
    decisions clamped, and calibrated on held folds of them). `report` holds the estimates (m, u, match prior) and
    the calibration figures for metadata.
    """

    prior_log_odds: float
    levels: list[LevelDef]
    weights: dict[str, list[float]]
    weights_same: dict[str, list[float]] = Field(default_factory=dict)  # when the condition group says "same"
    condition_on: str | None = None
    same_levels: list[int] = Field(default_factory=list)
    scale: float = 1.0
    shift: float = 0.0
    kind: Literal["default", "em", "fitted"] = "default"
    report: dict = Field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: LinkSpec) -> "MatchModel":
        defs = level_defs(spec)
        return cls(prior_log_odds=spec.weights.prior_log_odds, levels=defs,
                   weights={d.name: list(d.default_weights) for d in defs}, kind="default")

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.levels]

    def same_mask(self, codes: np.ndarray) -> np.ndarray:
        """Pairs whose condition group is at a "same" level (all False without conditioning)."""
        if not self.condition_on or not self.weights_same:
            return np.zeros(len(codes), bool)
        j = self.names.index(self.condition_on)
        return np.isin(codes[:, j], self.same_levels)


def contributions_from_codes(codes: np.ndarray, model: MatchModel) -> np.ndarray:
    """(n_pairs, n_comparisons) log-odds contributions (scale applied), 0 for missing levels."""
    same = model.same_mask(codes)
    out = np.zeros(codes.shape, dtype=float)
    for j, d in enumerate(model.levels):
        c = codes[:, j]
        w = np.asarray(list(model.weights[d.name]) + [0.0])  # code -1 reads the appended 0
        out[:, j] = w[c]
        if d.name in model.weights_same:
            ws = np.asarray(list(model.weights_same[d.name]) + [0.0])
            out[same, j] = ws[c[same]]
    return out * model.scale


def contributions(features: pd.DataFrame, model: MatchModel) -> pd.DataFrame:
    """Per-comparison log-odds contributions (columns "w_<comparison>")."""
    contrib = contributions_from_codes(level_codes(features, model.levels), model)
    return pd.DataFrame(contrib, columns=[CONTRIB_PREFIX + n for n in model.names], index=features.index)


def prior(model: MatchModel) -> float:
    return float(model.scale * model.prior_log_odds + model.shift)


def probability(log_odds: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(log_odds, dtype=float), -50, 50)))


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def score(features: pd.DataFrame, model: MatchModel) -> pd.DataFrame:
    """Contributions plus `log_odds` and `probability` for each pair."""
    contrib = contributions(features, model)
    log_odds = prior(model) + contrib.to_numpy().sum(axis=1)
    contrib["log_odds"] = log_odds
    contrib["probability"] = probability(log_odds)
    return contrib


# ------------------------------------------------------------------------------------------- explanations

def _describe_comparison(d: LevelDef, row: dict, spec: LinkSpec | None) -> str:
    if not d.is_group:
        return describe(d.name, float(row[d.name]), spec)
    # a group: its two members that weigh most (either way) under the hand-set levels
    items = []
    for f, lv in d.member_levels.items():
        v = row.get(f)
        if v is None or np.isnan(v):
            continue
        w = float(np.asarray(lv.weights)[level_index(np.array([v]), lv.thresholds)[0]])
        items.append((abs(w), describe(f, float(v), spec)))
    items.sort(key=lambda t: -t[0])
    return f"{d.name.replace('_', ' ')}: " + ", ".join(text for _, text in items[:2])


def _has_value(d: LevelDef, row: dict) -> bool:
    return any(row.get(f) is not None and not np.isnan(row.get(f)) for f in d.members)


def explanation(model: MatchModel, feature_row: dict, contrib_row: dict) -> dict:
    """Waterfall of one pair: prior, the contribution of each comparison that had a value and that of the records'
    other candidates ("rivals", see engine.with_rivals); it sums to the log-odds."""
    out = {"prior": round(prior(model), 6)}
    for d in model.levels:
        if _has_value(d, feature_row):
            out[d.name] = round(float(contrib_row.get(CONTRIB_PREFIX + d.name, 0.0)), 6)
    rivals = float(contrib_row.get(CONTRIB_PREFIX + "rivals", 0.0))
    if rivals:
        out["rivals"] = round(rivals, 6)
    return out


def reasons(model: MatchModel, feature_row: dict, contrib_row: dict, top: int = 3,
            spec: LinkSpec | None = None) -> str:
    """The `top` largest contributions as text, e.g. "+6.1 company: same web domain, ...; -2.0 close dates ..."."""
    items = []
    for d in model.levels:
        w = float(contrib_row.get(CONTRIB_PREFIX + d.name, 0.0))
        if w != 0.0 and _has_value(d, feature_row):
            items.append((abs(w), w, _describe_comparison(d, feature_row, spec)))
    rivals = float(contrib_row.get(CONTRIB_PREFIX + "rivals", 0.0))
    if abs(rivals) >= 0.05:
        items.append((abs(rivals), rivals, "no close rival candidate" if rivals > 0 else "rival candidates"))
    items.sort(key=lambda t: -t[0])
    return "; ".join(f"{w:+.1f} {text}" for _, w, text in items[:top]) or "no comparable fields"


def explain_frame(pairs: pd.DataFrame, model: MatchModel, spec: LinkSpec | None = None) -> tuple[list, list]:
    """Explanation dicts and reason strings for every row of a scored pair table (use on subsets: one dict per row)."""
    feats = pairs.reindex(columns=list(FEATURES)).astype(float).to_dict("records")
    contribs = pairs.reindex(columns=[CONTRIB_PREFIX + n for n in [*model.names, "rivals"]]).fillna(0.0).to_dict(
        "records")
    explanations = [explanation(model, f, c) for f, c in zip(feats, contribs)]
    texts = [reasons(model, f, c, spec=spec) for f, c in zip(feats, contribs)]
    return explanations, texts


FittedModel = MatchModel  # the name the design brief uses for "a model link() can take"
