"""Progress lines of long steps: counts, rate and ETA, at most every few seconds, to the run log and the demo."""

from __future__ import annotations

import logging

from revops_assets.progress import Progress, duration_text


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RunLog:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, text: str) -> None:
        self.lines.append(text)


def test_lines_carry_counts_rate_and_eta_and_are_spaced(caplog):
    clock, log = Clock(), RunLog()
    progress = Progress("embedding odoo", total=1000, log=log, every_s=10, clock=clock)
    with caplog.at_level(logging.INFO, logger="revops.progress"):
        clock.now += 5
        progress.advance(100)  # 5 s in: too early for a line
        clock.now += 5
        progress.advance(100)  # 10 s, 200 rows: 20 rows/s, 800 to go -> 40 s
        clock.now += 1
        progress.advance(10)
        clock.now += 39
        progress.advance(790)
        progress.finish()
    assert log.lines == [
        "embedding odoo: 200 / 1,000 rows (20%), 20 rows/s, ETA 40s",
        "embedding odoo: 1,000 / 1,000 rows (100%), 20 rows/s, done in 50s",
    ]
    assert [r.getMessage() for r in caplog.records] == log.lines  # the demo prints these


def test_nothing_to_do_says_nothing():
    log = RunLog()
    Progress("embedding ace", total=0, log=log).finish()
    assert log.lines == []


def test_durations_read_like_a_clock():
    assert [duration_text(s) for s in (4.4, 75, 3725)] == ["4s", "1m15s", "1h02m"]
