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


_WARNED: set[str] = set()


def raw_tables_of(names) -> list[str]:
    """raw.<system>_<table> names (without the schema) of mapping entities, for asset dependencies.

    A broken override file must not stop the code location from loading: the dependencies then follow the built-in
    tables, and each build that reads the file stops with its error."""
    try:
        mapping = load_mapping()
    except MappingError as err:
        import logging

        from revops_assets.core.mapping.spec import Overrides, _builtin_entities, overrides_path

        if str(err) not in _WARNED:
            _WARNED.add(str(err))
            logging.getLogger(__name__).warning("source mapping overrides ignored for asset dependencies: %s", err)
        mapping = Mapping(_builtin_entities(), Overrides(overrides_path(), exists=False))
    return list(dict.fromkeys(f"{mapping.entity(n).system}_{mapping.table_of(n)}" for n in names))
