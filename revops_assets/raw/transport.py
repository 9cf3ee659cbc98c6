"""The COPY pipe: a source's `COPY ... TO STDOUT` streamed into the warehouse's `COPY ... FROM STDIN`.

Rows never become Python objects: bytes pass through an OS pipe (a thread per side), so memory stays constant
whatever the table's size. `stream_copy_batches` cuts the stream into batches, each copied in and handed to a
callback (an upsert) while the source goes on producing the next. If either side fails the error is raised in the
caller's thread (the source's when the destination only saw a cut stream), so the caller's transaction rolls back
instead of committing a truncated table.
"""

from __future__ import annotations

import io
import os
import queue
import threading
from collections.abc import Callable

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


class _LineSink(io.RawIOBase):
    """What the source's COPY TO writes into: blocks of whole lines (COPY text escapes newlines in values, so a
    newline byte always ends a row) put on a bounded queue, so a slow consumer holds the source back instead of
    filling memory."""

    def __init__(self, out: queue.Queue, stop: threading.Event, block: int) -> None:
        self._out, self._stop, self._block = out, stop, block
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        if len(self._buffer) >= self._block:
            self.flush_lines()
        return len(data)

    def flush_lines(self, final: bool = False) -> None:
        end = len(self._buffer) if final else self._buffer.rfind(b"\n") + 1
        if end <= 0:
            return
        block = bytes(self._buffer[:end])
        del self._buffer[:end]
        _put(self._out, block, self._stop)


def _put(out: queue.Queue, item, stop: threading.Event) -> None:
    while True:
        if stop.is_set():
            raise BrokenPipeError("the warehouse side of the copy stopped")
        try:
            out.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


class _End:
    """The end of the source's stream on the queue, with its error if it failed."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class BatchReader(io.RawIOBase):
    """One batch as COPY FROM reads it: blocks off the queue until `limit` bytes have passed (whole lines), or the
    source's stream ends (`ended`)."""

    def __init__(self, source: queue.Queue, limit: int, watch=None) -> None:
        self._in, self._limit, self._watch = source, limit, watch
        self._buffer = b""
        self.bytes = self.lines = 0
        self.ended = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self._buffer:
            if self.ended or self.bytes >= self._limit:
                return b""
            item = self._in.get()
            if isinstance(item, _End):
                self.ended = True
                if item.error is not None:
                    raise item.error
                return b""
            self._buffer = item
            if self._watch is not None:
                self._watch(item)
        cut = len(self._buffer) if size is None or size < 0 else size
        chunk, self._buffer = self._buffer[:cut], self._buffer[cut:]
        self.bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        return chunk


def stream_copy_batches(
    src_cur, copy_out: sql.Composable, dst_cur, copy_in: sql.Composable, on_batch: Callable[[], None],
    batch_bytes: int, watch=None, chunk: int = COPY_CHUNK,
) -> tuple[int, int]:
    """Like `stream_copy`, in batches: about every `batch_bytes` the COPY FROM ends and `on_batch()` runs on the
    destination connection while the source keeps streaming into a bounded queue (a few chunks); then the next
    batch is copied in. Returns (rows, bytes). Everything runs in the caller's destination transaction, so a failure
    anywhere still leaves nothing behind once it rolls back."""
    pending: queue.Queue = queue.Queue(maxsize=16)
    stop = threading.Event()
    produced: list[BaseException] = []

    def produce() -> None:
        error = None
        try:
            sink = _LineSink(pending, stop, chunk)
            src_cur.copy_expert(copy_out, sink, size=chunk)
            sink.flush_lines(final=True)
        except BaseException as err:  # re-raised in the caller's thread
            error = err
            produced.append(err)
        try:
            _put(pending, _End(error), stop)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=produce, name="copy-out", daemon=True)
    thread.start()
    rows = size = 0
    try:
        while True:
            batch = BatchReader(pending, batch_bytes, watch)
            dst_cur.copy_expert(copy_in, batch, size=chunk)
            rows, size = rows + batch.lines, size + batch.bytes
            if batch.lines:
                on_batch()
            if batch.ended:
                break
    except BaseException as consumed:
        stop.set()
        thread.join()
        if produced and isinstance(produced[0], psycopg2.Error):
            raise produced[0] from consumed  # the source failed first: its error is the cause
        raise
    thread.join()
    if produced:
        raise produced[0]
    return rows, size
