"""Plausibility of dates typed into CRMs.

Placeholders such as 1900-01-01 or 9999-12-31 and typos (2202 for 2022) would otherwise drive close-date
windows (POD's 90 days) and date-proximity scores. They are nulled with a reason the core layer can record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

MIN_YEAR = 1990
MAX_YEAR = 2100


def _parse(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return dt.datetime.fromisoformat(text).date()


def sanitize_date(value: Any, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> tuple[dt.date | None, str | None]:
    """(date, None) when plausible, (None, reason) when not: years outside [min_year, max_year] are
    "implausible date 1900-01-01", text that is no ISO date is "unparseable date '...'".

    date and datetime values come back unchanged (a datetime stays a datetime); ISO strings are parsed to a
    date. Missing values (None, "", NaN, pandas NaT) give (None, None).
    """
    try:
        if value is None or value != value or (isinstance(value, str) and not value.strip()):
            return None, None
    except Exception:
        return None, None
    try:
        parsed = _parse(value)
    except (ValueError, TypeError, OverflowError):
        return None, f"unparseable date {str(value)[:40]!r}"
    if parsed is None:
        return None, None
    if not min_year <= parsed.year <= max_year:
        day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        return None, f"implausible date {day.isoformat()}"
    return parsed, None
