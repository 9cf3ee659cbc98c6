"""The COPY pipe: a source's `COPY ... TO STDOUT` streamed into the warehouse's `COPY ... FROM STDIN`.

Rows never become Python objects: bytes pass through an OS pipe (a thread per side), so memory stays constant
whatever the table's size. If either side fails the error is raised in the caller's thread (the source's when the
destination only saw a cut stream), so the caller's transaction rolls back instead of committing a truncated
table.
"""

from __future__ import annotations

import io
import os
import threading

import psycopg2
from psycopg2 import sql

COPY_CHUNK = 1 << 20


class CountingReader(io.RawIOBase):
    """The pipe's read end as COPY FROM sees it, counting bytes and lines as they pass."""

    def __init__(self, raw, watch=None) -> None:
        self._raw = raw
        self._watch = watch
        self.bytes = 0
        self.lines = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        if self._watch is not None and chunk:
            self._watch(chunk)
        return chunk


def stream_copy(
    src_cur, copy_out: sql.Composable, dst_cur, copy_in: sql.Composable, watch=None, chunk: int = COPY_CHUNK
) -> tuple[int, int]:
    """Pipe a COPY TO STDOUT on one connection into a COPY FROM STDIN on another; returns (rows, bytes).
    `watch`, if given, sees every chunk of COPY text on its way (it must not block)."""
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=chunk)
    writer = os.fdopen(write_fd, "wb", buffering=chunk)
    produced: list[BaseException] = []

    def produce() -> None:
        try:
            src_cur.copy_expert(copy_out, writer, size=chunk)
        except BaseException as err:  # re-raised in the caller's thread
            produced.append(err)
        finally:
            try:
                writer.close()
            except OSError:
                pass

    thread = threading.Thread(target=produce, name="copy-out", daemon=True)
    thread.start()
    counting = CountingReader(reader, watch)
    try:
        dst_cur.copy_expert(copy_in, counting, size=chunk)
    except BaseException as consumed:
        reader.close()  # unblock the producer (EPIPE) before waiting for it
        thread.join()
        if produced and isinstance(produced[0], psycopg2.Error):
            # the source failed first and the warehouse only saw a cut stream: the source's error is the cause
            raise produced[0] from consumed
        raise
    reader.close()
    thread.join()
    if produced:
        raise produced[0]
    return counting.lines, counting.bytes
