"""Rows of the Odoo 17 database rendered from the deal universe.

Every table gets Odoo's audit columns; translated names are jsonb, descriptions html. Row ids are given here (not by
the sequence) so that foreign keys can be written while rendering; the loader resets the sequences afterwards.
Each deal is rendered with its own seeded `random.Random`, so changing one table's rules does not reshuffle others.
Billing tables are streamed by billing.py and bills.py; this module gives them the id maps they need and renders the
sale-order invoices, whose numbering the monthly AWS bill invoices continue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.apn import ace_view
from revops_assets.sources.synthetic.companies import Company, email_variant, name_variant, website_variant
from revops_assets.sources.synthetic.deals import (
    LINKED, ODOO_DUPLICATE, ODOO_LEAD, PARTNER_COMPANIES, PARTNER_DOMAIN, PARTNER_NAME, TEAMS,
    Deal, World, nice_round, odoo_created, partner_company_of, team_of,
)
from revops_assets.sources.synthetic.fx import FxTable, add_months

ADMIN_UID = 2
SYSTEM_UID = 1
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
_VERTICAL_OF = {"Financial Services": 0, "Healthcare": 1, "Life Sciences": 1, "Government": 2, "Education": 2,
                "Non-Profit Organization": 2, "Manufacturing": 3, "Automotive": 3, "Aerospace": 3,
                "Computers & Electronics": 3, "Retail": 4, "Consumer Goods": 4, "Wholesale & Distribution": 4,
                "Media & Entertainment": 5, "Telecommunications": 5, "Gaming": 5, "Marketing & Advertising": 5,
                "Software & Internet": 6, "Energy - Power & Utilities": 7, "Energy - Oil & Gas": 7, "Mining": 7,
                "Transportation & Logistics": 8, "Travel": 8, "Hospitality": 8}
_KIND_SERVICE = {"migration": "SRV-MIG", "sap": "SRV-MIG", "data": "SRV-DATA", "ml": "SRV-ML",
                 "containers": "SRV-MIG", "security": "SRV-LZ", "backup": "SRV-MIG", "euc": "SRV-MIG",
                 "contact": "SRV-MIG", "managed": "SRV-MSP", "iot": "SRV-DATA", "web": "SRV-MIG"}
_PLAIN_PRODUCT = {"Microsoft 365 licence renewal": "LIC-M365", "On-site IT support contract": "SRV-SUP",
                  "Training: Agile for managers": "SRV-TRAIN"}
_REGIONS = {"US": "us-east-1", "CA": "ca-central-1", "MX": "us-east-1", "BR": "sa-east-1", "GB": "eu-west-2",
            "IE": "eu-west-1", "DE": "eu-central-1", "CH": "eu-central-2", "FR": "eu-west-3", "ES": "eu-south-2",
            "IT": "eu-south-1", "NL": "eu-west-1", "SE": "eu-north-1", "JP": "ap-northeast-1", "AU": "ap-southeast-2",
            "IN": "ap-south-1", "SG": "ap-southeast-1"}
_TAX = {"USD": 0.0, "EUR": 0.19, "GBP": 0.2}


def tr(en: str, fr: str | None = None) -> dict:
    """An Odoo translated value (jsonb)."""
    return {"en_US": en, "fr_FR": fr} if fr else {"en_US": en}


def audit(created: datetime, written: datetime | None = None, cuid: int = ADMIN_UID, wuid: int | None = None) -> dict:
    return {"create_uid": cuid, "create_date": created, "write_uid": wuid or cuid, "write_date": written or created}


@dataclass
class OdooIds:
    """Id maps billing.py and the invoice renderer need."""

    currency: dict[str, int] = field(default_factory=dict)
    company_partner: dict[int, int] = field(default_factory=dict)  # company key -> res_partner id
    account: dict[str, int] = field(default_factory=dict)  # AWS account number -> c_aws_accounts id
    product: dict[str, int] = field(default_factory=dict)  # product code -> product_template id
    variant: dict[str, int] = field(default_factory=dict)  # product code -> product_product id
    billed_accounts: list[tuple[str, Company]] = field(default_factory=list)  # resold accounts, grouped by company


class OdooBuilder:
    def __init__(self, world: World, fx: FxTable) -> None:
        self.world = world
        self.fx = fx
        self.today = world.today
        self.now = datetime.combine(world.today, datetime.min.time())
        self.setup = datetime(world.today.year - 5, 1, 15, 9, 30)
        self.ids = OdooIds()
        self.tables: dict[str, list[dict]] = {}
        self.user_of_rep: dict[int, int] = {}
        self.team_user: dict[int, int] = {}
        self.country_id: dict[str, int] = {}
        self.state_id: dict[tuple[str, str], int] = {}
        self.industry_id: dict[str, int] = {}
        self.contact_ids: dict[int, list[int]] = {}  # company key -> contact partner ids
        self.duplicate_partner: dict[int, int] = {}  # company key -> duplicate res_partner id
        self.partner_name: dict[int, str] = {}  # res_partner id -> name
        self.funding_id: dict[int, int] = {}  # deal key -> c_aws_funding_request id
        self.own_partner: dict[int, int] = {}  # res_company id -> its res_partner id
        self.sale_invoices_due: list[dict] = []

    # -- reference data -------------------------------------------------------------------------------------------
    def build(self) -> dict[str, list[dict]]:
        self._currencies()
        self._countries()
        self._industries()
        self._partner_side()
        self._crm_config()
        self._products()
        self._customers()
        self._aws_accounts()
        self._funding_requests()
        self._leads()
        self._sales()
        return self.tables

    def _currencies(self) -> None:
        rows = []
        for i, code in enumerate(CURRENCY_ORDER, start=1):
            self.ids.currency[code] = i
            rows.append({"id": i, "name": code, "full_name": catalog.CURRENCY_NAMES[code],
                         "symbol": catalog.CURRENCY_SYMBOLS[code], "iso_numeric": None,
                         "decimal_places": 0 if code == "JPY" else 2, "rounding": 1.0 if code == "JPY" else 0.01,
                         "active": True, "position": "before" if code in ("USD", "GBP") else "after",
                         "currency_unit_label": tr(catalog.CURRENCY_NAMES[code].split()[-1] + "s"),
                         "currency_subunit_label": tr("Cents"), **audit(self.setup, cuid=SYSTEM_UID)})
        self.tables["res_currency"] = rows
        rates = []
        for company in PARTNER_COMPANIES:
            for back in range(36, -1, -1):
                day = add_months(self.today, -back)
                for code in CURRENCY_ORDER:
                    if code == company.currency:
                        continue
                    rate = self.fx.rate(code, back) / self.fx.rate(company.currency, back)
                    stamp = datetime.combine(day, datetime.min.time()) + timedelta(hours=6)
                    rates.append({"id": len(rates) + 1, "name": day, "rate": round(rate, 6),
                                  "currency_id": self.ids.currency[code], "company_id": company.key,
                                  **audit(stamp, cuid=SYSTEM_UID)})
        self.tables["res_currency_rate"] = rates

    def _countries(self) -> None:
        rows = []
        entries = [(c.code, c.name, c.currency) for c in catalog.COUNTRIES] + list(catalog.EXTRA_COUNTRIES)
        for i, (code, name, currency) in enumerate(entries, start=1):
            self.country_id[code] = i
            rows.append({"id": i, "name": tr(name, catalog.FRENCH_COUNTRY_NAMES.get(code)), "code": code,
                         "currency_id": self.ids.currency.get(currency), "phone_code": next(
                             (c.phone_code for c in catalog.COUNTRIES if c.code == code), None),
                         "address_format": "%(street)s\n%(street2)s\n%(city)s %(state_code)s %(zip)s\n%(country_name)s",
                         "name_position": "before", "vat_label": tr("VAT") if code != "US" else None,
                         "state_required": code in ("US", "CA", "AU", "IN", "BR", "MX"),
                         "zip_required": True, **audit(self.setup, cuid=SYSTEM_UID)})
        self.tables["res_country"] = rows
        states = []
        for i, (country, code, name) in enumerate(catalog.STATES, start=1):
            self.state_id[(country, code)] = i
            states.append({"id": i, "country_id": self.country_id[country], "name": name, "code": code,
                           **audit(self.setup, cuid=SYSTEM_UID)})
        self.tables["res_country_state"] = states

    def _industries(self) -> None:
        rows = []
        for i, (en, fr, full) in enumerate(catalog.ODOO_INDUSTRIES, start=1):
            self.industry_id[en] = i
            rows.append({"id": i, "name": tr(en, fr), "full_name": tr(full), "active": True,
                         **audit(self.setup, cuid=SYSTEM_UID)})
        self.tables["res_partner_industry"] = rows
        self.tables["c_vertical"] = [
            {"id": i, "name": tr(name), "code": code, "active": True, **audit(self.setup)}
            for i, (name, code) in enumerate(VERTICALS, start=1)
        ]

    def _partner_side(self) -> None:
        """The partner's companies, OdooBot, the administrator and the salespeople (users and their partners)."""
        r = random.Random(f"{self.world.seed}:odoo:partner-side")
        partners: list[dict] = []
        self.tables["res_partner"] = partners

        def partner(name: str, **values) -> int:
            pid = len(partners) + 1
            row = {"id": pid, "name": name, "complete_name": name, "active": True, "type": "contact",
                   "is_company": False, "partner_share": False, "employee": False, "lang": "en_US",
                   "tz": "Europe/Berlin", "color": 0, "message_bounce": 0, "customer_rank": 0, "supplier_rank": 0,
                   "commercial_partner_id": pid, **audit(self.setup, cuid=SYSTEM_UID)}
            row.update(values)
            partners.append(row)
            self.partner_name[pid] = name
            return pid

        main = partner(PARTNER_COMPANIES[0].name, is_company=True, website=f"https://www.{PARTNER_DOMAIN}",
                       email=f"info@{PARTNER_DOMAIN}", country_id=self.country_id["US"], company_id=1)
        bot = partner("OdooBot", email="odoobot@example.com", active=False, company_id=1)
        admin = partner("Administrator", email=f"admin@{PARTNER_DOMAIN}", company_id=1, employee=True)
        company_partner = self.own_partner
        company_partner[1] = main
        for pc in PARTNER_COMPANIES[1:]:
            company_partner[pc.key] = partner(pc.name, is_company=True, website=f"https://www.{PARTNER_DOMAIN}",
                                              country_id=self.country_id[pc.country], company_id=pc.key)
        self.tables["res_company"] = [
            {"id": pc.key, "name": pc.name, "partner_id": company_partner[pc.key],
             "currency_id": self.ids.currency[pc.currency], "sequence": pc.key * 10,
             "parent_id": None if pc.key == 1 else 1, "parent_path": "1/" if pc.key == 1 else f"1/{pc.key}/",
             "email": f"info@{PARTNER_DOMAIN}", "phone": None, "mobile": None, "company_registry": None,
             "report_header": tr("AWS Advanced Tier Services Partner"), "report_footer": None,
             "company_details": None, "active": True, "font": "Lato", "primary_color": "#232f3e",
             "secondary_color": "#ff9900", "layout_background": "Blank", **audit(self.setup, cuid=SYSTEM_UID)}
            for pc in PARTNER_COMPANIES
        ]
        users = [
            {"id": SYSTEM_UID, "company_id": 1, "partner_id": bot, "active": False, "login": "__system__",
             "share": False, "notification_type": "inbox", "odoobot_state": "disabled", "sale_team_id": None},
            {"id": ADMIN_UID, "company_id": 1, "partner_id": admin, "active": True, "login": "admin",
             "share": False, "notification_type": "email", "odoobot_state": "onboarding_emoji",
             "sale_team_id": None},
        ]
        for rep in self.world.reps:
            company = PARTNER_COMPANIES[1] if rep.team in (1, 3, 4) else PARTNER_COMPANIES[2] if rep.team == 2 \
                else PARTNER_COMPANIES[0]
            uid = len(users) + 1
            joined = self.setup + timedelta(days=r.randint(0, 1200))
            pid = partner(rep.name, email=rep.email, company_id=company.key, employee=True,
                          create_date=joined, write_date=joined)
            users.append({"id": uid, "company_id": company.key, "partner_id": pid, "active": r.random() < 0.92,
                          "login": rep.email, "share": False, "notification_type": "email",
                          "odoobot_state": "disabled", "sale_team_id": rep.team + 1,
                          "signature": f"<p>{rep.name}<br/>{PARTNER_NAME}</p>"})
            self.user_of_rep[rep.key] = uid
            self.team_user.setdefault(rep.team, uid)
        for row in users:
            row.setdefault("signature", None)
            row.update({"password": None, "action_id": None, "karma": 0, "rank_id": None, "totp_secret": None,
                        **audit(self.setup, cuid=SYSTEM_UID)})
        self.tables["res_users"] = users

    def _crm_config(self) -> None:
        a = audit(self.setup)
        self.tables["crm_team"] = [
            {"id": i + 1, "name": tr(name, {"North America": "Amérique du Nord", "Public Sector": "Secteur public"}
                                     .get(name)),
             "sequence": (i + 1) * 10, "active": True,
             "company_id": 2 if i in (1, 3, 4) else 3 if i == 2 else 1, "user_id": self.team_user.get(i),
             "color": i, "alias_id": None, "use_leads": True, "use_opportunities": True,
             "assignment_optout": False, "assignment_max": 30, "assignment_domain": None,
             "invoiced_target": None, **a}
            for i, name in enumerate(TEAMS)
        ]
        self.tables["crm_stage"] = [
            {"id": i, "name": tr(en, fr), "sequence": i * 10 if not won else 70, "is_won": won,
             "requirements": "Customer confirmed technical fit" if en == "Technical Validation" else None,
             "team_id": None, "fold": won, **a}
            for i, (en, fr, _p, won) in enumerate(STAGES, start=1)
        ]
        self.tables["crm_lost_reason"] = [{"id": i, "name": tr(en, fr), "active": True, **a}
                                          for i, (en, fr) in enumerate(LOST_REASONS, start=1)]
        self.tables["crm_tag"] = [{"id": i, "name": tr(n), "color": i % 11, **a} for i, n in enumerate(TAGS, 1)]
        self.tables["crm_recurring_plan"] = [
            {"id": i, "name": tr(en, fr), "number_of_months": months, "active": True, "sequence": i * 10, **a}
            for i, (en, fr, months) in enumerate(RECURRING_PLANS, start=1)
        ]
        self.tables["utm_source"] = [{"id": i, "name": n, **a} for i, n in enumerate(SOURCES, 1)]
        self.tables["utm_medium"] = [{"id": i, "name": n, "active": True, **a} for i, n in enumerate(MEDIUMS, 1)]
        self.tables["utm_campaign"] = [
            {"id": i, "name": n, "title": tr(n), "user_id": ADMIN_UID, "stage_id": None, "is_auto_campaign": False,
             "color": 0, **a} for i, n in enumerate(CAMPAIGNS, 1)
        ]

    def _products(self) -> None:
        templates, variants = [], []
        a = audit(self.setup)
        for code, en, fr, price in catalog.SERVICE_PRODUCTS:
            templates.append(self._product(len(templates) + 1, code, tr(en, fr), "service", price, None, a))
        for prod in catalog.AWS_PRODUCTS:
            templates.append(self._product(len(templates) + 1, prod.code, tr(prod.name), "service", 0.0, prod.code,
                                           a))
        for tmpl in templates:
            code = tmpl["default_code"]
            self.ids.product[code] = tmpl["id"]
            self.ids.variant[code] = tmpl["id"]
            variants.append({"id": tmpl["id"], "product_tmpl_id": tmpl["id"], "default_code": code, "barcode": None,
                             "combination_indices": "", "active": True, "volume": None, "weight": None, **a})
        self.tables["product_template"] = templates
        self.tables["product_product"] = variants

    @staticmethod
    def _product(pid: int, code: str, name: dict, ptype: str, price: float, aws_code: str | None, a: dict) -> dict:
        return {"id": pid, "name": name, "sequence": 1, "description": None,
                "description_sale": tr(f"AWS usage: {name['en_US']}") if aws_code else None,
                "description_purchase": None, "type": ptype, "detailed_type": ptype, "categ_id": 1,
                "list_price": price, "volume": 0, "weight": 0, "sale_ok": True, "purchase_ok": aws_code is not None,
                "uom_id": 1, "uom_po_id": 1, "company_id": None, "active": True, "color": 0, "default_code": code,
                "invoice_policy": "delivery" if aws_code else "order", "service_type": "manual",
                "expense_policy": "no", "sale_line_warn": "no-message", "priority": "0", "c_aws_product_code": aws_code,
                **a}

    # -- customers ------------------------------------------------------------------------------------------------
    def _odoo_companies(self) -> list[Company]:
        """Customers Odoo knows: anyone with an Odoo deal, plus resold AWS customers."""
        seen: dict[int, Company] = {}
        for deal in self.world.odoo_deals:
            seen.setdefault(deal.company.key, deal.company)
        for company in self.world.companies:
            if any(acc.resold for acc in company.accounts):
                seen.setdefault(company.key, company)
        first_seen = {}
        for deal in self.world.odoo_deals:
            first_seen.setdefault(deal.company.key, odoo_created(deal, self.today))
        self._first_seen = first_seen
        return sorted(seen.values(), key=lambda c: (first_seen.get(c.key, self.now), c.key))

    def _customers(self) -> None:
        partners = self.tables["res_partner"]
        rel = []
        noise = self.world.noise
        for company in self._odoo_companies():
            r = random.Random(f"{self.world.seed}:odoo:company:{company.key}")
            created = self._first_seen.get(company.key)
            created = (created - timedelta(days=r.uniform(0, 30))) if created else \
                self.now - timedelta(days=r.uniform(200, 1500))
            created = max(created, self.setup + timedelta(days=1))
            written = min(self.now - timedelta(minutes=r.randint(5, 5000)),
                          created + timedelta(days=r.uniform(0, 400)))
            pid = len(partners) + 1
            name = company.legal_name if r.random() > noise.p(0.15) else name_variant(r, company, noise)
            if company.local_name and r.random() < 0.5:
                name = company.local_name
            self.ids.company_partner[company.key] = pid
            pc = partner_company_of(company.country.code)
            rep_users = [uid for key, uid in self.user_of_rep.items()
                         if self.world.reps[key].team == team_of(company)]
            segment = "Enterprise" if company.size > 2 else "Mid-Market" if company.size > 0.8 else "SMB"
            if team_of(company) == 6:
                segment = "Public Sector"
            partners.append(self._company_row(r, pid, name, company, pc.key, created, written, rep_users, segment))
            self.partner_name[pid] = name
            rel.append({"res_partner_id": pid, "c_vertical_id": _VERTICAL_OF.get(company.industry.ace, 9) + 1})
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
                    "function": person.title, "lang": company.lang, "country_id": self.country_id[company.country.code],
                    "city": company.city, "zip": company.zip, "street": company.street, "partner_share": True,
                    "employee": False, "color": 0, "message_bounce": 0, "customer_rank": 0, "supplier_rank": 0,
                    **audit(created + timedelta(minutes=r.randint(1, 300)), written),
                })
                self.partner_name[cid] = person.name
            self.contact_ids[company.key] = contacts
            if r.random() < 0.2:
                iid = len(partners) + 1
                partners.append({"id": iid, "name": "Accounts Payable", "complete_name": f"{name}, Accounts Payable",
                                 "parent_id": pid, "commercial_partner_id": pid, "commercial_company_name": name,
                                 "type": "invoice", "is_company": False, "active": True,
                                 "email": f"accounts@{company.email_domain}", "partner_share": True,
                                 "country_id": self.country_id[company.country.code], **audit(created, written)})
            if r.random() < noise.p(0.03):
                did = len(partners) + 1
                dup_name = name_variant(r, company, noise)
                dup_created = created + timedelta(days=r.uniform(30, 500))
                partners.append(self._company_row(r, did, dup_name, company, pc.key, min(dup_created, written),
                                                  written, rep_users, segment))
                self.partner_name[did] = dup_name
                self.duplicate_partner[company.key] = did
        self.tables["c_vertical_res_partner_rel"] = rel

    def _company_row(self, r: random.Random, pid: int, name: str, company: Company, company_id: int,
                     created: datetime, written: datetime, rep_users: list[int], segment: str) -> dict:
        noise = self.world.noise
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
            "state_id": self.state_id.get((company.country.code, company.state_code or "")),
            "country_id": self.country_id[company.country.code] if r.random() > noise.p(0.03) else None,
            "industry_id": self.industry_id[company.industry.odoo] if r.random() < 0.7 else None,
            "partner_latitude": None, "partner_longitude": None,
            "email": f"info@{company.domain}" if r.random() < 0.5 else None, "phone": company.phone, "mobile": None,
            "is_company": True, "active": True, "employee": False, "color": 0, "partner_share": True,
            "barcode": None, "comment": comment, "email_normalized": None, "phone_sanitized": None,
            "message_bounce": 0, "signup_type": None, "customer_rank": 1, "supplier_rank": 0,
            "team_id": team_of(company) + 1, "c_duns": company.duns if r.random() < 0.5 else None,
            "c_customer_segment": segment, "c_aws_customer": bool(company.accounts),
            **audit(created, written, wuid=r.choice(rep_users) if rep_users else ADMIN_UID),
        }

    def _aws_accounts(self) -> None:
        rows = []
        noise = self.world.noise
        for pc in PARTNER_COMPANIES:
            number = self.world.partner_payers[pc.currency]
            aid = len(rows) + 1
            self.ids.account[number] = aid
            rows.append({"id": aid, "name": number, "c_aws_account_name": f"{PARTNER_NAME} Payer {pc.currency}",
                         "c_aws_account_alias": f"nimbus-payer-{pc.currency.lower()}",
                         "c_aws_company_id": self.own_partner[pc.key],
                         "c_aws_primary_contact_id": None, "is_payer": True, "payer_id": None,
                         "account_status": "ACTIVE", "root_email": f"aws-payer-{pc.currency.lower()}@{PARTNER_DOMAIN}",
                         "c_aws_support_plan": "Enterprise On-Ramp", "c_spp_enrolled": True, "c_billing_enabled": False,
                         "c_joined_date": self.setup.date(), "c_closed_date": None,
                         "c_default_region": "us-east-1", "company_id": pc.key, "active": True, "notes": None,
                         **audit(self.setup)})
        pending_payer = []
        for company in self._odoo_companies():
            r = random.Random(f"{self.world.seed}:odoo:accounts:{company.key}")
            pid = self.ids.company_partner[company.key]
            for acc in company.accounts:
                if not acc.resold and r.random() > 0.6:
                    continue
                aid = len(rows) + 1
                self.ids.account[acc.number] = aid
                name = acc.number
                if r.random() < noise.p(0.003):
                    name = acc.number.lstrip("0") or acc.number[:-1]
                    name = name if len(name) < 12 else name[1:]
                created = datetime.combine(max(acc.opened, self.setup.date()), datetime.min.time()) + \
                    timedelta(hours=r.randint(8, 18))
                created = min(created, self.now - timedelta(days=1))
                written = min(self.now - timedelta(minutes=r.randint(1, 9000)),
                              created + timedelta(days=r.uniform(0, 600)))
                written = max(written, created)
                contacts = self.contact_ids.get(company.key) or [None]
                owner = self.duplicate_partner.get(company.key, pid) if r.random() < 0.3 else pid
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
                    self.ids.billed_accounts.append((acc.number, company))
        for row, payer in pending_payer:
            row["payer_id"] = self.ids.account.get(payer) if payer else None
        self.tables["c_aws_accounts"] = rows

    def _funding_requests(self) -> None:
        rows = []
        for deal in self.world.odoo_deals:
            fund = deal.funding
            if fund is None or not fund.in_odoo:
                continue
            r = random.Random(f"{self.world.seed}:odoo:funding:{deal.key}")
            fid = len(rows) + 1
            self.funding_id[deal.key] = fid
            state = {"Draft": "draft", "Submitted": "submitted", "Pending Approval": "submitted",
                     "Approved": "approved", "Rejected": "rejected", "Completed": "claimed",
                     "Cash Claim Submitted": "approved", "Expired": "cancelled"}[fund.status]
            if r.random() < self.world.noise.p(0.1):
                state = "submitted"  # never updated after AWS decided
            created = datetime.combine(fund.submitted, datetime.min.time()) - timedelta(days=r.randint(0, 5))
            rows.append({
                "id": fid, "name": f"FR/{fund.submitted.year}/{fid:04d}", "lead_id": deal.odoo_id,
                "partner_id": self.ids.company_partner.get(deal.company.key),
                "aws_account_id": self.ids.account.get(deal.account.number) if deal.account else None,
                "program": fund.program, "funding_type": fund.funding_type.lower().replace(" + ", "_"),
                "state": state, "amount_requested": fund.requested_usd, "amount_approved": fund.approved_usd,
                "currency_id": self.ids.currency["USD"],
                "ace_funding_request_id": fund.apn_name if r.random() < 0.7 else None,
                "submitted_date": fund.submitted, "approved_date": fund.decided, "start_date": fund.start,
                "end_date": fund.end, "description": "<p>" + " ".join(deal.needs) + "</p>",
                "user_id": self.user_of_rep[deal.rep.key], "company_id": partner_company_of(deal.company.country.code).key,
                **audit(created, min(self.now - timedelta(hours=1), created + timedelta(days=r.randint(1, 90))),
                        cuid=self.user_of_rep[deal.rep.key]),
            })
        self.tables["c_aws_funding_request"] = rows

    # -- crm_lead -------------------------------------------------------------------------------------------------
    def _leads(self) -> None:
        rows, tag_rel = [], []
        for deal in self.world.odoo_deals:
            row, tags = self._lead(deal)
            rows.append(row)
            tag_rel.extend({"lead_id": deal.odoo_id, "tag_id": t} for t in tags)
        self.tables["crm_lead"] = rows
        self.tables["crm_tag_rel"] = tag_rel

    def _lead(self, deal: Deal) -> tuple[dict, list[int]]:
        w = self.world
        noise = w.noise
        r = random.Random(f"{w.seed}:odoo:lead:{deal.key}")
        company = deal.company
        pc = partner_company_of(company.country.code)
        created = odoo_created(deal, self.today)
        is_lead = deal.category == ODOO_LEAD
        aws_deal = deal.kind is not None
        won, lost = deal.outcome == "won", deal.outcome == "lost"
        uid = self.user_of_rep[deal.rep.key]

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
        rate = self.fx.on(pc.currency, created.date())
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
            closed_at = max(min(closed_at, self.now - timedelta(minutes=30)), created + timedelta(hours=1))
        horizon = closed_at or self.now - timedelta(minutes=1)
        stage_update = created + (horizon - created) * r.uniform(0.2, 1.0)
        written = max(stage_update, closed_at or stage_update) + timedelta(days=r.uniform(0, 20))
        if r.random() < 0.05:
            written = self.now - timedelta(days=r.uniform(0, 7))
        written = min(max(written, created), self.now - timedelta(seconds=r.randint(1, 600)))

        # who
        partner_id = None
        roll = r.random()
        contacts = self.contact_ids.get(company.key, [])
        company_pid = self.ids.company_partner[company.key]
        if company.key in self.duplicate_partner and r.random() < 0.5:
            company_pid = self.duplicate_partner[company.key]
        if roll < (0.3 if is_lead else 0.55) and contacts:
            partner_id = contacts[company.contacts.index(deal.contact)] if deal.contact in company.contacts \
                else contacts[0]
        elif roll < (0.45 if is_lead else 0.85):
            partner_id = company_pid
        if partner_id is not None and partner_id != company_pid and partner_id in contacts:
            partner_name = self.partner_name[company_pid]
        elif partner_id == company_pid:
            partner_name = self.partner_name[company_pid]
        else:
            partner_name = name_variant(r, company, noise) if r.random() > noise.p(0.01) else None
        person = deal.contact
        email = email_variant(r, person, company, noise) if r.random() < 0.85 else None
        free = email and email.split("@")[-1].lower() in catalog.FREE_MAIL_DOMAINS
        description = self._lead_description(r, deal)

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
            "state_id": self.state_id.get((company.country.code, company.state_code or "")),
            "country_id": self.country_id[company.country.code] if r.random() > noise.p(0.1) else None,
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
            **self._custom_fields(r, deal, term),
            **audit(created, written, cuid=uid if r.random() < 0.8 else ADMIN_UID, wuid=uid),
        }
        return row, sorted(set(tags))

    def _lead_description(self, r: random.Random, deal: Deal) -> str | None:
        noise = self.world.noise
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

    def _custom_fields(self, r: random.Random, deal: Deal, term: int) -> dict:
        w = self.world
        noise = w.noise
        aws_deal = deal.kind is not None
        values = {
            "aws_ace_id": None, "origination": None, "c_aws_ace_opportunity_id": None, "c_aws_ace_useCase": None,
            "c_aws_ace_aWSSalesRepName": None, "c_aws_ace_aWSSalesRepEmail": None,
            "c_aws_ace_aWSPartnerSuccessManagerName": None, "c_aws_ace_deliveryModel": None,
            "c_aws_ace_expectedMonthlyAwsRevenue": None, "c_aws_ace_targetCloseDate": None,
            "c_aws_ace_stage": None, "c_aws_ace_status": None, "c_aws_ace_sync": False,
            "c_aws_ace_last_sync": None, "c_aws_funding_request_id": self.funding_id.get(deal.key),
            "c_vertical_id": (_VERTICAL_OF.get(deal.company.industry.ace, 9) + 1) if r.random() < 0.5 else None,
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
        if deal.account is not None and deal.account.number in self.ids.account and r.random() < noise.fill(0.6):
            values["aws_ace_id"] = self.ids.account[deal.account.number]
        if deal.origin == "partner" and r.random() < 0.3:
            values["c_pod_eligible"] = r.random() < 0.5
        source = deal.twin if deal.category == ODOO_DUPLICATE else deal
        if deal.category == LINKED or (deal.category == ODOO_DUPLICATE and r.random() < 0.3):
            values.update(self._ace_copy(r, source))
        return values

    def _ace_copy(self, r: random.Random, deal: Deal) -> dict:
        """What the salesperson copied from ACE into Odoo: partial, sometimes stale or mistyped."""
        w = self.world
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
        view = ace_view(w, deal, self.fx)
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
            out["c_aws_ace_last_sync"] = self.now - timedelta(hours=r.uniform(1, 24 * 60))
        return out

    # -- sales, projects, invoices --------------------------------------------------------------------------------
    def _sales(self) -> None:
        orders, lines, projects = [], [], []
        for deal in self.world.odoo_deals:
            if deal.category in (ODOO_LEAD, ODOO_DUPLICATE):
                continue
            r = random.Random(f"{self.world.seed}:odoo:sale:{deal.key}")
            quote = deal.outcome == "open" and deal.progress > 0.6 and r.random() < 0.4
            if not (deal.outcome == "won" and r.random() < 0.85) and not quote:
                continue
            self._sale_order(r, deal, orders, lines, projects)
        self.tables["sale_order"] = orders
        self.tables["sale_order_line"] = lines
        self.tables["project_project"] = projects

    def _sale_order(self, r: random.Random, deal: Deal, orders: list, lines: list, projects: list) -> None:
        company = deal.company
        pc = partner_company_of(company.country.code)
        cur_id = self.ids.currency[pc.currency]
        oid = len(orders) + 1
        lead_created = odoo_created(deal, self.today)
        if deal.outcome == "won":
            state = "sale"
            ordered = datetime.combine(deal.close, datetime.min.time()) + timedelta(hours=r.randint(8, 18))
        else:
            state = r.choice(("draft", "sent"))
            ordered = lead_created + (self.now - lead_created) * r.uniform(0.5, 0.95)
        ordered = max(lead_created + timedelta(hours=1), min(ordered, self.now - timedelta(hours=1)))
        uid = self.user_of_rep[deal.rep.key]
        partner_id = self.ids.company_partner[company.key]
        rate = self.fx.on(pc.currency, ordered.date())
        items = []
        if deal.kind is not None:
            code = _KIND_SERVICE[deal.kind.key]
            price = next(p for c, _, _, p in catalog.SERVICE_PRODUCTS if c == code)
            items.append((code, r.choice((5, 10, 20, 40, 60)) if code not in ("SRV-MSP",) else 12, price * rate))
            if r.random() < 0.5:
                items.append(("AWS-RESALE", 12, round(deal.monthly_usd * rate, 2)))
            if r.random() < 0.2:
                items.append(("SRV-WAR", 1, 4800 * rate))
        else:
            code = _PLAIN_PRODUCT.get(deal.workload, "SRV-SUP")
            items.append((code, r.choice((1, 5, 25, 100)), next(p for c, _, _, p in catalog.SERVICE_PRODUCTS
                                                                  if c == code) * rate))
        tax_rate = _TAX[pc.currency]
        untaxed = 0.0
        first_line = None
        for seq, (code, qty, price) in enumerate(items, start=1):
            lid = len(lines) + 1
            first_line = first_line or lid
            price = round(price, 2)
            discount = r.choice((0, 0, 0, 5, 10))
            subtotal = round(qty * price * (1 - discount / 100), 2)
            tax = round(subtotal * tax_rate, 2)
            untaxed += subtotal
            invoiced = qty if state == "sale" else 0
            lines.append({
                "id": lid, "order_id": oid, "sequence": seq * 10, "company_id": pc.key, "currency_id": cur_id,
                "order_partner_id": partner_id, "salesman_id": uid, "state": state, "display_type": None,
                "name": next(n for c, n, _, _ in catalog.SERVICE_PRODUCTS if c == code),
                "product_id": self.ids.variant[code], "product_uom_qty": qty, "product_uom": 1, "price_unit": price,
                "discount": discount, "price_subtotal": subtotal, "price_tax": tax, "price_total": subtotal + tax,
                "price_reduce_taxexcl": round(subtotal / qty, 2), "qty_delivered": invoiced,
                "qty_invoiced": invoiced, "qty_to_invoice": 0, "untaxed_amount_invoiced": subtotal if invoiced else 0,
                "untaxed_amount_to_invoice": 0 if invoiced else subtotal,
                "invoice_status": "invoiced" if invoiced else "no", "customer_lead": 0.0, "is_downpayment": False,
                "is_expense": False, **audit(ordered, ordered + timedelta(minutes=5), cuid=uid),
            })
        untaxed = round(untaxed, 2)
        tax_total = round(untaxed * tax_rate, 2)
        written = min(self.now - timedelta(minutes=1), ordered + timedelta(days=r.uniform(0, 30)))
        orders.append({
            "id": oid, "name": f"S{oid:05d}", "origin": None, "client_order_ref": None, "reference": None,
            "state": state, "date_order": ordered, "validity_date": ordered.date() + timedelta(days=30),
            "require_signature": True, "require_payment": False, "user_id": uid, "partner_id": partner_id,
            "partner_invoice_id": partner_id, "partner_shipping_id": partner_id, "pricelist_id": None,
            "currency_id": cur_id, "analytic_account_id": None,
            "invoice_status": "invoiced" if state == "sale" else "no", "note": None, "amount_untaxed": untaxed,
            "amount_tax": tax_total, "amount_total": round(untaxed + tax_total, 2), "currency_rate": round(rate, 6),
            "payment_term_id": None, "fiscal_position_id": None, "company_id": pc.key,
            "team_id": deal.rep.team + 1, "signed_by": deal.contact.name if state == "sale" else None,
            "signed_on": ordered if state == "sale" else None, "commitment_date": None,
            "opportunity_id": deal.odoo_id, "source_id": None, "medium_id": None, "campaign_id": None,
            "journal_id": 1, "locked": False, **audit(ordered, written, cuid=uid),
        })
        if state == "sale":
            self.sale_invoices_due.append({"order": orders[-1], "deal": deal, "untaxed": untaxed, "tax": tax_total,
                                       "currency": pc.currency, "company": pc.key, "partner": partner_id,
                                       "user": uid, "date": ordered.date()})
            if deal.kind is not None and r.random() < 0.7:
                start = ordered.date() + timedelta(days=r.randint(3, 30))
                projects.append({
                    "id": len(projects) + 1, "name": tr(f"{company.base} - {deal.odoo_title}"),
                    "description": "<p>" + " ".join(deal.needs) + "</p>" if r.random() < 0.5 else None,
                    "active": r.random() < 0.9, "sequence": 10, "partner_id": partner_id, "company_id": pc.key,
                    "user_id": uid, "analytic_account_id": None, "sale_line_id": first_line, "date_start": start,
                    "date": start + timedelta(days=r.randint(60, 270)),
                    "privacy_visibility": r.choice(("portal", "employees", "followers")), "allow_timesheets": True,
                    "allow_billable": True, "color": 0, "stage_id": 1,
                    "last_update_status": r.choice(("on_track", "at_risk", "off_track", "to_define", "done")),
                    "label_tasks": tr("Tasks", "Tâches"), "allocated_hours": float(r.choice((40, 80, 160, 400))),
                    **audit(ordered + timedelta(days=1), written, cuid=uid),
                })

    def sale_invoices(self) -> tuple[list[dict], list[dict], dict[tuple[int, int], int]]:
        """account_move + account_move_line of the won sale orders, and the invoice number reached per
        (company, year) so that the monthly AWS bills (bills.py) continue the same sequences."""
        moves, move_lines = [], []
        sequences: dict[tuple[int, int], int] = {}
        for inv in self.sale_invoices_due:
            r = random.Random(f"{self.world.seed}:odoo:invoice:{inv['order']['id']}")
            day = min(inv["date"] + timedelta(days=r.randint(0, 20)), self.today - timedelta(days=1))
            self._move(r, moves, move_lines, sequences, day, inv["untaxed"], inv["tax"], inv["currency"],
                       inv["company"], inv["partner"], inv["user"], inv["order"]["name"],
                       self.ids.variant["SRV-MIG"], "Services")
        return moves, move_lines, sequences

    def _move(self, r: random.Random, moves: list, lines: list, seqs: dict, day: date, untaxed: float, tax: float,
              currency: str, company_id: int, partner_id: int, user_id: int, origin: str, product_id: int,
              label: str, posted: bool = True) -> int:
        mid = len(moves) + 1
        key = (company_id, day.year)
        seqs[key] = seqs.get(key, 0) + 1
        number = seqs[key]
        total = round(untaxed + tax, 2)
        paid = posted and (self.today - day).days > 45 and r.random() < 0.9
        created = datetime.combine(day, datetime.min.time()) + timedelta(hours=r.randint(6, 20))
        written = min(self.now - timedelta(minutes=1), created + timedelta(days=r.uniform(0, 60) if paid else 0.1))
        written = max(written, created)
        prefix = f"INV/{day.year}/"
        cur_id = self.ids.currency[currency]
        moves.append({
            "id": mid, "name": f"{prefix}{number:05d}" if posted else "/", "ref": None, "date": day,
            "state": "posted" if posted else "draft", "move_type": "out_invoice" if untaxed >= 0 else "out_refund",
            "journal_id": company_id, "company_id": company_id, "currency_id": cur_id, "partner_id": partner_id,
            "commercial_partner_id": partner_id, "fiscal_position_id": None, "payment_reference": f"{prefix}{number:05d}",
            "invoice_date": day, "invoice_date_due": day + timedelta(days=30), "invoice_origin": origin,
            "invoice_user_id": user_id, "team_id": None, "amount_untaxed": untaxed, "amount_tax": tax,
            "amount_total": total, "amount_residual": 0.0 if paid else total, "amount_untaxed_signed": untaxed,
            "amount_tax_signed": tax, "amount_total_signed": total, "amount_total_in_currency_signed": total,
            "amount_residual_signed": 0.0 if paid else total,
            "payment_state": ("paid" if paid else "not_paid") if posted else "not_paid", "narration": None,
            "invoice_partner_display_name": self.partner_name.get(partner_id), "sequence_prefix": prefix,
            "sequence_number": number, "is_move_sent": posted, "auto_post": "no",
            **audit(created, written, cuid=user_id),
        })
        base = {"move_id": mid, "move_name": moves[-1]["name"], "date": day, "ref": None,
                "parent_state": moves[-1]["state"], "journal_id": company_id, "company_id": company_id,
                "company_currency_id": cur_id, "currency_id": cur_id, "partner_id": partner_id,
                "product_uom_id": None, "date_maturity": None, "reconciled": paid, "discount": 0,
                **audit(created, written, cuid=user_id)}
        for seq, (name, display, account, debit, credit, product) in enumerate((
            (label, "product", 700, 0.0, untaxed, product_id),
            ("Tax", "tax", 445, 0.0, tax, None),
            (moves[-1]["name"], "payment_term", 411, total, 0.0, None),
        ), start=1):
            if display == "tax" and not tax:
                continue
            balance = round(debit - credit, 2)
            lines.append({**base, "id": len(lines) + 1, "account_id": account, "sequence": seq * 10, "name": name,
                          "quantity": 1 if display == "product" else None,
                          "price_unit": untaxed if display == "product" else None,
                          "debit": debit, "credit": credit, "balance": balance, "amount_currency": balance,
                          "price_subtotal": untaxed if display == "product" else None,
                          "price_total": total if display == "product" else None,
                          "product_id": product, "display_type": display,
                          "date_maturity": day + timedelta(days=30) if display == "payment_term" else None,
                          "amount_residual": 0.0 if paid or display != "payment_term" else total,
                          "amount_residual_currency": 0.0 if paid or display != "payment_term" else total})
        return mid
