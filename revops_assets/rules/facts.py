"""The facts a rule can read: what the warehouse says about one matched ACE x Odoo pair in one evaluation month.

`FACTS` is the catalogue that YAML rules are validated against (a rule naming a fact not listed here is refused at
load). `pair_facts` turns one row of `sql/rules/pair_inputs.sql` into the facts dict; it is pure, so the same row
always gives the same facts and the same `input_hash`. Facts are JSON values (dates as ISO strings, money rounded to
cents) so they can be stored, hashed and re-read unchanged.

Two side channels travel with the facts (both part of the hash):
- `_notes`: why a fact is missing ("no AWS account linked to the match ..."), quoted by the rule that needed it;
- `_partial`: facts that are only a lower bound (spend over the accounts the partner bills, while another linked
  account is not in the partner's billing): a comparison may still decide when the bound alone settles it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from revops_assets.core import normalize as nz

NOTES = "_notes"
PARTIAL = "_partial"


@dataclass(frozen=True)
class Fact:
    kind: str  # text | number | date | list
    description: str


FACTS: dict[str, Fact] = {
    "odoo_opportunity_id": Fact("number", "the Odoo opportunity matched to the ACE opportunity"),
    "match_status": Fact("text", "status of the ACE <-> Odoo match: confirmed / auto_matched / needs_review"),
    "match_score": Fact("number", "match probability (0..1)"),
    "confirmed_by": Fact("text", "who confirmed the pair (ops.match_decisions), when a person did"),
    "ace_origin": Fact("text", "ACE Origin: Partner Referral / AWS Referral"),
    "odoo_origin": Fact("text", "Odoo's origination in ACE's spelling (the raw value when it is not an origin)"),
    "ace_stage": Fact("text", "ACE LifeCycle.Stage (Prospect ... Launched, Closed Lost)"),
    "ace_review_status": Fact("text", "ACE LifeCycle.ReviewStatus (Pending Submission ... Approved)"),
    "odoo_outcome": Fact("text", "Odoo deal outcome: open / won / lost / archived"),
    "evaluation_date": Fact("date", "the day the month is evaluated on: its first day"),
    "target_close_date": Fact("date", "ACE TargetCloseDate"),
    "days_to_close": Fact("number", "ACE target close date minus the evaluation date, in days"),
    "prior_month": Fact("date", "the month before the evaluation month (whose AWS spend counts)"),
    "prior_month_spend_usd": Fact("number", "AWS cost (USD) of every AWS account linked to the pair in the prior month"),
    "aws_accounts": Fact("list", "AWS accounts linked to the pair (ACE account id, the Odoo deal's, the customer's)"),
    "customer_name": Fact("text", "ACE end customer company name"),
    "title": Fact("text", "ACE project title"),
    "website": Fact("text", "ACE customer website"),
    "email": Fact("text", "ACE end-user contact email"),
    "country_code": Fact("text", "ACE customer country (ISO-2)"),
    "expected_monthly_spend_usd": Fact("number", "ACE expected monthly AWS spend in USD"),
    "expected_annual_spend_usd": Fact("number", "ACE expected monthly AWS spend x 12, in USD"),
    "use_case": Fact("text", "ACE customer use case"),
    "delivery_model": Fact("text", "ACE delivery model(s), ';'-separated"),
    "opportunity_type": Fact("text", "ACE opportunity type (Net New Business, Expansion, Flat Renewal)"),
}

NO_ACCOUNT_NOTE = ("no AWS account linked to the match (ACE account id, the Odoo deal's account, the customer's "
                   "accounts in Odoo)")


def _json_value(value):
    if isinstance(value, Decimal):
        return round(float(value), 2)
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _spend(facts: dict, notes: dict, partial: dict, accounts: list[dict], spend, billing_loaded: bool,
           prior: date) -> None:
    """prior_month_spend_usd, or why it is unknown / only a lower bound."""
    month = prior.strftime("%Y-%m")
    if not accounts:
        facts["prior_month_spend_usd"] = None
        notes["prior_month_spend_usd"] = NO_ACCOUNT_NOTE
        return
    if not billing_loaded:
        facts["prior_month_spend_usd"] = None
        notes["prior_month_spend_usd"] = f"core.aws_costs_monthly has no rows for {month} (billing not loaded)"
        return
    billed = [a for a in accounts if a["in_billing"]]
    outside = sorted({a["account"] for a in accounts if not a["in_billing"]})
    total = round(float(spend or 0), 2)
    if not outside:
        facts["prior_month_spend_usd"] = total
        return
    listed = ", ".join(outside[:3]) + (f" and {len(outside) - 3} more" if len(outside) > 3 else "")
    where = f"AWS account {listed} {'is' if len(outside) == 1 else 'are'} not in the partner's billing (core.aws_accounts)"
    if billed:
        facts["prior_month_spend_usd"] = total
        partial["prior_month_spend_usd"] = f"{where}: {_money(total)} USD is the billed accounts' spend only"
    else:
        facts["prior_month_spend_usd"] = None
        notes["prior_month_spend_usd"] = f"{where}: its {month} spend is unknown"


def pair_facts(row: dict, month: date, prior: date) -> dict:
    """The facts of one pair (a row of pair_inputs.sql as a dict) for the month starting on `month`."""
    notes: dict[str, str] = {}
    partial: dict[str, str] = {}
    close = row.get("target_close_date")
    odoo_raw = _json_value(row.get("origination"))
    monthly = _json_value(row.get("expected_monthly_spend_usd"))
    facts = {
        "odoo_opportunity_id": row.get("odoo_opportunity_id"),
        "match_status": row.get("match_status"),
        "match_score": None if row.get("match_score") is None else round(float(row["match_score"]), 4),
        "confirmed_by": _json_value(row.get("confirmed_by")),
        "ace_origin": _json_value(row.get("ace_origin")),
        "odoo_origin": nz.normalize_ace_origin(odoo_raw) or odoo_raw,
        "ace_stage": _json_value(row.get("ace_stage")),
        "ace_review_status": _json_value(row.get("ace_review_status")),
        "odoo_outcome": _json_value(row.get("odoo_outcome")),
        "evaluation_date": month.isoformat(),
        "target_close_date": _json_value(close),
        "days_to_close": None if close is None else (close - month).days,
        "prior_month": prior.isoformat(),
        "customer_name": _json_value(row.get("customer_name")),
        "title": _json_value(row.get("title")),
        "website": _json_value(row.get("website")),
        "email": _json_value(row.get("email")),
        "country_code": _json_value(row.get("country_code")),
        "expected_monthly_spend_usd": monthly,
        "expected_annual_spend_usd": None if monthly is None else round(monthly * 12, 2),
        "use_case": _json_value(row.get("use_case")),
        "delivery_model": _json_value(row.get("delivery_model")),
        "opportunity_type": _json_value(row.get("opportunity_type")),
    }
    if odoo_raw is None:
        notes["odoo_origin"] = "Odoo has no origination for the deal"
    if close is None:
        notes["days_to_close"] = notes["target_close_date"] = "ACE has no target close date"
    accounts = _accounts(row.get("accounts") or [])
    facts["aws_accounts"] = [a["account"] for a in accounts]
    _spend(facts, notes, partial, accounts, row.get("spend_usd"), bool(row.get("billing_loaded")), prior)
    facts[NOTES] = notes
    facts[PARTIAL] = partial
    return facts


def _accounts(links: list[dict]) -> list[dict]:
    """Linked accounts, one entry per account: its 12-digit id (or Odoo's record when the id is invalid), whether
    the partner bills it, and how it is linked, sorted so equal inputs give equal facts."""
    merged: dict[str, dict] = {}
    for link in links:
        account = link.get("aws_account_id") or (
            f"odoo account {link['odoo_account_id']}" if link.get("odoo_account_id") is not None else None
        )
        if account is None:
            continue
        entry = merged.setdefault(account, {"account": account, "in_billing": False, "via": set()})
        entry["in_billing"] |= link.get("odoo_account_id") is not None
        entry["via"].add(link.get("via"))
    return [{**e, "via": sorted(v for v in e["via"] if v)} for _, e in sorted(merged.items())]


def input_hash(facts: dict) -> str:
    """A stable digest of the facts: equal facts, equal hash (keys sorted, no whitespace)."""
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
