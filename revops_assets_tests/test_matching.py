"""Matching in the warehouse: assets, review decisions that persist across full rebuilds, the decisions sensor,
the review CLI, and quality measured on the seed's ground truth."""

from __future__ import annotations

import dagster as dg
import pytest

from revops_assets import cli
from revops_assets.automation.match_review import match_decisions_sensor
from revops_assets.core.assets import core_assets
from revops_assets.matching.assets import matching_assets
from revops_assets.raw.assets import raw_assets
from revops_assets.resources.embedder import EmbedderResource
from revops_assets.search.assets import search_assets


@pytest.fixture(scope="module")
def matched(core_ready, minilm_path):
    wh = core_ready
    wh.embedder = EmbedderResource(backend="sentence-transformers", model=str(minilm_path), max_length=256)
    wh.truth_path = str(wh.truth_dir / "opportunity_links.csv")
    assert dg.materialize(search_assets(), resources={**wh.resources, "embedder": wh.embedder}).success
    wh.run_matching = lambda: _materialize_matching(wh)
    wh.first = wh.run_matching()
    return wh


def _materialize_matching(wh):
    result = dg.materialize(
        matching_assets, resources=wh.resources,
        run_config={"ops": {"matching__match_quality": {"config": {"truth_path": wh.truth_path}}}},
    )
    assert result.success
    return result


def _meta(result, key):
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key.path[-1] == key:
            return {k: v.value for k, v in mat.metadata.items()}
    raise KeyError(key)


def test_matches_are_one_to_one_and_explained(matched):
    wh = matched
    ace = wh.query("select count(*) from core.ace_opportunities")[0][0]
    assert wh.query("select count(*), count(distinct ace_opportunity_id) from matching.opportunity_matches")[0] == (ace, ace)
    dup = wh.query("select count(*) from (select odoo_opportunity_id from matching.opportunity_matches "
                   "where status in ('auto_matched', 'needs_review', 'confirmed') group by 1 having count(*) > 1) d")
    assert dup == [(0,)]
    statuses = dict(wh.query("select status, count(*) from matching.opportunity_matches group by 1"))
    assert statuses.get("auto_matched", 0) > 50 and set(statuses) <= {"auto_matched", "needs_review", "unmatched", "confirmed"}
    row = wh.query("select explanation, log_odds, reasons from matching.opportunity_matches "
                   "where status = 'auto_matched' limit 1")[0]
    assert abs(sum(row[0].values()) - row[1]) < 1e-6 and row[2]
    # the queue: every undecided uncertain assignment, the verdicts likeliest to change the output first
    uncertain = wh.query("select count(*) from matching.opportunity_matches where odoo_opportunity_id is not null "
                         "and status <> 'confirmed' and information >= 0.2")[0][0]
    assert wh.query("select count(*) from matching.review_queue") == [(uncertain,)]
    ranked = wh.query("select review_value, score, status from matching.review_queue order by queue_rank")
    assert [r[0] for r in ranked] == sorted((r[0] for r in ranked), reverse=True)
    assert all(abs(v - (1 - p if s == "auto_matched" else p)) < 1e-9 for v, p, s in ranked)
    issues = {r[0] for r in wh.query("select distinct issue from matching.reconciliation")}
    assert {"ace_without_odoo", "odoo_aws_deal_not_in_ace"} <= issues


def test_vector_candidates_in_memory_by_default_or_from_the_hnsw_indexes(matched):
    from revops_assets.matching.spec import load_spec
    from revops_assets.matching.warehouse import vector_candidates
    from revops_assets.resources.postgres import connect

    pairs_meta = _meta(matched.first, "candidate_pairs")
    assert pairs_meta["vector_candidates"]["knn"].startswith("in memory")
    assert pairs_meta["candidates_by_source"]["knn_identity"] > 0
    # the same neighbours a direct (exact) query returns for one ACE opportunity
    ace_id = matched.query("select opportunity_id from search.ace_opportunity_embeddings order by 1 limit 1")[0][0]
    nearest = matched.query(
        "select o.opportunity_id from search.odoo_opportunity_embeddings o, search.ace_opportunity_embeddings a "
        "where a.opportunity_id = %s order by o.context_vec <=> a.context_vec limit 3", (ace_id,))
    in_pairs = {r[0] for r in matched.query(
        "select odoo_opportunity_id from matching.candidate_pairs where ace_opportunity_id = %s "
        "and sources like '%%knn_context%%'", (ace_id,))}
    assert {r[0] for r in nearest} & in_pairs
    # knn_source: pgvector asks the HNSW indexes for the k nearest per vector kind
    spec = load_spec("ace_to_odoo")
    spec.candidates.knn_source = "pgvector"
    conn = connect(matched.warehouse_dsn, name="warehouse")
    try:
        pairs, knn = vector_candidates(conn, spec)
    finally:
        conn.close()
    assert knn["knn"] == "pgvector hnsw" and set(pairs) == {"knn_identity", "knn_context"}
    context = pairs["knn_context"]
    assert context["left_id"].nunique() > 1
    assert {str(r[0]) for r in nearest} & set(context.loc[context["left_id"].astype(str) == str(ace_id), "right_id"])


def test_quality_on_ground_truth(matched):
    quality = _meta(matched.first, "match_quality")
    assert quality["candidate_recall"] >= 0.99
    assert quality["f1_auto"] >= 0.9  # the demo's larger default seed is held to 0.95
    hist = quality["score_distributions"]
    assert hist.count("\n| 0.") + hist.startswith("| 0.") >= 20  # every one of the 20 bins has its row
    # every non-empty bin shows a bar, however small next to the largest
    for row in hist.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for count, bar in ((cells[1], cells[2]), (cells[3], cells[4])):
            assert (int(count.replace(",", "")) > 0) == bool(bar), row
    assert "| decisions |" in quality["active_learning"] and len(quality["f1_gain_per_50_decisions"]) == 2
    matches_meta = _meta(matched.first, "opportunity_matches")
    estimates = matches_meta["estimates"]
    assert 0 < estimates["match_prior"] < 0.01 and "company" in estimates["m"]
    assert "| company |" in matches_meta["model_weights"] and "| ace_opportunity_id |" in matches_meta["preview"]
    assert "open/archived" in matches_meta["model_weights"]  # a pair of stage groups is named, not numbered
    # the UI shows each matching table's real column types next to the dictionary's descriptions
    for key in ("candidate_pairs", "opportunity_matches", "review_queue", "reconciliation"):
        columns = _meta(matched.first, key)["dagster/column_schema"].columns
        types = {c.name: c.type for c in columns}
        assert len(types) > 3 and all(c.description for c in columns), key
    assert types["issue"] == "text"
    assert _meta(matched.first, "opportunity_matches")["dagster/column_schema"].columns[-1].type.startswith("timestamp")
    pair_types = {c.name: c.type for c in _meta(matched.first, "candidate_pairs")["dagster/column_schema"].columns}
    assert pair_types["created_prox"] == "double precision" and pair_types["assigned"] == "boolean"


def test_decisions_win_and_survive_a_full_rebuild(matched, capsys):
    wh = matched
    # a pair the model matched, to reject; and a pair it did not propose, to confirm
    ace_rej, odoo_rej = wh.query("select ace_opportunity_id, odoo_opportunity_id from matching.opportunity_matches "
                                 "where status = 'auto_matched' order by ace_opportunity_id limit 1")[0]
    ace_conf, odoo_conf = wh.query(
        "select m.ace_opportunity_id, o.odoo_opportunity_id from matching.opportunity_matches m, core.odoo_opportunities o "
        "where m.status = 'unmatched' and o.odoo_opportunity_id not in "
        "  (select odoo_opportunity_id from matching.opportunity_matches where status <> 'unmatched' and odoo_opportunity_id is not null) "
        "order by m.ace_opportunity_id, o.odoo_opportunity_id limit 1")[0]
    env = {"WAREHOUSE_DSN": wh.warehouse_dsn, "ODOO_DSN": wh.odoo_dsn, "APN_DSN": wh.apn_dsn}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert cli.main(["review", "reject", ace_rej, str(odoo_rej), "--by", "tester"]) == 0
        assert cli.main(["review", "confirm", ace_conf, str(odoo_conf), "--by", "tester", "--note", "checked"]) == 0
    capsys.readouterr()

    # the sensor notices the new decisions exactly once
    context = dg.build_sensor_context(cursor=None, resources={"warehouse_db": wh.resources["warehouse_db"]})
    request = match_decisions_sensor(context)
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith("decisions-")
    again = match_decisions_sensor(dg.build_sensor_context(cursor=context.cursor,
                                                            resources={"warehouse_db": wh.resources["warehouse_db"]}))
    assert isinstance(again, dg.SkipReason)

    # rebuild everything: raw reloaded in full, core, search, matching
    full = {"ops": {"__".join(a.key.path): {"config": {"mode": "full"}} for a in raw_assets()}}
    assert dg.materialize(raw_assets(), resources=wh.resources, run_config=full).success
    assert dg.materialize(core_assets(), resources=wh.resources).success
    assert dg.materialize(search_assets(), resources={**wh.resources, "embedder": wh.embedder}).success
    wh.run_matching()

    assert wh.query("select odoo_opportunity_id, status from matching.opportunity_matches where ace_opportunity_id = %s",
                    (ace_conf,)) == [(odoo_conf, "confirmed")]
    rejected = wh.query("select odoo_opportunity_id, status from matching.opportunity_matches where ace_opportunity_id = %s",
                        (ace_rej,))[0]
    assert rejected[0] != odoo_rej or rejected[1] == "unmatched"
    assert wh.query("select count(*) from matching.candidate_pairs where ace_opportunity_id = %s "
                    "and odoo_opportunity_id = %s", (ace_rej, odoo_rej)) == [(0,)]
    assert wh.query("select count(*) from ops.match_decisions where superseded_at is null") == [(2,)]


def test_review_import_is_all_or_nothing(matched, tmp_path, monkeypatch, capsys):
    wh = matched
    for k, v in {"WAREHOUSE_DSN": wh.warehouse_dsn, "ODOO_DSN": wh.odoo_dsn, "APN_DSN": wh.apn_dsn}.items():
        monkeypatch.setenv(k, v)
    ace, odoo = wh.query("select ace_opportunity_id, odoo_opportunity_id from matching.opportunity_matches "
                         "where status = 'needs_review' or status = 'auto_matched' order by ace_opportunity_id desc limit 1")[0]
    before = wh.query("select count(*) from ops.match_decisions")[0][0]
    bad = tmp_path / "decisions.csv"
    bad.write_text(f"ace_opportunity_id,odoo_opportunity_id,decision\n{ace},{odoo},confirmed\nO000,{odoo},rejected\n")
    assert cli.main(["review", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "decisions.csv line 3" in err and "O000" in err
    assert wh.query("select count(*) from ops.match_decisions")[0][0] == before
    good = tmp_path / "good.csv"
    good.write_text(f"ace_opportunity_id,odoo_opportunity_id,decision,note\n{ace},{odoo},yes,looks right\n")
    assert cli.main(["review", "import", str(good)]) == 0
    out = tmp_path / "out.csv"
    assert cli.main(["review", "export", "decisions", str(out)]) == 0
    assert f"{ace},{odoo},confirmed" in out.read_text()
