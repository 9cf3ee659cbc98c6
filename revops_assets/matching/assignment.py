"""One-to-one assignment: each left record gets at most one right record and each right at most one left.

Greedy "best candidate per left" can give one Odoo deal to two ACE deals; instead the engine picks the set of pairs
that maximizes the total gain, gain = log_odds - logit(floor) > 0 for pairs above the floor. A sum of log-odds is the
log-likelihood of the whole assignment under the model's independence assumption, so this is the most probable
one-to-one linking. Solved exactly on the sparse candidate graph with scipy's LAPJVsp
(`min_weight_full_bipartite_matching`): every left also gets a private dummy right of gain 0, so a full matching
always exists and "leave unmatched" is an ordinary choice. Connected components of one left or one right (most of
them) are solved directly by taking their best edge.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching


def assign(left_idx: np.ndarray, right_idx: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Positions (into the given arrays) of the chosen pairs; only pairs with gain > 0 are eligible.

    Each left and each right position appears at most once among the chosen pairs.
    """
    left_idx, right_idx = np.asarray(left_idx, np.int64), np.asarray(right_idx, np.int64)
    gain = np.asarray(gain, dtype=float)
    edges = np.flatnonzero(gain > 0)
    if len(edges) == 0:
        return edges
    # Compact node numbering over eligible edges only.
    lu, lc = np.unique(left_idx[edges], return_inverse=True)
    ru, rc = np.unique(right_idx[edges], return_inverse=True)
    nl, nr = len(lu), len(ru)
    graph = sp.coo_matrix((np.ones(len(edges)), (lc, nl + rc)), shape=(nl + nr, nl + nr)).tocsr()
    _, comp_of_node = connected_components(graph, directed=False)
    comp = comp_of_node[lc]
    n_left_in = np.bincount(comp_of_node[:nl])
    n_right_in = np.bincount(comp_of_node[nl:], minlength=len(n_left_in))
    trivial = (n_left_in[comp] == 1) | (n_right_in[comp] == 1)

    chosen = []
    # Star-shaped components: the single best edge is optimal (ties broken by position, deterministic).
    t_edges = np.flatnonzero(trivial)
    if len(t_edges):
        order = np.lexsort((t_edges, -gain[edges[t_edges]], comp[t_edges]))
        tc = comp[t_edges][order]
        first = np.r_[True, tc[1:] != tc[:-1]]
        chosen.append(edges[t_edges[order][first]])
    # Everything else at once: one sparse LAP with dummy rights.
    h_edges = np.flatnonzero(~trivial)
    if len(h_edges):
        chosen.append(edges[_lap(lc[h_edges], rc[h_edges], gain[edges[h_edges]], h_edges)])
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)


def _lap(lc: np.ndarray, rc: np.ndarray, g: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Max-gain matching on a sub-graph; returns positions into `local` (i.e. into the eligible edge list)."""
    lu, li = np.unique(lc, return_inverse=True)
    ru, ri = np.unique(rc, return_inverse=True)
    nl, nr = len(lu), len(ru)
    big = float(g.max()) + 1.0  # costs big - gain are all >= 1, so no explicit zero is dropped as "no edge"
    rows = np.concatenate([li, np.arange(nl)])
    cols = np.concatenate([ri, nr + np.arange(nl)])
    cost = np.concatenate([big - g, np.full(nl, big)])
    mat = sp.csr_matrix((cost, (rows, cols)), shape=(nl, nr + nl))
    row_ind, col_ind = min_weight_full_bipartite_matching(mat)
    real = col_ind < nr
    # Map each matched (row, col) back to its edge position.
    key_matched = row_ind[real].astype(np.int64) * nr + col_ind[real]
    key_edges = li.astype(np.int64) * nr + ri
    order = np.argsort(key_edges)
    pos = order[np.searchsorted(key_edges[order], key_matched)]
    return local[pos]
