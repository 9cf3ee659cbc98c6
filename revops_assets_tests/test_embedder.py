"""The embedder runs the real FlagEmbedding and sentence-transformers code on local models, in and out of Dagster."""

from __future__ import annotations

import dagster as dg
import numpy as np
import pytest

from revops_assets.resources import embedder as embedder_module
from revops_assets.resources.embedder import Embedder, EmbedderLoadError, EmbedderResource

TEXTS = ["migrate SAP workloads to AWS", "SAP migration to Amazon Web Services", "bakery opening hours"]


@pytest.fixture(scope="module")
def tiny_embedder(tiny_bge_m3_path) -> Embedder:
    emb = Embedder("bge-m3", str(tiny_bge_m3_path), device="cpu", batch_size=2, max_length=64)
    yield emb
    emb.close()


def test_bge_m3_gives_normalized_dense_and_sparse_weights(tiny_embedder, tiny_bge_m3_path):
    batch = tiny_embedder.embed(TEXTS)
    assert batch.dense.shape == (3, 32) and batch.dense.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch.dense, axis=1), 1.0, atol=1e-5)
    assert batch.sparse is not None and len(batch.sparse) == 3
    vocab = set(tiny_embedder._impl.tokenizer.get_vocab())
    for weights in batch.sparse:
        assert weights, "a random model with a positive sparse bias weighs every token"
        assert all(isinstance(k, str) and k in vocab for k in weights)
        assert all(isinstance(v, float) and v > 0 for v in weights.values())
    assert tiny_embedder.dim == 32
    assert tiny_embedder.model_id == "bge-m3:tiny-bge-m3"
    assert tiny_embedder.device == "cpu"


def test_same_text_same_vector_whatever_the_batch(tiny_embedder):
    alone = tiny_embedder.embed([TEXTS[0]])
    batched = tiny_embedder.embed([TEXTS[2], TEXTS[0], TEXTS[1]])
    np.testing.assert_allclose(alone.dense[0], batched.dense[1], atol=1e-5)
    assert alone.sparse[0].keys() == batched.sparse[1].keys()


def test_empty_input_does_not_touch_the_model(tiny_embedder):
    batch = tiny_embedder.embed([])
    assert batch.dense.shape == (0, 32) and batch.sparse == []


def test_max_length_is_capped_by_the_position_table(tiny_bge_m3_path):
    emb = Embedder("bge-m3", str(tiny_bge_m3_path), device="cpu", max_length=100_000)
    assert emb.max_length == 512  # 514 positions - padding offset
    assert emb.embed(["word " * 2000]).dense.shape == (1, 32)


def test_minilm_ranks_a_paraphrase_above_an_unrelated_sentence(minilm_path):
    emb = Embedder("sentence-transformers", device="cpu")
    assert emb.model_path == minilm_path.resolve()
    assert emb.model_id == "sentence-transformers:all-MiniLM-L6-v2"
    batch = emb.embed(TEXTS)
    assert batch.dense.shape == (3, 384) and batch.sparse is None
    np.testing.assert_allclose(np.linalg.norm(batch.dense, axis=1), 1.0, atol=1e-5)
    cos = batch.dense @ batch.dense[0]
    assert cos[1] > cos[2] + 0.3


@pytest.mark.parametrize("backend", ["bge-m3", "sentence-transformers"])
def test_missing_model_path_names_path_and_backend(backend, tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbedderLoadError) as info:
        Embedder(backend, str(missing), device="cpu")
    assert str(missing) in str(info.value) and backend in str(info.value)
    assert info.value.__cause__ is None


def test_uncached_hub_id_is_a_clear_error():
    with pytest.raises(EmbedderLoadError, match="bge-m3 model 'BAAI/no-such-model' is neither a local directory"):
        Embedder("bge-m3", "BAAI/no-such-model", device="cpu")


def test_directory_without_m3_heads_is_rejected(minilm_path):
    with pytest.raises(EmbedderLoadError, match="lacks colbert_linear.pt, sparse_linear.pt"):
        Embedder("bge-m3", str(minilm_path), device="cpu")


def test_resource_loads_once_per_run_and_frees_at_teardown(tiny_bge_m3_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    events: list[str] = []

    class CountingEmbedder(Embedder):
        def __init__(self, *args, **kwargs):
            events.append("load")
            super().__init__(*args, **kwargs)

        def close(self):
            events.append("close")
            super().close()

    monkeypatch.setattr(embedder_module, "Embedder", CountingEmbedder)

    @dg.asset
    def identity_vectors(embedder: EmbedderResource) -> int:
        return len(embedder.embed(TEXTS[:2]))

    @dg.asset(deps=[identity_vectors])
    def context_vectors(embedder: EmbedderResource) -> dict:
        batch = embedder.embed(TEXTS)
        return {"n": len(batch), "dim": embedder.dim, "model": embedder.model_id, "sparse": len(batch.sparse)}

    resource = EmbedderResource(backend="bge-m3", model=str(tiny_bge_m3_path), device="cpu", batch_size=4)
    result = dg.materialize([identity_vectors, context_vectors], resources={"embedder": resource})
    assert result.success
    assert result.output_for_node("context_vectors") == {
        "n": 3,
        "dim": 32,
        "model": "bge-m3:tiny-bge-m3",
        "sparse": 3,
    }
    assert events == ["load", "close"]


def test_resource_setup_via_init_context(minilm_path):
    context = dg.build_init_resource_context(config={"backend": "sentence-transformers", "device": "cpu"})
    with EmbedderResource.from_resource_context_cm(context) as live:
        assert live.dim == 384
        assert live.resolved_device == "cpu"
        assert live.embed(["hello"]).dense.shape == (1, 384)
