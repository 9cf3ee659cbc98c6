"""The source catalog: which source systems and tables are mirrored into raw, their keys, cursors and connections.

The raw layer, its resources, job, sensor and schedule are all generated from it, so adding a table is one catalog
line and adding a source system is one catalog entry plus its DSN environment variable: no code.

Where it comes from: `data/source_catalog.yaml` (shipped), then each file named in `REVOPS_SOURCE_CATALOG`
(paths separated by `os.pathsep`) merged over it in order. An override file has the same shape; a source it names
replaces that source's settings key by key and merges its tables table by table (`table: null` removes a table,
`source: null` a whole source), so a user's file holds only what differs.

Bad entries degrade, never crash: a table entry whose name or settings are invalid (a quote in a table name, an
empty key) is left out with an error naming it (`Catalog.problems`, logged when the code location loads); the other
tables still load.
"""

from __future__ import annotations

import logging
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from revops_assets.settings import data_dir

CATALOG_ENV = "REVOPS_SOURCE_CATALOG"
_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# Cursor columns found in Odoo, ACE sync tools (legacy CRM JSON names and Partner Central API names) and common
# CRMs, tried in this order when a table's catalog cursor is absent from the source. Compared ignoring case and
# underscores, so LastModifiedDate matches last_modified_date.
DEFAULT_CURSOR_CANDIDATES = (
    "write_date", "last_modified_date", "aws_last_modified_date", "last_modified_at", "systemmodstamp",
    "updated_at", "modified_at", "date_modified", "modified_date", "update_date",
)

log = logging.getLogger(__name__)


def _name_like(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class TableEntry(BaseModel):
    primary_key: list[str] = Field(min_length=1)
    cursor: str | None = None
    description: str = ""

    @field_validator("primary_key")
    @classmethod
    def _keys(cls, keys: list[str]) -> list[str]:
        if any(not k or "\x00" in k for k in keys):
            raise ValueError(f"empty or invalid primary-key column in {keys}")
        return keys


class SourceEntry(BaseModel):
    """One source system: how to reach it and which of its tables to mirror."""

    resource: str | None = Field(default=None, pattern=_NAME, description="Dagster resource key, default <source>_db")
    dsn_env: str | None = Field(default=None, pattern=_NAME, description="DSN variable, default <SOURCE>_DSN")
    connection_name: str | None = Field(default=None, description="name in errors, default '<source> source'")
    schema_name: str = Field(alias="schema", pattern=_NAME)
    pool: str | None = Field(default=None, pattern=_NAME, description="Dagster pool, default <source>_source")
    session_role: str | None = Field(
        default="pg_read_all_data", description="role to act as on the source (reads only); null: the login role"
    )
    owner: str = "team:revops"
    overlap_minutes: float = Field(default=10, ge=0)
    key_check_hours: float = Field(
        default=24, ge=0, description="most hours between two checks of the source's keys for deletes (raw/changes.py)"
    )
    cursor_candidates: list[str] | None = None
    tables: dict[str, Any]

    model_config = {"populate_by_name": True}


class SourceTable(BaseModel):
    """One mirrored table, flattened with its source's settings."""

    source: str
    table: str
    schema_name: str
    primary_key: list[str]
    cursor: str | None
    description: str
    resource: str
    pool: str
    owner: str
    overlap_minutes: float
    key_check_hours: float = 24
    dsn_env: str = ""
    connection_name: str = ""
    session_role: str | None = None
    cursor_candidates: tuple[str, ...] = DEFAULT_CURSOR_CANDIDATES

    @property
    def raw_table(self) -> str:
        return f"{self.source}_{self.table}"

    @property
    def asset_key(self) -> list[str]:
        return ["raw", self.raw_table]

    @property
    def asset_key_str(self) -> str:
        return "/".join(self.asset_key)

    @property
    def qualified_source(self) -> str:
        return f"{self.source}.{self.schema_name}.{self.table}"

    def resolve_cursor(self, columns: dict[str, str]) -> tuple[str | None, str]:
        """The cursor to use given the source's `{column: base type}`, and how it was chosen: the catalog's cursor
        when present, else the first known cursor name (ignoring case and underscores) of a date/time type, else
        None (full loads)."""
        temporal = {name for name, base in columns.items() if base.startswith(("timestamp", "date"))}
        if self.cursor in temporal:
            return self.cursor, "catalog"
        wanted = [c for c in (self.cursor, *self.cursor_candidates) if c]
        by_like = {}
        for name in columns:
            if name in temporal:
                by_like.setdefault(_name_like(name), name)
        for candidate in wanted:
            found = by_like.get(_name_like(candidate))
            if found:
                said = f"catalog cursor {self.cursor} absent" if self.cursor else "no cursor in the catalog"
                return found, f"detected ({said})"
        if self.cursor:
            return None, f"none: catalog cursor {self.cursor} absent and no known cursor column"
        return None, "none in the catalog"


class Catalog(BaseModel):
    sources: dict[str, Any]
    cursor_candidates: list[str] = Field(default_factory=lambda: list(DEFAULT_CURSOR_CANDIDATES))
    problems: list[str] = Field(default_factory=list, exclude=True)

    def source_entries(self) -> dict[str, SourceEntry]:
        """The valid source entries; an invalid one is left out and reported in `problems`."""
        out = {}
        for name, entry in self.sources.items():
            try:
                if not re.match(_NAME, str(name)):
                    raise ValueError(f"source name {name!r} is not a plain identifier")
                out[name] = SourceEntry.model_validate(entry)
            except (ValidationError, ValueError) as err:
                self._problem(f"catalog source {name!r} skipped: {_reason(err)}")
        return out

    def tables(self) -> list[SourceTable]:
        out = []
        for source, entry in self.source_entries().items():
            for table, spec in entry.tables.items():
                try:
                    out.append(self._table(source, entry, table, spec))
                except (ValidationError, ValueError) as err:
                    self._problem(f"catalog entry {source}.{table!r} skipped: {_reason(err)}")
        return out

    def _table(self, source: str, entry: SourceEntry, table: str, spec: Any) -> SourceTable:
        if not isinstance(table, str) or not re.match(_NAME, table):
            raise ValueError(
                f"table name {table!r} is not a plain identifier (letters, digits and underscores, not starting "
                "with a digit)"
            )
        spec = TableEntry.model_validate(spec or {})
        return SourceTable(
            source=source,
            table=table,
            schema_name=entry.schema_name,
            primary_key=spec.primary_key,
            cursor=spec.cursor,
            description=spec.description,
            resource=entry.resource or f"{source}_db",
            pool=entry.pool or f"{source}_source",
            owner=entry.owner,
            overlap_minutes=entry.overlap_minutes,
            key_check_hours=entry.key_check_hours,
            dsn_env=entry.dsn_env or f"{source.upper()}_DSN",
            connection_name=entry.connection_name or f"{source} source",
            session_role=entry.session_role,
            cursor_candidates=tuple(entry.cursor_candidates or self.cursor_candidates),
        )

    def _problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)
            log.error(message)

    def source_connections(self) -> dict[str, tuple[str, str, str | None]]:
        """`{resource key: (DSN variable, connection name, session role)}` of every source system with tables."""
        out: dict[str, tuple[str, str, str | None]] = {}
        for table in self.tables():
            out.setdefault(table.resource, (table.dsn_env, table.connection_name, table.session_role))
        return out

    def groups(self) -> list[str]:
        return sorted({f"raw_{t.source}" for t in self.tables()})


def _reason(err: Exception) -> str:
    if isinstance(err, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in err.errors())
    return str(err)


def catalog_paths() -> list[Path]:
    """The shipped catalog, then the override files named by REVOPS_SOURCE_CATALOG, in merge order."""
    extra = [Path(p) for p in os.environ.get(CATALOG_ENV, "").split(os.pathsep) if p.strip()]
    return [data_dir() / "source_catalog.yaml", *extra]


def merge_catalogs(base: dict, override: dict) -> dict:
    """`override` over `base`: sources key by key, their tables table by table; None removes."""
    merged = {**base, **{k: v for k, v in override.items() if k != "sources"}}
    sources = dict(base.get("sources") or {})
    for name, entry in (override.get("sources") or {}).items():
        if entry is None:
            sources.pop(name, None)
            continue
        current = dict(sources.get(name) or {})
        tables = dict(current.get("tables") or {})
        for table, spec in (entry.get("tables") or {}).items():
            if spec is None:
                tables.pop(table, None)
            else:
                tables[table] = spec
        current.update({k: v for k, v in entry.items() if k != "tables"})
        current["tables"] = tables
        sources[name] = current
    merged["sources"] = sources
    return merged


def load_catalog(paths: Path | list[Path] | None = None) -> Catalog:
    """The catalog merged from `paths` (default: the shipped file and the REVOPS_SOURCE_CATALOG overrides). A file
    that cannot be read or parsed is an error naming it; a bad source or table entry only skips that entry."""
    paths = [paths] if isinstance(paths, (str, Path)) else (paths or catalog_paths())
    data: dict = {}
    for path in paths:
        try:
            loaded = yaml.safe_load(Path(path).read_text()) or {}
            if not isinstance(loaded, dict) or not isinstance(loaded.get("sources", {}), dict):
                raise ValueError("the top level must be a mapping with a 'sources' mapping")
        except Exception as err:
            raise ValueError(f"invalid source catalog {path}: {err}") from None
        data = merge_catalogs(data, loaded)
    try:
        catalog = Catalog.model_validate({"sources": {}, **data})
    except ValidationError as err:
        raise ValueError(f"invalid source catalog ({', '.join(map(str, paths))}): {_reason(err)}") from None
    catalog.tables()  # every entry checked now: the bad ones are in `problems`, each logged once
    return catalog


@lru_cache(maxsize=8)
def _cached_catalog(paths: tuple[str, ...]) -> Catalog:
    return load_catalog([Path(p) for p in paths])


def current_catalog() -> Catalog:
    """The catalog as configured now (cached per list of files)."""
    return _cached_catalog(tuple(str(p) for p in catalog_paths()))


def source_tables() -> tuple[SourceTable, ...]:
    return tuple(current_catalog().tables())

