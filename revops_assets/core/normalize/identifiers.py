"""AWS account ids: 12 digits that Odoo, ACE and billing tables write in different shapes.

"1234-5678-9012", "1234 5678 9012" and "123456789012" are one account. An account id stored in a numeric column
(an Excel import, a float column in pandas) loses its leading zeros, so integers shorter than 12 digits are
left-padded; strings are never padded (a short string is a typo, not a number).

Partner CRM ids typed into ACE (`parse_odoo_id`): an Odoo opportunity id only when the whole value parses as one;
another CRM's id (Salesforce, HubSpot, a GUID) is none, whatever digits it ends with.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_ACCOUNT_RE = re.compile(r"[0-9]{12}")
_FLOAT_TAIL_RE = re.compile(r"\.0+$")


def normalize_aws_account_id(value: Any) -> str | None:
    """The 12-digit account id, or None if `value` is not one after removing spaces and dashes."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        try:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if value != int(value) or not 0 <= value < 10**12:
                return None
            text = str(int(value)).zfill(12)
        except (ValueError, OverflowError, ArithmeticError):
            return None
    else:
        text = unicodedata.normalize("NFKC", str(value))  # full-width digits too
        text = _FLOAT_TAIL_RE.sub("", _SEPARATORS_RE.sub("", text))
    return text if _ACCOUNT_RE.fullmatch(text) else None


def is_valid_aws_account_id(value: Any) -> bool:
    """True when `value` is exactly 12 digits once spaces and dashes are removed."""
    return normalize_aws_account_id(value) is not None


# -- partner CRM ids ----------------------------------------------------------------------------------------------
# ACE's partner_crm_unique_identifier is free text: partners type their Odoo opportunity id ("123", "#123",
# "ODOO-123", "odoo id: 123", an Odoo URL "...#id=123&model=crm.lead"), but also the id of the CRM they used before
# (Salesforce "0060000YHbI5ED5", HubSpot "HS-477093", a Dynamics GUID). The trailing digits of such an id are not an
# Odoo id: only a value that parses as one as a whole is.
ODOO_ID_MAX = 2_147_483_647  # Odoo ids are Postgres integers
_ODOO_ID_RE = re.compile(r"(?:odoo\s*(?:crm\s*)?(?:opportunity\s*|lead\s*)?(?:id\s*)?[-_:#/ ]*\s*|#\s*)?0*(\d{1,10})",
                         re.IGNORECASE)
# an Odoo record URL ("/web#id=42&model=crm.lead"): an opportunity's only when no other model is named
_ODOO_URL_RE = re.compile(r"https?://\S*[#?&]id=(\d{1,10})(?!\d)\S*", re.IGNORECASE)
_OTHER_MODEL_RE = re.compile(r"[#?&]model=(?!crm\.lead\b)", re.IGNORECASE)
_OTHER_CRMS = (
    ("a HubSpot id", re.compile(r"(?:hs|hubspot)\s*[-_:#]?\s*\d+", re.IGNORECASE)),
    ("a Salesforce id", re.compile(r"(?=[a-z0-9]*[a-z])(?=[a-z0-9]*\d)[a-z0-9]{15}(?:[a-z0-9]{3})?", re.IGNORECASE)),
    ("a GUID (Dynamics 365 or similar)",
     re.compile(r"\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?", re.IGNORECASE)),
    ("a Zoho CRM id", re.compile(r"(?:zcrm|zoho)\s*[-_:#]?\s*\d+", re.IGNORECASE)),
    ("a Pipedrive id", re.compile(r"(?:pd|pipedrive)\s*[-_:#]?\s*\d+", re.IGNORECASE)),
)


def parse_odoo_id(value: Any) -> tuple[str | None, str | None]:
    """(the Odoo id as a string of digits, None) when `value` is one as a whole; (None, why not) otherwise.

    "123", " #123 ", "ODOO-123", "odoo id: 123" and an Odoo record URL give "123"; "0060000YHbI5ED5" gives
    (None, "... a Salesforce id ..."), "HS-477093" (None, "... a HubSpot id ..."); empty input gives (None, None).
    """
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, (int, Decimal)) or (isinstance(value, float) and math.isfinite(value) and value.is_integer()):
        number = int(value)
        return (str(number), None) if 0 < number <= ODOO_ID_MAX else (None, f"partner CRM id {number} is no Odoo id")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None, None
    m = _ODOO_ID_RE.fullmatch(text) or (_ODOO_URL_RE.fullmatch(text) if not _OTHER_MODEL_RE.search(text) else None)
    if m and 0 < int(m.group(1)) <= ODOO_ID_MAX:
        return str(int(m.group(1))), None
    for kind, pattern in _OTHER_CRMS:
        if pattern.fullmatch(text):
            return None, f"partner CRM id {text[:40]!r} is {kind}, not an Odoo id"
    return None, f"partner CRM id {text[:40]!r} is not an Odoo id"
