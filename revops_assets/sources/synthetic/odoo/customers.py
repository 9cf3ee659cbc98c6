"""Odoo customers (res_partner companies, contacts, duplicates), their AWS accounts and funding requests."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from revops_assets.sources.synthetic.companies import Company, name_variant, website_variant
from revops_assets.sources.synthetic.deals import (
    PARTNER_COMPANIES, PARTNER_DOMAIN, PARTNER_NAME, odoo_created, partner_company_of, team_of,
)
from revops_assets.sources.synthetic.odoo.context import ADMIN_UID, OdooContext, audit
from revops_assets.sources.synthetic.odoo.reference import VERTICAL_OF

_REGIONS = {"US": "us-east-1", "CA": "ca-central-1", "MX": "us-east-1", "BR": "sa-east-1", "GB": "eu-west-2",
            "IE": "eu-west-1", "DE": "eu-central-1", "CH": "eu-central-2", "FR": "eu-west-3", "ES": "eu-south-2",
            "IT": "eu-south-1", "NL": "eu-west-1", "SE": "eu-north-1", "JP": "ap-northeast-1", "AU": "ap-southeast-2",
            "IN": "ap-south-1", "SG": "ap-southeast-1"}


def _odoo_companies(ctx: OdooContext) -> list[Company]:
    """Customers Odoo knows: anyone with an Odoo deal, plus resold AWS customers."""
    seen: dict[int, Company] = {}
    for deal in ctx.world.odoo_deals:
        seen.setdefault(deal.company.key, deal.company)
    for company in ctx.world.companies:
        if any(acc.resold for acc in company.accounts):
            seen.setdefault(company.key, company)
    first_seen = {}
    for deal in ctx.world.odoo_deals:
        first_seen.setdefault(deal.company.key, odoo_created(deal, ctx.today))
    ctx.first_seen = first_seen
    return sorted(seen.values(), key=lambda c: (first_seen.get(c.key, ctx.now), c.key))


def customers(ctx: OdooContext) -> None:
    partners = ctx.tables["res_partner"]
    rel = []
    noise = ctx.world.noise
    for company in _odoo_companies(ctx):
        r = random.Random(f"{ctx.world.seed}:odoo:company:{company.key}")
        created = ctx.first_seen.get(company.key)
        created = (created - timedelta(days=r.uniform(0, 30))) if created else \
            ctx.now - timedelta(days=r.uniform(200, 1500))
        created = max(created, ctx.setup + timedelta(days=1))
        written = min(ctx.now - timedelta(minutes=r.randint(5, 5000)),
                      created + timedelta(days=r.uniform(0, 400)))
        pid = len(partners) + 1
        name = company.legal_name if r.random() > noise.p(0.15) else name_variant(r, company, noise)
        if company.local_name and r.random() < 0.5:
            name = company.local_name
        if company.local_name and noise.happens("native_script", f"odoo:{company.key}"):
            name = company.legal_name  # romaji in Odoo when ACE may have kanji
        ctx.ids.company_partner[company.key] = pid
        pc = partner_company_of(company.country.code)
        rep_users = [uid for key, uid in ctx.user_of_rep.items()
                     if ctx.world.reps[key].team == team_of(company)]
        segment = "Enterprise" if company.size > 2 else "Mid-Market" if company.size > 0.8 else "SMB"
        if team_of(company) == 6:
            segment = "Public Sector"
        partners.append(_company_row(ctx, r, pid, name, company, pc.key, created, written, rep_users, segment))
        ctx.partner_name[pid] = name
        rel.append({"res_partner_id": pid, "c_vertical_id": VERTICAL_OF.get(company.industry.ace, 9) + 1})
        contacts = []
        for person in company.contacts:
            cid = len(partners) + 1
            contacts.append(cid)
            partners.append({
                "id": cid, "name": person.name, "complete_name": f"{name}, {person.name}", "company_id": None,
                "parent_id": pid, "commercial_partner_id": pid, "commercial_company_name": name,
                "type": "contact", "is_company": False, "active": r.random() > 0.03,
                "email": person.email if r.random() < 0.9 else None,
                "email_normalized": person.email.lower(), "phone": person.phone if r.random() < 0.6 else None,
                "function": person.title, "lang": company.lang, "country_id": ctx.country_id[company.country.code],
                "city": company.city, "zip": company.zip, "street": company.street, "partner_share": True,
                "employee": False, "color": 0, "message_bounce": 0, "customer_rank": 0, "supplier_rank": 0,
                **audit(created + timedelta(minutes=r.randint(1, 300)), written),
            })
            ctx.partner_name[cid] = person.name
        ctx.contact_ids[company.key] = contacts
        if r.random() < 0.2:
            iid = len(partners) + 1
            partners.append({"id": iid, "name": "Accounts Payable", "complete_name": f"{name}, Accounts Payable",
                             "parent_id": pid, "commercial_partner_id": pid, "commercial_company_name": name,
                             "type": "invoice", "is_company": False, "active": True,
                             "email": f"accounts@{company.email_domain}", "partner_share": True,
                             "country_id": ctx.country_id[company.country.code], **audit(created, written)})
        if r.random() < noise.p(0.03):
            did = len(partners) + 1
            dup_name = name_variant(r, company, noise)
            dup_created = created + timedelta(days=r.uniform(30, 500))
            partners.append(_company_row(ctx, r, did, dup_name, company, pc.key, min(dup_created, written),
                                              written, rep_users, segment))
            ctx.partner_name[did] = dup_name
            ctx.duplicate_partner[company.key] = did
    ctx.tables["c_vertical_res_partner_rel"] = rel


def _company_row(ctx: OdooContext, r: random.Random, pid: int, name: str, company: Company, company_id: int,
                 created: datetime, written: datetime, rep_users: list[int], segment: str) -> dict:
    noise = ctx.world.noise
    comment = None
    if r.random() < 0.2:
        comment = r.choice(("<p>Key account.</p>", "<p>Prefers e-mail. <b>Do not call.</b></p>",
                            "<p>Reseller agreement signed.</p><p>SPP end customer.</p>"))
    return {
        "id": pid, "name": name, "complete_name": name, "company_id": None, "title": None, "parent_id": None,
        "user_id": r.choice(rep_users) if rep_users and r.random() < 0.8 else None,
        "commercial_partner_id": pid, "commercial_company_name": name, "company_name": None, "date": None,
        "ref": f"C{pid:05d}" if r.random() < 0.5 else None, "lang": company.lang,
        "tz": None, "vat": company.vat, "company_registry": None,
        "website": website_variant(r, company, noise, invalid_rate=0.003) if r.random() < 0.85 else None,
        "function": None, "type": "contact", "street": company.street, "street2": None, "zip": company.zip,
        "city": company.city if r.random() > 0.15 else company.city_en,
        "state_id": ctx.state_id.get((company.country.code, company.state_code or "")),
        "country_id": ctx.country_id[company.country.code] if r.random() > noise.p(0.03) else None,
        "industry_id": ctx.industry_id[company.industry.odoo] if r.random() < 0.7 else None,
        "partner_latitude": None, "partner_longitude": None,
        "email": f"info@{company.domain}" if r.random() < 0.5 else None, "phone": company.phone, "mobile": None,
        "is_company": True, "active": True, "employee": False, "color": 0, "partner_share": True,
        "barcode": None, "comment": comment, "email_normalized": None, "phone_sanitized": None,
        "message_bounce": 0, "signup_type": None, "customer_rank": 1, "supplier_rank": 0,
        "team_id": team_of(company) + 1, "c_duns": company.duns if r.random() < 0.5 else None,
        "c_customer_segment": segment, "c_aws_customer": bool(company.accounts),
        **audit(created, written, wuid=r.choice(rep_users) if rep_users else ADMIN_UID),
    }


def aws_accounts(ctx: OdooContext) -> None:
    rows = []
    noise = ctx.world.noise
    for pc in PARTNER_COMPANIES:
        number = ctx.world.partner_payers[pc.currency]
        aid = len(rows) + 1
        ctx.ids.account[number] = aid
        rows.append({"id": aid, "name": number, "c_aws_account_name": f"{PARTNER_NAME} Payer {pc.currency}",
                     "c_aws_account_alias": f"nimbus-payer-{pc.currency.lower()}",
                     "c_aws_company_id": ctx.own_partner[pc.key],
                     "c_aws_primary_contact_id": None, "is_payer": True, "payer_id": None,
                     "account_status": "ACTIVE", "root_email": f"aws-payer-{pc.currency.lower()}@{PARTNER_DOMAIN}",
                     "c_aws_support_plan": "Enterprise On-Ramp", "c_spp_enrolled": True, "c_billing_enabled": False,
                     "c_joined_date": ctx.setup.date(), "c_closed_date": None,
                     "c_default_region": "us-east-1", "company_id": pc.key, "active": True, "notes": None,
                     **audit(ctx.setup)})
    pending_payer = []
    for company in _odoo_companies(ctx):
        r = random.Random(f"{ctx.world.seed}:odoo:accounts:{company.key}")
        pid = ctx.ids.company_partner[company.key]
        for acc in company.accounts:
            if not acc.resold and r.random() > 0.6:
                continue
            aid = len(rows) + 1
            ctx.ids.account[acc.number] = aid
            name = acc.number
            if r.random() < noise.p(0.003):
                name = acc.number.lstrip("0") or acc.number[:-1]
                name = name if len(name) < 12 else name[1:]
            created = datetime.combine(max(acc.opened, ctx.setup.date()), datetime.min.time()) + \
                timedelta(hours=r.randint(8, 18))
            created = min(created, ctx.now - timedelta(days=1))
            written = min(ctx.now - timedelta(minutes=r.randint(1, 9000)),
                          created + timedelta(days=r.uniform(0, 600)))
            written = max(written, created)
            contacts = ctx.contact_ids.get(company.key) or [None]
            owner = ctx.duplicate_partner.get(company.key, pid) if r.random() < 0.3 else pid
            rows.append({
                "id": aid, "name": name,
                "c_aws_account_name": f"{company.base} {acc.label}" if r.random() < 0.7 else acc.alias,
                "c_aws_account_alias": acc.alias if r.random() < 0.8 else None,
                "c_aws_company_id": owner if r.random() > noise.p(0.02) else None,
                "c_aws_primary_contact_id": r.choice(contacts) if r.random() < 0.7 else None,
                "is_payer": acc.is_payer, "payer_id": None, "account_status": acc.status,
                "root_email": acc.root_email,
                "c_aws_support_plan": r.choice(("Basic", "Developer", "Business", "Enterprise On-Ramp")),
                "c_spp_enrolled": acc.resold, "c_billing_enabled": acc.resold and r.random() > 0.03,
                "c_joined_date": acc.opened, "c_closed_date": acc.closed,
                "c_default_region": _REGIONS.get(company.country.code, "us-east-1"),
                "company_id": partner_company_of(company.country.code).key,
                "active": acc.status != "CLOSED" or r.random() < 0.3, "notes": None,
                **audit(created, written),
            })
            pending_payer.append((rows[-1], acc.payer))
            if acc.resold and rows[-1]["c_billing_enabled"]:
                ctx.ids.billed_accounts.append((acc.number, company))
    for row, payer in pending_payer:
        row["payer_id"] = ctx.ids.account.get(payer) if payer else None
    ctx.tables["c_aws_accounts"] = rows


def funding_requests(ctx: OdooContext) -> None:
    rows = []
    for deal in ctx.world.odoo_deals:
        fund = deal.funding
        if fund is None or not fund.in_odoo:
            continue
        r = random.Random(f"{ctx.world.seed}:odoo:funding:{deal.key}")
        fid = len(rows) + 1
        ctx.funding_id[deal.key] = fid
        state = {"Draft": "draft", "Submitted": "submitted", "Pending Approval": "submitted",
                 "Approved": "approved", "Rejected": "rejected", "Completed": "claimed",
                 "Cash Claim Submitted": "approved", "Expired": "cancelled"}[fund.status]
        if r.random() < ctx.world.noise.p(0.1):
            state = "submitted"  # never updated after AWS decided
        created = datetime.combine(fund.submitted, datetime.min.time()) - timedelta(days=r.randint(0, 5))
        rows.append({
            "id": fid, "name": f"FR/{fund.submitted.year}/{fid:04d}", "lead_id": deal.odoo_id,
            "partner_id": ctx.ids.company_partner.get(deal.company.key),
            "aws_account_id": ctx.ids.account.get(deal.account.number) if deal.account else None,
            "program": fund.program, "funding_type": fund.funding_type.lower().replace(" + ", "_"),
            "state": state, "amount_requested": fund.requested_usd, "amount_approved": fund.approved_usd,
            "amount_requested_cash": fund.requested_parts[0], "amount_requested_credits": fund.requested_parts[1],
            "currency_id": ctx.ids.currency["USD"],
            "ace_funding_request_id": fund.apn_name if r.random() < 0.7 else None,
            "submitted_date": fund.submitted, "approved_date": fund.decided, "start_date": fund.start,
            "end_date": fund.end, "description": "<p>" + " ".join(deal.needs) + "</p>",
            "user_id": ctx.user_of_rep[deal.rep.key], "company_id": partner_company_of(deal.company.country.code).key,
            **audit(created, min(ctx.now - timedelta(hours=1), created + timedelta(days=r.randint(1, 90))),
                    cuid=ctx.user_of_rep[deal.rep.key]),
        })
    ctx.tables["c_aws_funding_request"] = rows
