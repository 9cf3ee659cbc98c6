"""Candidate pairs: the few right records worth scoring for each left record, and which source proposed each.

Scoring all pairs is quadratic (1e10 pairs at 100k x 100k), so several cheap, high-recall sources propose pairs and
only their union is scored:
- exact keys: the left's CRM key equals a right id; same AWS account id; same web domain (keys shared by more than
  `max_key_fanout` records, such as a free-mail domain, are ignored: they identify nothing);
- nearest neighbours by cosine on the identity and context vectors: brute force in blocks of `chunk_size` left
  rows, top-k per row (torch's matmul/topk when installed, several times faster on CPU than numpy's argpartition).
  Where the CPU multiplies bfloat16 fast (measured once per process), a bfloat16 pass shortlists 2k per row and the
  exact float32 cosine re-ranks them: ~4x less time, recall against the exact search measured on a sample of rows
  (`knn_recall`, in the run's stats). Graph indexes (HNSW, IVF in faiss) were measured and dropped: on 384-d vectors
  with near-isotropic noise they missed a third to two thirds of the true twins at comparable time;
- company-name blocking: TF-IDF over character 3-grams of the company key (typos and word order tolerated, 3-grams
  common to many names dropped), top-k per left by sparse cosine; or rapidfuzz `cdist` for small tables.
Each pair keeps a bitmask of its sources, so recall per source can be measured and the explanation can say why a pair
was considered at all.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .prepare import Side
from .spec import Candidates, LinkSpec

SOURCES: tuple[str, ...] = (
    "decision", "crm_key", "account_id", "domain", "knn_identity", "knn_context", "name", "all_pairs",
)
SOURCE_BIT = {name: 1 << i for i, name in enumerate(SOURCES)}


def source_names(mask: int) -> str:
    """Bitmask -> "crm_key,domain,knn_identity"."""
    return ",".join(name for name, bit in SOURCE_BIT.items() if mask & bit)


def source_labels(masks: np.ndarray) -> np.ndarray:
    uniq, inv = np.unique(masks, return_inverse=True)
    labels = np.array([source_names(int(m)) for m in uniq], dtype=object)
    return labels[inv]


# ----------------------------------------------------------------------------------------------- exact keys


def key_pairs(left_keys: np.ndarray, right_keys: np.ndarray, max_fanout: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions (li, ri) of rows sharing a non-null key; keys held by more than `max_fanout` rows on a side skipped."""
    lf = pd.DataFrame({"k": left_keys, "li": np.arange(len(left_keys))}).dropna()
    rf = pd.DataFrame({"k": right_keys, "ri": np.arange(len(right_keys))}).dropna()
    if max_fanout is not None:
        lf = lf[lf["k"].map(lf["k"].value_counts()) <= max_fanout]
        rf = rf[rf["k"].map(rf["k"].value_counts()) <= max_fanout]
    m = lf.merge(rf, on="k")
    return m["li"].to_numpy(np.int64), m["ri"].to_numpy(np.int64)


def crm_key_pairs(ls: Side, rs: Side) -> tuple[np.ndarray, np.ndarray]:
    """Pairs one of whose records names the other by id (a key on either side, or both)."""
    parts = []
    if ls.crm_key is not None:
        parts.append(key_pairs(ls.crm_key, rs.id_keys, None))
    if rs.crm_key is not None:
        ri, li = key_pairs(rs.crm_key, ls.id_keys, None)
        parts.append((li, ri))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


# --------------------------------------------------------------------------------------- nearest neighbours


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a project dependency, numpy is the fallback
        return None
    return torch


def _topk_numpy(sims: np.ndarray, k: int, min_value: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k column positions per row with value >= min_value, as flat (row, col) arrays.

    Thresholding first touches each value once; only rows with more than k survivors need a partial sort, which is
    much cheaper than argpartition over every full row.
    """
    rows, cols = np.nonzero(sims >= min_value)
    if len(rows) == 0:
        return rows.astype(np.int64), cols.astype(np.int64)
    vals = sims[rows, cols]
    order = np.lexsort((-vals, rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(sims.shape[0]))
    rank = np.arange(len(rows)) - starts[rows]
    keep = rank < k
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)


@lru_cache(maxsize=1)
def fast_bfloat16() -> bool:
    """Does this CPU multiply bfloat16 matrices at least 1.5x faster than float32? Measured once per process (a
    block shaped like the search's): CPUs with AVX512-BF16 or AMX do (~4x on the bench machine), others emulate it
    and are slower, so the answer decides whether the shortlist runs in bfloat16."""
    torch = _torch()
    if torch is None:
        return False
    a = torch.randn(256, 384)
    b = torch.randn(8192, 384)
    seconds = {}
    for dtype in (torch.float32, torch.bfloat16):
        x, y = a.to(dtype), b.to(dtype)
        torch.mm(x, y.T)  # warm-up (kernel selection)
        t0 = time.perf_counter()
        for _ in range(3):
            torch.mm(x, y.T)
        seconds[dtype] = time.perf_counter() - t0
    return seconds[torch.bfloat16] * 1.5 <= seconds[torch.float32]


def uses_shortlist(precision: str, backend: str = "auto") -> bool:
    """Whether `knn_pairs` with these settings searches a bfloat16 shortlist (else exact float32)."""
    if backend == "numpy" or _torch() is None:
        return False
    return precision == "bfloat16" or (precision == "auto" and fast_bfloat16())


def _keep_top(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int, k: int):
    """The k largest values per row of flat (row, col, value) arrays."""
    order = np.lexsort((-vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.searchsorted(rows, np.arange(n_rows))
    keep = (np.arange(len(rows)) - first[rows]) < k
    return rows[keep], cols[keep], vals[keep]


def knn_pairs(
    left: np.ndarray,
    left_ok: np.ndarray,
    right: np.ndarray,
    right_ok: np.ndarray,
    k: int,
    min_cosine: float,
    chunk_size: int = 2048,
    backend: str = "auto",
    precision: str = "auto",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """k nearest right rows by cosine (rows are unit vectors) for every left row: (li, ri, cosine).

    precision "exact": float32 products, the exact top k. "bfloat16" (torch only): the products in bfloat16 (4x
    faster where the CPU has bfloat16 units) give a shortlist of 2k per row, re-ranked by the exact float32 cosine:
    approximate only where the true k-th neighbour falls outside the bfloat16 top 2k (its cosine within ~0.004 of
    the 2k-th); `knn_recall` measures it. "auto": bfloat16 when `fast_bfloat16()`, else exact.
    """
    lpos, rpos = np.flatnonzero(left_ok), np.flatnonzero(right_ok)
    empty = np.zeros(0, np.int64)
    if len(lpos) == 0 or len(rpos) == 0 or k <= 0:
        return empty, empty, np.zeros(0, np.float32)
    k = min(k, len(rpos))
    torch = _torch() if backend in ("auto", "torch") else None
    if backend == "torch" and torch is None:
        raise ImportError("knn backend 'torch' requested but torch is not installed")
    if precision == "bfloat16" and torch is None:
        raise ValueError("knn precision 'bfloat16' needs the torch backend")
    shortlist = torch is not None and uses_shortlist(precision, backend)
    lfull = np.ascontiguousarray(left[lpos], dtype=np.float32)
    rfull = np.ascontiguousarray(right[rpos], dtype=np.float32)
    k_search = min(2 * k, len(rpos)) if shortlist else k
    out_l, out_r, out_c = [], [], []
    if torch is not None:
        dtype = torch.bfloat16 if shortlist else torch.float32
        rt = torch.from_numpy(rfull).to(dtype)
        # One similarity buffer for all blocks: re-allocating ~chunk x n_right values per block costs page faults.
        tbuf = torch.empty((min(chunk_size, len(lpos)), len(rpos)), dtype=dtype)
    else:
        buf = np.empty((min(chunk_size, len(lpos)), len(rpos)), dtype=np.float32)
    for start in range(0, len(lpos), chunk_size):
        stop = min(start + chunk_size, len(lpos))
        if torch is not None:
            sims = tbuf[: stop - start]
            torch.mm(torch.from_numpy(lfull[start:stop]).to(dtype), rt.T, out=sims)
            vals, cols = torch.topk(sims, k_search, dim=1)
            rows = np.repeat(np.arange(stop - start), k_search)
            cols = cols.numpy().ravel()
            vals = vals.float().numpy().ravel()
        else:
            sims = buf[: stop - start]
            np.matmul(lfull[start:stop], rfull.T, out=sims)
            rows, cols = _topk_numpy(sims, k_search, min_cosine)
            vals = sims[rows, cols]
        if shortlist:  # exact re-rank of the 2k shortlisted
            vals = np.einsum("ij,ij->i", lfull[start + rows], rfull[cols])
            rows, cols, vals = _keep_top(rows, cols, vals, stop - start, k)
        keep = vals >= min_cosine
        out_l.append(lpos[start + rows[keep]])
        out_r.append(rpos[cols[keep]])
        out_c.append(vals[keep].astype(np.float32))
    return np.concatenate(out_l), np.concatenate(out_r), np.concatenate(out_c)


def knn_recall(left: np.ndarray, left_ok: np.ndarray, right: np.ndarray, right_ok: np.ndarray,
               found: tuple[np.ndarray, np.ndarray], k: int, min_cosine: float, sample: int = 500,
               seed: int = 0) -> float:
    """Share of the exact k nearest neighbours (cosine >= min_cosine) of `sample` random left rows that the search
    returned as `found` (li, ri): the measured recall of an approximate search."""
    lpos = np.flatnonzero(left_ok)
    if len(lpos) == 0:
        return 1.0
    rows = np.sort(np.random.default_rng(seed).choice(lpos, min(sample, len(lpos)), replace=False))
    only = np.zeros(len(left_ok), bool)
    only[rows] = True
    el, er, _ = knn_pairs(left, left_ok & only, right, right_ok, k, min_cosine, precision="exact")
    if len(el) == 0:
        return 1.0
    n_right = len(right_ok)
    got = np.isin(el.astype(np.int64) * n_right + er, found[0].astype(np.int64) * n_right + found[1])
    return round(float(got.mean()), 4)


# ------------------------------------------------------------------------------------------- name blocking


def _topk_csr(mat: sp.csr_matrix, k: int, min_value: float) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (row, col) per row of a sparse similarity block, values >= min_value."""
    mat = mat.tocsr()
    rows = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))
    keep = mat.data >= min_value
    rows, cols, vals = rows[keep], mat.indices[keep], mat.data[keep]
    order = np.lexsort((-vals, rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(mat.shape[0]))
    rank = np.arange(len(rows)) - starts[rows]
    sel = rank < k
    return rows[sel].astype(np.int64), cols[sel].astype(np.int64)


def _distinct(names: np.ndarray) -> tuple[list[str], pd.DataFrame]:
    """Distinct non-empty names and a (u, pos) table mapping each distinct name to its records."""
    present = np.array([bool(v) for v in names], dtype=bool)
    pos = np.flatnonzero(present)
    codes, uniq = pd.factorize(pd.Series(names[pos], dtype=object))
    return list(uniq), pd.DataFrame({"u": codes, "pos": pos})


def _expand(ul: np.ndarray, ur: np.ndarray, lmap: pd.DataFrame, rmap: pd.DataFrame, max_fanout: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of distinct names -> pairs of records; a right name held by more than `max_fanout` records is skipped
    (a company with that many deals is left to the deal-level sources)."""
    sizes = rmap["u"].value_counts()
    rmap = rmap[rmap["u"].map(sizes) <= max_fanout]
    pairs = pd.DataFrame({"ul": ul, "ur": ur})
    m = pairs.merge(lmap.rename(columns={"u": "ul", "pos": "li"}), on="ul")
    m = m.merge(rmap.rename(columns={"u": "ur", "pos": "ri"}), on="ur")
    return m["li"].to_numpy(np.int64), m["ri"].to_numpy(np.int64)


def ngram_name_pairs(
    left_names: np.ndarray, right_names: np.ndarray, settings: Candidates
) -> tuple[np.ndarray, np.ndarray]:
    """Records of the top `name_k` distinct right names per distinct left name, by TF-IDF cosine over character
    3-grams. Working on distinct names means a company with many deals still counts as one neighbour."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    lnames, lmap = _distinct(left_names)
    rnames, rmap = _distinct(right_names)
    empty = np.zeros(0, np.int64)
    if not lnames or not rnames:
        return empty, empty
    # 3-grams shared by many names ("ion", " co") make huge, useless blocks and cost quadratic time.
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), max_df=max(settings.ngram_max_df, 1),
                          dtype=np.float32)
    try:
        rmat = vec.fit_transform(rnames)
    except ValueError:  # every 3-gram too common, or names shorter than 3 characters
        return empty, empty
    lmat = vec.transform(lnames)
    rmat_t = rmat.T.tocsr()
    out_l, out_r = [], []
    step = max(settings.chunk_size, 1)
    for start in range(0, len(lnames), step):
        block = lmat[start : start + step] @ rmat_t
        rows, cols = _topk_csr(block, settings.name_k, settings.name_min_similarity)
        out_l.append(start + rows)
        out_r.append(cols)
    return _expand(np.concatenate(out_l), np.concatenate(out_r), lmap, rmap, settings.max_key_fanout)


def cdist_name_pairs(
    left_names: np.ndarray, right_names: np.ndarray, settings: Candidates, scorer_name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Like `ngram_name_pairs` but ranking by a rapidfuzz scorer over all distinct names (quadratic: meant for a
    few thousand names)."""
    from rapidfuzz import fuzz, process, utils

    scorer = getattr(fuzz, scorer_name)
    lnames, lmap = _distinct(left_names)
    rnames, rmap = _distinct(right_names)
    empty = np.zeros(0, np.int64)
    if not lnames or not rnames:
        return empty, empty
    cutoff = settings.name_min_similarity * 100
    out_l, out_r = [], []
    for start in range(0, len(lnames), 1024):
        sims = process.cdist(
            lnames[start : start + 1024], rnames, scorer=scorer, processor=utils.default_process,
            score_cutoff=cutoff, dtype=np.float32, workers=-1,
        )
        rows, cols = _topk_numpy(sims, settings.name_k, max(cutoff, 1e-9))
        out_l.append(start + rows)
        out_r.append(cols)
    return _expand(np.concatenate(out_l), np.concatenate(out_r), lmap, rmap, settings.max_key_fanout)


# ------------------------------------------------------------------------------------------------- union


def union_pairs(parts: dict[str, tuple[np.ndarray, np.ndarray]], n_right: int) -> pd.DataFrame:
    """One row per distinct (left_idx, right_idx) with the OR of its sources' bits."""
    keys, bits = [], []
    for source, (li, ri) in parts.items():
        keys.append(li.astype(np.int64) * n_right + ri.astype(np.int64))
        bits.append(np.full(len(li), SOURCE_BIT[source], dtype=np.int64))
    key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    bit = np.concatenate(bits) if bits else np.zeros(0, np.int64)
    if len(key) == 0:
        return pd.DataFrame({"left_idx": key, "right_idx": key.copy(), "source_mask": bit})
    order = np.argsort(key, kind="stable")
    key, bit = key[order], bit[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    uniq = key[starts]
    mask = np.bitwise_or.reduceat(bit, starts)
    return pd.DataFrame({"left_idx": uniq // n_right, "right_idx": uniq % n_right, "source_mask": mask})


def generate_candidates(
    ls: Side, rs: Side, spec: LinkSpec, extra: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
) -> tuple[pd.DataFrame, dict]:
    """All candidate pairs (positions + source bitmask) and per-source counts and timings."""
    cs = spec.candidates
    parts: dict[str, tuple[np.ndarray, np.ndarray]] = dict(extra or {})
    timings: dict[str, float] = {}
    recall: dict[str, float] = {}  # measured recall of the in-memory vector search against the exact one

    def timed(name, fn):
        t0 = time.perf_counter()
        result = fn()
        timings[name] = round(time.perf_counter() - t0, 3)
        if result is not None:
            parts[name] = result

    if "crm_key" in cs.exact_keys and (ls.crm_key is not None or rs.crm_key is not None):
        timed("crm_key", lambda: crm_key_pairs(ls, rs))
    if "account_id" in cs.exact_keys and ls.account is not None and rs.account is not None:
        timed("account_id", lambda: key_pairs(ls.account, rs.account, cs.max_key_fanout))
    if "domain" in cs.exact_keys and ls.domain is not None and rs.domain is not None:
        timed("domain", lambda: key_pairs(ls.domain, rs.domain, cs.max_key_fanout))
    for kind in cs.knn_vectors:
        if f"knn_{kind}" in parts:  # supplied by the caller (e.g. from a pgvector index)
            continue
        lv, lok = getattr(ls, kind), getattr(ls, f"{kind}_ok")
        rv, rok = getattr(rs, kind), getattr(rs, f"{kind}_ok")
        if lv is None or rv is None or lv.shape[1] != rv.shape[1]:
            continue
        timed(f"knn_{kind}", lambda: knn_pairs(lv, lok, rv, rok, cs.knn_k, cs.knn_min_cosine, cs.chunk_size,
                                               cs.knn_backend, cs.knn_precision)[:2])
        if cs.knn_recall_sample and uses_shortlist(cs.knn_precision, cs.knn_backend) and f"knn_{kind}" in parts:
            recall[kind] = knn_recall(lv, lok, rv, rok, parts[f"knn_{kind}"], cs.knn_k, cs.knn_min_cosine,
                                      cs.knn_recall_sample)
    if cs.name_method != "none" and ls.block_key is not None and rs.block_key is not None:
        if cs.name_method == "ngram":
            timed("name", lambda: ngram_name_pairs(ls.block_key, rs.block_key, cs))
        else:
            timed("name", lambda: cdist_name_pairs(ls.block_key, rs.block_key, cs, spec.features.name_scorer))
    t0 = time.perf_counter()
    pairs = union_pairs(parts, rs.n)
    timings["union"] = round(time.perf_counter() - t0, 3)
    stats = {
        "by_source": {name: int(len(li)) for name, (li, _) in parts.items()},
        "pairs": int(len(pairs)),
        "timings": timings,
        "knn": {"search": "bfloat16 shortlist, exact re-rank", "recall_vs_exact": recall} if recall else {},
    }
    return pairs, stats


# ------------------------------------------------------------------------------------------------ recall


def candidate_recall(pairs: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Share of true pairs (truth: left_id, right_id) present among candidates, overall and per source.

    `pairs` needs left_id, right_id and sources (comma-separated names), as in LinkResult.pairs.
    """
    from .prepare import id_keys

    t = pd.DataFrame({"l": id_keys(truth["left_id"]), "r": id_keys(truth["right_id"])}).drop_duplicates()
    p = pd.DataFrame({"l": id_keys(pairs["left_id"]), "r": id_keys(pairs["right_id"]),
                      "sources": pairs["sources"].to_numpy()})
    m = t.merge(p, on=["l", "r"], how="left")
    found = m["sources"].notna()
    n = len(t)
    by_source = {}
    for name in SOURCES:
        hit = m["sources"].fillna("").str.split(",").map(lambda s, name=name: name in s)
        by_source[name] = round(float(hit.sum()) / n, 4) if n else float("nan")
    return {
        "n_truth": n,
        "n_found": int(found.sum()),
        "recall": float(found.mean()) if n else float("nan"),
        "recall_by_source": by_source,
        "candidates_per_left": float(len(pairs) / max(pairs["left_id"].nunique(), 1)) if len(pairs) else 0.0,
    }
