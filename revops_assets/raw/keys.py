"""Primary keys: fingerprints of key sets, reconciliation of deletes, quarantine of bad keys, verification.

A key fingerprint is (rows, sum of one int4 hash per key): equal on the source and in raw means the same key set,
without moving any keys. Only when they differ is every source key copied over and compared (`reconcile_keys`).
Duplicate and null keys (APN declares no primary keys) never reach raw: they go to ops.quarantine with the reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg2 import sql

from revops_assets.raw.columns import DELETED_AT
from revops_assets.raw.context import RAW_SCHEMA, SyncContext
from revops_assets.raw.sqltext import any_null, ident_list, key_join, render, template
from revops_assets.raw.transport import stream_copy

# A cursor this far past the source's clock (or the table's overlap, if longer) is reported as in the future.
FUTURE_TOLERANCE_MIN_MINUTES = 5


def key_hash(ctx: SyncContext, prefix: str | None = None) -> sql.Composable:
    """One int4 hash per key; the same expression on both sides, so sums (int8: no numeric arithmetic) compare
    key sets."""
    def ident(name: str) -> sql.Identifier:
        return sql.Identifier(prefix, name) if prefix else sql.Identifier(name)

    if ctx.integer_key:
        return sql.SQL("hashint8({}::bigint)").format(ident(ctx.pk[0]))  # no text conversion
    return sql.SQL("hashtext(row({})::text)").format(sql.SQL(", ").join(ident(k) for k in ctx.pk))


@dataclass(frozen=True)
class CursorStats:
    """The cursor over a set of rows: its newest value clamped to the source's read time, and the rows past it."""

    newest: datetime | None
    future_rows: int = 0
    future_keys: tuple[str, ...] = ()

    def __add__(self, other: "CursorStats") -> "CursorStats":
        """The cursor over both sets of rows (e.g. two batches of one delta)."""
        newest = max((n for n in (self.newest, other.newest) if n is not None), default=None)
        return CursorStats(newest, self.future_rows + other.future_rows, (self.future_keys + other.future_keys)[:5])


def cursor_stats_sql(ctx: SyncContext) -> sql.Composable:
    """`least(max(cursor), read time), count(future), sample of future keys` as select items. Computed in SQL:
    `infinity` and year-9999 values never reach Python."""
    cursor = sql.SQL("{}::timestamptz").format(sql.Identifier(ctx.cursor))
    future = sql.SQL("{} > %(future_after)s").format(cursor)
    key_text = sql.SQL("concat_ws(',', {})").format(sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(k)) for k in ctx.pk))
    return sql.SQL(
        "case when max({cursor}) is not null then least(max({cursor}), %(read_time)s) end, "
        "count(*) filter (where {future}), "
        "(array_agg({key_text}) filter (where {future}))[1:5]"
    ).format(cursor=cursor, future=future, key_text=key_text)


def cursor_params(ctx: SyncContext) -> dict:
    tolerance = timedelta(minutes=max(ctx.entry.overlap_minutes, FUTURE_TOLERANCE_MIN_MINUTES))
    return {"read_time": ctx.read_time, "future_after": ctx.read_time + tolerance}


def key_fingerprint(
    ctx: SyncContext, cur, table: sql.Composable, *, live_only: bool, distinct: bool = False, cursor: bool = False
):
    """(rows, sum of key hashes) of `table`. `distinct`: of its distinct non-null keys (a source that does not enforce
    the key may repeat or omit it). With `cursor`, ((rows, sum), CursorStats) from the same scan."""
    where = sql.SQL(" where {} is null").format(sql.Identifier(DELETED_AT)) if live_only else sql.SQL("")
    stats = sql.SQL(", ") + cursor_stats_sql(ctx) if cursor else sql.SQL("")
    if distinct:
        table = sql.SQL("(select distinct {} from {} where not ({})) k").format(
            ident_list(ctx.pk), table, any_null(ctx.pk)
        )
    cur.execute(
        sql.SQL("select count(*), coalesce(sum({hashed}), 0){stats} from {t}{where}").format(
            hashed=key_hash(ctx), stats=stats, t=table, where=where
        ),
        cursor_params(ctx) if cursor else None,
    )
    row = cur.fetchone()
    fingerprint = int(row[0]), int(row[1])
    return (fingerprint, CursorStats(row[2], int(row[3]), tuple(row[4] or ()))) if cursor else fingerprint


def cursor_stats(ctx: SyncContext, cur, table: sql.Composable) -> CursorStats:
    """The cursor over the rows of `table` (e.g. the delta just loaded)."""
    cur.execute(sql.SQL("select {} from {}").format(cursor_stats_sql(ctx), table), cursor_params(ctx))
    newest, future, keys = cur.fetchone()
    return CursorStats(newest, int(future), tuple(keys or ()))


def reconcile_keys(ctx: SyncContext) -> None:
    """Copy every source key and mark raw rows missing from it deleted (and returning ones live again)."""
    wcur, result = ctx.wcur, ctx.result
    keys = sql.Identifier("_source_keys")
    key_cols = [c for c in ctx.source_columns if c.name in ctx.pk]
    wcur.execute(
        sql.SQL("create temp table {} ({}) on commit drop").format(
            keys, sql.SQL(", ").join(c.definition() for c in key_cols)
        )
    )
    stream_copy(
        ctx.scur,
        sql.SQL("copy (select {} from {}) to stdout").format(ident_list(ctx.pk), ctx.source_table),
        wcur,
        sql.SQL("copy {} ({}) from stdin").format(keys, ident_list(ctx.pk)),
    )
    wcur.execute(sql.SQL("analyze {}").format(keys))
    wcur.execute(
        render("mark_deleted.sql", table=ctx.table, keys=keys, join=key_join(ctx.pk, "k", "t")),
        {"run_id": ctx.run_id},
    )
    deleted, restored = wcur.fetchone()
    result.rows_deleted = deleted
    result.rows_updated += restored
    # the source's rows as raw counts them: distinct keys, null keys left out (they are quarantined)
    wcur.execute(
        sql.SQL("select count(*) from (select distinct {} from {} where not ({})) k").format(
            ident_list(ctx.pk), keys, any_null(ctx.pk)
        )
    )
    result.source_rows = wcur.fetchone()[0]


def quarantine_duplicates(ctx: SyncContext, table: sql.Identifier) -> int:
    """Keep the newest copy of each duplicated key in `table`, move the others to ops.quarantine."""
    cursor = ctx.cursor
    order_by = (
        sql.SQL("{} desc nulls last, t.ctid desc").format(sql.Identifier("t", cursor))
        if cursor
        else sql.SQL("t.ctid desc")
    )
    ctx.wcur.execute(
        render(
            "quarantine_duplicates.sql",
            table=table,
            pk=ident_list(ctx.pk),
            pk_t=ident_list(ctx.pk, "t"),
            order_by=order_by,
            pk_text=sql.SQL("concat_ws(',', {})").format(
                sql.SQL(", ").join(sql.SQL("moved.{}::text").format(sql.Identifier(k)) for k in ctx.pk)
            ),
        ),
        {
            "run_id": ctx.run_id,
            "asset_key": ctx.entry.asset_key_str,
            "source_table": ctx.entry.qualified_source,
            "pk_names": ", ".join(ctx.pk),
            "kept_by": f"{cursor} then read order" if cursor else "read order",
        },
    )
    moved = ctx.wcur.fetchone()[0]
    if moved:
        ctx.log.warning("%s: %d duplicate-key rows quarantined in ops.quarantine", ctx.entry.asset_key_str, moved)
    return moved


def quarantine_null_keys(ctx: SyncContext, table: sql.Identifier) -> int:
    """Move rows of `table` with a null key column to ops.quarantine."""
    ctx.wcur.execute(
        render("quarantine_null_keys.sql", table=table, null_test=any_null(ctx.pk)),
        {
            "run_id": ctx.run_id,
            "asset_key": ctx.entry.asset_key_str,
            "source_table": ctx.entry.qualified_source,
            "reason": f"primary key ({', '.join(ctx.pk)}) is null in the source",
        },
    )
    moved = ctx.wcur.fetchone()[0]
    if moved:
        ctx.log.warning("%s: %d null-key rows quarantined in ops.quarantine", ctx.entry.asset_key_str, moved)
    return moved


def deleted_keys_index(raw_table: str) -> str:
    """The name of raw's partial index over the keys of its rows marked deleted: the upsert counts the deleted keys a
    delta brings back through it (upsert_delta.sql), at the cost of the deleted rows, not of the table."""
    name = f"{raw_table}_deleted_keys"
    return name if len(name) <= 63 else f"{raw_table[:48]}_{hashlib.md5(raw_table.encode()).hexdigest()[:8]}_dk"


def ensure_deleted_keys_index(ctx: SyncContext) -> None:
    """Create raw's deleted-keys index when missing (a raw table written by an older version, or by a full load)."""
    name = deleted_keys_index(ctx.entry.raw_table)
    ctx.wcur.execute("select to_regclass(format('%%I.%%I', %s::text, %s::text))", (RAW_SCHEMA, name))
    if ctx.wcur.fetchone()[0] is None:
        ctx.wcur.execute(
            sql.SQL("create index {} on {} ({}) where {} is not null").format(
                sql.Identifier(name), ctx.table, ident_list(ctx.pk), sql.Identifier(DELETED_AT)
            )
        )


def enforces_key(ctx: SyncContext, cur, schema: str, table: str) -> bool:
    """Whether schema.table has a primary-key constraint on exactly the catalog's key: no duplicates or nulls."""
    cur.execute(template("primary_key_columns.sql"), {"schema": schema, "table": table})
    return cur.fetchone()[0] == sorted(ctx.pk)


def verify(ctx: SyncContext) -> CursorStats | None:
    """Live rows and their key fingerprint, and duplicate/null keys (read off the primary-key constraint).
    Returns the cursor over raw's live rows when it had to scan raw (after a full load or a key reconciliation)."""
    wcur, result = ctx.wcur, ctx.result
    stats = None
    if result.live_fingerprint is None:  # one scan counts, fingerprints and finds the newest cursor
        if ctx.cursor:
            result.live_fingerprint, stats = key_fingerprint(ctx, wcur, ctx.table, live_only=True, cursor=True)
        else:
            result.live_fingerprint = key_fingerprint(ctx, wcur, ctx.table, live_only=True)
    result.raw_live_rows = result.live_fingerprint[0]
    if enforces_key(ctx, wcur, RAW_SCHEMA, ctx.entry.raw_table):
        result.raw_duplicate_keys = result.raw_null_keys = 0
        return stats
    wcur.execute(
        sql.SQL("select count(*) - count(distinct ({pk})), count(*) filter (where {null}) from {table}").format(
            pk=ident_list(ctx.pk), null=any_null(ctx.pk), table=ctx.table
        )
    )
    result.raw_duplicate_keys, result.raw_null_keys = wcur.fetchone()
    return stats
