"""Warming raw's pages while a delta streams in, so the upsert that follows finds them in memory.

A read-only side job on its own warehouse connection: it takes the integer key off each COPY line passing through
the pipe and reads those rows of the raw table. It never writes, and stops, whatever it has not done, when the copy
ends; the sync does not depend on it.
"""

from __future__ import annotations

import logging
import queue
import threading

from psycopg2 import sql

from revops_assets.resources.postgres import PostgresResource

DELTA_CHUNK = 1 << 16  # a delta's keys reach the prefetcher sooner in smaller pieces


def leading_integer_keys(partial: bytes, chunk: bytes) -> tuple[list[int], bytes]:
    """The integer first field of each complete line of COPY text in `partial + chunk`, and the incomplete tail
    (the start of the next chunk's first line). Nulls (`\\N`) and anything not a plain integer are skipped."""
    lines = (partial + chunk).split(b"\n")
    tail = lines.pop()
    keys = []
    for line in lines:
        field = line.split(b"\t", 1)[0]
        if field.isdigit() or (field[:1] == b"-" and field[1:].isdigit()):
            keys.append(int(field))
    return keys, tail


class RawPrefetch:
    """Reads the raw pages of the keys streaming past on its own connection (see the module docstring)."""

    def __init__(self, warehouse: PostgresResource, table: sql.Identifier, key: str) -> None:
        self._query = sql.SQL("select count(*) from {} where {} = any(%s)").format(table, sql.Identifier(key))
        self._warehouse = warehouse
        self._batches: queue.SimpleQueue = queue.SimpleQueue()
        self._partial = b""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="raw-prefetch", daemon=True)
        self._thread.start()

    def watch(self, chunk: bytes) -> None:
        keys, self._partial = leading_integer_keys(self._partial, chunk)
        if keys:
            self._batches.put(keys)

    def stop(self) -> None:
        self._done.set()
        self._batches.put(None)

    def join(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = self._warehouse.open()
        except Exception:  # a warm-up only: the sync does not depend on it
            return
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                while True:
                    keys = self._batches.get()
                    if keys is None or self._done.is_set():
                        return
                    cur.execute(self._query, (keys,))
        except Exception:
            logging.getLogger(__name__).debug("raw prefetch stopped", exc_info=True)
        finally:
            conn.close()
