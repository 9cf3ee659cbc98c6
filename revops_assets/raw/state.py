"""What ops.watermarks keeps per raw table between syncs, written in the same transaction as the rows it describes
(a failed load leaves the previous state, which still describes the previous rows):
- the cursor column and its watermark: the newest cursor loaded, never moved back to NULL by a sync that found
  nothing, never past the time the source was read (a `write_date` of 9999 or infinity is clamped to it, and the
  rows are reported), and recomputed from the table by every full load, so a bad value once seen does not stay;
- raw's live key fingerprint (count, sum of key hashes), so an incremental need not scan raw;
- the source position of that sync (see delta.py), the source's column catalog (see drift.py) and the source's
  change counters at the last check of its keys (see changes.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from psycopg2.extras import Json

from revops_assets.raw.changes import KeyCheck
from revops_assets.raw.context import SyncContext
from revops_assets.raw.sqltext import template


@dataclass
class RawState:
    """What ops.watermarks knows about a raw table before a sync."""

    watermark: datetime | None = None
    live_fingerprint: tuple[int, int] | None = None
    source_xmin: int | None = None  # the source position of the sync that wrote the watermark
    source_identity: str | None = None
    cursor_column: str | None = None
    source_columns: dict | None = None  # drift.snapshot() of the source's catalog
    key_check: KeyCheck | None = None  # the last check of the source's keys for deletes


def read_state(ctx: SyncContext) -> RawState:
    ctx.wcur.execute(
        "select watermark, live_rows, live_key_hash, source_xmin, source_identity, cursor_column, source_columns, "
        "key_check from ops.watermarks where asset_key = %s",
        (ctx.entry.asset_key_str,),
    )
    row = ctx.wcur.fetchone()
    if row is None:
        return RawState()
    watermark, live_rows, live_hash, source_xmin, identity, cursor_column, columns, key_check = row
    return RawState(
        watermark,
        (live_rows, live_hash) if live_rows is not None and live_hash is not None else None,
        source_xmin,
        identity,
        cursor_column,
        json.loads(columns) if isinstance(columns, str) else columns,
        KeyCheck.from_json(json.loads(key_check) if isinstance(key_check, str) else key_check),
    )


def next_watermark(ctx: SyncContext, newest: datetime | None, mode: str) -> datetime | None:
    """The watermark after this sync. `newest` is already clamped to the read time (keys.newest_loaded). A full load
    read the whole table: its newest cursor is the truth. An incremental read a part: the watermark only moves
    forward, and a sync that found nothing keeps the previous one."""
    before = ctx.result.watermark_before
    if not ctx.cursor:
        return None
    if mode == "full" or before is None:
        return newest
    if newest is None:
        return before
    return max(newest, before)


def save_state(ctx: SyncContext, watermark: datetime | None, source_columns: dict) -> None:
    result = ctx.result
    result.watermark_after = watermark
    live_rows, live_hash = result.live_fingerprint or (None, None)
    position = result.source_position
    ctx.wcur.execute(
        template("save_watermark.sql"),
        {
            "asset_key": ctx.entry.asset_key_str,
            "cursor_column": ctx.cursor,
            "watermark": watermark,
            "run_id": ctx.run_id,
            "live_rows": live_rows,
            "live_key_hash": live_hash,
            "source_xmin": position.xmin if position else None,
            "source_identity": position.identity if position else None,
            "source_columns": Json(source_columns),
            "key_check": Json(result.key_check.to_json()) if result.key_check else None,
        },
    )
