"""crm_lead: every Odoo deal, with Odoo's standard columns and the partner's custom AWS/ACE fields.

Each deal is rendered with its own seeded `random.Random`, so changing one rule here does not reshuffle other tables.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.apn import ace_view
from revops_assets.sources.synthetic.companies import email_variant, name_variant, website_variant
from revops_assets.sources.synthetic.deals import (
    LINKED, ODOO_DUPLICATE, ODOO_LEAD, Deal, nice_round, odoo_created, partner_company_of, team_of,
)
from revops_assets.sources.synthetic.noise import slipped_days
from revops_assets.sources.synthetic.odoo.context import ADMIN_UID, OdooContext, audit
from revops_assets.sources.synthetic.odoo.reference import (
    CAMPAIGNS, LOST_REASONS, MEDIUMS, RECURRING_PLANS, SOURCES, STAGES, VERTICAL_OF,
)


def leads(ctx: OdooContext) -> None:
    rows, tag_rel = [], []
    for deal in ctx.world.odoo_deals:
        row, tags = _lead(ctx, deal)
        rows.append(row)
        tag_rel.extend({"lead_id": deal.odoo_id, "tag_id": t} for t in tags)
    ctx.tables["crm_lead"] = rows
    ctx.tables["crm_tag_rel"] = tag_rel


def _lead(ctx: OdooContext, deal: Deal) -> tuple[dict, list[int]]:
    w = ctx.world
    noise = w.noise
    r = random.Random(f"{w.seed}:odoo:lead:{deal.key}")
    company = deal.company
    pc = partner_company_of(company.country.code)
    created = odoo_created(deal, ctx.today)
    is_lead = deal.category == ODOO_LEAD
    aws_deal = deal.kind is not None
    won, lost = deal.outcome == "won", deal.outcome == "lost"
    uid = ctx.user_of_rep[deal.rep.key]

    stage_idx = min(4, int(deal.progress * 5))
    if r.random() < noise.p(0.1):
        stage_idx = max(0, min(4, stage_idx + r.choice((-1, 1))))
    if won:
        stage_idx = 5
    if is_lead:
        stage_idx = 0
    probability = 100.0 if won else 0.0 if lost else STAGES[stage_idx][2]
    automated = min(99.0, max(1.0, STAGES[stage_idx][2] + r.uniform(-15, 15)))
    if not won and not lost and r.random() < 0.3:
        probability = round(automated, 2)

    # money: Odoo holds the TOTAL expected revenue in the company currency
    rate = ctx.fx.on(pc.currency, created.date())
    if aws_deal:
        term = r.choices((12, 36, 24, 1, 6, 0), weights=(55, 12, 8, 12, 5, 8), k=1)[0]
        expected = nice_round(deal.monthly_usd * rate * term * r.uniform(0.85, 1.2)) if term else 0.0
    else:
        term = 0
        expected = nice_round(deal.monthly_usd * rate * r.uniform(3, 12))
    roll = r.random()
    if roll < noise.p(0.002):
        expected = -expected
    recurring_plan = recurring = monthly = None
    if aws_deal and r.random() < 0.3:
        plan = r.choice((1, 2))
        months = RECURRING_PLANS[plan - 1][2]
        monthly = round(deal.monthly_usd * rate, 2)
        recurring_plan, recurring = plan, round(monthly * months, 2)

    deadline = deal.close + timedelta(days=0 if r.random() < 0.35 else round(r.gauss(0, 10))
                                      if r.random() < 0.6 else r.choice((-1, 1)) * r.randint(14, 80))
    deadline += timedelta(days=slipped_days(noise, deal.key)[1])
    roll = r.random()
    if roll < noise.p(0.04):
        deadline = None
    elif roll < noise.p(0.042):
        deadline = date(1900, 1, 1)
    elif roll < noise.p(0.044):
        deadline = date(9999, 12, 31)
    date_open = created + timedelta(minutes=r.randint(0, 240))
    closed_at = None
    if won or lost:
        closed_at = datetime.combine(deal.close, datetime.min.time()) + timedelta(hours=r.randint(8, 19),
                                                                                   minutes=r.randint(0, 59))
        closed_at = max(min(closed_at, ctx.now - timedelta(minutes=30)), created + timedelta(hours=1))
    horizon = closed_at or ctx.now - timedelta(minutes=1)
    stage_update = created + (horizon - created) * r.uniform(0.2, 1.0)
    written = max(stage_update, closed_at or stage_update) + timedelta(days=r.uniform(0, 20))
    if r.random() < 0.05:
        written = ctx.now - timedelta(days=r.uniform(0, 7))
    # deals edited "in the future" were edited recently: spread over the last ~3 days (one draw, as before), not
    # piled into the final minutes, where they made every sync's overlap window re-read ~8% of crm_lead
    written = max(min(written, ctx.now - timedelta(minutes=7 * r.randint(1, 600))), created)

    # who
    partner_id = None
    roll = r.random()
    contacts = ctx.contact_ids.get(company.key, [])
    main_pid = company_pid = ctx.ids.company_partner[company.key]
    if company.key in ctx.duplicate_partner and r.random() < 0.5:
        company_pid = ctx.duplicate_partner[company.key]  # deal filed under the duplicate customer record
    if roll < (0.3 if is_lead else 0.55) and contacts:
        partner_id = contacts[company.contacts.index(deal.contact)]
    elif roll < (0.45 if is_lead else 0.85):
        partner_id = company_pid
    if partner_id is not None:  # Odoo fills partner_name from the partner's company
        partner_name = ctx.partner_name[company_pid if partner_id == company_pid else main_pid]
    else:
        partner_name = name_variant(r, company, noise) if r.random() > noise.p(0.01) else None
    person = deal.contact
    email = email_variant(r, person, company, noise) if r.random() < 0.85 else None
    free = email and email.split("@")[-1].lower() in catalog.FREE_MAIL_DOMAINS
    description = _lead_description(ctx, r, deal)

    tags = []
    if aws_deal and r.random() < 0.6:
        tags.append(1)
    if deal.kind and deal.kind.key in ("migration", "sap") and r.random() < 0.4:
        tags.append(3)
    if deal.kind and deal.kind.key == "ml" and r.random() < 0.5:
        tags.append(4)
    if team_of(company) == 6 and r.random() < 0.5:
        tags.append(5)
    if deal.phase > 0 and r.random() < 0.5:
        tags.append(9)
    if deal.funding and r.random() < 0.5:
        tags.append(2)

    row = {
        "id": deal.odoo_id, "name": deal.odoo_title if r.random() > noise.p(0.003) else " ",
        "referred": "AWS" if deal.origin == "aws" and r.random() < 0.3 else None,
        "description": description, "active": not lost, "type": "lead" if is_lead else "opportunity",
        "priority": r.choices(("0", "1", "2", "3"), weights=(50, 30, 15, 5), k=1)[0],
        "color": 0, "lead_properties": None,
        "user_id": uid if r.random() < 0.97 else None, "team_id": deal.rep.team + 1, "company_id": pc.key,
        "stage_id": stage_idx + 1, "partner_id": partner_id, "title": None, "lang_id": None,
        "state_id": ctx.state_id.get((company.country.code, company.state_code or "")),
        "country_id": ctx.country_id[company.country.code] if r.random() > noise.p(0.1) else None,
        "lost_reason_id": (r.randint(1, len(LOST_REASONS)) if lost and r.random() < 0.85 else None),
        "recurring_plan": recurring_plan,
        "campaign_id": r.randint(1, len(CAMPAIGNS)) if r.random() < 0.15 else None,
        "medium_id": r.randint(1, len(MEDIUMS)) if r.random() < 0.3 else None,
        "source_id": (SOURCES.index("AWS ACE") + 1) if deal.origin == "aws" and r.random() < 0.7
        else r.randint(1, len(SOURCES)) if r.random() < 0.4 else None,
        "expected_revenue": expected,
        "prorated_revenue": round(expected * probability / 100, 2),
        "recurring_revenue": recurring,
        "recurring_revenue_monthly": monthly,
        "recurring_revenue_monthly_prorated": round(monthly * probability / 100, 2) if monthly else None,
        "recurring_revenue_prorated": round(recurring * probability / 100, 2) if recurring else None,
        "date_closed": closed_at, "date_automation_last": None, "date_open": date_open,
        "date_last_stage_update": stage_update,
        "date_conversion": (created + timedelta(days=r.uniform(0, 20))) if not is_lead and r.random() < 0.5
        else None,
        "date_deadline": deadline,
        "day_open": round((date_open - created).total_seconds() / 86400, 2),
        "day_close": round((closed_at - created).total_seconds() / 86400, 2) if closed_at else None,
        "contact_name": person.name if r.random() < 0.8 else None,
        "partner_name": partner_name, "function": person.title if r.random() < 0.5 else None,
        "email_from": email, "email_normalized": email.lower().strip() if email else None,
        "email_domain_criterion": email.split("@")[-1].lower() if email and not free else None,
        "email_cc": None, "phone": person.phone if r.random() < 0.6 else None,
        "mobile": None, "phone_sanitized": person.phone.replace(" ", "") if r.random() < 0.5 else None,
        "phone_state": "correct" if r.random() < 0.5 else None,
        "email_state": ("correct" if email else None),
        "website": website_variant(r, company, noise) if r.random() < 0.35 else None,
        "street": company.street if r.random() < 0.5 else None, "street2": None,
        "zip": company.zip if r.random() < 0.6 else None,
        "city": (company.city if r.random() < 0.8 else company.city_en) if r.random() < 0.8 else None,
        "probability": probability, "automated_probability": round(automated, 2), "message_bounce": 0,
        "message_main_attachment_id": None,
        **_custom_fields(ctx, r, deal, term),
        **audit(created, written, cuid=uid if r.random() < 0.8 else ADMIN_UID, wuid=uid),
    }
    if noise.happens("no_customer", deal.key):  # typed from a phone call: a title and maybe a name, no company
        row.update(partner_id=None, partner_name=None, email_from=None, email_normalized=None,
                   email_domain_criterion=None, website=None, street=None, zip=None, city=None, state_id=None)
    return row, sorted(set(tags))


def _lead_description(ctx: OdooContext, r: random.Random, deal: Deal) -> str | None:
    noise = ctx.world.noise
    if r.random() < 0.12:
        return None
    needs = deal.needs
    style = r.random()
    if style < 0.4:
        html = "".join(f"<p>{s}</p>" for s in needs)
    elif style < 0.7:
        html = "<p>" + "<br>".join(needs) + "</p>"
    else:
        html = f"<p><b>Context</b></p><ul>{''.join(f'<li>{s}</li>' for s in needs)}</ul>"
    if r.random() < noise.p(0.005):
        html = html[: max(10, len(html) // 2)] + "<b><i"  # truncated, broken markup
    return html


def _custom_fields(ctx: OdooContext, r: random.Random, deal: Deal, term: int) -> dict:
    w = ctx.world
    noise = w.noise
    aws_deal = deal.kind is not None
    values = {
        "aws_ace_id": None, "origination": None, "c_aws_ace_opportunity_id": None, "c_aws_ace_useCase": None,
        "c_aws_ace_aWSSalesRepName": None, "c_aws_ace_aWSSalesRepEmail": None,
        "c_aws_ace_aWSPartnerSuccessManagerName": None, "c_aws_ace_deliveryModel": None,
        "c_aws_ace_expectedMonthlyAwsRevenue": None, "c_aws_ace_targetCloseDate": None,
        "c_aws_ace_stage": None, "c_aws_ace_status": None, "c_aws_ace_sync": False,
        "c_aws_ace_last_sync": None, "c_aws_funding_request_id": ctx.funding_id.get(deal.key),
        "c_vertical_id": (VERTICAL_OF.get(deal.company.industry.ace, 9) + 1) if r.random() < 0.5 else None,
        "c_contract_term_months": term if term in (12, 24, 36) and r.random() < 0.5 else None,
        "c_pod_eligible": None,
        "x_studio_customer_segment": None,
    }
    if not aws_deal:
        values["origination"] = "partner_originated" if r.random() < 0.3 else None
        return values
    origin = "aws_originated" if deal.origin == "aws" else "partner_originated"
    if r.random() < noise.p(0.04):
        origin = "partner_originated" if origin == "aws_originated" else "aws_originated"
    values["origination"] = origin if r.random() > noise.p(0.08) else None
    if deal.account is not None and deal.account.number in ctx.ids.account and r.random() < noise.fill(0.6):
        values["aws_ace_id"] = ctx.ids.account[deal.account.number]
    if deal.origin == "partner" and r.random() < 0.3:
        values["c_pod_eligible"] = r.random() < 0.5
    source = deal.twin if deal.category == ODOO_DUPLICATE else deal
    if deal.category == LINKED or (deal.category == ODOO_DUPLICATE and r.random() < 0.3):
        values.update(_ace_copy(ctx, r, source))
    return values


def _ace_copy(ctx: OdooContext, r: random.Random, deal: Deal) -> dict:
    """What the salesperson copied from ACE into Odoo: partial, sometimes stale or mistyped."""
    w = ctx.world
    noise = w.noise
    out: dict = {}
    if r.random() < noise.fill(0.25):
        ace_id = deal.ace_id
        roll = r.random()
        if roll < noise.p(0.01):
            ace_id = r.choice(w.ace_deals).ace_id  # pasted from the wrong deal
        elif roll < noise.p(0.04):
            ace_id = ace_id.lower()
        elif roll < noise.p(0.07):
            ace_id = f" {ace_id} "
        elif roll < noise.p(0.09):
            ace_id = "ACE-" + ace_id
        out["c_aws_ace_opportunity_id"] = ace_id
    view = ace_view(w, deal, ctx.fx)
    if r.random() < noise.fill(0.5):
        out["c_aws_ace_useCase"] = view.use_case
    if deal.aws_rep and r.random() < noise.fill(0.4):
        out["c_aws_ace_aWSSalesRepName"] = deal.aws_rep.name
        out["c_aws_ace_aWSSalesRepEmail"] = deal.aws_rep.email if r.random() < 0.7 else None
    if deal.psm and r.random() < noise.fill(0.3):
        out["c_aws_ace_aWSPartnerSuccessManagerName"] = deal.psm.name
    if r.random() < noise.fill(0.4):
        stale = r.random() < 0.3 and view.stage in catalog.ACE_STAGES[1:6]
        out["c_aws_ace_stage"] = catalog.ACE_STAGES[catalog.ACE_STAGES.index(view.stage) - 1] if stale \
            else view.stage
        out["c_aws_ace_status"] = view.status
        out["c_aws_ace_deliveryModel"] = view.delivery_model
    if r.random() < noise.fill(0.35):
        out["c_aws_ace_expectedMonthlyAwsRevenue"] = view.monthly
        out["c_aws_ace_targetCloseDate"] = view.close_date
    if r.random() < 0.3:
        out["c_aws_ace_sync"] = True
        out["c_aws_ace_last_sync"] = ctx.now - timedelta(hours=r.uniform(1, 24 * 60))
    return out
