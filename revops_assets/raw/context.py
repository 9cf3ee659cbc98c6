"""The per-run context of one table sync, and what it reports.

`SyncContext` carries everything one sync of one catalog table shares between its steps (the catalog entry, both
connections and their cursors, what was discovered about the source and raw, and the result being filled in), so
each step (transport, delta, full, incremental, keys, state, audit) is a plain function of it.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from psycopg2 import sql

from revops_assets.raw.columns import Column, SchemaPlan
from revops_assets.resources.postgres import PostgresResource
from revops_assets.sources.catalog import SourceTable

if TYPE_CHECKING:
    from revops_assets.raw.changes import KeyCheck, SourceCounters
    from revops_assets.raw.delta import SourcePosition
    from revops_assets.raw.keys import CursorStats
    from revops_assets.raw.state import RawState

RAW_SCHEMA = "raw"
Mode = Literal["auto", "full", "incremental"]


@dataclass
class SyncResult:
    asset_key: str
    mode: str
    rows_read: int = 0
    bytes_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    rows_quarantined: int = 0
    source_rows: int = 0  # distinct keys in the source snapshot
    raw_live_rows: int = 0  # non-deleted rows in raw after the load
    raw_duplicate_keys: int = 0
    raw_null_keys: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    duration_s: float = 0.0
    columns: list[Column] = field(default_factory=list)
    schema_changes: list[str] = field(default_factory=list)
    deletes_checked_by: str = ""  # incremental: "key fingerprint", "key reconciliation" or "source change counters"
    key_check_reason: str = ""  # incremental: why the source's keys were checked (raw/changes.py)
    key_check: "KeyCheck | None" = None  # what ops.watermarks.key_check keeps after this sync
    live_fingerprint: tuple[int, int] | None = None  # (live rows, sum of key hashes) of raw after the load
    changes_found_by: str = ""  # incremental: "cursor" or "cursor, transaction ids" (see delta.delta_query)
    source_position: "SourcePosition | None" = None
    skipped: str = ""  # why nothing was synced (the source table is absent), else empty
    cursor: str | None = None  # the cursor column used
    cursor_source: str = ""  # how it was chosen: "catalog", "detected (...)", "none ..."
    type_mappings: dict[str, str] = field(default_factory=dict)  # column -> "declared -> mirrored"
    stale_columns: dict[str, str] = field(default_factory=dict)  # raw column no longer in the source -> note
    new_stale_columns: list[str] = field(default_factory=list)  # of which, found stale by this sync
    future_cursor_rows: int = 0  # rows read whose cursor is past the read time (clamped, reported)
    future_cursor_keys: list[str] = field(default_factory=list)  # a sample of their keys
    lock_waited_s: float = 0.0  # time spent waiting for another sync of this table
    stale_runs_closed: int = 0  # audit rows left "running" by dead syncs, closed by this one
    source_role_can_write: bool | None = None  # whether the source role holds write privileges on the table
    ignored_columns: list[str] = field(default_factory=list)  # source columns that cannot be mirrored
    mode_reason: str = ""  # why a full load

    @property
    def rows_per_s(self) -> float:
        return self.rows_read / self.duration_s if self.duration_s else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes_read / 1e6 / self.duration_s if self.duration_s else 0.0

    def as_dict(self) -> dict:
        out = asdict(self)
        out["columns"] = [(c.name, c.type) for c in self.columns]
        out["key_check"] = self.key_check.to_json() if self.key_check else None
        return out


@dataclass
class SyncContext:
    """One sync of one table: inputs, connections, discoveries and the result (filled in by the steps)."""

    entry: SourceTable
    source: PostgresResource
    warehouse: PostgresResource
    run_id: str
    requested_mode: Mode
    log: logging.Logger
    result: SyncResult
    src: object = None  # source connection: one REPEATABLE READ, read-only snapshot for the whole sync
    wh: object = None  # warehouse connection: one transaction for rows, quarantine, watermark and audit
    scur: object = None
    wcur: object = None
    source_columns: list[Column] = field(default_factory=list)
    raw_columns: list[Column] | None = None  # None: no raw table yet
    plan: SchemaPlan | None = None
    state: "RawState | None" = None
    # the key and cursor this sync uses: the catalog's, unless the source renamed a key column or lacks the cursor
    pk: list[str] = field(default_factory=list)
    cursor: str | None = None
    read_time: datetime | None = None  # the source's clock when its snapshot was taken
    source_relid: int | None = None  # the source table's oid (a new one: dropped and recreated)
    stale_before: dict[str, str] = field(default_factory=dict)  # stale marks on raw's columns before this sync
    phase: str = "connecting"  # what the sync is doing, for error messages
    counters: "SourceCounters | None" = None  # the source table's change counters, read before the snapshot
    counters_unread: str = ""  # why there are none
    delta_stats: "CursorStats | None" = None  # incremental: the cursor over the rows the delta loaded

    def __post_init__(self) -> None:
        self.pk = self.pk or list(self.entry.primary_key)
        self.cursor = self.cursor or self.entry.cursor

    @property
    def table(self) -> sql.Identifier:
        """The raw table."""
        return sql.Identifier(RAW_SCHEMA, self.entry.raw_table)

    @property
    def source_table(self) -> sql.Identifier:
        return sql.Identifier(self.entry.schema_name, self.entry.table)

    @property
    def stage_name(self) -> str:
        return f"_stage_{self.entry.raw_table}"[:63]

    @property
    def key_types(self) -> dict[str, str]:
        """Base type of each raw column after this sync's schema evolution."""
        return {c.name: c.base for c in self.plan.columns} if self.plan else {}

    @property
    def integer_key(self) -> bool:
        return len(self.pk) == 1 and self.key_types.get(self.pk[0]) in ("smallint", "integer", "bigint")
