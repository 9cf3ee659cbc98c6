"""Rows of the APN (ACE sync) database rendered from the deal universe.

What ACE says about a deal is decided once per deal in `ace_view` (seeded by the deal), because Odoo's custom
c_aws_ace_* fields copy some of it, sometimes stale. Records created before the sync service switched to the
Partner Central Selling API use legacy picklist spellings; later ones API spellings; a few are mixed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.companies import email_variant, name_variant, native_variant, website_variant
from revops_assets.sources.synthetic.deals import (
    ACE_DUPLICATE, ACE_ONLY, ACE_RESUBMITTED, LINKED, ODOO_AWS, PARTNER_DOMAIN, PARTNER_OLD_DOMAIN, Deal, World,
    ace_created, nice_round,
)
from revops_assets.sources.synthetic.fx import FxTable
from revops_assets.sources.synthetic.noise import legacy_crm_id, slipped_days

API_CUTOVER = date(2024, 7, 1)  # the sync service moved from the legacy APN CRM API to the Selling API
PARTNER_SOLUTIONS = ("S-0012345", "S-0023456", "S-0034567")
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def sf_id(prefix: str, number: int) -> str:
    """An 18-character Salesforce-style id (APN Portal records are Salesforce records)."""
    digits = ""
    while True:
        number, rem = divmod(number, 62)
        digits = _BASE62[rem] + digits
        if not number:
            break
    return f"{prefix}3h00000{digits.rjust(8, '0')}"


@dataclass
class AceView:
    """What ACE holds on a deal's lifecycle, money and dates."""

    created: datetime
    api_style: bool
    stage: str
    status: str
    aws_stage: str
    acceptance: str | None
    monthly: float  # in `currency`
    monthly_usd: float  # the same estimate in USD
    currency: str
    close_date: date | None
    use_case: str
    delivery_model: str
    aws_account: str | None


def _ace_stage(r: random.Random, deal: Deal, noise) -> str:
    if deal.outcome == "won":
        return "Launched" if r.random() > noise.p(0.08) else r.choice(("Committed", "Business Validation"))
    if deal.outcome == "lost":
        return "Closed Lost" if r.random() > noise.p(0.08) else r.choice(catalog.ACE_STAGES[:4])
    idx = min(4, int(deal.progress * 5))
    if r.random() < noise.p(0.25):
        idx = max(0, idx - 1)  # ACE lags the CRM
    return catalog.ACE_STAGES[idx]


def _account_text(r: random.Random, deal: Deal, world: World) -> str | None:
    if deal.account is None:
        return None
    noise = world.noise
    if r.random() > noise.fill(0.6):
        return None
    accounts = deal.company.accounts
    number = deal.account.number
    if len(accounts) > 1 and r.random() < noise.p(0.1):
        number = r.choice(accounts).number  # another account of the same customer
    roll = r.random()
    if roll < noise.p(0.008):
        return number.lstrip("0") if number.startswith("0") else number[:-1]  # 11 digits
    if roll < noise.p(0.02):
        return f"{number[:4]}-{number[4:8]}-{number[8:]}"
    return number


def ace_view(world: World, deal: Deal, fx: FxTable) -> AceView:
    r = random.Random(f"{world.seed}:ace-view:{deal.key}")
    noise = world.noise
    created = ace_created(deal, world.today)
    api_style = (created.date() >= API_CUTOVER) != (r.random() < noise.p(0.08))
    stage = _ace_stage(r, deal, noise)
    acceptance = None
    if deal.origin == "aws":
        roll = r.random()
        acceptance = "Accepted" if roll < 0.86 else "Rejected" if roll < 0.93 else None
        if acceptance == "Rejected":
            stage = "Closed Lost"
    if deal.category == ACE_DUPLICATE:
        status = "Rejected"
    elif deal.origin == "aws":
        status = "Approved"
    else:
        roll = r.random()
        if stage == "Prospect" and roll < 0.3:
            status = "Draft"
        elif roll < 0.05:
            status = r.choice(("Submitted", "In review"))
        elif roll < 0.08:
            status = "Action Required"
        elif roll < 0.11:
            status = "Rejected"
        else:
            status = "Approved"
    if deal.category == ACE_RESUBMITTED:  # the first registration: AWS turned it down, or the partner closed it
        rejected = noise.draw("resubmission-status", deal.key).random() < 0.5
        status, stage = ("Rejected", catalog.ACE_STAGES[0]) if rejected else ("Approved", "Closed Lost")
    if api_style:
        status = catalog.ACE_REVIEW_STATUS[status]
    aws_stage = stage if r.random() > noise.p(0.2) else r.choice(catalog.ACE_STAGES)
    currency = "USD"
    if deal.company.country.currency != "USD" and r.random() < 0.25:
        currency = deal.company.country.currency
    monthly = deal.monthly_usd * fx.on(currency, created.date())
    estimate = 1.0
    if r.random() < noise.p(0.4):
        estimate = r.uniform(0.7, 1.35)  # re-estimated on one side only
        monthly *= estimate
    monthly = float(round(monthly))
    monthly_usd = float(round(deal.monthly_usd * estimate))
    roll = r.random()
    if roll < noise.p(0.003):
        monthly = monthly_usd = 0.0
    elif roll < noise.p(0.004):
        monthly, monthly_usd = -monthly, -monthly_usd
    shift = 0 if r.random() < 0.4 else round(r.gauss(0, 12)) if r.random() < 0.7 else r.choice((-1, 1)) * r.randint(
        15, 90)
    close_date: date | None = deal.close + timedelta(days=shift + slipped_days(noise, deal.key)[0])
    roll = r.random()
    if roll < noise.p(0.002):
        close_date = date(9999, 12, 31)
    elif roll < noise.p(0.003):
        close_date = date(1900, 1, 1)
    use_case = deal.kind.use_case if deal.kind else "Other"
    if r.random() < noise.p(0.05):
        use_case = r.choice(catalog.PROJECT_KINDS).use_case
    if api_style:
        use_case = catalog.ace_api_spelling(use_case)
    return AceView(created, api_style, stage, status, aws_stage, acceptance, monthly, monthly_usd, currency, close_date,
                   use_case, deal.delivery_model, _account_text(r, deal, world))


# -- people -------------------------------------------------------------------------------------------------------
def ace_users(world: World) -> list[dict]:
    """Partner Central users of the partner: the alliance team plus the reps who log in to ACE."""
    r = random.Random(f"{world.seed}:ace-users")
    rows = []
    modified = datetime.combine(world.today, datetime.min.time()) - timedelta(days=200)
    rows.append({"id": sf_id("005", 1), "name": "Alliance Team", "email": f"aws-alliance@{PARTNER_DOMAIN}",
                 "role": "Alliance Lead", "is_active": True, "aws_last_modified_date": modified})
    for rep in world.reps:
        if r.random() < 0.6:
            rows.append({"id": sf_id("005", 10 + rep.key), "name": rep.name, "email": rep.email,
                         "role": r.choice(("ACE Manager", "ACE User", "Standard User")),
                         "is_active": r.random() < 0.9,
                         "aws_last_modified_date": modified + timedelta(days=r.randint(0, 199),
                                                                         seconds=r.randrange(86400))})
    return rows


def _rep_email(r: random.Random, deal: Deal, noise) -> str:
    email = deal.rep.email
    roll = r.random()
    if roll < noise.p(0.06):
        return email.replace(PARTNER_DOMAIN, PARTNER_OLD_DOMAIN)
    if roll < noise.p(0.1):
        return email[:1].upper() + email[1:]
    if roll < noise.p(0.13):
        return f"{deal.rep.first[:1].lower()}{deal.rep.last.lower()}@{PARTNER_DOMAIN}"
    return email


def _crm_identifier(r: random.Random, deal: Deal, world: World, odoo_only_ids: list[int]) -> str | None:
    noise = world.noise
    target: int | None = None
    if deal.category == LINKED:
        if r.random() < noise.fill(0.40 if deal.origin == "partner" else 0.25):
            target = deal.odoo_id
    elif deal.category == ACE_DUPLICATE:
        if deal.twin is not None and r.random() < 0.2:
            target = deal.twin.odoo_id
    elif deal.category == ACE_ONLY and odoo_only_ids and r.random() < noise.p(0.01):
        target = r.choice(odoo_only_ids)  # stale id of another Odoo deal
    elif deal.category == ACE_RESUBMITTED and deal.twin.odoo_id and r.random() < 0.15:
        target = deal.twin.odoo_id  # the same CRM deal, registered a second time later
    if target is None:
        return None
    roll = r.random()
    if roll < noise.p(0.02):
        return f"#{target}"
    if roll < noise.p(0.04):
        return f"ODOO-{target}"
    if roll < noise.p(0.05):
        return f" {target}"
    return str(target)


_NEXT_STEPS = (
    "Schedule architecture workshop with {first}", "Send SOW for signature", "Waiting for customer budget approval",
    "POC kick-off planned", "Follow up on pricing with {first}", "Submit MAP funding request",
    "Customer reviewing proposal", "Align with AWS account manager", "Technical deep dive next week",
    "Migration wave 1 in progress",
)


def _partner_crm_id(r: random.Random, deal: Deal, world: World, odoo_only_ids: list[int],
                    view: AceView) -> str | None:
    """What the partner's CRM integration wrote into partner_crm_unique_identifier: the Odoo id, or for records
    registered before the partner moved to Odoo, maybe the old CRM's id."""
    odoo_id = _crm_identifier(r, deal, world, odoo_only_ids)
    return legacy_crm_id(world.noise, deal.key, view.created.date()) or odoo_id


def _description(r: random.Random, deal: Deal, noise) -> str | None:
    if r.random() < noise.p(0.01):
        return None
    sentences = list(deal.ace_needs or deal.needs)
    if r.random() < 0.5:
        r.shuffle(sentences)
    if len(sentences) > 2 and r.random() < 0.4:
        sentences = sentences[:-1]
    text = " ".join(sentences)
    if len(text) < 20:
        text += " Customer wants to run this workload on AWS."
    return text


def _total_budget(world: World, deal: Deal, view: AceView) -> float | None:
    """The whole project's budget in USD, which some partners type into ACE instead of (or beside) the monthly
    spend; most leave it empty. Drawn apart, so the other fields do not depend on it."""
    r = random.Random(f"{world.seed}:ace-budget:{deal.key}")
    if r.random() >= 0.35 or view.monthly_usd <= 0:
        return None
    return nice_round(view.monthly_usd * r.choice((6, 12, 12, 24, 36)) * r.uniform(0.8, 1.3))


def opportunity_rows(world: World, fx: FxTable, users: list[dict]) -> list[dict]:
    rows = []
    noise = world.noise
    user_ids = [u["id"] for u in users]
    users_by_id = {u["id"]: u for u in users}
    odoo_only_ids = [d.odoo_id for d in world.odoo_deals if d.category == ODOO_AWS]
    phases: dict[tuple[int, str, int], str] = {}
    for d in world.ace_deals:
        phases.setdefault((d.company.key, d.workload, d.phase), d.ace_id)
    today_dt = datetime.combine(world.today, datetime.min.time())
    for deal in world.ace_deals:
        r = random.Random(f"{world.seed}:apn:{deal.key}")
        view = ace_view(world, deal, fx)
        company = deal.company
        api = view.api_style
        person = deal.contact if r.random() < 0.7 else r.choice(company.contacts)
        shared = deal.origin == "partner" or view.acceptance == "Accepted"  # AWS hides PII until accepted
        country = company.country.code if api else company.country.name
        if r.random() < noise.p(0.02):
            country = None
        state = next((name for cc, code, name in catalog.STATES
                      if cc == company.country.code and code == company.state_code), None)
        industry = company.industry.ace
        if api:
            industry = catalog.ace_api_spelling(industry)
        name = name_variant(r, company, noise)
        if r.random() < noise.p(0.003):
            name = ""
        elif noise.happens("native_script", deal.key):
            name = native_variant(noise.draw("native", deal.key), company) or name
        owner = r.choice(user_ids)
        modified = view.created + timedelta(days=r.uniform(0, max(0.0, (today_dt - view.created).days)))
        if r.random() < 0.05:
            modified = today_dt - timedelta(days=r.uniform(0, 7))
        modified = max(modified, view.created + timedelta(minutes=1))
        modified = min(modified, today_dt - timedelta(seconds=r.randrange(1, 3600)))
        lost = view.stage == "Closed Lost"
        closed_lost_reason = r.choice(catalog.ACE_CLOSED_LOST_REASONS) if lost else None
        if closed_lost_reason and api and r.random() < 0.7:
            closed_lost_reason = closed_lost_reason.replace("–", "-")
        parent = None
        if deal.phase > 0 and r.random() < 0.5:
            parent = phases.get((company.key, deal.workload, deal.phase - 1))
        rep_name = deal.aws_rep.name if deal.aws_rep else None
        rows.append({
            "id": deal.ace_id,
            "apn_crm_unique_identifier": deal.ace_id if r.random() < 0.9 else None,
            "name": name,
            "partner_project_title": deal.ace_title,
            "project_description_business_need": _description(r, deal, noise),
            "customer_first_name": person.first if shared and r.random() < 0.85 else None,
            "customer_last_name": person.last if shared and r.random() < 0.85 else None,
            "customer_email": email_variant(r, person, company, noise) if shared and r.random() < noise.fill(0.7)
            else None,
            "customer_phone": person.phone if shared and r.random() < 0.4 else None,
            "customer_title": person.title if shared and r.random() < 0.5 else None,
            "customer_website": (r.choice(("test@test.com", "n/a")) if r.random() < noise.p(0.003)
                                 else website_variant(r, company, noise, invalid_rate=0.01)
                                 if r.random() < noise.fill(0.75) else None),
            "customer_duns": company.duns if company.duns and r.random() < noise.fill(0.5) else None,
            "industry": industry,
            "industry_other": "Cloud services" if industry == "Other" else None,
            "country": country,
            "state": state,
            "city": (company.city_en if r.random() < 0.5 else company.city) if r.random() < 0.9 else None,
            "postal_code": company.zip if r.random() < 0.85 else None,
            "street_address": company.street if r.random() < 0.5 else None,
            "stage_name": view.stage,
            "status": view.status,
            "aws_stage": view.aws_stage,
            "aws_status": ("Closed Won" if view.aws_stage == "Launched" else "Closed Lost"
                           if view.aws_stage == "Closed Lost" else "Open"),
            "partner_acceptance_status": view.acceptance,
            "accept_by": (view.created + timedelta(days=14)) if deal.origin == "aws" else None,
            "project_budget": view.monthly,
            "currency_code": view.currency,
            "expected_monthly_revenue_usd": view.monthly_usd,
            "total_project_budget_usd": _total_budget(world, deal, view),
            "expected_spend_frequency": "Monthly",
            "aws_account": view.aws_account,
            "use_case": view.use_case,
            "delivery_model": view.delivery_model,
            "opportunity_type": deal.opportunity_type,
            "opportunity_ownership": "AWS Referral" if deal.origin == "aws" else "Partner Referral",
            "partner_crm_unique_identifier": _partner_crm_id(r, deal, world, odoo_only_ids, view),
            "parent_opp_id": parent,
            "owner_id": owner,
            "opportunity_owner_name": users_by_id[owner]["name"],
            "opportunity_owner_email": users_by_id[owner]["email"],
            "partner_sales_rep_email": _rep_email(r, deal, noise) if r.random() < 0.9 else None,
            "primary_contact_first_name": deal.rep.first,
            "primary_contact_last_name": deal.rep.last,
            "primary_contact_phone": None,
            "primary_contact_title": "Account Executive" if r.random() < 0.5 else None,
            "aws_create_date": view.created,
            "created_by": "AWS" if deal.origin == "aws" else users_by_id[owner]["name"],
            "aws_last_modified_date": modified,
            "last_modified_by": r.choice(("ACE Sync", users_by_id[owner]["name"], "AWS")),
            "close_date": view.close_date,
            "aws_close_date": (deal.close + timedelta(days=r.randint(-20, 45))) if r.random() < 0.5 else None,
            "next_step": None if lost else r.choice(_NEXT_STEPS).format(first=person.first),
            "next_step_history": None,
            "aws_products": ";".join(r.sample(deal.kind.products, k=min(3, len(deal.kind.products))))
            if deal.kind else None,
            "solution_offered": r.choice(PARTNER_SOLUTIONS) if r.random() < 0.8 else None,
            "other_solution_offered": None,
            "competitive_tracking": r.choice(catalog.ACE_COMPETITORS),
            "competitive_tracking_other": None,
            "campaign_name": r.choice(catalog.ACE_CAMPAIGNS) if r.random() < 0.3 else None,
            "aws_sf_campaign_name": None,
            "partner_primary_need_from_aws": ";".join(r.sample(catalog.ACE_PRIMARY_NEEDS[:7], k=r.randint(1, 2)))
            if r.random() < 0.7 else "Do Not Need Support from AWS Sales Rep",
            "sales_activities": r.choice(catalog.ACE_SALES_ACTIVITIES),
            "is_marketing_development_funded": "No" if r.random() < 0.9 else "Yes",
            "is_opp_from_marketing_activity": "No" if r.random() < 0.85 else "Yes",
            "marketing_activity_channel": None,
            "marketing_activity_usecase": None,
            "does_opp_belong_to_nat_sec": "No",
            "closed_lost_reason": closed_lost_reason,
            "aws_closed_lost_reason": None,
            "rejection_reason": ("Duplicate of Partner Referral" if deal.category == ACE_DUPLICATE
                                 else r.choice(catalog.ACE_REJECTION_REASONS) if view.status == "Rejected" else None),
            "apn_reviewer_comments": "Please add customer website" if view.status == "Action Required" else None,
            "engagement_score": r.choice(("Low", "Medium", "High")) if deal.origin == "aws" else None,
            "recommended_next_best_actions": None,
            "cosell_convert_reason": None,
            "additional_comments": None,
            "aws_sales_rep_name": rep_name,
            "aws_sales_rep_email": deal.aws_rep.email if deal.aws_rep else None,
            "aws_partner_success_manager_name": deal.psm.name if deal.psm else None,
            "aws_partner_success_manager_email": deal.psm.email if deal.psm else None,
            "aws_isv_success_manager_name": None,
            "aws_isv_success_manager_email": None,
            "aws_account_owner_name": rep_name if r.random() < 0.5 else None,
            "aws_account_owner_email": None,
            "partner_developer_manager": deal.psm.name if deal.psm and r.random() < 0.3 else None,
            "partner_developer_manager_email": None,
            "wwps_pdm": None,
            "wwps_pdm_email": None,
            "customer_software_value": None,
            "customer_software_value_currency": None,
            "contract_start_date": None,
            "contract_end_date": None,
            "procurement_type": None,
            "is_deleted": False,
            "synced_at": modified + timedelta(minutes=r.randint(1, 240)),
        })
    return rows


_COUNTRY_CODE = {c.name: c.code for c in catalog.COUNTRIES}


def api_spellings(row: dict) -> dict:
    """An opportunity as the Selling API returns it, whatever the record's age: ISO country codes, API review
    statuses, "and" for "&", hyphens for en dashes. No random draws, so other fields stay as generated."""
    country, reason = row["country"], row["closed_lost_reason"]
    return {
        **row,
        "country": _COUNTRY_CODE.get(country, country),
        "industry": row["industry"] and catalog.ace_api_spelling(row["industry"]),
        "use_case": row["use_case"] and catalog.ace_api_spelling(row["use_case"]),
        "status": catalog.ACE_REVIEW_STATUS.get(row["status"], row["status"]),
        "closed_lost_reason": reason and reason.replace("–", "-"),
    }


def end_user_rows(world: World, opportunities: list[dict]) -> list[dict]:
    rows = []
    by_id = {d.ace_id: d for d in world.ace_deals}
    serial = 0
    for opp in opportunities:
        deal = by_id[opp["id"]]
        r = random.Random(f"{world.seed}:end-user:{deal.key}")
        if r.random() > 0.7:
            continue
        for k, person in enumerate(deal.company.contacts[: r.choice((1, 1, 1, 2))]):
            serial += 1
            created = opp["aws_create_date"] + timedelta(minutes=r.randint(1, 600))
            rows.append({
                "id": sf_id("a0E", serial), "opportunity_id": deal.ace_id,
                "company_name": opp["name"] if r.random() < 0.8 else deal.company.legal_name,
                "first_name": person.first, "last_name": person.last, "email": person.email,
                "phone": person.phone if r.random() < 0.5 else None, "title": person.title,
                "website": opp["customer_website"], "industry": opp["industry"], "country": opp["country"],
                "state": opp["state"], "city": opp["city"], "postal_code": opp["postal_code"],
                "street_address": opp["street_address"], "is_primary": k == 0, "created_date": created,
                "aws_last_modified_date": max(created, opp["aws_last_modified_date"]),
            })
    return rows


_FUNDING_STAGES = {"Draft": "Draft", "Submitted": "Pre-approval", "Pending Approval": "Pre-approval",
                   "Approved": "Execution", "Rejected": "Closed", "Completed": "Closed",
                   "Cash Claim Submitted": "Cash Claim", "Expired": "Closed"}


def funding_rows(world: World, users: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """(funding_request, funding_request_history, cash_claim) rows."""
    requests, history, claims = [], [], []
    today_dt = datetime.combine(world.today, datetime.min.time())
    hist_serial = claim_serial = 0
    for deal in world.ace_deals:
        fund = deal.funding
        if fund is None:
            continue
        r = random.Random(f"{world.seed}:funding:{deal.key}")
        owner = r.choice(users)
        cash = fund.funding_type.startswith("Cash")
        credit = "Credits" in fund.funding_type
        req_cash, req_credit = fund.requested_parts
        approved = fund.approved_usd
        created = datetime.combine(fund.submitted, datetime.min.time()) + timedelta(hours=r.randint(8, 18))
        modified = min(today_dt - timedelta(minutes=r.randint(1, 600)),
                       created + timedelta(days=r.randint(1, 120)))
        modified = max(modified, created)
        requests.append({
            "id": fund.apn_id, "name": fund.apn_name, "opportunity_id": deal.ace_id,
            "funding_type": fund.funding_type, "program_name": fund.program,
            "activity_name": f"{deal.company.base} - {fund.program}", "status": fund.status,
            "stage": _FUNDING_STAGES[fund.status],
            "aws_account_id": deal.account.number if deal.account else None,
            "customer_company_name": deal.company.legal_name, "description": " ".join(deal.needs),
            "requested_cash_amount": req_cash, "requested_credit_amount": req_credit,
            "approved_cash_amount": approved if approved is not None and cash else None,
            "approved_credit_amount": approved * 0.5 if approved is not None and credit else None,
            "total_requested_amount": req_cash + req_credit,
            "total_approved_amount": approved, "currency_code": "USD",
            "project_start_date": fund.start, "project_end_date": fund.end, "submitted_date": fund.submitted,
            "approved_date": fund.decided if fund.approved_usd is not None else None,
            "expiration_date": fund.end + timedelta(days=90), "owner_id": owner["id"],
            "partner_contact_email": deal.rep.email, "aws_reviewer_email": deal.psm.email if deal.psm else None,
            "region": deal.company.country.code in ("US", "CA", "MX", "BR") and "AMER" or
            deal.company.country.code in ("JP", "AU", "IN", "SG") and "APJ" or "EMEA",
            "sub_region": None, "created_by": owner["name"], "aws_create_date": created,
            "last_modified_by": owner["name"], "aws_last_modified_date": modified, "is_deleted": False,
        })
        steps = ["Draft", "Submitted"] + ([fund.status] if fund.status not in ("Draft", "Submitted") else [])
        for seq, (old, new) in enumerate(zip([None, *steps[:-1]], steps), start=1):
            hist_serial += 1
            at = min(created + timedelta(days=seq * r.randint(1, 10)), modified)
            history.append({
                "id": sf_id("a0H", hist_serial), "funding_request_id": fund.apn_id, "sequence": seq,
                "field_name": "Status", "old_value": old, "new_value": new, "status": new,
                "stage": _FUNDING_STAGES.get(new, "Draft"), "comment": None, "changed_by": owner["name"],
                "changed_by_email": owner["email"], "created_date": at, "aws_last_modified_date": at,
                "is_deleted": False,
            })
        if fund.status in ("Completed", "Cash Claim Submitted") and cash:
            claim_serial += 1
            amount = (approved or fund.requested_usd) * (0.5 if credit else 1.0)
            submitted = min(fund.end + timedelta(days=r.randint(1, 30)), world.today - timedelta(days=1))
            paid = fund.status == "Completed"
            claims.append({
                "id": sf_id("a0K", claim_serial), "name": f"CC-{claim_serial + 50000:07d}",
                "funding_request_id": fund.apn_id, "opportunity_id": deal.ace_id, "claim_amount": amount,
                "approved_amount": amount if paid else None, "currency_code": "USD",
                "status": "Paid" if paid else "Submitted", "milestone": "Project completion",
                "invoice_number": f"INV/{submitted.year}/{r.randint(100, 99999):05d}", "invoice_date": submitted,
                "invoice_amount": amount, "purchase_order_number": None,
                "proof_of_execution": "completion_report.pdf", "claim_submitted_date": submitted,
                "claim_approved_date": submitted + timedelta(days=14) if paid else None,
                "payment_date": submitted + timedelta(days=45) if paid else None,
                "payment_reference": f"PAY-{r.randrange(10**7, 10**8)}" if paid else None,
                "description": f"Cash claim for {fund.apn_name}",
                "aws_account_id": deal.account.number if deal.account else None, "owner_id": owner["id"],
                "created_by": owner["name"],
                "aws_create_date": datetime.combine(submitted, datetime.min.time()) + timedelta(hours=10),
                "last_modified_by": owner["name"],
                "aws_last_modified_date": datetime.combine(submitted, datetime.min.time()) + timedelta(hours=11),
                "is_deleted": False,
            })
    return requests, history, claims


def apn_tables(world: World, fx: FxTable, picklists: str = "mixed") -> dict[str, list[dict]]:
    """Every APN table; picklists "api": values in API spellings only (a sync tool built on the Selling API)."""
    users = ace_users(world)
    opportunities = opportunity_rows(world, fx, users)
    if picklists == "api":
        opportunities = [api_spellings(row) for row in opportunities]
    requests, history, claims = funding_rows(world, users)
    return {
        "users": users,
        "opportunity": opportunities,
        "end_user": end_user_rows(world, opportunities),
        "funding_request": requests,
        "funding_request_history": history,
        "cash_claim": claims,
    }
