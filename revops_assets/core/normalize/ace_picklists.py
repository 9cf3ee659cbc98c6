"""ACE picklist values and countries, mapped to the canonical Partner Central Selling API spelling.

The APN sync DB holds values from two eras of ACE: the legacy CRM-integration names ("Draft", "Computers &
Electronics", "Lost to Competitor – Google" with an en-dash, country names) and the API names ("Pending
Submission", "Computers and Electronics", "Lost to Competitor - Google", ISO-2 codes), plus CRM-typed variants
("closed lost", "CLOSED_LOST"). Stage comparison, POD rules and reporting need one spelling, so every value is
compared by a loose key (case, accents, "&"/"and", dashes, spaces and punctuation ignored) against the canonical
values and aliases of data/ace_picklists.yaml. Unknown values give None; callers keep the raw value beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from revops_assets.core.normalize._data import load_yaml
from revops_assets.core.normalize.text import fold, translated_name

_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212]")
_NON_ALNUM_RE = re.compile(r"[\W_]+")
_SAINT_RE = re.compile(r"\bst\b\.?")
_MULTI_SEPARATOR_RE = re.compile(r"[;|]")

PICKLIST_FIELDS = (
    "stage", "review_status", "origin", "industry", "delivery_model", "closed_lost_reason",
    "opportunity_type", "partner_acceptance_status", "use_case",
)


def picklist_key(value: Any) -> str:
    """Loose comparison key: "Lost to Competitor – Google" and "lost to competitor - GOOGLE" share one."""
    if isinstance(value, str):
        return _cached_key(value, False)
    return _key(value, countries=False)


def _country_key(value: Any) -> str:
    if isinstance(value, str):
        return _cached_key(value, True)
    return _key(value, countries=True)


def _key(value: Any, countries: bool) -> str:
    text = fold(value)
    if countries:
        text = _SAINT_RE.sub("saint ", text)  # "St. Lucia", "St Kitts"
    text = _DASHES_RE.sub("-", text).replace("&", " and ")
    return _NON_ALNUM_RE.sub("", text)


@lru_cache(maxsize=65_536)  # picklist columns repeat a few values over 10^5 rows
def _cached_key(value: str, countries: bool) -> str:
    return _key(value, countries)


def _build(pairs: list[tuple[str, str]], what: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for spelling, canonical in pairs:
        key = picklist_key(spelling) if what != "countries" else _country_key(spelling)
        if index.get(key, canonical) != canonical:
            raise ValueError(f"{what}: {spelling!r} is ambiguous ({index[key]!r} vs {canonical!r})")
        index[key] = canonical
    return index


@lru_cache(maxsize=1)
def _picklists() -> dict[str, tuple[tuple[str, ...], dict[str, str]]]:
    """field -> (canonical values in reference order, key -> canonical)."""
    out = {}
    for field, spec in load_yaml("ace_picklists.yaml")["picklists"].items():
        values = tuple(spec["values"])
        aliases = spec.get("aliases") or {}
        unknown = set(aliases.values()) - set(values)
        if unknown:
            raise ValueError(f"{field}: aliases point at non-canonical values {sorted(unknown)}")
        pairs = [(v, v) for v in values] + [(str(a), c) for a, c in aliases.items()]
        out[field] = (values, _build(pairs, field))
    return out


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """(key -> ISO-2, ISO-2 -> ACE legacy name)."""
    table = load_yaml("ace_picklists.yaml")["countries"]
    # Codes themselves are keys too; YAML reads "NO" (Norway) as a boolean unless quoted, so keys are re-checked.
    codes = {str(code).upper(): names for code, names in table.items()}
    if any(len(code) != 2 for code in codes):
        raise ValueError("countries: every key must be an ISO-2 code (quote NO, ON, YES, ...)")
    pairs = [(code, code) for code in codes] + [(n, code) for code, names in codes.items() for n in names]
    return _build(pairs, "countries"), {code: names[0] for code, names in codes.items()}


def canonical_values(field: str) -> tuple[str, ...]:
    """The canonical API values of an ACE picklist, in reference order."""
    return _picklists()[field][0]


def normalize_ace_picklist(field: str, value: Any) -> str | None:
    """Canonical API value of `value` in picklist `field` (one of PICKLIST_FIELDS), None if unknown or empty."""
    if value is None:
        return None
    key = picklist_key(value)
    return _picklists()[field][1].get(key) if key else None


def normalize_ace_stage(value: Any) -> str | None:
    """LifeCycle.Stage: Prospect | Qualified | Technical Validation | Business Validation | Committed | Launched |
    Closed Lost ("Closed Won" -> Launched)."""
    return normalize_ace_picklist("stage", value)


def normalize_ace_status(value: Any) -> str | None:
    """LifeCycle.ReviewStatus: Pending Submission (legacy "Draft") | Submitted | In review | Approved | Rejected |
    Action Required."""
    return normalize_ace_picklist("review_status", value)


def normalize_ace_origin(value: Any) -> str | None:
    """Origin (legacy opportunityOwnership): AWS Referral | Partner Referral ("Partner Originated" too)."""
    return normalize_ace_picklist("origin", value)


def normalize_ace_industry(value: Any) -> str | None:
    """Customer.Account.Industry in API spelling ("Computers & Electronics" -> "Computers and Electronics")."""
    return normalize_ace_picklist("industry", value)


def normalize_ace_closed_lost_reason(value: Any) -> str | None:
    """LifeCycle.ClosedLostReason with hyphens ("Lost to Competitor – Google" -> "Lost to Competitor - Google")."""
    return normalize_ace_picklist("closed_lost_reason", value)


def normalize_ace_use_case(value: Any) -> str | None:
    return normalize_ace_picklist("use_case", value)


def normalize_ace_opportunity_type(value: Any) -> str | None:
    return normalize_ace_picklist("opportunity_type", value)


def normalize_ace_delivery_model(value: Any) -> str | None:
    """Project.DeliveryModel, a multi-select: each ";"- or "|"-separated part normalized, unknown parts dropped,
    duplicates removed, joined with ";" in input order ("SaaS;Resell" -> "SaaS or PaaS;Resell"); None if no
    part is known."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    parts: list[str] = []
    for piece in _MULTI_SEPARATOR_RE.split(text):
        canonical = normalize_ace_picklist("delivery_model", piece)
        if canonical and canonical not in parts:
            parts.append(canonical)
    return ";".join(parts) or None


def normalize_country(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name, code or common alias ("United States", "USA", "us", "UK",
    "Côte d'Ivoire", "St. Lucia"); Odoo jsonb names are accepted. None when unknown (e.g. ACE's masked
    "Accept to View")."""
    if value is None:
        return None
    if isinstance(value, Mapping) or (isinstance(value, str) and value.lstrip().startswith("{")):
        value = translated_name(value)
    key = _country_key(value)
    return _countries()[0].get(key) if key else None


def country_name(code: Any) -> str | None:
    """The ACE legacy picklist name of an ISO-2 code ("GB" -> "United Kingdom"), None if not an ACE country."""
    iso = normalize_country(code)
    return _countries()[1].get(iso) if iso else None
