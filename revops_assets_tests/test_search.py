"""Search layer on real pgvector: MiniLM and the real FlagEmbedding BGE-M3 path (tiny model), incremental re-embedding."""

from __future__ import annotations

import dagster as dg
import psycopg2
import pytest

from revops_assets.core.assets import core_assets
from revops_assets.raw.assets import raw_assets
from revops_assets.resources.embedder import EmbedderResource
from revops_assets.search.assets import search_assets
from revops_assets.search.embeddings import ODOO_TARGET, nearest
from revops_assets.sources.catalog import source_tables


def _materialize(warehouse, embedder, assets=None):
    result = dg.materialize(assets or search_assets(), resources={**warehouse.resources, "embedder": embedder})
    assert result.success
    mats = [ev.event_specific_data.materialization for ev in result.get_asset_materialization_events()]
    return {m.asset_key.path[-1]: {k: v.value for k, v in m.metadata.items()} for m in mats}


@pytest.fixture(scope="module")
def minilm(minilm_path):
    return EmbedderResource(backend="sentence-transformers", model=str(minilm_path), batch_size=64, max_length=256)


def test_minilm_embeds_everything_then_only_changes(core_ready, minilm):
    wh = core_ready
    wh.query("drop table if exists search.odoo_opportunity_embeddings, search.ace_opportunity_embeddings")
    first = _materialize(wh, minilm)
    odoo_rows = wh.query("select count(*) from core.odoo_opportunities")[0][0]
    ace_rows = wh.query("select count(*) from core.ace_opportunities")[0][0]
    assert first["odoo_opportunity_embeddings"]["rows_embedded"] == odoo_rows
    assert first["ace_opportunity_embeddings"]["rows_embedded"] == ace_rows
    assert first["odoo_opportunity_embeddings"]["dimension"] == 384
    assert wh.query("select vector_dims(identity_vec), vector_dims(context_vec), count(*) "
                    "from search.odoo_opportunity_embeddings group by 1, 2") == [(384, 384, odoo_rows)]
    assert wh.query("select count(*) from pg_indexes where schemaname = 'search' and indexdef like '%hnsw%'") == [(4,)]

    second = _materialize(wh, minilm)
    assert second["odoo_opportunity_embeddings"]["rows_embedded"] == 0
    assert second["odoo_opportunity_embeddings"]["rows_skipped"] == odoo_rows

    # a description edited in Odoo flows raw -> core -> search and re-embeds just that row
    target_id, old_vec = wh.query("select e.opportunity_id, e.context_vec::text from search.odoo_opportunity_embeddings e "
                                  "order by e.opportunity_id limit 1")[0]
    wh.query("update crm_lead set description = '<p>Completely new scope: <b>Kubernetes</b> platform on EKS</p>', "
             "write_date = now() at time zone 'UTC' where id = %s", (target_id,), dsn=wh.odoo_dsn)
    leads = [e for e in source_tables() if e.table == "crm_lead"]
    assert dg.materialize(raw_assets(tuple(leads)), resources=wh.resources).success
    assert dg.materialize(core_assets()[:1], resources=wh.resources).success
    third = _materialize(wh, minilm, search_assets()[:1])
    assert third["odoo_opportunity_embeddings"]["rows_embedded"] == 1
    assert wh.query("select context_vec::text <> %s from search.odoo_opportunity_embeddings where opportunity_id = %s",
                    (old_vec, target_id)) == [(True,)]

    # the HNSW index finds it from a paraphrase of its new text
    text = wh.query("select context_text from core.odoo_opportunities where odoo_opportunity_id = %s", (target_id,))[0][0]
    query_vec = minilm.embedder.embed([text]).dense[0]
    with psycopg2.connect(wh.warehouse_dsn) as conn:
        with conn.cursor() as cur:
            cur.execute("set enable_seqscan = off")  # use the index
        hits = nearest(conn, ODOO_TARGET, query_vec, k=3)
    assert hits[0][0] == target_id and hits[0][1] < 0.05


def test_deleted_rows_leave_search(core_ready, minilm):
    wh = core_ready
    _materialize(wh, minilm)
    victim = wh.query("select max(ace_opportunity_id) from core.ace_opportunities")[0][0]
    wh.query("delete from core.ace_opportunities where ace_opportunity_id = %s", (victim,))
    meta = _materialize(wh, minilm, search_assets()[1:])
    assert meta["ace_opportunity_embeddings"]["rows_deleted"] == 1
    assert wh.query("select count(*) from search.ace_opportunity_embeddings where opportunity_id = %s", (victim,)) == [(0,)]
    assert dg.materialize(core_assets()[1:2], resources=wh.resources).success  # restore core for later tests


def test_bge_m3_path_dense_and_sparse_and_model_change(core_ready, tiny_bge_m3_path, minilm):
    wh = core_ready
    _materialize(wh, minilm)  # 384-d MiniLM vectors in place
    bge = EmbedderResource(backend="bge-m3", model=str(tiny_bge_m3_path), device="cpu", batch_size=32, max_length=64)
    meta = _materialize(wh, bge)
    odoo_rows = wh.query("select count(*) from core.odoo_opportunities")[0][0]
    info = meta["odoo_opportunity_embeddings"]
    assert info["rows_embedded"] == odoo_rows and info["rebuilt_for_new_model"] is True
    dim = info["dimension"]
    assert dim != 384
    # one dimension per column, every row from the new model, with lexical weights
    assert wh.query("select vector_dims(context_vec), count(distinct model_id), count(*) "
                    "from search.odoo_opportunity_embeddings group by 1") == [(dim, 1, odoo_rows)]
    sparse = wh.query("select context_sparse from search.odoo_opportunity_embeddings where context_sparse <> '{}' limit 1")
    assert sparse and all(isinstance(k, str) and v > 0 for k, v in sparse[0][0].items())
    assert _materialize(wh, bge)["odoo_opportunity_embeddings"]["rows_embedded"] == 0
