"""Declarative source mapping: canonical fields (data/mappings/*.yaml) resolved to the columns an installation has.

- `spec`: the mapping files and the user's override file, validated;
- `naming`: how names compare (case, punctuation, API paths, custom-field prefixes);
- `resolve`: canonical field -> column, against information_schema of raw or of a source database;
- `render`: the temp views `src_<entity>` that core SQL reads (canonical names only);
- `sources`: what a core build does with all that (views, metadata, row flags, required-field errors).
"""

from revops_assets.core.mapping.sources import SourceSet, prepare_sources
from revops_assets.core.mapping.spec import Mapping, MappingError, load_mapping

__all__ = ["Mapping", "MappingError", "SourceSet", "load_mapping", "prepare_sources", "raw_tables_of"]


def raw_tables_of(names) -> list[str]:
    """raw.<system>_<table> names (without the schema) of mapping entities, for asset dependencies."""
    mapping = load_mapping()
    return list(dict.fromkeys(f"{mapping.entity(n).system}_{mapping.table_of(n)}" for n in names))
