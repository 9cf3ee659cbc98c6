"""One sync per raw table at a time: a session-level advisory lock in the warehouse, keyed by the asset.

Two syncs of one table at once would read the same watermark, apply the same delta and audit the same deletes
twice (and can deadlock on the upsert). The second one waits, saying who holds the table, and runs after the first
has committed, so it starts from the first's watermark. The lock belongs to the sync's warehouse session: when the
process holding it dies (SIGKILL, a server restart), Postgres ends the session and the lock is gone, so a dead sync
never blocks a table. The wait polls (no blocking call), so a run stays cancellable while it waits.
"""

from __future__ import annotations

import time

from revops_assets.raw.context import SyncContext
from revops_assets.raw.errors import SyncBusy

NAMESPACE = "revops raw sync"
POLL_S = 0.25

_HOLDER_SQL = """
select a.pid, a.application_name, round(extract(epoch from now() - a.backend_start))::int
from pg_locks l join pg_stat_activity a on a.pid = l.pid
where l.locktype = 'advisory' and l.granted and l.objsubid = 2
  and l.database = (select oid from pg_database where datname = current_database())
  and l.classid = hashtext(%s)::oid and l.objid = hashtext(%s)::oid
"""


def acquire_table_lock(ctx: SyncContext, wait_s: float) -> float:
    """Take this table's sync lock on the warehouse session (autocommit), waiting up to `wait_s` seconds for
    another sync of it; returns the seconds waited. Released when the session ends."""
    cur = ctx.wcur
    key = ctx.entry.asset_key_str
    started = time.monotonic()
    told = False
    while True:
        cur.execute("select pg_try_advisory_lock(hashtext(%s), hashtext(%s))", (NAMESPACE, key))
        if cur.fetchone()[0]:
            waited = time.monotonic() - started
            if told:
                ctx.log.info("%s: the other sync finished after %.1fs; syncing now", key, waited)
            return waited
        if not told:
            ctx.log.warning("%s: another sync of this table is running (%s); waiting up to %ds for it",
                            key, _holder(cur, key), wait_s)
            told = True
        if time.monotonic() - started >= wait_s:
            raise SyncBusy(
                f"{key}: another sync of this table ({_holder(cur, key)}) still held it after {wait_s:.0f}s; "
                "this sync did nothing (the other one is syncing the table)"
            )
        time.sleep(POLL_S)


def _holder(cur, key: str) -> str:
    cur.execute(_HOLDER_SQL, (NAMESPACE, key))
    row = cur.fetchone()
    if row is None:
        return "holder already gone"
    pid, app, age = row
    return f"warehouse backend pid {pid}, {app or 'no application name'}, connected {age}s ago"
