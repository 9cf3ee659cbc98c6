"""The declarative source mapping (data/mappings/<system>.yaml) and the user's override file, as validated models.

A canonical field is `<entity>.<field>` (`ace.expected_monthly_revenue`, `billing.cost.amount`): the entity names
the table it lives in (a catalog table of one source system), the field says what it means, its type and unit,
whether core can do without it, and the column names it is known under. Nothing here touches a database; resolving
the names against one is `resolve.py`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from revops_assets.settings import data_dir

FieldType = Literal["text", "translated", "integer", "numeric", "date", "timestamp", "boolean"]
OVERRIDES_ENV = "REVOPS_MAPPING_OVERRIDES"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENTITY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


class MappingError(ValueError):
    """A mapping that cannot be used: an invalid file, or required source fields that are not there."""


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meaning: str
    type: FieldType = "text"
    unit: str | None = None
    required: bool = False
    aliases: list[str] = Field(default_factory=list)
    default: Any = None  # literal used when no column is found; None = no default
    one_of: str | None = None  # alternatives for one meaning: the group degrades only when all are missing
    references: str | None = None  # the entity this id points at (matched to its own type family only)
    strict: bool = False  # match only columns of the field's own type family

    @property
    def strict_type(self) -> bool:
        return self.strict or self.references is not None


class EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table: str = Field(pattern=_IDENT.pattern)
    meaning: str
    required: bool = True
    fields: dict[str, FieldSpec]

    @model_validator(mode="after")
    def _groups_agree(self) -> EntitySpec:
        groups: dict[str, set[bool]] = {}
        for spec in self.fields.values():
            if spec.one_of:
                groups.setdefault(spec.one_of, set()).add(spec.required)
        mixed = sorted(g for g, required in groups.items() if len(required) > 1)
        if mixed:
            raise ValueError(f"fields of one_of group(s) {mixed} must all be required or all optional")
        return self


class SystemMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: str = Field(pattern=_IDENT.pattern)
    custom_prefixes: list[str] = Field(default_factory=list)
    custom_suffixes: list[str] = Field(default_factory=list)
    entities: dict[str, EntitySpec]


@dataclass(frozen=True)
class Entity:
    """One canonical entity with where it was declared (for messages that say which line to edit)."""

    name: str
    system: str
    spec: EntitySpec
    file: Path
    lines: dict[str, int]  # field -> line in `file`
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]

    @property
    def view(self) -> str:
        """The temp view core SQL reads: src_<entity with dots as underscores>."""
        return "src_" + self.name.replace(".", "_")


@dataclass(frozen=True)
class Overrides:
    """The user's file: `fields: {<entity>.<field>: column | null}`, `tables: {<entity>: catalog table}`."""

    path: Path
    exists: bool
    fields: dict[str, str | None] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    entities: dict[str, Entity]
    overrides: Overrides

    def entity(self, name: str) -> Entity:
        try:
            return self.entities[name]
        except KeyError:
            raise MappingError(f"unknown mapping entity {name!r}; known: {', '.join(sorted(self.entities))}") from None

    def table_of(self, name: str) -> str:
        return self.overrides.tables.get(name) or self.entity(name).spec.table

    def split(self, ref: str) -> tuple[Entity, str]:
        """`billing.cost.amount` -> (the billing.cost entity, 'amount')."""
        entity, _, name = ref.rpartition(".")
        ent = self.entity(entity)
        if name not in ent.spec.fields:
            raise MappingError(f"unknown canonical field {ref!r}; {entity} has {', '.join(ent.spec.fields)}")
        return ent, name


def mappings_dir() -> Path:
    return data_dir() / "mappings"


def overrides_path() -> Path:
    env = os.environ.get(OVERRIDES_ENV)
    return Path(env).expanduser() if env else mappings_dir() / "overrides.yaml"


def load_mapping() -> Mapping:
    """The built-in mapping files plus the current override file (read on every call: it is the user's to edit)."""
    entities = _builtin_entities()
    overrides = load_overrides(overrides_path(), entities)
    return Mapping(entities=entities, overrides=overrides)


@lru_cache(maxsize=1)
def _builtin_entities() -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for path in sorted(mappings_dir().glob("*.yaml")):
        if path.name == "overrides.yaml":
            continue
        for name, entity in _load_system(path).items():
            if name in entities:
                raise MappingError(f"entity {name} is declared in both {entities[name].file} and {path}")
            entities[name] = entity
    if not entities:
        raise MappingError(f"no mapping files in {mappings_dir()}")
    return entities


def _load_system(path: Path) -> dict[str, Entity]:
    text = path.read_text()
    try:
        system = SystemMapping.model_validate(yaml.safe_load(text))
    except (ValidationError, yaml.YAMLError) as err:
        raise MappingError(f"invalid mapping file {path}: {err}") from None
    bad = [n for n in system.entities if not _ENTITY.match(n)]
    if bad:
        raise MappingError(f"invalid entity names in {path}: {bad} (lower-case words joined by dots)")
    lines = _field_lines(text)
    return {
        name: Entity(name=name, system=system.system, spec=spec, file=path, lines=lines.get(name, {}),
                     prefixes=tuple(system.custom_prefixes), suffixes=tuple(system.custom_suffixes))
        for name, spec in system.entities.items()
    }


def _field_lines(text: str) -> dict[str, dict[str, int]]:
    """entity -> field -> 1-based line of the field's key, read from the YAML node marks."""
    root = yaml.compose(text)
    out: dict[str, dict[str, int]] = {}
    entities = _child(root, "entities")
    for key, node in entities.value if entities is not None else ():
        fields = _child(node, "fields")
        out[key.value] = {k.value: k.start_mark.line + 1 for k, _ in (fields.value if fields is not None else ())}
    return out


def _child(node, name: str):
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == name:
                return value
    return None


def load_overrides(path: Path, entities: dict[str, Entity]) -> Overrides:
    if not path.exists():
        if os.environ.get(OVERRIDES_ENV):
            raise MappingError(f"{OVERRIDES_ENV} points at {path}, which does not exist")
        return Overrides(path=path, exists=False)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise MappingError(f"invalid mapping override file {path}: {err}") from None
    if not isinstance(data, dict) or set(data) - {"fields", "tables"}:
        raise MappingError(f"mapping override file {path}: expected only the keys `fields:` and `tables:`")
    fields = data.get("fields") or {}
    tables = data.get("tables") or {}
    problems = []
    for ref, column in fields.items():
        entity, _, name = str(ref).rpartition(".")
        if entity not in entities or name not in entities[entity].spec.fields:
            problems.append(f"unknown canonical field {ref!r}")
        elif column is not None and not isinstance(column, str):
            problems.append(f"{ref}: a column name or null, got {column!r}")
    for entity, table in tables.items():
        if entity not in entities:
            problems.append(f"unknown entity {entity!r} under tables:")
        elif not isinstance(table, str) or not _IDENT.match(table):
            problems.append(f"tables: {entity}: not a table name: {table!r}")
    if problems:
        raise MappingError(f"mapping override file {path}: " + "; ".join(problems))
    return Overrides(path=path, exists=True, fields={str(k): v for k, v in fields.items()},
                     tables={str(k): v for k, v in tables.items()})
