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
    """`select <names> from <source table> where <cursor> > since`, with the xmin test first when usable; records
    in the result which test found the changes (`changes_found_by`)."""
    cursor_test = sql.SQL("{} > {}").format(sql.Identifier(ctx.cursor), sql.Literal(since))
    now, before = ctx.result.source_position, ctx.state.source_xmin
    usable = (
        now is not None
        and before is not None
        and ctx.state.source_identity == now.identity
        and 0 <= now.xmax - before < XID_COMPARISON_LIMIT
    )
    if not usable:
        ctx.result.changes_found_by = "cursor"
        return sql.SQL("select {} from {} where {}").format(ident_list(names), ctx.source_table, cursor_test)
    ctx.result.changes_found_by = "cursor, transaction ids"
    # offset 0 keeps the xmin test inside, evaluated first (the planner would order by its own cost estimate)
    return sql.SQL(
        "select {} from (select * from {} where age(xmin) <= age({}::xid) offset 0) unseen where {}"
    ).format(ident_list(names), ctx.source_table, sql.Literal(str(before % 2**32)), cursor_test)
