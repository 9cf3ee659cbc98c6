"""The matching engine as a plain library: features, scoring, assignment, decisions, learning and evaluation on
hand-made pairs and small synthetic sets, with no Dagster and no database."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from revops_assets.matching.assignment import assign
from revops_assets.matching.candidates import candidate_recall, knn_pairs, knn_recall
from revops_assets.matching.engine import link
from revops_assets.matching.evaluation import evaluate, precision_recall, truth_labels
from revops_assets.matching.learning import fit_from_labels
from revops_assets.matching.scoring import CONTRIB_PREFIX, MatchModel, level_defs, level_index, score
from revops_assets.matching.features import FEATURES
from revops_assets.matching.spec import Columns, LinkSpec, Weights, load_spec
from revops_assets.matching.synthetic import make_linkage


@pytest.fixture(scope="module")
def spec() -> LinkSpec:
    return load_spec("ace_to_odoo")


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def _pair_tables(left_rows: list[dict], right_rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ACE-/Odoo-shaped frames from a few dicts; unspecified columns are missing."""
    lcols = ["ace_opportunity_id", "company_name_norm", "company_key", "title", "domain", "aws_account_id",
             "partner_crm_id", "expected_monthly_spend_usd", "target_close_date", "aws_create_date", "stage", "origin",
             "identity_vec", "context_vec", "sparse_context", "context_text", "ace_stage", "expected_monthly_spend",
             "use_case"]
    rcols = ["odoo_opportunity_id", "company_name_norm", "company_key", "title", "domain", "aws_account_id",
             "expected_revenue_usd", "date_deadline", "create_date", "stage", "origination", "identity_vec",
             "context_vec", "sparse_context", "context_text", "ace_opportunity_ref", "ace_target_close_date",
             "ace_expected_monthly_revenue", "ace_stage", "use_case", "aws_scope"]
    left = pd.DataFrame([{c: r.get(c) for c in lcols} for r in left_rows])
    right = pd.DataFrame([{c: r.get(c) for c in rcols} for r in right_rows])
    return left, right


def _features_of(spec, left_row: dict, right_row: dict) -> pd.Series:
    left, right = _pair_tables([{"ace_opportunity_id": "A", **left_row}], [{"odoo_opportunity_id": 1, **right_row}])
    spec = spec.model_copy(update={"candidates": spec.candidates.model_copy(update={"knn_vectors": []})})
    result = link(left, right, spec, decisions=pd.DataFrame(
        {"left_id": ["A"], "right_id": [1], "decision": ["confirmed"]}))
    return result.pairs.iloc[0]


# ------------------------------------------------------------------------------------------------ features


def test_company_name_variants_score_high_and_different_names_low(spec):
    close = _features_of(spec, {"company_name_norm": "Acme Corp"}, {"company_name_norm": "ACME Corporation"})
    far = _features_of(spec, {"company_name_norm": "Acme Corp"}, {"company_name_norm": "Northwind Traders"})
    assert close["name_sim"] >= 0.85
    assert far["name_sim"] < 0.6
    # name, domain, account and identity embedding are one "company" comparison: its evidence counts once
    assert close[CONTRIB_PREFIX + "company"] > far[CONTRIB_PREFIX + "company"]
    assert CONTRIB_PREFIX + "name_sim" not in close


def test_a_name_in_kanji_meets_its_romaji_and_cyrillic_its_latin_form(spec):
    kanji = _features_of(spec, {"company_name_norm": "佐藤工業"}, {"company_name_norm": "sato kogyo"})
    other = _features_of(spec, {"company_name_norm": "佐藤工業"}, {"company_name_norm": "nakamura denki"})
    cyrillic = _features_of(spec, {"company_name_norm": "ромашка"}, {"company_name_norm": "romashka"})
    assert kanji["name_sim"] >= 0.95 and other["name_sim"] < 0.6
    assert cyrillic["name_sim"] >= 0.95


def test_dates_two_days_apart_beat_thirty(spec):
    near = _features_of(spec, {"target_close_date": "2025-03-01"}, {"date_deadline": "2025-03-03"})
    far = _features_of(spec, {"target_close_date": "2025-03-01"}, {"date_deadline": "2025-03-31"})
    assert near["date_prox"] > far["date_prox"]
    assert far["date_prox"] == pytest.approx(0.5, abs=0.01)  # 30 days = one half-life


def test_registration_created_days_after_the_deal_beats_an_older_registration_of_the_same_workload(spec):
    """Creation dates tell a deal's registration from an older resubmission or another phase of the same customer
    and workload, even when the close dates slipped and the titles agree."""
    deal = {"company_name_norm": "acme", "domain": "acme.com", "title": "Data lake on AWS",
            "target_close_date": "2025-09-01"}
    left, right = _pair_tables(
        [{"ace_opportunity_id": "NEW", **deal, "aws_create_date": "2025-03-08"},
         {"ace_opportunity_id": "OLD", **deal, "aws_create_date": "2024-02-20", "stage": "Rejected"}],
        [{"odoo_opportunity_id": 1, "company_name_norm": "acme", "domain": "acme.com", "title": "Data lake on AWS",
          "date_deadline": "2025-12-15", "create_date": "2025-03-01 10:00", "stage": "Proposition"}])
    spec = spec.model_copy(update={"candidates": spec.candidates.model_copy(update={"knn_vectors": []})})
    result = link(left, right, spec)
    pairs = result.pairs.set_index("left_id")
    assert pairs.loc["NEW", "created_prox"] == pytest.approx(0.5 ** (6.58 / 30), abs=0.01)
    assert pairs.loc["OLD", "created_prox"] < 0.01
    assert pairs.loc["NEW", "log_odds"] > pairs.loc["OLD", "log_odds"]
    # a rejected registration: barely compatible (each pair of stage groups adds an offset under 0.01)
    assert pairs.loc["OLD", "stage_compat"] == pytest.approx(0.25, abs=0.01)
    chosen = result.matches.dropna(subset=["right_id"])
    assert list(chosen["left_id"]) == ["NEW"]
    # a side without creation dates compares nothing: NaN, no contribution
    assert np.isnan(_features_of(spec, {"aws_create_date": None}, {"create_date": "2025-03-01"})["created_prox"])


def test_missing_amount_is_nan_with_zero_contribution(spec):
    row = _features_of(spec, {"expected_monthly_spend_usd": None}, {"expected_revenue_usd": 12_000.0})
    assert np.isnan(row["amount_prox"])
    assert row[CONTRIB_PREFIX + "amount_prox"] == 0.0
    zero = _features_of(spec, {"expected_monthly_spend_usd": 0.0}, {"expected_revenue_usd": 12_000.0})
    assert np.isnan(zero["amount_prox"])  # ACE's 0 means "not filled in"


def test_monthly_amount_is_annualised_before_comparing_with_total(spec):
    same = _features_of(spec, {"expected_monthly_spend_usd": 1_000.0}, {"expected_revenue_usd": 12_000.0})
    double = _features_of(spec, {"expected_monthly_spend_usd": 1_000.0}, {"expected_revenue_usd": 24_000.0})
    assert same["amount_prox"] == pytest.approx(1.0)
    assert double["amount_prox"] == pytest.approx(1 - np.log(2) / np.log(10))


def test_keys_compare_normalized_and_missing_keys_are_nan(spec):
    row = _features_of(
        spec,
        {"domain": "https://www.Acme.com/about", "aws_account_id": "1234-5678-9012", "partner_crm_id": "1"},
        {"domain": "acme.com", "aws_account_id": "123456789012"},
    )
    assert (row["domain_eq"], row["account_eq"], row["crm_key_eq"]) == (1.0, 1.0, 1.0)
    other = _features_of(spec, {"domain": "acme.com", "partner_crm_id": "99"}, {"domain": "globex.com"})
    assert other["domain_eq"] == 0.0
    assert np.isnan(other["crm_key_eq"])  # 99 is no Odoo id on the right: no evidence either way
    assert np.isnan(other["account_eq"])


def test_a_key_is_a_key_only_when_it_parses_and_points_at_an_existing_record(spec):
    from revops_assets.matching.prepare import parse_keys

    raw = pd.Series(["1042", " #1042", "ODOO-1042", "odoo id 1042", "0060000YHbI5ED5", "HS-477093", "SF-1042",
                     "1042abc", None, ""])
    assert parse_keys(raw, spec.left.crm_key_pattern).tolist() == ["1042"] * 4 + [None] * 6
    left, right = _pair_tables(
        [{"ace_opportunity_id": "A", "partner_crm_id": "HS-2"}, {"ace_opportunity_id": "B", "partner_crm_id": "7"},
         {"ace_opportunity_id": "C", "partner_crm_id": "odoo-2"}, {"ace_opportunity_id": "D", "partner_crm_id": "1"}],
        [{"odoo_opportunity_id": 1}, {"odoo_opportunity_id": 2}],
    )
    spec = spec.model_copy(update={"candidates": spec.candidates.model_copy(
        update={"knn_vectors": [], "name_method": "none", "exact_keys": ["crm_key"]})})
    result = link(left, right, spec)
    pairs = set(zip(result.pairs["left_id"], result.pairs["right_id"]))
    assert pairs == {("C", 2), ("D", 1)}  # a HubSpot id's digits and an id that does not exist propose nothing
    assert result.stats["crm_keys"]["left"] == {"filled": 4, "parsed_as_ids": 3, "existing_ids": 2}


def test_an_ace_reference_typed_into_odoo_is_a_key_from_the_other_side(spec):
    left, right = _pair_tables(
        [{"ace_opportunity_id": "O100"}, {"ace_opportunity_id": "O200", "partner_crm_id": "2"},
         {"ace_opportunity_id": "O300"}],
        [{"odoo_opportunity_id": 1, "ace_opportunity_ref": "O100"},
         {"odoo_opportunity_id": 2, "ace_opportunity_ref": "O300"},  # names another registration than O200's key
         {"odoo_opportunity_id": 3, "ace_opportunity_ref": "O999"},  # no such registration
         {"odoo_opportunity_id": 4, "ace_opportunity_ref": "0060000YHbI5ED5"}],  # not an ACE id at all
    )
    spec = spec.model_copy(update={"candidates": spec.candidates.model_copy(
        update={"knn_vectors": [], "name_method": "none", "exact_keys": ["crm_key"]})})
    result = link(left, right, spec)
    pairs = result.pairs.set_index(["left_id", "right_id"])
    assert set(pairs.index) == {("O100", 1), ("O200", 2), ("O300", 2)}
    assert pairs.loc[("O100", 1), "crm_key_eq"] == 1.0
    assert pairs.loc[("O300", 2), "crm_key_eq"] == 1.0
    assert pairs.loc[("O200", 2), "crm_key_eq"] == 1.0  # one record naming the other is enough
    assert result.stats["crm_keys"]["right"] == {"filled": 4, "parsed_as_ids": 3, "existing_ids": 2}
    # a key naming another record is evidence against the pair
    row = _features_of(spec, {}, {"ace_opportunity_ref": "O1"})  # the left is "A": O1 exists nowhere -> no key
    assert np.isnan(row["crm_key_eq"])


def test_values_copied_from_the_registration_agree_weighted_by_how_rare_agreement_is(spec):
    left, right = _pair_tables(
        [{"ace_opportunity_id": f"O{i}", "target_close_date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=i),
          "expected_monthly_spend": 1000.0 + i, "ace_stage": ["Prospect", "Launched"][i % 2], "use_case": "Migration"}
         for i in range(6)],
        [{"odoo_opportunity_id": 1, "ace_target_close_date": "2025-01-01", "ace_expected_monthly_revenue": "1,000.00",
          "ace_stage": "prospect", "use_case": "migration"},  # a fresh copy of O0
         {"odoo_opportunity_id": 2, "ace_target_close_date": "2025-01-01", "ace_stage": "Launched"},  # stale stage
         {"odoo_opportunity_id": 3}],  # nothing copied
    )
    from revops_assets.matching.features import compute_features
    from revops_assets.matching.prepare import prepare

    ls, rs = prepare(left, right, spec)
    value = compute_features(ls, rs, np.array([0, 0, 1, 0]), np.array([0, 1, 0, 2]), spec)["mirror_eq"].to_numpy()
    assert value[0] == 1.0  # O0 and deal 1: "1,000.00" and 1000.0, "prospect" and "Prospect" agree
    assert 0.5 < value[1] < 1.0  # O0 and deal 2: the day agrees, the stage not; a day is rarer to share by chance
    assert value[2] < 0.5  # O1 and deal 1: only the use case (shared by all) agrees
    assert np.isnan(value[3])  # deal 3 holds no copy


def test_a_deal_outside_the_other_systems_scope_is_evidence_against(spec):
    out = _features_of(spec, {}, {"aws_scope": False})
    inside = _features_of(spec, {}, {"aws_scope": "t"})
    unknown = _features_of(spec, {}, {})
    assert (out["in_scope"], inside["in_scope"]) == (0.0, 1.0) and np.isnan(unknown["in_scope"])
    assert out[CONTRIB_PREFIX + "in_scope"] < 0 <= inside[CONTRIB_PREFIX + "in_scope"]


def test_a_mirror_naming_a_missing_column_is_a_clear_error(spec):
    left, right = _pair_tables([{"ace_opportunity_id": "O1"}], [{"odoo_opportunity_id": 1}])
    with pytest.raises(KeyError, match="ace_target_close_date"):
        link(left, right.drop(columns=["ace_target_close_date"]), spec)


def test_generic_and_placeholder_titles_are_recognized_from_the_data():
    from revops_assets.matching.prepare import generic_titles

    titles = np.array(["AWS Migration", "aws migration", "AWS  Migration!", "Olivia Carter's opportunity",
                       "Ken Ito's opportunity", "Ana Lima's Opportunity", "Teradata exit to Redshift",
                       "SAP on AWS", "Globex", "Globex - New opportunity", "Initech - new opportunity",
                       "Hooli: New Opportunity", "AWS Migration"], dtype=object)
    companies = np.array(["acme", "globex", "initech", "hooli", "acme", "umbrella", "acme", "globex", "globex",
                          "globex", "initech", "hooli", "acme"], dtype=object)
    generic = generic_titles(titles, companies, min_companies=3)
    assert generic.tolist() == [True, True, True, True, True, True, False, False, True, True, True, True, True]
    # a title used by one company only, however often, is that company's own naming, not a generic title
    assert not generic_titles(np.array(["SAP on AWS"] * 5, dtype=object), np.array(["acme"] * 5, dtype=object)).any()


def test_generic_titles_give_no_title_evidence(spec):
    rows = [{"ace_opportunity_id": f"A{i}", "company_name_norm": c, "title": "AWS Migration"}
            for i, c in enumerate(["acme", "globex", "initech"])]
    left, right = _pair_tables(rows, [{"odoo_opportunity_id": 1, "company_name_norm": "acme", "title": "AWS Migration"},
                                      {"odoo_opportunity_id": 2, "company_name_norm": "hooli", "title": "SAP rollout"}])
    spec = spec.model_copy(update={"candidates": spec.candidates.model_copy(update={"knn_vectors": []})})
    pairs = link(left, right, spec, exhaustive=True).pairs.set_index(["left_id", "right_id"])
    assert np.isnan(pairs.loc[("A0", 1), "title_sim"]) and np.isnan(pairs.loc[("A0", 1), "title_lexical"])
    assert pairs.loc[("A0", 2), "title_context"] == 0.0  # the specific title still looks at the generic side


def test_stage_and_origin_use_the_spec_tables(spec):
    won = _features_of(spec, {"stage": "Launched", "origin": "Partner Referral"},
                       {"stage": "Won", "origination": "Partner Originated"})
    conflict = _features_of(spec, {"stage": "Closed Lost", "origin": "AWS Referral"},
                            {"stage": "Won", "origination": "Partner Originated"})
    custom_open = _features_of(spec, {"stage": "technical-validation"}, {"stage": "Negotiation"})
    near = lambda v: pytest.approx(v, abs=0.01)  # noqa: E731 (each pair of groups adds an offset under 0.01)
    assert (won["stage_compat"], won["origin_eq"]) == (near(1.0), near(1.0))
    assert (conflict["stage_compat"], conflict["origin_eq"]) == (near(0.0), near(0.0))
    assert custom_open["stage_compat"] == near(1.0)  # unknown Odoo stage -> right_default "open"
    assert conflict[CONTRIB_PREFIX + "stage_compat"] < 0
    pooled = spec.model_copy(update={"stages": spec.stages.model_copy(update={"each_pair": False})})
    assert _features_of(pooled, {"stage": "Launched"}, {"stage": "Won"})["stage_compat"] == 1.0
    pooled = spec.model_copy(update={"origins": spec.origins.model_copy(update={"each_pair": False})})
    assert _features_of(pooled, {"origin": "AWS Referral"}, {"origination": "Partner"})["origin_eq"] == 0.0


def test_each_pair_of_stage_groups_is_a_level_of_its_own_with_the_compat_level_as_its_prior(spec):
    """Two pairs of stages with the same compat value (open/won and lost/open, both 0.5) fall in different levels, so
    EM can learn that one is common among true pairs and the other is not; the hand-set weight of 0.5 is the prior of
    both. Pooled (`each_pair: false`), they share one level. Origins work the same way (1 same group, 0 not)."""
    values = spec.stages.pair_values()
    groups = len(spec.stages.groups("left")) * len(spec.stages.groups("right"))
    assert len(set(values.values())) == len(values) == groups
    assert all(abs(v - spec.stages.score(a, b)) < 0.01 for (a, b), v in values.items())
    assert values[("won", "won")] > values[("open", "won")] > values[("rejected", "open")] > values[("won", "lost")]
    d = {x.name: x for x in level_defs(spec)}["stage_compat"]
    assert d.n_levels == groups
    prior = spec.weights.levels["stage_compat"]
    level = {v: lv for v, lv in zip(sorted(values.values(), reverse=True), range(groups))}
    lagging = prior.weights[1]  # compat 0.5: "one system lags"
    assert d.default_weights[level[values[("open", "won")]]] == d.default_weights[level[values[("lost", "open")]]] \
        == lagging
    assert level[values[("open", "won")]] != level[values[("lost", "open")]]
    assert d.labels[level[values[("open", "archived")]]] == "open/archived"  # reports name the pair, not 0.0075
    pooled = spec.model_copy(update={"stages": spec.stages.model_copy(update={"each_pair": False})})
    assert {x.name: x for x in level_defs(pooled)}["stage_compat"].thresholds == prior.thresholds
    assert {x.name: x for x in level_defs(pooled)}["stage_compat"].labels == []
    origins = spec.origins.pair_values()
    assert origins[("aws", "aws")] != origins[("partner", "partner")] and min(origins[("aws", "aws")],
                                                                          origins[("partner", "partner")]) >= 1.0
    assert max(origins[("aws", "partner")], origins[("partner", "aws")]) < 0.01
    o = {x.name: x for x in level_defs(spec)}["origin_eq"]
    assert o.n_levels == 4 and o.default_weights == [0.2, 0.2, -3.0, -3.0]
    synonym = _features_of(spec, {"origin": "AWS Referral"}, {"origination": "AWS Originated"})["origin_eq"]
    assert synonym == origins[("aws", "aws")]


def test_vector_and_sparse_features(spec):
    row = _features_of(
        spec,
        {"identity_vec": _unit([1, 0, 0]), "context_vec": _unit([1, 1, 0]), "sparse_context": {"sap": 0.5, "x": 0.2}},
        {"identity_vec": _unit([1, 0, 0]), "context_vec": _unit([1, 0, 0]), "sparse_context": {"sap": 0.4, "y": 0.3}},
    )
    assert row["identity_cos"] == pytest.approx(1.0)
    assert row["context_cos"] == pytest.approx(np.sqrt(0.5), abs=1e-6)
    assert row["sparse_lexical"] == pytest.approx(0.2)  # only the shared token: 0.5 * 0.4
    missing = _features_of(spec, {"identity_vec": None}, {"identity_vec": _unit([0, 1, 0])})
    assert np.isnan(missing["identity_cos"]) and np.isnan(missing["sparse_lexical"])


# ------------------------------------------------------------------------------------------------- scoring


def test_level_index_and_missing_level():
    idx = level_index(np.array([0.99, 0.9, 0.5, np.nan, 0.95]), [0.95, 0.85, 0.7])
    assert idx.tolist() == [0, 1, 3, -1, 0]


def test_explanation_contributions_sum_to_log_odds(spec):
    data = make_linkage(200, 200, dim=16, seed=3)
    result = link(data.left, data.right, spec)
    rows = result.matches.dropna(subset=["right_id"])
    assert len(rows) > 50
    for expl, lo in zip(rows["explanation"], rows["log_odds"]):
        assert sum(expl.values()) == pytest.approx(lo, abs=1e-4)
    from revops_assets.matching.scoring import prior

    names = [*result.model.names, "rivals"]  # each comparison, and the records' other candidates
    contrib = result.pairs[[CONTRIB_PREFIX + n for n in names]].sum(axis=1) + prior(result.model)
    np.testing.assert_allclose(contrib, result.pairs["log_odds"])
    assert rows["reasons"].str.len().gt(0).all()


def test_all_missing_features_give_the_prior(spec):
    feats = pd.DataFrame({f: [np.nan] for f in FEATURES})
    scored = score(feats, MatchModel.from_spec(spec))
    assert scored["log_odds"].iloc[0] == spec.weights.prior_log_odds


# ---------------------------------------------------------------------------------------------- assignment


def test_assignment_is_one_to_one_and_optimal():
    # right 0 is the best for both lefts; the optimum gives it to left 0 and right 1 to left 1.
    li = np.array([0, 1, 1])
    ri = np.array([0, 0, 1])
    gain = np.array([5.0, 4.0, 3.0])
    chosen = assign(li, ri, gain)
    assert sorted(zip(li[chosen], ri[chosen])) == [(0, 0), (1, 1)]
    # Below-floor edges (gain <= 0) are never chosen.
    assert len(assign(np.array([0]), np.array([0]), np.array([-1.0]))) == 0


def test_assignment_matches_dense_optimum_on_random_graphs():
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(0)
    for _ in range(100):
        nl, nr = rng.integers(1, 7, size=2)
        li, ri = np.nonzero(rng.random((nl, nr)) < 0.5)
        gain = rng.normal(0.5, 1.0, len(li))
        chosen = assign(li, ri, gain)
        assert len(set(li[chosen])) == len(chosen) == len(set(ri[chosen]))
        dense = np.zeros((nl, nr))
        dense[li, ri] = np.maximum(gain, 0)
        r, c = linear_sum_assignment(dense, maximize=True)
        assert gain[chosen].sum() == pytest.approx(dense[r, c].sum())


def test_link_never_reuses_a_right_record(spec):
    twin = {"company_name_norm": "globex", "domain": "globex.com", "title": "sap migration",
            "expected_monthly_spend_usd": 1000.0, "target_close_date": "2025-05-01", "stage": "Committed"}
    left, right = _pair_tables(
        [{"ace_opportunity_id": "A1", **twin}, {"ace_opportunity_id": "A2", **twin}],
        [{"odoo_opportunity_id": 10, "company_name_norm": "globex", "domain": "globex.com", "title": "sap migration",
          "expected_revenue_usd": 12000.0, "date_deadline": "2025-05-02", "stage": "Proposition"}],
    )
    result = link(left, right, spec)
    matched = result.matches[result.matches["right_id"].notna()]
    assert len(matched) == 1 and matched["status"].iloc[0] == "auto_matched"
    assert (result.matches["status"] == "unmatched").sum() == 1


def test_matches_are_one_to_one_on_generated_data(spec):
    data = make_linkage(400, 300, dim=16, seed=5)
    m = link(data.left, data.right, spec).matches
    assert len(m) == len(data.left) and m["left_id"].is_unique
    assigned = m["right_id"].dropna()
    assert assigned.is_unique


# ----------------------------------------------------------------------------------------------- decisions


def test_confirmed_decision_forces_its_pair_and_rejected_removes_one(spec):
    data = make_linkage(300, 300, dim=16, seed=7)
    base = link(data.left, data.right, spec)
    auto = base.matches[base.matches["status"] == "auto_matched"]
    rej_left, rej_right = auto["left_id"].iloc[0], auto["right_id"].iloc[0]
    # Force an implausible pair: a left with no good candidate paired with some right no one else holds.
    lonely = base.matches[base.matches["right_id"].isna()]["left_id"].iloc[0]
    free_right = next(r for r in data.right["odoo_opportunity_id"] if r in set(base.unmatched_right_ids))
    decisions = pd.DataFrame({
        "left_id": [rej_left, lonely],
        "right_id": [rej_right, free_right],
        "decision": ["rejected", "confirmed"],
    })
    result = link(data.left, data.right, spec, decisions=decisions)
    m = result.matches.set_index("left_id")
    assert m.loc[lonely, "status"] == "confirmed" and m.loc[lonely, "right_id"] == free_right
    assert pd.isna(m.loc[rej_left, "right_id"]) or m.loc[rej_left, "right_id"] != rej_right
    pairs = set(zip(result.pairs["left_id"], result.pairs["right_id"]))
    assert (rej_left, rej_right) not in pairs
    assert result.stats["decisions"] == {"confirmed": 1, "rejected": 1, "ignored": 0}
    assert result.matches["right_id"].dropna().is_unique


def test_confirmation_takes_its_records_out_of_the_pool(spec):
    data = make_linkage(200, 200, dim=16, seed=8)
    base = link(data.left, data.right, spec)
    auto = base.matches[base.matches["status"] == "auto_matched"].iloc[:2]
    (l1, r1), (l2, r2) = auto[["left_id", "right_id"]].itertuples(index=False)
    # Confirm l1 with r2: l2 loses r2 and r1 is free for others, never for l1.
    decisions = pd.DataFrame({"left_id": [l1], "right_id": [r2], "decision": ["confirmed"]})
    m = link(data.left, data.right, spec, decisions=decisions).matches.set_index("left_id")
    assert (m.loc[l1, "right_id"], m.loc[l1, "status"]) == (r2, "confirmed")
    assert pd.isna(m.loc[l2, "right_id"]) or m.loc[l2, "right_id"] != r2


# ------------------------------------------------------------------------------------------------ learning


def test_few_decisions_are_clamped_in_em_without_calibration(spec):
    data = make_linkage(300, 300, dim=16, seed=9)
    decisions = data.truth.head(5).assign(decision="confirmed")
    fit = fit_from_labels(data.left, data.right, decisions, spec)
    assert fit.fitted and fit.model.kind == "fitted" and fit.n_pos == 5
    assert fit.model.scale == 1.0 and "needs >= 20" in fit.message


def _reviews(data, spec, n: int, seed: int = 0):
    """A reviewer works the queue in the order link() proposes (review_value, then information) and tells the truth."""
    first = link(data.left, data.right, spec)
    queue = first.matches.dropna(subset=["right_id"]).sort_values(["review_value", "information"],
                                                                  ascending=False).head(n)
    y = truth_labels(queue, data.truth)
    return first, pd.DataFrame({"left_id": queue["left_id"], "right_id": queue["right_id"],
                                "decision": np.where(y == 1, "confirmed", "rejected")})


def _uncalibrated(spec):
    """Weights set for some other data: company evidence tripled, deal evidence nearly ignored."""
    from revops_assets.matching.spec import Levels

    levels = dict(spec.weights.levels)
    levels.update({
        "domain_eq": Levels(thresholds=[0.5], weights=[3.0, -1.5]),
        "name_sim": Levels(thresholds=[0.95, 0.85, 0.7], weights=[2.5, 1.5, 0.0, -2.5]),
        "identity_cos": Levels(thresholds=[0.92, 0.85, 0.7], weights=[1.5, 0.8, 0.0, -1.0]),
        "title_sim": Levels(thresholds=[0.9, 0.75, 0.5], weights=[0.5, 0.2, 0.0, -0.2]),
        "context_cos": Levels(thresholds=[0.85, 0.75, 0.6], weights=[0.5, 0.2, 0.0, -0.2]),
        "date_prox": Levels(thresholds=[0.9, 0.5, 0.125], weights=[0.3, 0.1, 0.0, -0.2]),
    })
    return spec.model_copy(update={"weights": spec.weights.model_copy(update={"levels": levels, "prior_log_odds": -4.0})})


def test_em_estimates_beat_hand_set_weights_made_for_other_data(spec):
    bad = _uncalibrated(spec)
    data = make_linkage(600, 600, dim=32, seed=11, noisy=True)
    as_set = bad.model_copy(update={"calibration": bad.calibration.model_copy(update={"method": "defaults"})})
    f1_set = evaluate(link(data.left, data.right, as_set), data.truth)["auto"]["f1"]
    result = link(data.left, data.right, bad)
    f1_em = evaluate(result, data.truth)["auto"]["f1"]
    assert result.model.kind == "em" and f1_em >= f1_set + 0.2, (f1_set, f1_em)
    report = result.model.report
    assert set(report["m"]) == set(result.model.names) and 0 < report["match_prior"] < 0.01


def test_decisions_from_the_queue_are_clamped_and_calibrated_on_held_folds(spec):
    data = make_linkage(600, 600, dim=32, seed=12, noisy=True)
    first, decisions = _reviews(data, spec, 100)
    fit = fit_from_labels(data.left, data.right, decisions, spec)
    assert fit.fitted and fit.n_labels == 100
    cal = fit.model.report["calibration"]
    assert cal["decisions"] == 100 and cal["held_out_before"]["log_loss"] > 0
    # reported, not applied by default (queue decisions are no random sample), so the model keeps its scale
    assert cal["applied"] is False and fit.model.scale == 1.0
    # the queue asked about uncertain pairs first
    assert first.matches.dropna(subset=["right_id"])["information"].max() > 0.5
    after = evaluate(link(data.left, data.right, spec, decisions=decisions), data.truth)["auto"]["f1"]
    before = evaluate(first, data.truth)["auto"]["f1"]
    assert after >= before, (before, after)


def test_conditioning_on_the_company_estimates_a_second_set_of_deal_weights(spec):
    data = make_linkage(600, 600, dim=32, seed=13, noisy=True)
    cond = spec.model_copy(update={"weights": spec.weights.model_copy(update={"condition_on": "company"})})
    result = link(data.left, data.right, cond)
    model = result.model
    assert model.condition_on == "company" and set(model.weights_same) == set(model.names) - {"company"}
    assert model.report["u_same_company"]["deal_text"] != model.report["u"]["deal_text"]
    assert evaluate(result, data.truth)["auto"]["f1"] > 0.9


def test_em_recovers_known_m_and_u_on_simulated_comparisons(spec):
    """Every pair of two 500-record tables, 400 of them matches, comparison levels drawn from known m (matches) and u
    (non-matches): EM's m, u and number of matches come back close to the truth."""
    from revops_assets.matching.calibration import estimate

    rng = np.random.default_rng(0)
    spec = spec.model_copy(update={"weights": spec.weights.model_copy(update={"groups": {}, "condition_on": None}),
                                   "stages": spec.stages.model_copy(update={"each_pair": False}),
                                   "origins": spec.origins.model_copy(update={"each_pair": False})})
    true_m = {"name_sim": [0.7, 0.2, 0.07, 0.03], "date_prox": [0.6, 0.25, 0.1, 0.05], "origin_eq": [0.9, 0.1],
              "amount_prox": [0.5, 0.3, 0.15, 0.05], "stage_compat": [0.8, 0.12, 0.05, 0.03]}
    true_u = {"name_sim": [0.002, 0.01, 0.1, 0.888], "date_prox": [0.01, 0.05, 0.2, 0.74], "origin_eq": [0.5, 0.5],
              "amount_prox": [0.05, 0.15, 0.3, 0.5], "stage_compat": [0.4, 0.35, 0.05, 0.2]}
    defs = [d for d in level_defs(spec) if d.name in true_m]
    n = 500
    li, ri = (a.ravel() for a in np.indices((n, n)))
    is_match = (li == ri) & (li < 400)

    def draw(dist, k):
        return np.column_stack([rng.choice(len(dist[d.name]), k, p=dist[d.name]) for d in defs]).astype(np.int16)

    codes = draw(true_u, len(li))
    codes[is_match] = draw(true_m, int(is_match.sum()))
    random_codes = draw(true_u, 200_000)
    model = estimate(codes, li, ri, n, n, random_codes, spec, defs=defs)
    for name in true_m:
        np.testing.assert_allclose(model.report["m"][name], true_m[name], atol=0.06)
        np.testing.assert_allclose(model.report["u"][name], true_u[name], atol=0.01)
    assert model.report["expected_matches"] == pytest.approx(400, rel=0.1)
    assert model.report["match_prior"] == pytest.approx(400 / n**2, rel=0.1)


# ------------------------------------------------------------------------------------ candidates & quality


def test_candidates_keep_sources_and_reach_high_recall(spec):
    data = make_linkage(1000, 1000, dim=32, seed=2)
    result = link(data.left, data.right, spec)
    rec = candidate_recall(result.pairs, data.truth)
    assert rec["recall"] >= 0.99
    assert rec["recall_by_source"]["knn_identity"] > 0.9 and rec["recall_by_source"]["crm_key"] > 0.1
    assert result.pairs["sources"].str.len().gt(0).all()
    assert set(result.stats["candidates_by_source"]) >= {"crm_key", "domain", "knn_identity", "name"}


def test_evaluation_reports_quality_and_distributions(spec):
    data = make_linkage(500, 500, dim=16, seed=4)
    quality = evaluate(link(data.left, data.right, spec), data.truth)
    assert quality["matched"]["f1"] > 0.9 and quality["auto"]["precision"] > 0.95
    d = quality["distributions"]
    assert d["match_hist"].sum() == len(d["match_probability"])
    assert np.median(d["match_probability"]) > np.median(d["non_match_probability"])
    assert precision_recall(data.truth, data.truth)["f1"] == 1.0


def test_knn_backends_agree():
    rng = np.random.default_rng(0)
    left = rng.standard_normal((50, 8)).astype(np.float32)
    right = rng.standard_normal((80, 8)).astype(np.float32)
    left /= np.linalg.norm(left, axis=1, keepdims=True)
    right /= np.linalg.norm(right, axis=1, keepdims=True)
    ok_l, ok_r = np.ones(50, bool), np.ones(80, bool)
    ok_r[3] = False
    a = knn_pairs(left, ok_l, right, ok_r, 5, -1.0, chunk_size=16, backend="numpy")
    pytest.importorskip("torch")
    b = knn_pairs(left, ok_l, right, ok_r, 5, -1.0, chunk_size=16, backend="torch")
    assert set(zip(a[0], a[1])) == set(zip(b[0], b[1]))
    assert 3 not in set(a[1])
    brute = np.argsort(-(left @ right.T), axis=1)
    assert set(a[1][a[0] == 0]) == set([c for c in brute[0] if c != 3][:5])


def test_bfloat16_shortlist_reranked_exactly_keeps_the_exact_neighbours_and_measures_its_recall():
    pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    right = rng.standard_normal((3000, 64)).astype(np.float32) + 2.0  # shared direction: cosines crowd together
    right /= np.linalg.norm(right, axis=1, keepdims=True)
    left = right[:400] + 0.3 * rng.standard_normal((400, 64)).astype(np.float32) / 8
    left /= np.linalg.norm(left, axis=1, keepdims=True)
    ok_l, ok_r = np.ones(400, bool), np.ones(3000, bool)
    exact = knn_pairs(left, ok_l, right, ok_r, 10, 0.3, chunk_size=128, precision="exact")
    approx = knn_pairs(left, ok_l, right, ok_r, 10, 0.3, chunk_size=128, precision="bfloat16")
    exact_set, approx_set = set(zip(exact[0], exact[1])), set(zip(approx[0], approx[1]))
    overlap = len(exact_set & approx_set) / len(exact_set)
    assert overlap >= 0.98
    # cosines are exact float32 values after the re-rank, and each twin is its record's nearest neighbour
    assert np.allclose(approx[2], np.einsum("ij,ij->i", left[approx[0]], right[approx[1]]), atol=1e-6)
    assert {(i, i) for i in range(400)} <= approx_set
    measured = knn_recall(left, ok_l, right, ok_r, approx[:2], 10, 0.3, sample=400)
    assert measured == pytest.approx(overlap, abs=1e-4)


def test_synthetic_data_is_deterministic():
    a, b = make_linkage(50, 40, dim=8, seed=1), make_linkage(50, 40, dim=8, seed=1)
    cols = ["ace_opportunity_id", "company_name_norm", "title", "domain", "partner_crm_id"]
    pd.testing.assert_frame_equal(a.left[cols], b.left[cols])
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert len(a.truth) == 35


def test_any_two_tables_link_with_a_minimal_spec():
    # Few records, few fields: the prior (share of candidate pairs that match) is much higher than ACE x Odoo's.
    spec = LinkSpec(
        left=Columns(id="company_id", name="name", domain="website"),
        right=Columns(id="acct", name="acct_name", domain="email_domain"),
        weights=Weights(prior_log_odds=-1.0),
    )
    left = pd.DataFrame({"company_id": [1, 2], "name": ["Acme Corp", "Initech"],
                         "website": ["acme.com", "initech.io"]})
    right = pd.DataFrame({"acct": ["x", "y"], "acct_name": ["ACME Corporation", "Initech LLC"],
                          "email_domain": ["acme.com", None]})
    m = link(left, right, spec).matches.set_index("left_id")
    assert m.loc[1, "right_id"] == "x" and m.loc[2, "right_id"] == "y"


def test_engine_runs_without_dagster():
    code = (
        "import sys\n"
        "from revops_assets.matching.engine import link\n"
        "from revops_assets.matching.spec import load_spec\n"
        "from revops_assets.matching.synthetic import make_linkage\n"
        "d = make_linkage(50, 50, dim=8, seed=0)\n"
        "r = link(d.left, d.right, load_spec())\n"
        "assert len(r.matches) == 50\n"
        "assert not [m for m in sys.modules if m == 'dagster' or m.startswith('dagster.')], 'dagster imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_candidates_found_elsewhere_replace_the_in_memory_search(spec):
    data = make_linkage(200, 200, dim=16, seed=5)
    supplied = data.truth.head(50)[["left_id", "right_id"]]
    result = link(data.left, data.right, spec, candidate_pairs={"knn_identity": supplied})
    from_knn = result.pairs[result.pairs["sources"].str.contains("knn_identity")]
    assert set(zip(from_knn["left_id"], from_knn["right_id"])) == set(zip(supplied["left_id"], supplied["right_id"]))
    assert result.stats["candidates_by_source"]["knn_identity"] == 50


def test_each_linkage_feature_is_one_object_read_by_the_spec_the_tables_and_the_explanations():
    from revops_assets.matching.features import LINKAGE_FEATURES, describe
    from revops_assets.matching.spec import default_levels
    from revops_assets.matching.warehouse import PAIR_COLUMNS

    spec = load_spec("ace_to_odoo")
    names = [f.name for f in LINKAGE_FEATURES]
    assert tuple(names) == FEATURES and len(set(names)) == len(names)
    assert set(default_levels()) == set(names)
    assert all(default_levels()[f.name] == f.prior for f in LINKAGE_FEATURES)
    assert set(names) <= set(PAIR_COLUMNS)
    for f in LINKAGE_FEATURES:  # every feature has its own words, none falls back to "<name> 0.70"
        assert describe(f.name, 0.7, spec) == f.describe(0.7, spec) and not describe(f.name, 0.7, spec).startswith(f.name)
    # dates read back in days with the spec's half-life
    assert describe("created_prox", 0.5, spec) == f"created ~{spec.features.created_half_life_days:.0f} days apart"
    assert describe("unknown_feature", 0.25) == "unknown_feature 0.25"
