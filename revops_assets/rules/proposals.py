"""ACE update proposals: where a matched Odoo deal and its ACE opportunity disagree on stage, close date or amount,
the Partner Central `UpdateOpportunity` payload that would bring ACE in line with Odoo, with the reason.

Odoo is the partner's own CRM, so it is taken as the truth; ACE can only be updated while it is not Launched or
Closed Lost (Partner Central refuses updates after that: those disagreements are fixed in Odoo, see
matching/reconciliation). What is proposed (data/rules/ace_update_proposals.yaml):
- stage: Odoo won -> `Launched`; Odoo lost -> `Closed Lost` with a ClosedLostReason (Odoo's lost reason when it is
  an ACE reason, else the configured default). Open or archived Odoo deals do not move ACE's stage.
- close date: Odoo's deadline when the dates are more than `close_date_tolerance_days` apart (or ACE has none) and
  the deadline is not in the past (Partner Central refuses past dates), unless the stage moves to a closed one.
- amount: Odoo's expected revenue / `odoo_revenue_months` as the monthly ExpectedCustomerSpend (USD) when one is more
  than `amount_ratio` times the other (or ACE has none).

Payloads follow the Selling API model (2022-07-26): Catalog, Identifier, LastModifiedDate (ACE's, for optimistic
concurrency), PartnerOpportunityIdentifier, Customer.Account, Project, LifeCycle, OpportunityType, and are validated
by the pydantic models below before they are stored. UpdateOpportunity treats an omitted field as null, and the
warehouse does not mirror every ACE field (contacts, marketing, the business problem text), so a sync tool should
merge the payload (or just `changes`) onto GetOpportunity's response before sending it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from psycopg2 import sql
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from revops_assets.core import normalize as nz
from revops_assets.core.build import NormColumn, copy_rows, swap_in
from revops_assets.rules.config import ProposalSettings
from revops_assets.rules.warehouse import rules_sql, stream_dicts, utc

TABLE = sql.Identifier("rules", "ace_update_proposals")
CLOSED_STAGES = ("Launched", "Closed Lost")
STAGE_FOR_ODOO = {"won": "Launched", "lost": "Closed Lost"}


# -- the Selling API shapes (only the parts a proposal fills) ---------------------------------------------------------
class _Api(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApiExpectedCustomerSpend(_Api):
    Amount: str = Field(pattern=r"^\d{1,16}(\.\d{1,2})?$")
    CurrencyCode: str = Field(pattern=r"^[A-Z]{3}$")
    Frequency: str = Field(default="Monthly", pattern="^Monthly$")
    TargetCompany: str = Field(default="AWS", pattern="^AWS$")


class ApiAddress(_Api):
    City: str | None = None
    CountryCode: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class ApiAccount(_Api):
    CompanyName: str | None = Field(default=None, max_length=120)
    WebsiteUrl: str | None = None
    AwsAccountId: str | None = Field(default=None, pattern=r"^\d{12}$")
    Industry: str | None = None
    Address: ApiAddress | None = None


class ApiCustomer(_Api):
    Account: ApiAccount


class ApiProject(_Api):
    Title: str | None = None
    CustomerUseCase: str | None = None
    DeliveryModels: list[str] | None = None
    ExpectedCustomerSpend: list[ApiExpectedCustomerSpend] | None = None


class ApiLifeCycle(_Api):
    Stage: str | None = None
    TargetCloseDate: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    ClosedLostReason: str | None = None
    NextSteps: str | None = None

    @field_validator("Stage", "ClosedLostReason")
    @classmethod
    def _picklist(cls, v, info):
        picklist = {"Stage": "stage", "ClosedLostReason": "closed_lost_reason"}[info.field_name]
        if v is not None and v not in nz.canonical_values(picklist):
            raise ValueError(f"{v!r} is not an ACE {info.field_name}")
        return v


class UpdateOpportunityPayload(_Api):
    Catalog: str = Field(pattern="^(AWS|Sandbox)$")
    Identifier: str = Field(pattern=r"^O[0-9]{1,19}$")
    LastModifiedDate: str | None = None
    PartnerOpportunityIdentifier: str | None = Field(default=None, max_length=64)
    OpportunityType: str | None = None
    Customer: ApiCustomer | None = None
    Project: ApiProject | None = None
    LifeCycle: ApiLifeCycle


# -- deciding the changes ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    field: str      # Selling API path
    kind: str       # stage | close_date | amount | partner_opportunity_identifier
    ace: object
    proposed: object
    reason: str

    def as_json(self) -> dict:
        return {"field": self.field, "kind": self.kind, "ace": self.ace, "proposed": self.proposed,
                "reason": self.reason}


def _money(value) -> str:
    return f"{float(value):,.2f}"


def proposed_changes(row: dict, settings: ProposalSettings, today: date) -> list[Change]:
    """The changes that would bring this ACE opportunity in line with its Odoo deal (empty when they agree)."""
    changes: list[Change] = []
    odoo_id = row["odoo_opportunity_id"]
    new_stage = STAGE_FOR_ODOO.get(row.get("odoo_outcome") or "")
    if new_stage and row.get("stage") != new_stage:
        changes.append(Change("LifeCycle.Stage", "stage", row.get("stage"), new_stage,
                              f"Odoo deal {odoo_id} is {row['odoo_outcome']}: ACE stage "
                              f"{row.get('stage') or 'empty'} -> {new_stage}"))
    closing = new_stage in CLOSED_STAGES
    deadline, ace_date = row.get("date_deadline"), row.get("target_close_date")
    if not closing and deadline is not None and deadline >= today:
        apart = None if ace_date is None else abs((deadline - ace_date).days)
        if apart is None or apart > settings.close_date_tolerance_days:
            gap = "ACE has none" if apart is None else f"{apart} days apart"
            changes.append(Change("LifeCycle.TargetCloseDate", "close_date", _iso(ace_date), deadline.isoformat(),
                                  f"Odoo deadline {deadline} vs ACE target close {_iso(ace_date) or 'none'} ({gap})"))
    revenue, ace_usd = row.get("expected_revenue_usd"), row.get("expected_monthly_spend_usd")
    if revenue is not None and float(revenue) > 0:
        monthly = round(float(revenue) / settings.odoo_revenue_months, 2)
        ace = None if ace_usd is None or float(ace_usd) <= 0 else float(ace_usd)
        if ace is None or max(monthly, ace) / min(monthly, ace) > settings.amount_ratio:
            changes.append(Change(
                "Project.ExpectedCustomerSpend", "amount", None if ace is None else round(ace, 2), monthly,
                f"Odoo expected revenue {_money(revenue)} USD / {settings.odoo_revenue_months} = {_money(monthly)} "
                f"USD/month vs ACE {'none' if ace is None else _money(ace) + ' USD/month'}"))
    if changes and not row.get("partner_crm_id_raw"):
        changes.append(Change("PartnerOpportunityIdentifier", "partner_opportunity_identifier", None, str(odoo_id),
                              f"ACE does not name the Odoo deal: {odoo_id}"))
    return changes


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _spend(row: dict, changes: dict[str, Change]) -> list[dict] | None:
    if "amount" in changes:
        return [{"Amount": f"{changes['amount'].proposed:.2f}", "CurrencyCode": "USD"}]
    amount, currency = row.get("expected_monthly_spend"), row.get("currency_code")
    if amount is None or not currency:
        return None
    return [{"Amount": f"{float(amount):.2f}", "CurrencyCode": currency}]


def build_payload(row: dict, changes: list[Change], settings: ProposalSettings) -> dict:
    """UpdateOpportunity request for the ACE opportunity: its current values with the changes applied, validated
    as a whole (a ValidationError names the payload path at fault, e.g. Project.ExpectedCustomerSpend.0.Amount)."""
    by_kind = {c.kind: c for c in changes}
    stage = by_kind["stage"].proposed if "stage" in by_kind else row.get("stage")
    lost_reason = None
    if stage == "Closed Lost":
        lost_reason = nz.normalize_ace_closed_lost_reason(row.get("lost_reason")) or settings.default_closed_lost_reason
    close = by_kind["close_date"].proposed if "close_date" in by_kind else _iso(row.get("target_close_date"))
    modified = row.get("aws_last_modified_date")
    partner_id = by_kind.get("partner_opportunity_identifier")
    payload = {
        "Catalog": settings.catalog,
        "Identifier": row["ace_opportunity_id"],
        "LastModifiedDate": None if modified is None else utc(modified).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "PartnerOpportunityIdentifier": partner_id.proposed if partner_id else row.get("partner_crm_id_raw"),
        "OpportunityType": row.get("opportunity_type"),
        "Customer": {"Account": {
            "CompanyName": (row.get("customer_name") or None) and row["customer_name"][:120],
            "WebsiteUrl": row.get("website") or None,
            "AwsAccountId": row.get("aws_account_id"),
            "Industry": row.get("industry"),
            "Address": {"City": row.get("city") or None, "CountryCode": row.get("country_code")},
        }},
        "Project": {
            "Title": row.get("title"),
            "CustomerUseCase": row.get("use_case"),
            "DeliveryModels": row["delivery_model"].split(";") if row.get("delivery_model") else None,
            "ExpectedCustomerSpend": _spend(row, by_kind),
        },
        "LifeCycle": {"Stage": stage, "TargetCloseDate": close, "ClosedLostReason": lost_reason,
                      "NextSteps": row.get("next_step")},
    }
    return UpdateOpportunityPayload.model_validate(payload).model_dump(mode="json", exclude_none=True)


# -- the warehouse table ----------------------------------------------------------------------------------------------
PROPOSAL_COLUMNS = [NormColumn(n, t) for n, t in (
    ("ace_opportunity_id", "text"), ("odoo_opportunity_id", "integer"), ("match_status", "text"),
    ("customer_name", "text"), ("title", "text"), ("change_kinds", "text[]"), ("reason", "text"),
    ("changes", "jsonb"), ("payload", "jsonb"), ("usd_at_stake", "numeric"), ("proposed_at", "timestamptz"),
)]


def build_proposals(conn, settings: ProposalSettings, now: datetime | None = None) -> dict:
    """Rebuild rules.ace_update_proposals in the caller's transaction; returns the rows written, counts per change
    kind and the proposals left out because ACE's own values would not make a valid payload (with the field)."""
    now = utc(now)
    counts: dict[str, int] = {}
    invalid: list[str] = []
    with conn.cursor() as cur:
        cur.execute(rules_sql("ace_update_proposals.sql"))
        cur.execute("create temp table _proposals (like rules._next_ace_update_proposals) on commit drop")
    rows_written = 0
    query, params = rules_sql("proposal_candidates.sql"), {"statuses": list(settings.match_statuses)}
    with conn.cursor() as sink:
        for batch in stream_dicts(conn, "rules_proposals", query, params):
            out = []
            for row in batch:
                changes = proposed_changes(row, settings, now.date())
                kinds = [c.kind for c in changes if c.kind != "partner_opportunity_identifier"]
                if not kinds:
                    continue
                try:
                    payload = build_payload(row, changes, settings)
                except ValidationError as err:
                    first = err.errors()[0]
                    invalid.append(f"{row['ace_opportunity_id']}: {'.'.join(map(str, first['loc']))}: {first['msg']}")
                    continue
                for kind in kinds:
                    counts[kind] = counts.get(kind, 0) + 1
                out.append((row["ace_opportunity_id"], row["odoo_opportunity_id"], row["match_status"],
                            row.get("customer_name"), row.get("title"), kinds,
                            "; ".join(c.reason for c in changes if c.kind in kinds),
                            json.dumps([c.as_json() for c in changes], default=str), json.dumps(payload),
                            row.get("expected_monthly_spend_usd"), now))
            rows_written += copy_rows(sink, "_proposals", PROPOSAL_COLUMNS, out) if out else 0
    with conn.cursor() as cur:
        cur.execute("insert into rules._next_ace_update_proposals select * from _proposals; drop table _proposals")
        swap_in(cur, "rules", "ace_update_proposals", ["ace_opportunity_id"])
    return {"rows": rows_written, "by_change": counts, "invalid": invalid}


# -- export -----------------------------------------------------------------------------------------------------------
EXPORT_QUERY = ("select ace_opportunity_id, odoo_opportunity_id, match_status, customer_name, title, "
                "array_to_string(change_kinds, ';') as change_kinds, reason, changes, payload, proposed_at "
                "from rules.ace_update_proposals order by ace_opportunity_id")


class ProposalsMissing(RuntimeError):
    """The proposals table does not exist yet."""


def export_proposals(conn, path: Path) -> int:
    """Write the proposals to `path`: `.jsonl` one UpdateOpportunity payload per line (what a sync tool sends),
    `.json` a list of {ace_opportunity_id, odoo_opportunity_id, reason, changes, payload}, anything else CSV (one row
    per proposal, changes and payload as JSON). Returns the number of proposals."""
    with conn.cursor() as cur:
        cur.execute("select to_regclass('rules.ace_update_proposals')")
        if cur.fetchone()[0] is None:
            raise ProposalsMissing("no ACE update proposals yet: materialize rules/ace_update_proposals (make demo)")
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".json"):
        with conn.cursor() as cur, path.open("w", newline="", encoding="utf-8") as fh:
            cur.copy_expert(sql.SQL("copy ({}) to stdout with (format csv, header)").format(sql.SQL(EXPORT_QUERY)), fh)
            return cur.rowcount
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[" if suffix == ".json" else "")
        for batch in stream_dicts(conn, "rules_export", EXPORT_QUERY):
            for row in batch:
                if suffix == ".jsonl":
                    fh.write(json.dumps(row["payload"], sort_keys=True) + "\n")
                else:
                    entry = {k: row[k] for k in ("ace_opportunity_id", "odoo_opportunity_id", "reason", "changes",
                                                 "payload")}
                    fh.write(("," if count else "") + "\n  " + json.dumps(entry, sort_keys=True))
                count += 1
        fh.write("\n]\n" if suffix == ".json" else "")
    return count
