"""Progress lines for long steps: counts, rate and ETA, at most every few seconds.

`Progress` writes each line to the step's Dagster log (the run's log in the UI) and to the Python logger
`revops.progress`, which `revops demo` prints; elsewhere that logger has no handler and stays silent.

    progress = Progress("search/odoo_opportunity_embeddings", total=12_000, unit="rows", log=context.log)
    for batch in batches:
        ...
        progress.advance(len(batch))
    progress.finish()
    # search/odoo_opportunity_embeddings: 4,096 / 12,000 rows (34%), 41 rows/s, ETA 3m13s
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

LOGGER = logging.getLogger("revops.progress")


def duration_text(seconds: float) -> str:
    """1h02m, 3m13s, 42s."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class Progress:
    """Counts `advance`d units against `total`; logs a line when `every_s` passed since the last one."""

    def __init__(self, what: str, total: int, *, unit: str = "rows", log=None, every_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.what, self.total, self.unit, self.log, self.every_s, self.clock = what, max(0, total), unit, log, every_s, clock
        self.done = 0
        self.started = clock()
        self._last_line = self.started

    def rate(self) -> float:
        elapsed = self.clock() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        rate = self.rate()
        text = f"{self.what}: {self.done:,} / {self.total:,} {self.unit}"
        if self.total:
            text += f" ({100 * self.done / self.total:.0f}%)"
        if rate > 0:
            text += f", {rate:,.0f} {self.unit}/s"
            if self.done < self.total:
                text += f", ETA {duration_text((self.total - self.done) / rate)}"
        return text

    def advance(self, n: int) -> None:
        self.done += n
        now = self.clock()
        if now - self._last_line >= self.every_s and self.done < self.total:
            self._last_line = now
            self._emit(self.line())

    def finish(self) -> None:
        """The closing line, with the total time; nothing when there was nothing to do."""
        if self.total or self.done:
            self._emit(f"{self.line()}, done in {duration_text(self.clock() - self.started)}")

    def _emit(self, text: str) -> None:
        if self.log is not None:
            self.log.info(text)
        LOGGER.info(text)
