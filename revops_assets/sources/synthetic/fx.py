"""Monthly exchange rates of the synthetic world, one table shared by deals, Odoo rates and billing.

Rates wander around catalog.USD_RATES with a seeded random walk so that converting the same amount in two systems
(ACE in USD, Odoo in EUR) gives numbers that differ like real ones do.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from revops_assets.sources.synthetic.catalog import USD_RATES

CURRENCIES = tuple(USD_RATES)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def month_index(day: date, today: date) -> int:
    """Months between `day`'s month and `today`'s month (0 = this month, 1 = last month)."""
    return (today.year - day.year) * 12 + today.month - day.month


class FxTable:
    """Units of each currency per USD for every month back to `history` months before `today`."""

    def __init__(self, seed: int, today: date, history: int = 240) -> None:
        self.today = today
        self.history = history
        rng = np.random.default_rng([seed, 0xF8])
        base = np.array([USD_RATES[c] for c in CURRENCIES])
        steps = rng.normal(0.0, 0.012, size=(history + 1, len(CURRENCIES)))
        steps[:, CURRENCIES.index("USD")] = 0.0
        walk = np.exp(np.cumsum(steps, axis=0))  # index 0 = this month, going back in time
        self.per_usd = np.round(base[None, :] * walk, 6)  # [months_back, currency]
        self.index = {c: i for i, c in enumerate(CURRENCIES)}

    def rate(self, currency: str, months_back: int) -> float:
        months_back = min(max(months_back, 0), self.history)
        return float(self.per_usd[months_back, self.index[currency]])

    def on(self, currency: str, day: date) -> float:
        return self.rate(currency, month_index(day, self.today))

    def convert(self, amount_usd: float, currency: str, day: date) -> float:
        return amount_usd * self.on(currency, day)
