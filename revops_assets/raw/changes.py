"""Whether an incremental must check the source's keys for deletes, decided from the source's own change counters.

Deletes leave nothing behind for a cursor to find, so an incremental compares the source's key fingerprint with
raw's (keys.py): a scan of the whole source table, a third of a 1% incremental's time at 1M rows. Postgres counts
every row deleted from a table (`pg_stat_get_tuples_deleted`, aborted attempts included), so when that counter has
not moved since the last key check, no row can have been deleted since, and the scan proves nothing new.

The key check is skipped only when all of these hold, else it runs as before (`KeyCheck.reason` says why):
- the last key check (or full load) recorded the counters, on the same source database, table and table file
  (TRUNCATE, which counts no deletes, gives the table a new file), with the same statistics reset time;
- the counters can be trusted: a plain table without inheritance children, track_counts on, not a standby;
- the deleted-rows counter is unchanged, and the inserted-rows counter grew by at least the new keys raw gained
  since (a key changed in place by an UPDATE arrives as a new key without an insert);
- the last key check is younger than the source's `key_check_hours` (24 by default; 0 checks on every sync).

The counters are read in their own transaction before the sync's snapshot is taken, so every delete they count is
visible to that snapshot; a delete whose count the server publishes a moment later is seen by the next sync (the
recorded counters only move when the keys are checked). Stored in ops.watermarks.key_check with the rows they
describe.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from revops_assets.raw.context import SyncContext
from revops_assets.raw.errors import one_line
from revops_assets.raw.sqltext import template


@dataclass(frozen=True)
class SourceCounters:
    """The source table's change counters at one moment (see source_counters.sql)."""

    relid: int
    filenode: int | None
    deleted: int
    inserted: int
    stats_reset: str | None
    untrusted: str | None = None  # why the counters cannot prove anything, else None

    def same_table(self, other: "SourceCounters") -> bool:
        return (self.relid, self.filenode, self.stats_reset) == (other.relid, other.filenode, other.stats_reset)


def read_counters(conn, schema: str, table: str) -> tuple[SourceCounters | None, str]:
    """The counters, in a transaction of their own on `conn` (ended here, before the sync's snapshot), and why
    there are none when they could not be read."""
    try:
        with conn.cursor() as cur:
            cur.execute(template("source_counters.sql"), {"schema": schema, "table": table})
            row = cur.fetchone()
        conn.rollback()
    except Exception as err:  # e.g. a proxy or server without the statistics functions: check keys as before
        conn.rollback()
        return None, f"the source's change counters could not be read ({one_line(err)})"
    if row is None:
        return None, "the source table was not found when reading its change counters"
    relid, filenode, deleted, inserted, reset, untrusted = row
    return SourceCounters(int(relid), filenode, int(deleted), int(inserted), reset, untrusted), ""


@dataclass(frozen=True)
class KeyCheck:
    """The counters of the last key check, when it ran and the new keys raw gained since (ops.watermarks)."""

    counters: SourceCounters
    checked_at: datetime
    source_identity: str | None
    keys_inserted_since: int = 0

    def to_json(self) -> dict:
        return {
            "counters": asdict(self.counters),
            "checked_at": self.checked_at.isoformat(),
            "source_identity": self.source_identity,
            "keys_inserted_since": self.keys_inserted_since,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "KeyCheck | None":
        if not data:
            return None
        try:
            return cls(
                SourceCounters(**data["counters"]),
                datetime.fromisoformat(data["checked_at"]),
                data.get("source_identity"),
                int(data.get("keys_inserted_since", 0)),
            )
        except (KeyError, TypeError, ValueError):  # written by another version: check the keys, record anew
            return None

    def after_sync(self, new_keys: int) -> "KeyCheck":
        """The same check, carried over a sync that skipped it and inserted `new_keys` keys into raw."""
        return KeyCheck(self.counters, self.checked_at, self.source_identity, self.keys_inserted_since + new_keys)


def skip_reason(
    last: KeyCheck | None,
    now: SourceCounters | None,
    unread: str,
    *,
    identity: str | None,
    read_time: datetime,
    max_age_hours: float,
) -> str | None:
    """None when the counters prove no row was deleted since the last key check, else why the keys are checked
    (checked before the delta; the inserts are checked after it, with `inserts_cover`)."""
    if now is None:
        return unread
    if now.untrusted:
        return f"the source's change counters cannot be trusted: {now.untrusted}"
    if max_age_hours <= 0:
        return "key_check_hours is 0: keys checked on every sync"
    if last is None:
        return "no key check recorded yet"
    if last.source_identity != identity or not last.counters.same_table(now):
        return "the source table, its file or its statistics changed since the last key check"
    if now.deleted != last.counters.deleted:
        return f"{now.deleted - last.counters.deleted:+,} in the source's deleted-rows counter"
    if read_time - last.checked_at >= timedelta(hours=max_age_hours):
        return f"the last key check is older than {max_age_hours:g} h"
    return None


def inserts_cover(last: KeyCheck, now: SourceCounters, new_keys: int) -> bool:
    """Whether the source counted at least as many inserts since the last key check as raw gained new keys: else
    some key arrived without an insert (changed in place), and the old one may be gone."""
    return now.inserted - last.counters.inserted >= last.keys_inserted_since + new_keys


def key_check_reason(ctx: SyncContext) -> str | None:
    """`skip_reason` for this sync (None: the counters prove no delete since the last key check)."""
    position = ctx.result.source_position
    return skip_reason(
        ctx.state.key_check,
        ctx.counters,
        ctx.counters_unread,
        identity=position.identity if position else None,
        read_time=ctx.read_time,
        max_age_hours=ctx.entry.key_check_hours,
    )


def checked_now(ctx: SyncContext) -> KeyCheck | None:
    """The key check this sync made (a full load, a fingerprint comparison or a reconciliation), to record."""
    counters, position = ctx.counters, ctx.result.source_position
    if counters is None or counters.untrusted:
        return None
    return KeyCheck(counters, ctx.read_time, position.identity if position else None)
