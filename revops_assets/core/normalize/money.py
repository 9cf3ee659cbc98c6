"""Amounts in one currency and plausibility of deal amounts.

Rate convention (the one Odoo uses): a rate is the number of units of a currency worth ONE unit of the base
currency; here the base is USD, so rates["EUR"] = 0.92 means 1 USD = 0.92 EUR and usd = amount / rate.
Odoo's res_currency_rate.rate is relative to the company currency instead; rebase_rates turns such a table into
a USD-based one. A missing or unusable rate gives None rather than a wrong number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("_", "").replace(" ", "")
        number = float(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return None
    return number


def _rate(rates: Mapping[str, Any], code: str) -> float | None:
    rate = _as_float(rates.get(code)) if rates else None
    return rate if rate is not None and math.isfinite(rate) and rate > 0 else None


def to_usd(amount: Any, currency_code: Any, rates: Mapping[str, float]) -> float | None:
    """`amount` in USD, with `rates` giving units of each currency (upper-case ISO 4217 keys) per 1 USD.

    USD needs no rate. None when the amount is missing or not finite, the currency unknown or empty, or its rate
    missing or non-positive.
    """
    value = _as_float(amount)
    if value is None or not math.isfinite(value):
        return None
    code = str(currency_code).strip().upper() if currency_code is not None else ""
    if not code:
        return None
    if code == "USD":
        return value
    rate = _rate(rates, code)
    return value / rate if rate else None


def rebase_rates(rates: Mapping[str, Any], base: str = "USD") -> dict[str, float]:
    """Re-expresses a rate table (units per 1 unit of some reference currency, e.g. Odoo's company currency)
    as units per 1 `base`: rate_X / rate_base. Unusable rates are left out; {} when `base` has no usable rate."""
    table = {str(k).strip().upper(): v for k, v in (rates or {}).items()}
    base_rate = _rate(table, base.upper())
    if base_rate is None:
        return {}
    out = {code: rate / base_rate for code in table if (rate := _rate(table, code)) is not None}
    out[base.upper()] = 1.0
    return out


# No single deal or month of spend is worth a trillion: such a value is a unit or data-entry error (1e30 was seen).
MAX_PLAUSIBLE_AMOUNT = 1e12


def sanitize_amount(value: Any) -> tuple[float | None, str | None]:
    """A deal amount that can be trusted, else None with the reason.

    Zero and negative amounts are flagged: in a CRM they mean "not filled in" or a typo, not a real deal size; so
    are infinite ones, absurdly large ones and a NaN stored in the database (a numeric NaN). A missing value (None,
    or a float NaN, pandas' "missing") is not an anomaly: (None, None). Not for billing lines, where credits are
    legitimately negative.
    """
    if value is None:
        return None, None
    number = _as_float(value)
    if number is None:
        return None, f"unparseable amount {str(value)[:50]!r}"
    if math.isnan(number):
        return None, ("not-a-number amount (NaN)" if isinstance(value, Decimal) else None)
    if math.isinf(number):
        return None, f"non-finite amount {number}"
    if number <= 0:
        return None, f"non-positive amount {number:g}"
    if number > MAX_PLAUSIBLE_AMOUNT:
        return None, f"implausible amount {number:g} (over {MAX_PLAUSIBLE_AMOUNT:g})"
    return number, None
