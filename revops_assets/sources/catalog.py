"""The source catalog (data/source_catalog.yaml): which source tables are mirrored, their keys and cursors.

The raw layer is generated from it, so adding a table is one catalog line and no code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, field_validator

from revops_assets.settings import data_dir

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class TableEntry(BaseModel):
    primary_key: list[str] = Field(min_length=1)
    cursor: str | None = None
    description: str = ""


class SourceEntry(BaseModel):
    resource: str
    schema_name: str = Field(alias="schema", pattern=_NAME)
    pool: str
    owner: str = "team:revops"
    overlap_minutes: float = Field(default=10, ge=0)
    tables: dict[str, TableEntry]

    @field_validator("tables")
    @classmethod
    def _table_names(cls, tables: dict[str, TableEntry]) -> dict[str, TableEntry]:
        import re

        bad = [name for name in tables if not re.match(_NAME, name)]
        if bad:
            raise ValueError(f"invalid table names in the catalog: {bad}")
        return tables


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


class Catalog(BaseModel):
    sources: dict[str, SourceEntry]

    def tables(self) -> list[SourceTable]:
        return [
            SourceTable(
                source=source,
                table=table,
                schema_name=entry.schema_name,
                primary_key=spec.primary_key,
                cursor=spec.cursor,
                description=spec.description,
                resource=entry.resource,
                pool=entry.pool,
                owner=entry.owner,
                overlap_minutes=entry.overlap_minutes,
            )
            for source, entry in self.sources.items()
            for table, spec in entry.tables.items()
        ]


def load_catalog(path: Path | None = None) -> Catalog:
    path = path or data_dir() / "source_catalog.yaml"
    try:
        return Catalog.model_validate(yaml.safe_load(path.read_text()))
    except Exception as err:  # pydantic / yaml errors: name the file
        raise ValueError(f"invalid source catalog {path}: {err}") from None


@lru_cache(maxsize=1)
def source_tables() -> tuple[SourceTable, ...]:
    return tuple(load_catalog().tables())
