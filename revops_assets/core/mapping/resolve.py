"""Resolving canonical fields against a database's columns (information_schema), at run time.

The same resolver reads either side of the mirror: the warehouse's raw tables (`raw.<system>_<table>`, what core
builds from) or the source database itself (`<schema>.<table>`, what `revops doctor` inspects); raw mirrors source
columns 1:1, so both give the same answer. Order of precedence for one field:

1. the user's override (a column name, or null = do not use this field);
2. the field's own name, then each alias in the order listed, each tried as: the exact column name; a column equal
   to it ignoring case and punctuation; a column equal to it once the column's custom-field prefix/suffix is removed.
The first alias that finds a column wins (an earlier alias is a stronger claim than a closer spelling); among
columns matching one alias in one way the leftmost is used and the others are reported, not used. A column whose type cannot hold the field is passed over and said so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from revops_assets.core.mapping import naming
from revops_assets.core.mapping.spec import Entity, FieldSpec, Mapping

# information_schema data_type -> family
_FAMILIES = {
    "smallint": "int", "integer": "int", "bigint": "int",
    "numeric": "num", "real": "num", "double precision": "num", "money": "num",
    "text": "text", "character varying": "text", "character": "text", "name": "text", "citext": "text",
    "uuid": "text", "USER-DEFINED": "text",
    "date": "date", "timestamp without time zone": "ts", "timestamp with time zone": "ts",
    "boolean": "bool", "jsonb": "json", "json": "json", "ARRAY": "array",
}
# canonical type -> its own family, and the families it can be read from (text is cast defensively)
_OWN = {"text": "text", "translated": "text", "integer": "int", "numeric": "num", "date": "date", "timestamp": "ts",
        "boolean": "bool"}
_READABLE = {
    "text": {"text", "int", "num", "date", "ts", "bool", "json", "array"},  # a list reads as 'a;b' (ACE's own style)
    "translated": {"text", "json", "int", "num"},
    "integer": {"int", "num", "text"},
    "numeric": {"num", "int", "text"},
    "date": {"date", "ts", "text"},
    "timestamp": {"ts", "date", "text"},
    "boolean": {"bool", "int", "text"},
}
RAW_SCHEMA = "raw"
SYNC_COLUMN_PREFIX = "_sync_"


def family(data_type: str) -> str:
    return _FAMILIES.get(data_type, "other")


def readable(spec: FieldSpec, data_type: str) -> bool:
    fam = family(data_type)
    if spec.strict_type:
        own = _OWN[spec.type]
        return fam == own or (own == "text" and data_type == "USER-DEFINED")
    return fam in _READABLE[spec.type]


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    position: int


@dataclass(frozen=True)
class FieldResolution:
    entity: str
    field: str
    spec: FieldSpec
    column: str | None
    how: str  # override | exact | alias | custom prefix | default | missing | disabled | table missing
    data_type: str | None = None
    tried: tuple[str, ...] = ()
    note: str | None = None
    covered_by: str | None = None  # a found alternative of its one_of group

    @property
    def ref(self) -> str:
        return f"{self.entity}.{self.field}"

    @property
    def found(self) -> bool:
        return self.column is not None

    @property
    def degraded(self) -> bool:
        """Missing with nothing standing in for it (no default, no found alternative)."""
        return self.column is None and self.how != "default" and self.covered_by is None


@dataclass
class EntityResolution:
    entity: Entity
    schema: str
    table: str  # physical table looked at
    present: bool
    columns: list[Column]
    fields: dict[str, FieldResolution] = field(default_factory=dict)
    source_table: str = ""  # the catalog table (as the source names it)

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    def required_misses(self) -> list[FieldResolution]:
        if not self.present:
            return []
        return [f for f in self.fields.values() if f.spec.required and f.degraded]

    @property
    def table_missing_required(self) -> bool:
        return not self.present and self.entity.spec.required

    def degraded_fields(self) -> list[FieldResolution]:
        """Optional fields read as NULL (one per one_of group), when the table is there."""
        if not self.present:
            return []
        seen: set[str] = set()
        out = []
        for f in self.fields.values():
            if f.degraded and not f.spec.required:
                group = f.spec.one_of or f.field
                if group not in seen:
                    seen.add(group)
                    out.append(f)
        return out

    def flags(self) -> list[str]:
        """What every row built from this entity says about its source (quality_flags)."""
        if not self.present:
            return [f"source table missing: {self.name} ({self.source_table or self.table})"]
        out = []
        for f in self.degraded_fields():
            if f.spec.one_of:
                group = [g.ref for g in self.fields.values() if g.spec.one_of == f.spec.one_of]
                out.append(f"source field missing: {' / '.join(group)}")
            else:
                out.append(f"source field missing: {f.ref}")
        return out

    def extra_columns(self) -> list[str]:
        used = {f.column for f in self.fields.values() if f.column}
        return [c.name for c in self.columns if c.name not in used]


def physical_table(mapping: Mapping, entity: Entity, where: str, source_schemas: dict[str, str] | None = None
                   ) -> tuple[str, str]:
    """(schema, table) of an entity: raw.<system>_<table> in the warehouse, <schema>.<table> in the source."""
    table = mapping.table_of(entity.name)
    if where == "raw":
        return RAW_SCHEMA, f"{entity.system}_{table}"
    schema = (source_schemas or {}).get(entity.system, "public")
    return schema, table


def read_columns(cur, targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Column]]:
    """Columns (the ones this role may read) of each (schema, table) that exists; absent tables are left out."""
    targets = list(dict.fromkeys(targets))
    if not targets:
        return {}
    cur.execute(
        "select c.table_schema, c.table_name, c.column_name, c.data_type, c.ordinal_position "
        "from information_schema.columns c "
        "join unnest(%s::text[], %s::text[]) as t(s, n) on c.table_schema = t.s and c.table_name = t.n "
        "order by c.table_schema, c.table_name, c.ordinal_position",
        ([s for s, _ in targets], [n for _, n in targets]),
    )
    out: dict[tuple[str, str], list[Column]] = {}
    for schema, table, column, data_type, position in cur.fetchall():
        if column.startswith(SYNC_COLUMN_PREFIX):
            continue
        out.setdefault((schema, table), []).append(Column(column, data_type, position))
    return out


def resolve_entities(cur, mapping: Mapping, names: Iterable[str], *, where: str = "raw",
                     source_schemas: dict[str, str] | None = None) -> dict[str, EntityResolution]:
    entities = [mapping.entity(n) for n in dict.fromkeys(names)]
    locations = {e.name: physical_table(mapping, e, where, source_schemas) for e in entities}
    columns = read_columns(cur, locations.values())
    return {
        e.name: resolve_entity(mapping, e, *locations[e.name], columns.get(locations[e.name]))
        for e in entities
    }


def resolve_entity(mapping: Mapping, entity: Entity, schema: str, table: str,
                   columns: list[Column] | None) -> EntityResolution:
    result = EntityResolution(entity=entity, schema=schema, table=table, present=columns is not None,
                              columns=list(columns or []), source_table=mapping.table_of(entity.name))
    for name, spec in entity.spec.fields.items():
        if columns is None:
            result.fields[name] = FieldResolution(entity.name, name, spec, None, "table missing")
        else:
            result.fields[name] = resolve_field(mapping, entity, name, spec, columns)
    _cover_alternatives(result)
    return result


def resolve_field(mapping: Mapping, entity: Entity, name: str, spec: FieldSpec,
                  columns: list[Column]) -> FieldResolution:
    ref = f"{entity.name}.{name}"
    tried = tuple(naming.candidate_names(name, spec.aliases))
    by_name = {c.name: c for c in columns}
    if ref in mapping.overrides.fields:
        column = mapping.overrides.fields[ref]
        if column is None:
            return FieldResolution(entity.name, name, spec, None, "disabled", tried=tried,
                                   note=f"set to null in {mapping.overrides.path}")
        if column not in by_name:
            # the user named a column explicitly: not finding it is never silently ignored
            return FieldResolution(entity.name, name, spec, None, "missing", tried=(column,),
                                   note=f"override {column!r} ({mapping.overrides.path}) is not a column of the table")
        return FieldResolution(entity.name, name, spec, column, "override", by_name[column].data_type, tried=(column,))

    skipped: list[str] = []

    def usable(column: Column) -> bool:
        if readable(spec, column.data_type):
            return True
        skipped.append(f"{column.name} ({column.data_type})")
        return False

    # per alias in order: its exact name, then ignoring case and punctuation, then without custom-field markers
    squashed = [(c, naming.squash(c.name)) for c in columns]
    unmarked = [(c, naming.without_markers(c.name, entity.prefixes, entity.suffixes)) for c in columns]
    unmarked = [(c, naming.squash(u)) for c, u in unmarked if u]
    for candidate in tried:
        keys = set(naming.alias_keys(candidate))
        tiers = (("exact", [by_name[candidate]] if candidate in by_name else []),
                 ("alias", [c for c, key in squashed if key in keys]),
                 ("custom prefix", [c for c, key in unmarked if key in keys]))
        for how, hits in tiers:
            hits = [c for c in hits if usable(c)]
            if hits:
                notes = [f"also matches {', '.join(c.name for c in hits[1:])} (not used)"] if len(hits) > 1 else []
                if skipped:
                    notes.append(f"passed over (type): {', '.join(dict.fromkeys(skipped))}")
                note = "; ".join(notes) or None
                return FieldResolution(entity.name, name, spec, hits[0].name, how, hits[0].data_type, tried, note)
    note = f"passed over (type): {', '.join(dict.fromkeys(skipped))}" if skipped else None
    if spec.default is not None:
        return FieldResolution(entity.name, name, spec, None, "default", tried=tried, note=note)
    return FieldResolution(entity.name, name, spec, None, "missing", tried=tried, note=note)


def _cover_alternatives(result: EntityResolution) -> None:
    """A missing member of a one_of group is covered when another member was found."""
    found: dict[str, str] = {}
    for f in result.fields.values():
        if f.spec.one_of and f.found:
            found.setdefault(f.spec.one_of, f.ref)
    for name, f in list(result.fields.items()):
        if f.spec.one_of and not f.found and f.spec.one_of in found:
            result.fields[name] = FieldResolution(f.entity, f.field, f.spec, None, f.how, f.data_type, f.tried,
                                                  f.note, covered_by=found[f.spec.one_of])
