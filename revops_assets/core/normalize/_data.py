"""Reference data of the normalizers, read once per process.

The lists (legal suffixes, free-mail providers, public suffixes, ACE picklists) live as data files in the
repository's data/ folder so that people can extend them without touching code; every loader is cached so the
batch callers (10^5 rows) never touch the disk per value.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from revops_assets.settings import data_dir

DATA_DIR = data_dir()


@lru_cache(maxsize=None)
def load_yaml(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=None)
def load_words(name: str) -> tuple[str, ...]:
    """Whitespace-separated entries of a text file, '#' starting a comment."""
    words: list[str] = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        words.extend(line.split("#", 1)[0].split())
    return tuple(words)
