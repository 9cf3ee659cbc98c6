"""Comparison features of candidate pairs, each a number in [0, 1] or NaN when either side lacks the value.

Computed column-wise over the whole pair table (numpy, rapidfuzz `cpdist`, sparse row products), never pair by pair
in Python, so millions of pairs take seconds. NaN is the explicit "cannot compare" value: scoring gives it a zero
contribution, like Splink's null level, so a missing domain neither helps nor hurts a pair.

- crm_key_eq, account_eq, domain_eq, origin_eq: 1 equal, 0 different.
- name_sim, title_sim: rapidfuzz scorer (spec.features) on lower-cased, punctuation-free strings, / 100; a name
  in kanji or kana is also compared by its Japanese reading (`name_similarity`).
- title_lexical: cosine of the titles' TF-IDF vectors (IDF over both sides' titles and texts: a shared rare word
  counts, a shared "aws" hardly does). title_context: how much of one title's IDF mass is found in the other
  record's title + description + use case (the larger of both directions), so "Teradata Exit" still meets a
  description that mentions Teradata.
- A generic or placeholder title ("AWS Migration", "Olivia Carter's opportunity", see prepare.generic_titles) says
  nothing about which deal it is: its title_sim and title_lexical are NaN (no contribution), and title_context only
  looks from the other, specific title.
- identity_cos, context_cos: cosine of the unit vectors. sparse_lexical: BGE-M3's lexical score, the sum over shared
  tokens of w_left * w_right.
- amount_prox, date_prox (close dates), created_prox (creation dates): see the spec module docstring for the
  rule. stage_compat: the spec's stage table.

Each feature is one `Feature` object in LINKAGE_FEATURES (name, computation, hand-set levels, reviewer's wording): the
spec's default weights, the pair tables' columns and the explanations all come from that list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .prepare import Side
from .spec import Levels, LinkSpec, ValueGroups

PAIR_CHUNK = 1 << 18  # pairs per block for vector gathers (keeps temporaries ~ 2 x 256k x dim floats)


def _codes(left: np.ndarray | None, right: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Shared integer codes of two object arrays (-1 for None), so equality is an integer compare."""
    if left is None or right is None:
        return None
    codes, _ = pd.factorize(pd.Series(np.concatenate([left, right]), dtype=object), use_na_sentinel=True)
    return codes[: len(left)], codes[len(left) :]


def equal_feature(left: np.ndarray | None, right: np.ndarray | None, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """1.0 where both values are present and equal, 0.0 where both present and different, NaN otherwise."""
    out = np.full(len(li), np.nan)
    codes = _codes(left, right)
    if codes is None:
        return out
    a, b = codes[0][li], codes[1][ri]
    both = (a >= 0) & (b >= 0)
    out[both] = (a[both] == b[both]).astype(float)
    return out


def string_similarity(
    left: np.ndarray | None, right: np.ndarray | None, li: np.ndarray, ri: np.ndarray, scorer_name: str
) -> np.ndarray:
    """rapidfuzz scorer / 100 over aligned pairs (both strings present), NaN otherwise."""
    from rapidfuzz import fuzz, process, utils

    out = np.full(len(li), np.nan)
    if left is None or right is None or len(li) == 0:
        return out
    a, b = left[li], right[ri]
    both = np.flatnonzero(np.array([x is not None for x in a]) & np.array([y is not None for y in b]))
    if len(both):
        scores = process.cpdist(
            a[both].tolist(), b[both].tolist(), scorer=getattr(fuzz, scorer_name),
            processor=utils.default_process, dtype=np.float32, workers=-1,
        )
        out[both] = scores.astype(float) / 100.0
    return out


def name_similarity(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray, scorer_name: str) -> np.ndarray:
    """Company names compared in ASCII; where either name is written in kanji or kana, its Japanese reading is
    compared too and the better of the two readings counts ("佐藤工業" meets "Sato Kogyo", "ООО Ромашка" still meets
    "Romashka" through anyascii)."""
    sims = string_similarity(ls.name, rs.name, li, ri, scorer_name)
    if ls.name is None or rs.name is None or ls.name_reading is None or rs.name_reading is None:
        return sims
    has_l = np.array([r is not None for r in ls.name_reading])
    has_r = np.array([r is not None for r in rs.name_reading])
    sub = np.flatnonzero(has_l[li] | has_r[ri])
    if len(sub):
        left = np.where(has_l, ls.name_reading, ls.name)
        right = np.where(has_r, rs.name_reading, rs.name)
        sims[sub] = np.fmax(sims[sub], string_similarity(left, right, li[sub], ri[sub], scorer_name))
    return sims


def cosine_feature(
    left: np.ndarray | None, left_ok: np.ndarray | None, right: np.ndarray | None, right_ok: np.ndarray | None,
    li: np.ndarray, ri: np.ndarray,
) -> np.ndarray:
    """Row-wise dot product of unit vectors, in blocks; NaN where either vector is absent or dimensions differ."""
    out = np.full(len(li), np.nan)
    if left is None or right is None or left.shape[1] != right.shape[1]:
        return out
    for start in range(0, len(li), PAIR_CHUNK):
        a, b = li[start : start + PAIR_CHUNK], ri[start : start + PAIR_CHUNK]
        dots = np.einsum("ij,ij->i", left[a], right[b]).astype(float)
        ok = left_ok[a] & right_ok[b]
        out[start : start + len(a)] = np.where(ok, np.clip(dots, -1.0, 1.0), np.nan)
    return out


def sparse_feature(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """BGE-M3 lexical matching score: sum over shared tokens of w_left * w_right (rows share one vocabulary)."""
    out = np.full(len(li), np.nan)
    if ls.sparse is None or rs.sparse is None:
        return out
    for start in range(0, len(li), PAIR_CHUNK):
        a, b = li[start : start + PAIR_CHUNK], ri[start : start + PAIR_CHUNK]
        dots = np.asarray(ls.sparse[a].multiply(rs.sparse[b]).sum(axis=1)).ravel()
        ok = ls.sparse_ok[a] & rs.sparse_ok[b]
        out[start : start + len(a)] = np.where(ok, dots, np.nan)
    return out


def amount_proximity(a: np.ndarray, b: np.ndarray, max_ratio: float) -> np.ndarray:
    """1 - |ln(a/b)| / ln(max_ratio), clipped to [0, 1]; NaN when either amount is missing (already annualised)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(np.log(a / b))
    return np.clip(1.0 - ratio / np.log(max_ratio), 0.0, 1.0)


def date_proximity(a_days: np.ndarray, b_days: np.ndarray, half_life_days: float) -> np.ndarray:
    """0.5 ** (|days apart| / half life); NaN when either date is missing."""
    return np.power(0.5, np.abs(a_days - b_days) / half_life_days)


def group_pair_feature(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray, table: ValueGroups,
                       attr: str) -> np.ndarray:
    """How the two records' groups (`attr`: stage_group, origin_group) relate: the table's pair value
    (ValueGroups.pair_values: its score, e.g. the stages' compat; NaN where a side has no group)."""
    out = np.full(len(li), np.nan)
    lgroups, rgroups = getattr(ls, attr), getattr(rs, attr)
    if lgroups is None or rgroups is None:
        return out
    values = table.pair_values()
    lg, rg = table.groups("left"), table.groups("right")
    grid = np.array([[values[(a, b)] for b in rg] for a in lg], dtype=float).reshape(len(lg), len(rg))
    lc = _group_codes(lgroups, lg)[li]
    rc = _group_codes(rgroups, rg)[ri]
    both = (lc >= 0) & (rc >= 0)
    out[both] = grid[lc[both], rc[both]]
    return out


def _group_codes(groups: np.ndarray, names: list[str]) -> np.ndarray:
    index = {g: i for i, g in enumerate(names)}
    return np.array([index.get(g, -1) if g is not None else -1 for g in groups], dtype=np.int64)


def _group_pairs(table: str, attr: str):
    def compute(ls, rs, li, ri, spec):
        return group_pair_feature(ls, rs, li, ri, getattr(spec, table), attr)
    return compute


def _pair_levels(table: str):
    """With the table's `each_pair`, one level per (left group, right group) pair, its prior weight the one the
    configured levels give its score; otherwise the configured levels as they are."""
    def levels_for(spec: LinkSpec, levels: Levels) -> Levels:
        groups: ValueGroups = getattr(spec, table)
        pairs = sorted(groups.pair_values().items(), key=lambda item: -item[1])
        if not groups.each_pair or len(pairs) < 2:
            return levels
        values = [v for _, v in pairs]
        level = [sum(v < t for t in levels.thresholds) for v in values]  # the configured level of each pair
        return Levels(thresholds=values[:-1], weights=[float(levels.weights[i]) for i in level],
                      labels=[f"{a}/{b}" for (a, b), _ in pairs])
    return levels_for


def _row_dots(a, b, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    out = np.empty(len(li))
    for start in range(0, len(li), PAIR_CHUNK):
        x, y = li[start : start + PAIR_CHUNK], ri[start : start + PAIR_CHUNK]
        out[start : start + len(x)] = np.asarray(a[x].multiply(b[y]).sum(axis=1)).ravel()
    return out


def _usable_titles(side: Side) -> np.ndarray:
    return np.array([t is not None for t in side.title]) & ~side.title_generic


def title_lexical(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """Cosine of the titles' TF-IDF vectors; NaN where a title is missing or generic."""
    if ls.title_tfidf is None or rs.title_tfidf is None:
        return np.full(len(li), np.nan)
    both = _usable_titles(ls)[li] & _usable_titles(rs)[ri]
    return np.where(both, _row_dots(ls.title_tfidf, rs.title_tfidf, li, ri), np.nan)


def title_context(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """The larger share of one title's IDF mass found in the other record's words; NaN where neither title is
    usable."""
    if ls.title_tfidf is None or rs.title_tfidf is None:
        return np.full(len(li), np.nan)
    a, b = _usable_titles(ls)[li], _usable_titles(rs)[ri]
    lmass = np.asarray(ls.title_idf.sum(axis=1)).ravel()
    rmass = np.asarray(rs.title_idf.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        l_in_r = _row_dots(ls.title_idf, rs.context_words, li, ri) / lmass[li]
        r_in_l = _row_dots(rs.title_idf, ls.context_words, ri, li) / rmass[ri]
    l_in_r = np.where(a & (lmass[li] > 0), l_in_r, np.nan)
    r_in_l = np.where(b & (rmass[ri] > 0), r_in_l, np.nan)
    return np.clip(np.fmax(l_in_r, r_in_l), 0.0, 1.0)  # NaN only when both directions are NaN


def title_similarity(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray, scorer_name: str) -> np.ndarray:
    """The titles' rapidfuzz ratio; NaN where either title is generic or a placeholder."""
    sims = string_similarity(ls.title, rs.title, li, ri, scorer_name)
    if ls.title_generic is not None and rs.title_generic is not None:
        sims[ls.title_generic[li] | rs.title_generic[ri]] = np.nan
    return sims


def crm_key_feature(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """1 where either record's CRM key is the other's id (ACE's partner CRM id names this Odoo deal, or the Odoo
    deal's ACE reference names this registration), 0 where a key names another record; NaN without a key."""
    forward = equal_feature(ls.crm_key, rs.id_keys, li, ri)  # all NaN when a side has no key column
    backward = equal_feature(rs.crm_key, ls.id_keys, ri, li)
    return np.fmax(forward, backward)  # NaN only where neither has a key; one pointing here wins


def scope_feature(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """0 where a record is out of the other system's scope (spec role in_scope), 1 where every record that says is in
    it, NaN where none says."""
    flags = [side.in_scope[idx] for side, idx in ((ls, li), (rs, ri)) if side.in_scope is not None]
    if not flags:
        return np.full(len(li), np.nan)
    return np.fmin.reduce(flags) if len(flags) > 1 else flags[0]


def category_agreement(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """P(both records are about the same category): the row-wise product of their category distributions
    (categories.py); NaN where either cannot say."""
    if ls.category_proba is None or rs.category_proba is None:
        return np.full(len(li), np.nan)
    out = np.empty(len(li))
    for start in range(0, len(li), PAIR_CHUNK):
        a, b = li[start : start + PAIR_CHUNK], ri[start : start + PAIR_CHUNK]
        out[start : start + len(a)] = np.einsum("ij,ij->i", ls.category_proba[a], rs.category_proba[b])
    return np.clip(out, 0.0, 1.0)


def mirror_agreement(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """Of the values the right copied from the left (spec.mirrors) present on both records, the share that agree,
    each weighted by how unlikely agreeing is by chance (prepare.mirror_information); NaN where none is present."""
    if not ls.mirrors or not rs.mirrors:
        return np.full(len(li), np.nan)
    agree = np.zeros(len(li))
    weight = np.zeros(len(li))
    for a, b, info in zip(ls.mirrors, rs.mirrors, ls.mirror_info):
        if a.dtype == object:
            eq = equal_feature(a, b, li, ri)
        else:
            x, y = a[li], b[ri]
            with np.errstate(invalid="ignore"):
                eq = np.where(np.isnan(x) | np.isnan(y), np.nan, (np.abs(x - y) < 1e-9).astype(float))
        ok = ~np.isnan(eq)
        agree[ok] += info * eq[ok]
        weight[ok] += info
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, agree / weight, np.nan)


def _gather(values: np.ndarray | None, idx: np.ndarray) -> np.ndarray:
    return values[idx] if values is not None else np.full(len(idx), np.nan)


# ------------------------------------------------------------------------------------------- the comparisons


@dataclass(frozen=True)
class Feature:
    """One comparison of the linkage, whole: its name (a column of the pair tables and of the spec's weights), how
    it is computed from the prepared sides (`compute(ls, rs, li, ri, spec)`, NaN where it cannot compare), its
    hand-set levels (the prior the EM estimates start from; docs/matching.md says why each) and how a value reads
    to a reviewer (`describe(value, spec)`). A new feature is one more entry in LINKAGE_FEATURES (plus its line in
    the data dictionary)."""

    name: str
    compute: Callable[[Side, Side, np.ndarray, np.ndarray, LinkSpec], np.ndarray]
    prior: Levels
    describe: Callable[[float, LinkSpec | None], str]
    # the levels scored, from the spec and the configured levels (default: the configured levels as they are)
    levels_for: Callable[[LinkSpec, Levels], Levels] | None = None


def _days_apart(value: float, half_life: float) -> float:
    return half_life * np.log2(1.0 / value) if value > 0 else float("inf")


def _side_values(attr: str, side: Side, idx: np.ndarray) -> np.ndarray:
    return _gather(getattr(side, attr), idx)


def _equal(left_attr: str, right_attr: str | None = None):
    def compute(ls, rs, li, ri, spec):
        return equal_feature(getattr(ls, left_attr), getattr(rs, right_attr or left_attr), li, ri)
    return compute


def _two_way(yes: str, no: str):
    return lambda value, spec=None: yes if value >= 0.5 else no


def _dates(attr: str, knob: str):
    def compute(ls, rs, li, ri, spec):
        return date_proximity(_side_values(attr, ls, li), _side_values(attr, rs, ri), getattr(spec.features, knob))
    return compute


def _describe_days(what: str, knob: str):
    def describe(value, spec=None):
        half_life = getattr(spec.features, knob) if spec is not None else 30.0
        return f"{what} ~{_days_apart(value, half_life):.0f} days apart"
    return describe


LINKAGE_FEATURES: tuple[Feature, ...] = (
    # A partner CRM id typed into ACE is near proof; a different one is real counter-evidence (it names another
    # deal), though ids go stale.
    Feature("crm_key_eq", lambda ls, rs, li, ri, spec: crm_key_feature(ls, rs, li, ri),
            Levels(thresholds=[0.5], weights=[6.0, -3.0]),
            _two_way("CRM id on the left points here", "CRM id on the left points elsewhere")),
    # Company evidence: account, domain, name and identity embedding all say "same customer", and they are
    # strongly correlated, so each counts little on its own (naive Bayes would count the company three times). A
    # customer's accounts and domain are shared by all its deals: they cannot tell deals apart.
    Feature("account_eq", _equal("account"), Levels(thresholds=[0.5], weights=[1.5, -1.0]),
            _two_way("same AWS account", "different AWS account")),
    Feature("domain_eq", _equal("domain"), Levels(thresholds=[0.5], weights=[1.0, -2.0]),
            _two_way("same web domain", "different web domain")),
    Feature("name_sim", lambda ls, rs, li, ri, spec: name_similarity(ls, rs, li, ri, spec.features.name_scorer),
            Levels(thresholds=[0.95, 0.85, 0.7], weights=[1.8, 0.5, 0.0, -2.5]),
            lambda value, spec=None: f"company names {value:.0%} similar"),
    Feature("identity_cos",
            lambda ls, rs, li, ri, spec: cosine_feature(ls.identity, ls.identity_ok, rs.identity, rs.identity_ok,
                                                        li, ri),
            Levels(thresholds=[0.92, 0.85, 0.7], weights=[0.3, 0.3, 0.2, -1.5]),
            lambda value, spec=None: f"company embeddings cos {value:.2f}"),
    # Deal evidence separates the several deals of one company (the hard negatives): a clearly different title,
    # context, close date or origin is strong evidence of another deal. Only the prior of the EM estimates:
    # paraphrased titles are common, so a low ratio is weak evidence alone.
    Feature("title_sim", lambda ls, rs, li, ri, spec: title_similarity(ls, rs, li, ri, spec.features.title_scorer),
            Levels(thresholds=[0.9, 0.75, 0.5], weights=[2.0, 1.2, -0.3, -1.5]),
            lambda value, spec=None: f"titles {value:.0%} similar"),
    Feature("title_lexical", lambda ls, rs, li, ri, spec: title_lexical(ls, rs, li, ri),
            Levels(thresholds=[0.6, 0.35, 0.15], weights=[1.5, 0.8, 0.0, -0.8]),
            lambda value, spec=None: f"titles share {value:.0%} of their weighted words"),
    Feature("title_context", lambda ls, rs, li, ri, spec: title_context(ls, rs, li, ri),
            Levels(thresholds=[0.6, 0.35, 0.15], weights=[1.0, 0.5, 0.0, -0.3]),
            lambda value, spec=None: f"{value:.0%} of a title found in the other deal's text"),
    # What the deal is about (ACE's use case, predicted from the text where a record has none): survives a
    # paraphrase that string ratios and a small embedding miss ("Teradata Exit" is a database migration).
    Feature("category_agree", lambda ls, rs, li, ri, spec: category_agreement(ls, rs, li, ri),
            Levels(thresholds=[0.7, 0.3, 0.05], weights=[1.0, 0.3, -0.5, -1.5]),
            lambda value, spec=None: f"same kind of work with probability {value:.0%}"),
    Feature("context_cos",
            lambda ls, rs, li, ri, spec: cosine_feature(ls.context, ls.context_ok, rs.context, rs.context_ok, li, ri),
            Levels(thresholds=[0.85, 0.75, 0.6], weights=[1.5, 0.5, 0.0, -2.5]),
            lambda value, spec=None: f"deal-context embeddings cos {value:.2f}"),
    Feature("sparse_lexical", lambda ls, rs, li, ri, spec: sparse_feature(ls, rs, li, ri),
            Levels(thresholds=[0.3, 0.15, 0.05], weights=[1.0, 0.5, 0.0, -0.5]),
            lambda value, spec=None: f"lexical overlap {value:.2f}"),
    Feature("amount_prox",
            lambda ls, rs, li, ri, spec: amount_proximity(_side_values("amount", ls, li),
                                                          _side_values("amount", rs, ri), spec.features.amount_max_ratio),
            Levels(thresholds=[0.9, 0.7, 0.4], weights=[1.8, 0.3, 0.0, -1.0]),
            lambda value, spec=None: f"amounts {'close' if value >= 0.7 else 'apart'} (proximity {value:.2f})"),
    Feature("date_prox", _dates("date_days", "date_half_life_days"),
            Levels(thresholds=[0.9, 0.5, 0.125], weights=[2.0, 1.3, 0.5, -4.0]),
            _describe_days("close dates", "date_half_life_days")),
    # Only the prior of the EM estimates (which learn how tightly this partner registers deals): creation dates
    # weeks apart are usual, a year apart names another deal.
    Feature("created_prox", _dates("created_days", "created_half_life_days"),
            Levels(thresholds=[0.9, 0.5, 0.125], weights=[1.0, 0.8, 0.2, -1.5]),
            _describe_days("created", "created_half_life_days")),
    # Values a connector copied from one system onto the other (the ACE close date, revenue, stage on the Odoo
    # deal) agree on the deal it copied them from; a fresh copy agrees on all, a stale one on some.
    Feature("mirror_eq", lambda ls, rs, li, ri, spec: mirror_agreement(ls, rs, li, ri),
            Levels(thresholds=[0.99, 0.6, 0.3], weights=[2.5, 1.0, -0.5, -1.5]),
            lambda value, spec=None: f"{value:.0%} of the values copied between the systems agree"),
    # A record outside what the other system tracks (a non-AWS Odoo deal) is seldom the twin of a registration,
    # however close its customer and dates.
    Feature("in_scope", lambda ls, rs, li, ri, spec: scope_feature(ls, rs, li, ri),
            Levels(thresholds=[0.5], weights=[0.2, -1.5]),
            _two_way("within the other system's scope", "outside the other system's scope (e.g. not an AWS deal)")),
    # Four compat levels: consistent, one system lagging, barely compatible (a registration AWS rejected: usually
    # resubmitted, and the CRM deal follows the new one), contradictory (won against lost). They are the prior of
    # one level per pair of stage groups (stages.each_pair), which EM estimates on its own.
    Feature("stage_compat", _group_pairs("stages", "stage_group"),
            Levels(thresholds=[0.99, 0.5, 0.2], weights=[1.5, -0.5, -1.0, -2.0]),
            lambda value, spec=None: "stages consistent" if value >= 0.99
            else ("stages differ" if value >= 0.5 else ("stages barely compatible (e.g. a rejected registration)"
                                                        if value >= 0.2 else "stages conflict")),
            levels_for=_pair_levels("stages")),
    Feature("origin_eq", _group_pairs("origins", "origin_group"), Levels(thresholds=[0.5], weights=[0.2, -3.0]),
            _two_way("same origin", "different origin"), levels_for=_pair_levels("origins")),
)
FEATURES: tuple[str, ...] = tuple(f.name for f in LINKAGE_FEATURES)
BY_NAME: dict[str, Feature] = {f.name: f for f in LINKAGE_FEATURES}


def describe(feature: str, value: float, spec: LinkSpec | None = None) -> str:
    """A few words a reviewer understands for one feature value (dates back in days, with the spec's half-lives)."""
    found = BY_NAME.get(feature)
    return found.describe(value, spec) if found else f"{feature} {value:.2f}"


def compute_features(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray, spec: LinkSpec) -> pd.DataFrame:
    """One row per pair (positions li, ri), one float column per feature in FEATURES order."""
    li, ri = np.asarray(li, dtype=np.int64), np.asarray(ri, dtype=np.int64)
    return pd.DataFrame({f.name: f.compute(ls, rs, li, ri, spec) for f in LINKAGE_FEATURES})
