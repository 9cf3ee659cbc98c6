"""Odoo's reference and configuration tables: currencies and rates, countries, industries, the partner's own
companies and users, CRM configuration (teams, stages, tags, lost reasons, UTM) and products."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.deals import PARTNER_COMPANIES, PARTNER_DOMAIN, PARTNER_NAME, TEAMS
from revops_assets.sources.synthetic.fx import add_months
from revops_assets.sources.synthetic.odoo.context import ADMIN_UID, SYSTEM_UID, OdooContext, audit, tr

CURRENCY_ORDER = ("EUR", "USD", "GBP", *[c for c in catalog.USD_RATES if c not in ("EUR", "USD", "GBP")])
STAGES = (  # (en, fr, probability, is_won)
    ("New", "Nouveau", 10.0, False), ("Qualified", "Qualifié", 25.0, False),
    ("Technical Validation", "Validation technique", 40.0, False), ("Proposition", "Proposition", 60.0, False),
    ("Negotiation", "Négociation", 80.0, False), ("Won", "Gagné", 100.0, True),
)
LOST_REASONS = (("Too expensive", "Trop cher"), ("We don't have people/skills", "Nous n'avons pas les compétences"),
                ("Not enough stock", "Pas assez de stock"), ("Lost to competitor", "Perdu face à un concurrent"),
                ("Customer chose Azure", "Le client a choisi Azure"), ("Project cancelled", "Projet annulé"),
                ("No budget", "Pas de budget"), ("Duplicate", "Doublon"), ("No response", "Pas de réponse"))
TAGS = ("AWS", "MAP", "Migration", "GenAI", "Public Sector", "SPP", "Marketplace", "Urgent", "Renewal", "POC")
RECURRING_PLANS = (("Monthly", "Mensuel", 1), ("Yearly", "Annuel", 12), ("Over 3 years", "Sur 3 ans", 36),
                   ("Over 5 years", "Sur 5 ans", 60))
SOURCES = ("Search engine", "Lead Recall", "Newsletter", "Facebook", "X", "LinkedIn", "AWS ACE", "AWS Marketplace",
           "Referral", "Website", "Event", "Partner Network")
MEDIUMS = ("Website", "Phone", "Direct", "Email", "Banner", "X", "Facebook", "LinkedIn", "Google Adwords")
CAMPAIGNS = ("AWS Summit 2025", "MAP Webinar Q2", "GenAI Day", "Newsletter Q4", "re:Invent 2025 follow-up",
             "Migration Assessment Offer")
VERTICALS = (("Financial Services", "FSI"), ("Healthcare & Life Sciences", "HCLS"), ("Public Sector", "PS"),
             ("Manufacturing & Automotive", "MFG"), ("Retail & CPG", "RCG"), ("Media & Telco", "MT"),
             ("Software & ISV", "ISV"), ("Energy & Utilities", "ENU"), ("Travel & Transportation", "TT"),
             ("Other", "OTH"))
VERTICAL_OF = {"Financial Services": 0, "Healthcare": 1, "Life Sciences": 1, "Government": 2, "Education": 2,
               "Non-Profit Organization": 2, "Manufacturing": 3, "Automotive": 3, "Aerospace": 3,
               "Computers & Electronics": 3, "Retail": 4, "Consumer Goods": 4, "Wholesale & Distribution": 4,
               "Media & Entertainment": 5, "Telecommunications": 5, "Gaming": 5, "Marketing & Advertising": 5,
               "Software & Internet": 6, "Energy - Power & Utilities": 7, "Energy - Oil & Gas": 7, "Mining": 7,
               "Transportation & Logistics": 8, "Travel": 8, "Hospitality": 8}


def currencies(ctx: OdooContext) -> None:
    rows = []
    for i, code in enumerate(CURRENCY_ORDER, start=1):
        ctx.ids.currency[code] = i
        rows.append({"id": i, "name": code, "full_name": catalog.CURRENCY_NAMES[code],
                     "symbol": catalog.CURRENCY_SYMBOLS[code], "iso_numeric": None,
                     "decimal_places": 0 if code == "JPY" else 2, "rounding": 1.0 if code == "JPY" else 0.01,
                     "active": True, "position": "before" if code in ("USD", "GBP") else "after",
                     "currency_unit_label": tr(catalog.CURRENCY_NAMES[code].split()[-1] + "s"),
                     "currency_subunit_label": tr("Cents"), **audit(ctx.setup, cuid=SYSTEM_UID)})
    ctx.tables["res_currency"] = rows
    rates = []
    for company in PARTNER_COMPANIES:
        for back in range(36, -1, -1):
            day = add_months(ctx.today, -back)
            for code in CURRENCY_ORDER:
                if code == company.currency:
                    continue
                rate = ctx.fx.rate(code, back) / ctx.fx.rate(company.currency, back)
                stamp = datetime.combine(day, datetime.min.time()) + timedelta(hours=6)
                rates.append({"id": len(rates) + 1, "name": day, "rate": round(rate, 6),
                              "currency_id": ctx.ids.currency[code], "company_id": company.key,
                              **audit(stamp, cuid=SYSTEM_UID)})
    ctx.tables["res_currency_rate"] = rates


def countries(ctx: OdooContext) -> None:
    rows = []
    entries = [(c.code, c.name, c.currency) for c in catalog.COUNTRIES] + list(catalog.EXTRA_COUNTRIES)
    for i, (code, name, currency) in enumerate(entries, start=1):
        ctx.country_id[code] = i
        rows.append({"id": i, "name": tr(name, catalog.FRENCH_COUNTRY_NAMES.get(code)), "code": code,
                     "currency_id": ctx.ids.currency.get(currency), "phone_code": next(
                         (c.phone_code for c in catalog.COUNTRIES if c.code == code), None),
                     "address_format": "%(street)s\n%(street2)s\n%(city)s %(state_code)s %(zip)s\n%(country_name)s",
                     "name_position": "before", "vat_label": tr("VAT") if code != "US" else None,
                     "state_required": code in ("US", "CA", "AU", "IN", "BR", "MX"),
                     "zip_required": True, **audit(ctx.setup, cuid=SYSTEM_UID)})
    ctx.tables["res_country"] = rows
    states = []
    for i, (country, code, name) in enumerate(catalog.STATES, start=1):
        ctx.state_id[(country, code)] = i
        states.append({"id": i, "country_id": ctx.country_id[country], "name": name, "code": code,
                       **audit(ctx.setup, cuid=SYSTEM_UID)})
    ctx.tables["res_country_state"] = states


def industries(ctx: OdooContext) -> None:
    rows = []
    for i, (en, fr, full) in enumerate(catalog.ODOO_INDUSTRIES, start=1):
        ctx.industry_id[en] = i
        rows.append({"id": i, "name": tr(en, fr), "full_name": tr(full), "active": True,
                     **audit(ctx.setup, cuid=SYSTEM_UID)})
    ctx.tables["res_partner_industry"] = rows
    ctx.tables["c_vertical"] = [
        {"id": i, "name": tr(name), "code": code, "active": True, **audit(ctx.setup)}
        for i, (name, code) in enumerate(VERTICALS, start=1)
    ]


def partner_side(ctx: OdooContext) -> None:
    """The partner's companies, OdooBot, the administrator and the salespeople (users and their partners)."""
    r = random.Random(f"{ctx.world.seed}:odoo:partner-side")
    partners: list[dict] = []
    ctx.tables["res_partner"] = partners

    def partner(name: str, **values) -> int:
        pid = len(partners) + 1
        row = {"id": pid, "name": name, "complete_name": name, "active": True, "type": "contact",
               "is_company": False, "partner_share": False, "employee": False, "lang": "en_US",
               "tz": "Europe/Berlin", "color": 0, "message_bounce": 0, "customer_rank": 0, "supplier_rank": 0,
               "commercial_partner_id": pid, **audit(ctx.setup, cuid=SYSTEM_UID)}
        row.update(values)
        partners.append(row)
        ctx.partner_name[pid] = name
        return pid

    main = partner(PARTNER_COMPANIES[0].name, is_company=True, website=f"https://www.{PARTNER_DOMAIN}",
                   email=f"info@{PARTNER_DOMAIN}", country_id=ctx.country_id["US"], company_id=1)
    bot = partner("OdooBot", email="odoobot@example.com", active=False, company_id=1)
    admin = partner("Administrator", email=f"admin@{PARTNER_DOMAIN}", company_id=1, employee=True)
    company_partner = ctx.own_partner
    company_partner[1] = main
    for pc in PARTNER_COMPANIES[1:]:
        company_partner[pc.key] = partner(pc.name, is_company=True, website=f"https://www.{PARTNER_DOMAIN}",
                                          country_id=ctx.country_id[pc.country], company_id=pc.key)
    ctx.tables["res_company"] = [
        {"id": pc.key, "name": pc.name, "partner_id": company_partner[pc.key],
         "currency_id": ctx.ids.currency[pc.currency], "sequence": pc.key * 10,
         "parent_id": None if pc.key == 1 else 1, "parent_path": "1/" if pc.key == 1 else f"1/{pc.key}/",
         "email": f"info@{PARTNER_DOMAIN}", "phone": None, "mobile": None, "company_registry": None,
         "report_header": tr("AWS Advanced Tier Services Partner"), "report_footer": None,
         "company_details": None, "active": True, "font": "Lato", "primary_color": "#232f3e",
         "secondary_color": "#ff9900", "layout_background": "Blank", **audit(ctx.setup, cuid=SYSTEM_UID)}
        for pc in PARTNER_COMPANIES
    ]
    users = [
        {"id": SYSTEM_UID, "company_id": 1, "partner_id": bot, "active": False, "login": "__system__",
         "share": False, "notification_type": "inbox", "odoobot_state": "disabled", "sale_team_id": None},
        {"id": ADMIN_UID, "company_id": 1, "partner_id": admin, "active": True, "login": "admin",
         "share": False, "notification_type": "email", "odoobot_state": "onboarding_emoji",
         "sale_team_id": None},
    ]
    for rep in ctx.world.reps:
        company = PARTNER_COMPANIES[1] if rep.team in (1, 3, 4) else PARTNER_COMPANIES[2] if rep.team == 2 \
            else PARTNER_COMPANIES[0]
        uid = len(users) + 1
        joined = ctx.setup + timedelta(days=r.randint(0, 1200))
        pid = partner(rep.name, email=rep.email, company_id=company.key, employee=True,
                      create_date=joined, write_date=joined)
        users.append({"id": uid, "company_id": company.key, "partner_id": pid, "active": r.random() < 0.92,
                      "login": rep.email, "share": False, "notification_type": "email",
                      "odoobot_state": "disabled", "sale_team_id": rep.team + 1,
                      "signature": f"<p>{rep.name}<br/>{PARTNER_NAME}</p>"})
        ctx.user_of_rep[rep.key] = uid
        ctx.team_user.setdefault(rep.team, uid)
    for row in users:
        row.setdefault("signature", None)
        row.update({"password": None, "action_id": None, "karma": 0, "rank_id": None, "totp_secret": None,
                    **audit(ctx.setup, cuid=SYSTEM_UID)})
    ctx.tables["res_users"] = users


def crm_config(ctx: OdooContext) -> None:
    a = audit(ctx.setup)
    ctx.tables["crm_team"] = [
        {"id": i + 1, "name": tr(name, {"North America": "Amérique du Nord", "Public Sector": "Secteur public"}
                                 .get(name)),
         "sequence": (i + 1) * 10, "active": True,
         "company_id": 2 if i in (1, 3, 4) else 3 if i == 2 else 1, "user_id": ctx.team_user.get(i),
         "color": i, "alias_id": None, "use_leads": True, "use_opportunities": True,
         "assignment_optout": False, "assignment_max": 30, "assignment_domain": None,
         "invoiced_target": None, **a}
        for i, name in enumerate(TEAMS)
    ]
    ctx.tables["crm_stage"] = [
        {"id": i, "name": tr(en, fr), "sequence": i * 10 if not won else 70, "is_won": won,
         "requirements": "Customer confirmed technical fit" if en == "Technical Validation" else None,
         "team_id": None, "fold": won, **a}
        for i, (en, fr, _p, won) in enumerate(STAGES, start=1)
    ]
    ctx.tables["crm_lost_reason"] = [{"id": i, "name": tr(en, fr), "active": True, **a}
                                      for i, (en, fr) in enumerate(LOST_REASONS, start=1)]
    ctx.tables["crm_tag"] = [{"id": i, "name": tr(n), "color": i % 11, **a} for i, n in enumerate(TAGS, 1)]
    ctx.tables["crm_recurring_plan"] = [
        {"id": i, "name": tr(en, fr), "number_of_months": months, "active": True, "sequence": i * 10, **a}
        for i, (en, fr, months) in enumerate(RECURRING_PLANS, start=1)
    ]
    ctx.tables["utm_source"] = [{"id": i, "name": n, **a} for i, n in enumerate(SOURCES, 1)]
    ctx.tables["utm_medium"] = [{"id": i, "name": n, "active": True, **a} for i, n in enumerate(MEDIUMS, 1)]
    ctx.tables["utm_campaign"] = [
        {"id": i, "name": n, "title": tr(n), "user_id": ADMIN_UID, "stage_id": None, "is_auto_campaign": False,
         "color": 0, **a} for i, n in enumerate(CAMPAIGNS, 1)
    ]


def products(ctx: OdooContext) -> None:
    templates, variants = [], []
    a = audit(ctx.setup)
    for code, en, fr, price in catalog.SERVICE_PRODUCTS:
        templates.append(_product(len(templates) + 1, code, tr(en, fr), "service", price, None, a))
    for prod in catalog.AWS_PRODUCTS:
        templates.append(_product(len(templates) + 1, prod.code, tr(prod.name), "service", 0.0, prod.code,
                                       a))
    for tmpl in templates:
        code = tmpl["default_code"]
        ctx.ids.product[code] = tmpl["id"]
        ctx.ids.variant[code] = tmpl["id"]
        variants.append({"id": tmpl["id"], "product_tmpl_id": tmpl["id"], "default_code": code, "barcode": None,
                         "combination_indices": "", "active": True, "volume": None, "weight": None, **a})
    ctx.tables["product_template"] = templates
    ctx.tables["product_product"] = variants


def _product(pid: int, code: str, name: dict, ptype: str, price: float, aws_code: str | None, a: dict) -> dict:
    return {"id": pid, "name": name, "sequence": 1, "description": None,
            "description_sale": tr(f"AWS usage: {name['en_US']}") if aws_code else None,
            "description_purchase": None, "type": ptype, "detailed_type": ptype, "categ_id": 1,
            "list_price": price, "volume": 0, "weight": 0, "sale_ok": True, "purchase_ok": aws_code is not None,
            "uom_id": 1, "uom_po_id": 1, "company_id": None, "active": True, "color": 0, "default_code": code,
            "invoice_policy": "delivery" if aws_code else "order", "service_type": "manual",
            "expense_policy": "no", "sale_line_warn": "no-message", "priority": "0", "c_aws_product_code": aws_code,
            **a}
