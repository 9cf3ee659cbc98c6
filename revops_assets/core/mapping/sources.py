"""What a core build does with the mapping: resolve its entities in the warehouse, stop on required misses, create
the views, and say what was found (asset metadata), what degrades (row flags, a warning check) and the lineage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from revops_assets.core.mapping.render import create_views
from revops_assets.core.mapping.resolve import EntityResolution, FieldResolution, resolve_entities
from revops_assets.core.mapping.spec import Mapping, MappingError, load_mapping


@dataclass
class SourceSet:
    mapping: Mapping
    resolutions: dict[str, EntityResolution]

    def flags(self) -> list[str]:
        """Row flags for everything this build's sources lack (the same on every row)."""
        return [flag for res in self.resolutions.values() for flag in res.flags()]

    def degraded(self) -> list[str]:
        """Canonical fields (or whole entities) read as NULL, for the warning check."""
        out = []
        for res in self.resolutions.values():
            if not res.present:
                out.append(f"{res.name} (table {res.qualified} missing)")
            else:
                out.extend(f"{f.ref} ({f.how})" for f in res.degraded_fields())
        return out

    def column(self, ref: str) -> tuple[str, str] | None:
        """(raw table, column) a canonical field was read from, None when it was not found."""
        entity, _, name = ref.rpartition(".")
        res = self.resolutions.get(entity)
        if res is None or not res.present or name not in res.fields:
            return None
        found = res.fields[name].column
        return (res.table, found) if found else None

    def metadata(self) -> dict[str, object]:
        """JSON-able: canonical field -> where it was found, or why not."""
        return {f.ref: describe(f, res) for res in self.resolutions.values() for f in res.fields.values()}


def describe(f: FieldResolution, res: EntityResolution) -> str:
    if f.found:
        where = f"{res.qualified}.{f.column}"
        extra = "" if f.how == "exact" else f" ({f.how})"
        return where + extra + (f"; {f.note}" if f.note else "")
    if f.how == "table missing":
        return f"table {res.qualified} missing: NULL"
    if f.how == "default":
        return f"default {f.spec.default!r}"
    if f.covered_by:
        return f"not found; {f.covered_by} stands in"
    kind = "required" if f.spec.required else "optional"
    return f"{f.how} ({kind}): NULL" + (f"; {f.note}" if f.note else "")


def required_problems(mapping: Mapping, resolutions: Iterable[EntityResolution]) -> list[str]:
    """One message per required field (or required table) not found: the field, the aliases tried, the line to add."""
    problems = []
    for res in resolutions:
        if res.table_missing_required:
            problems.append(
                f"{res.name}: required table {res.qualified} does not exist; if the entity lives in another table, "
                f"add `{res.name}: <table>` under `tables:` in {mapping.overrides.path}"
            )
        seen_groups: set[str] = set()
        for f in res.required_misses():
            if f.spec.one_of:
                if f.spec.one_of in seen_groups:
                    continue
                seen_groups.add(f.spec.one_of)
                group = [g for g in res.fields.values() if g.spec.one_of == f.spec.one_of]
                names = " or ".join(g.ref for g in group)
                tried = ", ".join(dict.fromkeys(t for g in group for t in g.tried))
            else:
                names, tried = f.ref, ", ".join(f.tried)
            line = res.entity.lines.get(f.field)
            where = f"{res.entity.file}:{line}" if line else str(res.entity.file)
            problems.append(
                f"{names} (required: {f.spec.meaning}) not found in {res.qualified}; tried {tried}"
                + (f" ({f.note})" if f.note else "")
                + f". Add `{f.ref}: <column>` under `fields:` in {mapping.overrides.path} (or an alias at {where})"
            )
    return problems


def prepare_sources(conn, names: Sequence[str], mapping: Mapping | None = None) -> SourceSet:
    """Resolve `names` against raw, raise one MappingError listing every required miss, else create the views."""
    mapping = mapping or load_mapping()
    with conn.cursor() as cur:
        resolutions = resolve_entities(cur, mapping, names, where="raw")
        problems = required_problems(mapping, resolutions.values())
        if problems:
            raise MappingError("source mapping: " + " | ".join(problems))
        create_views(cur, resolutions)
    return SourceSet(mapping, resolutions)
