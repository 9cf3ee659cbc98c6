"""AWS account ids: 12 digits that Odoo, ACE and billing tables write in different shapes.

"1234-5678-9012", "1234 5678 9012" and "123456789012" are one account. An account id stored in a numeric column
(an Excel import, a float column in pandas) loses its leading zeros, so integers shorter than 12 digits are
left-padded; strings are never padded (a short string is a typo, not a number).
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
