"""Full load: the whole source table into a staging table, swapped in for the raw table in the load's transaction.

Readers never see a half-loaded table. The staging table is written frozen (it was created in this transaction)
with room on each page for later in-place updates. From the previous raw table, rows gone from the source stay as
deleted rows and columns no longer in the source keep their last known values; a renamed column (see drift.py),
key columns included, is followed to its new name. When the previous table cannot be joined to the new key at all
(the key changed to columns it never had), it is kept whole as raw.<table>__before_<time> instead: nothing is
dropped.
"""

from __future__ import annotations

from datetime import datetime, timezone

import psycopg2.errors
from psycopg2 import sql

from revops_assets.raw.columns import DELETED_AT, LOADED_AT, RUN_ID, discover_columns
from revops_assets.raw.context import RAW_SCHEMA, SyncContext
from revops_assets.raw.keys import (
    deleted_keys_index,
    ensure_deleted_keys_index,
    quarantine_duplicates,
    quarantine_null_keys,
)
from revops_assets.raw.sqltext import ident_list, render
from revops_assets.raw.transport import stream_copy

# Raw tables are updated in place by every incremental: room left on each page lets an update keep the row on its
# page (a HOT update: no new primary-key entry, no other page touched), a fifth cheaper per changed row.
RAW_FILLFACTOR = 90


def raw_exists(ctx: SyncContext) -> bool:
    ctx.wcur.execute("select to_regclass(format('%%I.%%I', %s::text, %s::text))", (RAW_SCHEMA, ctx.entry.raw_table))
    return ctx.wcur.fetchone()[0] is not None


def full_load(ctx: SyncContext, renamed: dict[str, str]) -> None:
    """`renamed`: {new name: old name} of source columns renamed since the last sync."""
    wcur, result, plan = ctx.wcur, ctx.result, ctx.plan
    stage = sql.Identifier(RAW_SCHEMA, ctx.stage_name)
    names = [c.name for c in ctx.source_columns]
    wcur.execute(sql.SQL("drop table if exists {}").format(stage))
    wcur.execute(
        sql.SQL(
            "create table {} ({}, {} timestamptz not null default now(), {} text not null default {}, {} timestamptz)"
            " with (fillfactor = {})"
        ).format(
            stage,
            sql.SQL(", ").join(c.definition() for c in plan.columns),
            sql.Identifier(LOADED_AT),
            sql.Identifier(RUN_ID),
            sql.Literal(ctx.run_id),
            sql.Identifier(DELETED_AT),
            sql.Literal(RAW_FILLFACTOR),
        )
    )
    copy_out = sql.SQL("copy (select {} from {}) to stdout").format(ident_list(names), ctx.source_table)
    # freeze: the staging table was created in this transaction, so rows can be written already frozen and
    # marked visible to all; nothing reading raw later has to set hint bits page by page (the first upsert after
    # a full load otherwise costs twice the next one), and vacuum never has to freeze them
    copy_in = sql.SQL("copy {} ({}) from stdin with (freeze)").format(stage, ident_list(names))
    ctx.phase = "streaming the whole table into the staging table"
    result.rows_read, result.bytes_read = stream_copy(ctx.scur, copy_out, wcur, copy_in)

    ctx.phase = "adding the primary key to the staging table"
    pkey = sql.Identifier(f"{ctx.stage_name}_pkey"[:63])
    add_pk = sql.SQL("alter table {} add constraint {} primary key ({})").format(stage, pkey, ident_list(ctx.pk))
    wcur.execute("savepoint add_pk")
    try:
        wcur.execute(add_pk)
    except (psycopg2.errors.UniqueViolation, psycopg2.errors.NotNullViolation):
        wcur.execute("rollback to savepoint add_pk")
        result.rows_quarantined = quarantine_duplicates(ctx, stage)
        result.rows_quarantined += quarantine_null_keys(ctx, stage)
        wcur.execute(add_pk)
    result.source_rows = result.rows_read - result.rows_quarantined

    if raw_exists(ctx):
        ctx.phase = "carrying deleted rows and dropped columns over from the previous raw table"
        _carry_over_or_archive(ctx, stage, renamed)
    else:
        result.rows_inserted = result.source_rows
    ctx.phase = "swapping the staging table in"
    wcur.execute(sql.SQL("alter table {} rename to {}").format(stage, sql.Identifier(ctx.entry.raw_table)))
    wcur.execute(
        sql.SQL("alter index {} rename to {}").format(
            sql.Identifier(RAW_SCHEMA, f"{ctx.stage_name}_pkey"[:63]),
            sql.Identifier(f"{ctx.entry.raw_table}_pkey"[:63]),
        )
    )
    ensure_deleted_keys_index(ctx)
    result.rows_updated = result.source_rows - result.rows_inserted
    result.columns = plan.columns


def _carry_over_or_archive(ctx: SyncContext, stage: sql.Identifier, renamed: dict[str, str]) -> None:
    """From the previous raw table into the stage: columns no longer in the source and rows gone from it; then
    the previous table is dropped. Archived instead when it has no columns for the new key."""
    wcur, result, plan = ctx.wcur, ctx.result, ctx.plan
    old_names = {c.name for c in discover_columns(wcur, RAW_SCHEMA, ctx.entry.raw_table, source=False) or []}

    def old_column(name: str) -> str | None:
        """The previous table's column holding what `name` holds now."""
        if name in old_names:
            return name
        return renamed[name] if renamed.get(name) in old_names else None

    old_key = [old_column(k) for k in ctx.pk]
    if None in old_key:
        _archive(ctx)
        result.rows_inserted = result.source_rows
        return
    join = sql.SQL(" and ").join(
        sql.SQL("{} = {}").format(sql.Identifier("s", k), sql.Identifier("o", o)) for k, o in zip(ctx.pk, old_key)
    )
    if plan.dropped_in_source:
        wcur.execute(
            render(
                "carry_dropped_columns.sql",
                stage=stage,
                old=ctx.table,
                assignments=sql.SQL(", ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(n), sql.Identifier("o", n)) for n in plan.dropped_in_source
                ),
                join=join,
            )
        )
    all_names = [c.name for c in plan.columns]
    wcur.execute(
        render(
            "carry_deleted_rows.sql",
            stage=stage,
            old=ctx.table,
            columns=ident_list(all_names),
            old_values=sql.SQL(", ").join(
                sql.Identifier("o", old) if (old := old_column(n)) else sql.SQL("null") for n in all_names
            ),
            join=join,
            old_key=ident_list(old_key, "o"),
            old_key_null=sql.SQL(" or ").join(sql.SQL("{} is null").format(sql.Identifier("o", k)) for k in old_key),
        )
    )
    result.rows_deleted = wcur.fetchone()[0]
    wcur.execute(sql.SQL("select count(*) from {} where {} is null").format(ctx.table, sql.Identifier(DELETED_AT)))
    previous = wcur.fetchone()[0]
    wcur.execute(sql.SQL("drop table {}").format(ctx.table))
    result.rows_inserted = max(result.source_rows - previous, 0)


def _archive(ctx: SyncContext) -> None:
    """Keep the previous raw table whole under another name (with its primary-key index renamed to match)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    archive = f"{ctx.entry.raw_table[:40]}__before_{stamp}"
    ctx.wcur.execute(
        "select c.relname::text from pg_index i join pg_class c on c.oid = i.indexrelid "
        "where i.indrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) and i.indisprimary",
        (RAW_SCHEMA, ctx.entry.raw_table),
    )
    index = ctx.wcur.fetchone()
    ctx.wcur.execute(sql.SQL("alter table {} rename to {}").format(ctx.table, sql.Identifier(archive)))
    # the new table's deleted-keys index takes the old one's name
    ctx.wcur.execute(
        sql.SQL("drop index if exists {}").format(
            sql.Identifier(RAW_SCHEMA, deleted_keys_index(ctx.entry.raw_table))
        )
    )
    if index:
        ctx.wcur.execute(
            sql.SQL("alter index {} rename to {}").format(
                sql.Identifier(RAW_SCHEMA, index[0]), sql.Identifier(f"{archive}_pkey"[:63])
            )
        )
    ctx.wcur.execute(
        sql.SQL("comment on table {} is {}").format(
            sql.Identifier(RAW_SCHEMA, archive),
            sql.Literal(f"raw.{ctx.entry.raw_table} before its key changed to ({', '.join(ctx.pk)}); kept whole"),
        )
    )
    ctx.result.schema_changes.append(
        f"primary key changed to ({', '.join(ctx.pk)}), which the previous raw table has no columns for: "
        f"it is kept as raw.{archive} and raw reloaded in full"
    )
    ctx.log.warning("%s: %s", ctx.entry.asset_key_str, ctx.result.schema_changes[-1])
