"""Which source rows an incremental re-reads: cursor past (watermark - overlap), and, when it is safe, only rows
written by transactions the previous sync could not see.

The cursor is rarely indexed (Odoo's write_date is not), so the delta is a scan of the whole table, and testing a
timestamp in the last of 80 columns means unpacking every row. A row's xmin sits in its header: testing it first
skips the unpacking for every row the previous sync already read. It only ever removes rows that sync saw
(everything it could not see has xmin >= its snapshot's xmin), so the cursor still decides; it is used only on the
same database and within 2^31 transactions (ids are compared modulo 2^32).
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg2 import sql

from revops_assets.raw.context import SyncContext
from revops_assets.raw.sqltext import ident_list, template

# A table of at least this many pages (8 MB) is read in DELTA_PARTS ranges of pages, the last first (page_ranges).
DELTA_PARTS_MIN_PAGES = 1024
DELTA_PARTS = 4
# Transaction ids compare modulo 2^32: trusted up to 2^31 apart, less a margin for ids assigned during a sync.
XID_COMPARISON_LIMIT = 2**31 - 2**27


@dataclass(frozen=True)
class SourcePosition:
    """A snapshot of the source: 64-bit transaction ids (xmin: oldest still running; xmax: next to be assigned)."""

    xmin: int
    xmax: int
    identity: str  # "<system identifier>/<database oid>", or the oid alone when the role may not read the former


def read_source_position(scur) -> SourcePosition:
    scur.execute(template("source_position.sql"))
    xmin, xmax, identity = scur.fetchone()
    return SourcePosition(xmin=int(xmin), xmax=int(xmax), identity=identity)


def delta_query(ctx: SyncContext, names: list[str], since) -> sql.Composable:
    """`select <names> from <source table> where <cursor> > since`, with the xmin test first when usable, over the
    table's page ranges last first (`page_ranges`); records in the result which test found the changes
    (`changes_found_by`)."""
    cursor_test = sql.SQL("{} > {}").format(sql.Identifier(ctx.cursor), sql.Literal(since))
    now, before = ctx.result.source_position, ctx.state.source_xmin
    usable = (
        now is not None
        and before is not None
        and ctx.state.source_identity == now.identity
        and 0 <= now.xmax - before < XID_COMPARISON_LIMIT
    )
    ranges = page_ranges(ctx)
    if not usable:
        ctx.result.changes_found_by = "cursor"
        return sql.SQL(" union all ").join(
            sql.SQL("select {} from {} where {}").format(
                ident_list(names), ctx.source_table, sql.SQL(" and ").join([*pages, cursor_test])
            )
            for pages in ranges
        )
    ctx.result.changes_found_by = "cursor, transaction ids"
    # age() counts back from a transaction id fixed for the whole transaction, so the previous position's age is
    # read once here, not computed again for each of a million rows (a tenth of the scan)
    ctx.scur.execute("select age(%s::xid)", (str(before % 2**32),))
    unseen = sql.SQL("age(xmin) <= {}").format(sql.Literal(ctx.scur.fetchone()[0]))
    # offset 0 keeps the xmin test inside, evaluated first (the planner would order by its own cost estimate)
    return sql.SQL(" union all ").join(
        sql.SQL("select {} from (select * from {} where {} offset 0) unseen where {}").format(
            ident_list(names), ctx.source_table, sql.SQL(" and ").join([*pages, unseen]), cursor_test
        )
        for pages in ranges
    )


def page_ranges(ctx: SyncContext) -> list[list[sql.Composable]]:
    """The tests that read the source table in DELTA_PARTS ranges of pages, the last range first (one range, no
    test, for a small table or a server without TID range scans, before Postgres 14). New rows, and updated rows
    that did not fit on their page, are appended at the end of a table, so reading it first lets the upsert of those
    rows overlap the scan of the rest (incremental.py upserts in batches as they arrive)."""
    if ctx.src.server_version < 140000:
        return [[]]
    ctx.scur.execute(
        "select pg_relation_size(%s::oid::regclass) / current_setting('block_size')::int", (ctx.source_relid,)
    )
    pages = ctx.scur.fetchone()[0]
    if pages < DELTA_PARTS_MIN_PAGES:
        return [[]]
    bounds = [pages * n // DELTA_PARTS for n in range(1, DELTA_PARTS)]
    ranges = []
    for n in range(DELTA_PARTS - 1, -1, -1):  # the last range has no end: pages added since are read too
        tests = [sql.SQL("ctid >= {}::tid").format(sql.Literal(f"({bounds[n - 1]},0)"))] if n > 0 else []
        if n < DELTA_PARTS - 1:
            tests.append(sql.SQL("ctid < {}::tid").format(sql.Literal(f"({bounds[n]},0)")))
        ranges.append(tests)
    return ranges
