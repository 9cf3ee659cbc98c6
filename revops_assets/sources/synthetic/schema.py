"""Schema profiles: where the generated rows land in a source database (tables, column names, DDL).

The generator renders one set of *generated tables* whatever the profile: the classic Odoo/APN shapes plus a few
alternative representations of the same facts (the ACE amount in USD beside the local one, a funding request's cash
and credit parts, an account's 12-digit number beside its id). A profile only declares, per source database, which
DDL files build the schema, which physical table stores which generated table, under which column names, and which
generated fields it does not store. A second partner's database is therefore a declaration, not a second generator,
and every profile holds the same business: same customers, deals, ids and ground truth for the same seed.

Checked while loading (loading.SourceLoader), so a slip in a declaration is an error naming the table and field,
never a silently empty column: the DDL creates exactly the tables the profile places generated tables in; a column
mapped to a generated field gets that field (it exists); every generated field is stored or listed under `omit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal


class SchemaProfileError(ValueError):
    """A profile declaration that does not fit the generated rows or its own DDL."""


@dataclass(frozen=True)
class TableMap:
    """How one physical table is filled from one generated table."""

    source: str | None = None  # the generated table; None: the physical table's own name
    columns: Mapping[str, str] = field(default_factory=dict)  # physical column -> generated field (others: same name)
    omit: frozenset[str] = frozenset()  # generated fields this table does not store


@dataclass(frozen=True)
class SourceSchema:
    """One source database of a profile."""

    ddl: tuple[str, ...]  # files under sql/sources, run in order on an empty schema
    constraints: tuple[str, ...]  # run after the bulk load (foreign keys, indexes)
    cursor: str  # the change-tracking column every table but the relation tables carries
    tables: Mapping[str, TableMap] = field(default_factory=dict)  # physical table -> map; unnamed: same name
    absent: frozenset[str] = frozenset()  # generated tables this database does not have
    picklists: Literal["mixed", "api"] = "mixed"  # ACE values: legacy and API spellings, or API spellings only

    def placement(self, generated: str) -> Placement | None:
        """Where a generated table is stored, or None when this database does not have it."""
        for physical, table_map in self.tables.items():
            if (table_map.source or physical) == generated:
                return Placement(generated, physical, table_map)
        if generated in self.absent:
            return None
        return Placement(generated, generated, TableMap())


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    odoo: SourceSchema
    apn: SourceSchema


@dataclass(frozen=True)
class Placement:
    """One generated table stored in one physical table."""

    generated: str
    physical: str
    table_map: TableMap

    def fields(self, physical_columns: Sequence[str]) -> list[str]:
        """The generated field of each physical column."""
        return [self.table_map.columns.get(c, c) for c in physical_columns]

    def _where(self, name: str) -> str:
        return f"{self.physical}.{name}" if self.physical == self.generated else \
            f"{self.physical}.{name} (generated {self.generated})"

    def checked_rows(self, rows: Iterable[dict], physical_columns: Sequence[str]) -> Iterator[dict]:
        """`rows` unchanged, checking that each generated field is stored or omitted; at the end, that every mapped
        and omitted field was generated (when there were rows)."""
        stored = set(self.fields(physical_columns))
        allowed = stored | self.table_map.omit
        seen: set[str] = set()
        count = 0
        for row in rows:
            if not allowed.issuperset(row):
                lost = sorted(set(row) - allowed)
                raise SchemaProfileError(
                    f"{self.generated}: generated field(s) {lost} have no column in {self.physical}: map them to a "
                    "column or list them under omit")
            seen.update(row)
            count += 1
            yield row
        if count:
            self._check_known(seen)

    def text_columns(self, generated_columns: Sequence[str],
                     physical_columns: Sequence[str]) -> tuple[list[str], list[int]]:
        """For streams rendered in `generated_columns` order: the physical columns to COPY (those with a generated
        field; the others keep their default) and the position of each one's field."""
        fields = self.fields(physical_columns)
        lost = set(generated_columns) - set(fields) - self.table_map.omit
        if lost:
            raise SchemaProfileError(
                f"{self.generated}: generated field(s) {sorted(lost)} have no column in {self.physical}: map them to "
                "a column or list them under omit")
        self._check_known(set(generated_columns))
        copied = [(c, f) for c, f in zip(physical_columns, fields) if f in generated_columns]
        return [c for c, _ in copied], [list(generated_columns).index(f) for _, f in copied]

    def _check_known(self, generated_fields: set[str]) -> None:
        unknown = [c for c, f in self.table_map.columns.items() if f not in generated_fields]
        if unknown:
            raise SchemaProfileError(
                f"{', '.join(self._where(c) for c in unknown)}: mapped to generated field(s) "
                f"{[self.table_map.columns[c] for c in unknown]} that {self.generated} does not have")
        stale = sorted(self.table_map.omit - generated_fields)
        if stale:
            raise SchemaProfileError(f"{self.physical}: omit lists {stale}, which {self.generated} does not have")

