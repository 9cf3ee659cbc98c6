"""Splink 5 (DuckDB backend, EM-trained) on the same data, same candidates and same normalizations as the engine.

Why: the engine's claim to calibrate itself is only worth something next to the reference implementation of
Fellegi-Sunter. Splink gets every advantage we can give it: the engine's own prepared columns (normalized company
names, domains, account ids, validated CRM keys mapped to the other table's id, annualized amounts, stage and origin
groups, the same vectors) and the engine's own candidate pairs, registered as Splink's blocked pairs, so the two
differ only in how they score. Splink is trained the way its documentation recommends: the match prior from
deterministic rules, u by random sampling, m by EM over two blocking rules (so every comparison is estimated once).

Both are judged on every candidate pair the same way: F1 of the pairs at p >= 0.8, and at the best threshold.
The engine's output is its one-to-one assignment (a product feature); Splink's is pairwise, as Splink is.
Needs the optional extra: `pip install 'revops-assets[splink]'`.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from revops_assets.matching.evaluation import _keys


def _frame(side, is_left: bool, crm_to_right_id: np.ndarray | None):
    """The side's prepared columns as an Arrow table (vectors as fixed-size float arrays, what DuckDB's
    array_cosine_similarity takes)."""
    import pyarrow as pa

    frame = pd.DataFrame({
        "unique_id": side.id_keys,
        "company": side.name,
        "company_key": side.block_key,
        "title": side.title,
        "domain": side.domain,
        "account": side.account,
        # the CRM id typed on the left names a right record: compared with the right's own id
        "crm_ref": crm_to_right_id if is_left else side.id_keys,
        "log_amount": np.log10(side.amount) if side.amount is not None else np.nan,
        "close_date": pd.to_datetime(side.date_days, unit="D", errors="coerce").strftime("%Y-%m-%d")
        if side.date_days is not None else None,
        "stage": side.stage_group,
        "origin": side.origin_group,
    })
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for kind in ("identity", "context"):
        mat = getattr(side, kind)
        if mat is not None:
            ok = getattr(side, f"{kind}_ok")
            arr = pa.FixedSizeListArray.from_arrays(pa.array(mat.astype(np.float32).ravel()), mat.shape[1],
                                                    mask=pa.array(~ok))
            table = table.append_column(f"{kind}_vec", arr)
    return table


def splink_scores(ls, rs, li: np.ndarray, ri: np.ndarray, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Splink's match probability for the candidate pairs (li, ri) of two prepared sides; and its timings."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    left = _frame(ls, True, ls.crm_key)
    right = _frame(rs, False, None)
    comparisons = [
        cl.ExactMatch("crm_ref"),
        cl.JaroWinklerAtThresholds("company", [0.95, 0.85, 0.7]),
        cl.ExactMatch("domain"),
        cl.ExactMatch("account"),
        cl.JaroWinklerAtThresholds("title", [0.9, 0.75, 0.5]),
        cl.AbsoluteDateDifferenceAtThresholds("close_date", input_is_string=True, metrics=["day", "day", "day"],
                                              thresholds=[5, 30, 90]),
        cl.CustomComparison(
            output_column_name="log_amount",
            comparison_levels=[
                {"sql_condition": "log_amount_l IS NULL OR log_amount_r IS NULL", "label_for_charts": "null",
                 "is_null_level": True},
                {"sql_condition": "abs(log_amount_l - log_amount_r) <= 0.05", "label_for_charts": "within 12%"},
                {"sql_condition": "abs(log_amount_l - log_amount_r) <= 0.15", "label_for_charts": "within 40%"},
                {"sql_condition": "abs(log_amount_l - log_amount_r) <= 0.6", "label_for_charts": "within 4x"},
                {"sql_condition": "ELSE", "label_for_charts": "else"},
            ]),
        cl.ExactMatch("stage"),
        cl.ExactMatch("origin"),
    ]
    for kind, th in (("identity", [0.92, 0.85, 0.7]), ("context", [0.85, 0.75, 0.6])):
        if f"{kind}_vec" in left.column_names and f"{kind}_vec" in right.column_names:
            comparisons.append(cl.CosineSimilarityAtThresholds(f"{kind}_vec", th))
    settings = SettingsCreator(link_type="link_only", comparisons=comparisons, retain_matching_columns=False,
                               retain_intermediate_calculation_columns=False)
    db = DuckDBAPI()
    a = db.register(left, dataset_display_name="a_left")
    b = db.register(right, dataset_display_name="b_right")
    linker = Linker([a, b], settings, log_level=40)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("crm_ref"), block_on("domain", "company"), block_on("account", "company")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("company_key"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("title"))
    t_train = time.perf_counter() - t0
    sep = "-__-"
    pairs = pd.DataFrame({
        "match_key": "0",
        "join_key_l": "a_left" + sep + pd.Series(ls.id_keys[li], dtype=str),
        "join_key_r": "b_right" + sep + pd.Series(rs.id_keys[ri], dtype=str),
    })
    linker.table_management.register_blocked_pairs_for_predict(db.register(pairs))
    pred = linker.inference.predict().as_pandas_dataframe()
    out = pd.DataFrame({"left_id": pred["unique_id_l"], "right_id": pred["unique_id_r"],
                        "probability": pred["match_probability"].astype(float)})
    return out, {"train_s": round(t_train, 1), "total_s": round(time.perf_counter() - t0, 1)}


def f1_at(pairs: pd.DataFrame, truth: pd.DataFrame, threshold: float) -> float:
    pred, true = _keys(pairs[pairs["probability"] >= threshold]), _keys(truth)
    tp = len(pred & true)
    return round(2 * tp / (len(pred) + len(true)), 4) if pred or true else 0.0


def best_f1(pairs: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float]:
    """(best F1 over thresholds, that threshold) of pairwise predictions."""
    from revops_assets.matching.evaluation import truth_labels

    y = truth_labels(pairs, truth)
    n_true = len(_keys(truth))
    p = pairs["probability"].to_numpy()
    order = np.argsort(-p, kind="stable")
    tp = np.cumsum(y[order])
    k = np.arange(1, len(p) + 1)
    f1 = 2 * tp / (k + n_true)
    i = int(np.argmax(f1)) if len(f1) else 0
    return (round(float(f1[i]), 4), round(float(p[order][i]), 4)) if len(f1) else (0.0, 0.5)
