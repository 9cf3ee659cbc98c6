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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .prepare import Side
from .spec import FEATURES, LinkSpec

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


def stage_feature(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray, spec: LinkSpec) -> np.ndarray:
    out = np.full(len(li), np.nan)
    if ls.stage_group is None or rs.stage_group is None:
        return out
    groups = sorted({g for g in np.concatenate([ls.stage_group, rs.stage_group]) if g is not None})
    if not groups:
        return out
    index = {g: i for i, g in enumerate(groups)}
    table = np.array([[spec.stages.score(g1, g2) for g2 in groups] for g1 in groups], dtype=float)
    lc = np.array([index.get(g, -1) if g is not None else -1 for g in ls.stage_group], dtype=np.int64)[li]
    rc = np.array([index.get(g, -1) if g is not None else -1 for g in rs.stage_group], dtype=np.int64)[ri]
    both = (lc >= 0) & (rc >= 0)
    out[both] = table[lc[both], rc[both]]
    return out


def _row_dots(a, b, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    out = np.empty(len(li))
    for start in range(0, len(li), PAIR_CHUNK):
        x, y = li[start : start + PAIR_CHUNK], ri[start : start + PAIR_CHUNK]
        out[start : start + len(x)] = np.asarray(a[x].multiply(b[y]).sum(axis=1)).ravel()
    return out


def title_features(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """title_lexical and title_context (see the module docstring); NaN where a title is missing or generic."""
    nan = np.full(len(li), np.nan)
    if ls.title_tfidf is None or rs.title_tfidf is None:
        return nan, nan.copy()
    lok = np.array([t is not None for t in ls.title]) & ~ls.title_generic
    rok = np.array([t is not None for t in rs.title]) & ~rs.title_generic
    a, b = lok[li], rok[ri]
    lexical = np.where(a & b, _row_dots(ls.title_tfidf, rs.title_tfidf, li, ri), np.nan)
    lmass = np.asarray(ls.title_idf.sum(axis=1)).ravel()
    rmass = np.asarray(rs.title_idf.sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        l_in_r = _row_dots(ls.title_idf, rs.context_words, li, ri) / lmass[li]
        r_in_l = _row_dots(rs.title_idf, ls.context_words, ri, li) / rmass[ri]
    l_in_r = np.where(a & (lmass[li] > 0), l_in_r, np.nan)
    r_in_l = np.where(b & (rmass[ri] > 0), r_in_l, np.nan)
    context = np.fmax(l_in_r, r_in_l)  # NaN only when both directions are NaN
    return lexical, np.clip(context, 0.0, 1.0)


def _gather(values: np.ndarray | None, idx: np.ndarray) -> np.ndarray:
    return values[idx] if values is not None else np.full(len(idx), np.nan)


def compute_features(ls: Side, rs: Side, li: np.ndarray, ri: np.ndarray, spec: LinkSpec) -> pd.DataFrame:
    """One row per pair (positions li, ri), one float column per feature in FEATURES order."""
    li, ri = np.asarray(li, dtype=np.int64), np.asarray(ri, dtype=np.int64)
    fs = spec.features
    crm = np.full(len(li), np.nan)
    if ls.crm_key is not None:
        crm = equal_feature(ls.crm_key, rs.id_keys, li, ri)
    title_lexical, title_context = title_features(ls, rs, li, ri)
    title_sim = string_similarity(ls.title, rs.title, li, ri, fs.title_scorer)
    if ls.title_generic is not None and rs.title_generic is not None:
        title_sim[ls.title_generic[li] | rs.title_generic[ri]] = np.nan
    cols = {
        "crm_key_eq": crm,
        "account_eq": equal_feature(ls.account, rs.account, li, ri),
        "domain_eq": equal_feature(ls.domain, rs.domain, li, ri),
        "name_sim": name_similarity(ls, rs, li, ri, fs.name_scorer),
        "identity_cos": cosine_feature(ls.identity, ls.identity_ok, rs.identity, rs.identity_ok, li, ri),
        "title_sim": title_sim,
        "title_lexical": title_lexical,
        "title_context": title_context,
        "context_cos": cosine_feature(ls.context, ls.context_ok, rs.context, rs.context_ok, li, ri),
        "sparse_lexical": sparse_feature(ls, rs, li, ri),
        "amount_prox": amount_proximity(_gather(ls.amount, li), _gather(rs.amount, ri), fs.amount_max_ratio),
        "date_prox": date_proximity(_gather(ls.date_days, li), _gather(rs.date_days, ri), fs.date_half_life_days),
        "created_prox": date_proximity(_gather(ls.created_days, li), _gather(rs.created_days, ri),
                                       fs.created_half_life_days),
        "stage_compat": stage_feature(ls, rs, li, ri, spec),
        "origin_eq": equal_feature(ls.origin_group, rs.origin_group, li, ri),
    }
    return pd.DataFrame({name: cols[name] for name in FEATURES})
