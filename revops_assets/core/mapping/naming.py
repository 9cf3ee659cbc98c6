"""How column names are compared: exact, then ignoring case and punctuation, then without custom-field markers.

`expectedMonthlyAwsRevenue`, `expected_monthly_aws_revenue` and `Expected_Monthly_AWS_Revenue` are one name once
lower-cased with everything but letters and digits removed ("squashed"). A Partner Central API path
(`Project.ExpectedCustomerSpend.Amount`) stands for every tail of two or more of its segments, since sync tools
flatten nested objects with or without their parents, and, for paths of three or more segments, for its root
object joined to its leaf (`Customer.Account.Address.CountryCode` -> `customer_country_code`), the other common way
to flatten, unless the leaf alone says nothing (Amount, CurrencyCode, ...). Custom-field markers (`x_studio_`, `x_`, `c_`, Salesforce's
`__c`) are removed from the column's name, never from an alias, so `c_cost` matches the alias `cost` while `cost`
never matches an alias `c_cost` by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_NON_ALNUM = re.compile(r"[^0-9a-z]")


def squash(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


# leaves that name nothing without their parent object (Project.ExpectedCustomerSpend.Amount is not "project amount")
GENERIC_LEAVES = frozenset({"amount", "currencycode", "currency", "frequency", "value", "name", "id", "type"})


def alias_keys(alias: str) -> list[str]:
    """The squashed forms an alias stands for: itself; for a dotted API path each tail of >= 2 segments, and root +
    leaf for paths of >= 3 segments whose leaf is specific."""
    parts = [p for p in alias.split(".") if p]
    if len(parts) <= 1:
        return [squash(alias)]
    keys = [squash("".join(parts[i:])) for i in range(len(parts) - 1)]
    if len(parts) >= 3 and squash(parts[-1]) not in GENERIC_LEAVES:
        keys.append(squash(parts[0] + parts[-1]))
    return list(dict.fromkeys(keys))


def without_markers(column: str, prefixes: Sequence[str], suffixes: Sequence[str]) -> str | None:
    """The column name without its custom-field prefixes/suffixes (repeatedly: x_studio_c_cost -> cost), or None
    when it carries none."""
    name = column.lower()
    changed = True
    stripped = False
    while changed:
        changed = False
        for prefix in sorted(prefixes, key=len, reverse=True):
            if prefix and name.startswith(prefix.lower()) and len(name) > len(prefix):
                name, changed, stripped = name[len(prefix):], True, True
                break
        for suffix in sorted(suffixes, key=len, reverse=True):
            if suffix and name.endswith(suffix.lower()) and len(name) > len(suffix):
                name, changed, stripped = name[: -len(suffix)], True, True
                break
    return name if stripped else None


def candidate_names(field: str, aliases: Iterable[str]) -> list[str]:
    """The names tried for a field, in order: the field's own name first, then its aliases, without repeats."""
    return list(dict.fromkeys([field, *aliases]))
