"""ops.sync_runs: one row per raw table per sync attempt.

The "running" row commits on its own, before the load; rows left "running" by a sync that died are closed by the
next sync of the table. The final row commits with the load on success, or after
its rollback on failure (on a fresh connection when the load's own one is unusable), so a failed load is still
recorded; the audit never hides the load's own error.
"""

from __future__ import annotations

import logging

from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from revops_assets.raw.context import SyncContext, SyncResult
from revops_assets.raw.sqltext import template


class Audit:
    def __init__(self, ctx: SyncContext) -> None:
        self.ctx = ctx
        self.id: int | None = None
        self.mode = "full"

    def close_stale(self, cur) -> int:
        """Close this table's rows left "running" by syncs that died; the caller holds the table's sync lock."""
        cur.execute(
            template("audit_close_stale.sql"), {"run_id": self.ctx.run_id, "asset_key": self.ctx.entry.asset_key_str}
        )
        if cur.rowcount:
            self.ctx.log.warning(
                "%s: closed %d audit row(s) left running by a sync that died", self.ctx.entry.asset_key_str, cur.rowcount
            )
        return cur.rowcount

    def start(self, mode: str, cur) -> None:
        """`cur` must be in autocommit mode (the row must outlive a rollback of the load)."""
        self.mode = mode
        cur.execute(
            template("audit_start.sql"),
            {
                "run_id": self.ctx.run_id,
                "asset_key": self.ctx.entry.asset_key_str,
                "source_table": self.ctx.entry.qualified_source,
                "mode": mode,
                "watermark_before": self.ctx.result.watermark_before,
            },
        )
        self.id = cur.fetchone()[0]

    def succeeded(self) -> None:
        """Inside the load's transaction: committed with the rows."""
        self.ctx.wcur.execute(template("audit_finish.sql"), self._params("success", None))

    def failed(self, error: str) -> None:
        """After the load rolled back: on the load's warehouse connection if it is still usable, else a new one."""
        conn = self.ctx.wh
        try:
            if conn is not None and not conn.closed and conn.get_transaction_status() == TRANSACTION_STATUS_IDLE:
                conn.autocommit = True
                self._record_failure(conn, error)
            else:
                with self.ctx.warehouse.connection() as fresh:
                    fresh.autocommit = True
                    self._record_failure(fresh, error)
        except Exception:  # the audit must never hide the load's own error
            logging.getLogger(__name__).exception("could not record the sync audit row")

    def _record_failure(self, conn, error: str) -> None:
        with conn.cursor() as cur:
            if self.id is None:
                mode = self.ctx.result.mode if self.ctx.result.mode in ("full", "incremental") else "full"
                self.start(mode, cur)
            cur.execute(template("audit_finish.sql"), self._params("failed", error))

    def _params(self, status: str, error: str | None) -> dict:
        result: SyncResult = self.ctx.result
        ok = status == "success"
        return {
            "id": self.id,
            "status": status,
            "mode": result.mode if result.mode in ("full", "incremental") else self.mode,
            "rows_read": result.rows_read,
            "rows_inserted": result.rows_inserted if ok else 0,
            "rows_updated": result.rows_updated if ok else 0,
            "rows_deleted": result.rows_deleted if ok else 0,
            "rows_quarantined": result.rows_quarantined if ok else 0,
            "watermark_after": result.watermark_after if ok else result.watermark_before,
            "error": error,
        }
