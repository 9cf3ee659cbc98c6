"""The deal universe: every real-world deal once, and which system(s) recorded it.

Both source generators render rows from these shared truths, so a linked deal has one customer, one project and one
amount, but each system writes them its own way. The ground truth (ACE id <-> Odoo id) falls out of the ids given to
deals present on both sides; it never enters either database.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from revops_assets.sources.synthetic import catalog, phrasing
from revops_assets.sources.synthetic.catalog import ProjectKind
from revops_assets.sources.synthetic.companies import AwsAccount, Company, NamePools, Person, make_company, slug
from revops_assets.sources.synthetic.noise import FailureModes, Noise

# Which system(s) hold a deal.
LINKED = "linked"  # in Odoo and ACE: a ground-truth link
ODOO_AWS = "odoo_aws"  # AWS deal in Odoo never registered in ACE
ODOO_PLAIN = "odoo_plain"  # services/licence sale, not an AWS deal
ODOO_DUPLICATE = "odoo_duplicate"  # archived duplicate of a linked deal in Odoo (not a link)
ACE_ONLY = "ace_only"  # in ACE, no Odoo twin
ACE_DUPLICATE = "ace_duplicate"  # rejected duplicate of a linked deal in ACE (not a link)
ACE_RESUBMITTED = "ace_resubmitted"  # older rejected/closed registration of a linked deal's project (not a link)
ODOO_LEAD = "odoo_lead"  # crm_lead type 'lead'

IN_ODOO = {LINKED, ODOO_AWS, ODOO_PLAIN, ODOO_DUPLICATE, ODOO_LEAD}
IN_ACE = {LINKED, ACE_ONLY, ACE_DUPLICATE, ACE_RESUBMITTED}

PARTNER_NAME = "Nimbus Cloud Partners"
PARTNER_DOMAIN = "nimbuscloud.com"
PARTNER_OLD_DOMAIN = "nimbus-cloud.io"


@dataclass(frozen=True)
class PartnerCompany:
    """One of the AWS partner's own legal entities (Odoo res_company)."""

    key: int
    name: str
    country: str
    currency: str


PARTNER_COMPANIES = (
    PartnerCompany(1, f"{PARTNER_NAME} Inc.", "US", "USD"),
    PartnerCompany(2, f"{PARTNER_NAME} GmbH", "DE", "EUR"),
    PartnerCompany(3, f"{PARTNER_NAME} Ltd", "GB", "GBP"),
)
_EUR_COUNTRIES = {"DE", "CH", "AT", "FR", "ES", "IT", "NL", "IE", "SE", "BE"}

TEAMS = ("North America", "DACH", "UK & Ireland", "Southern Europe", "Nordics & Benelux", "APJ", "Public Sector")
_TEAM_OF_COUNTRY = {"US": 0, "CA": 0, "MX": 0, "BR": 0, "DE": 1, "CH": 1, "GB": 2, "IE": 2, "FR": 3, "ES": 3,
                    "IT": 3, "SE": 4, "NL": 4, "JP": 5, "AU": 5, "IN": 5, "SG": 5}


def partner_company_of(country_code: str) -> PartnerCompany:
    if country_code == "GB":
        return PARTNER_COMPANIES[2]
    if country_code in _EUR_COUNTRIES:
        return PARTNER_COMPANIES[1]
    return PARTNER_COMPANIES[0]


def team_of(company: Company) -> int:
    if company.industry.ace in ("Government", "Education"):
        return 6
    return _TEAM_OF_COUNTRY.get(company.country.code, 0)


@dataclass
class Rep:
    """A salesperson of the partner: an Odoo user and the partner sales rep named in ACE."""

    key: int
    first: str
    last: str
    team: int

    @property
    def email(self) -> str:
        return f"{slug(self.first)}.{slug(self.last)}@{PARTNER_DOMAIN}"

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class AwsPerson:
    """Someone at AWS named on ACE deals (sales rep, partner success manager)."""

    first: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        return f"{slug(self.first)[:1]}{slug(self.last)}@amazon.com"


@dataclass
class Funding:
    """An AWS funding request (MAP, POC credits...) on a deal; Odoo tracks it, APN holds the official one."""

    key: int
    program: str
    funding_type: str
    requested_usd: float
    approved_usd: float | None
    status: str  # APN status
    submitted: date
    decided: date | None
    start: date
    end: date
    in_odoo: bool
    apn_id: str | None = None  # APN record id
    apn_name: str | None = None  # FR-... number people quote

    @property
    def requested_parts(self) -> tuple[float, float]:
        """(cash, credits) requested: cash programs request the amount in cash, credit programs in credits, and
        "Cash + Credits" programs credits worth half the cash on top."""
        cash = self.funding_type.startswith("Cash")
        credits = "Credits" in self.funding_type
        return (self.requested_usd if cash else 0.0,
                self.requested_usd * (0.5 if cash else 1.0) if credits else 0.0)


@dataclass
class Deal:
    key: int
    category: str
    company: Company
    kind: ProjectKind | None  # None for a non-AWS sale
    workload: str
    phase: int  # 0 = first deal on this workload, 1+ = follow-on
    origin: str  # partner | aws
    monthly_usd: float
    created: datetime
    close: date
    outcome: str  # open | won | lost
    progress: float  # 0..1 through the pipeline while open
    account: AwsAccount | None
    contact: Person
    rep: Rep
    needs: list[str]
    odoo_title: str = ""
    ace_title: str = ""
    ace_needs: list[str] | None = None  # the business problem as written in ACE when not the Odoo text
    delivery_model: str = "Professional Services"
    opportunity_type: str = "Net New Business"
    twin: Deal | None = None  # the linked deal a duplicate copies
    aws_rep: AwsPerson | None = None
    psm: AwsPerson | None = None
    funding: Funding | None = None
    odoo_id: int | None = None
    ace_id: str | None = None

    @property
    def in_odoo(self) -> bool:
        return self.category in IN_ODOO

    @property
    def in_ace(self) -> bool:
        return self.category in IN_ACE


@dataclass
class World:
    seed: int
    today: date
    noise: Noise
    companies: list[Company]
    deals: list[Deal]
    reps: list[Rep]
    partner_payers: dict[str, str]  # partner company currency -> payer account number
    odoo_deals: list[Deal] = field(default_factory=list)  # in Odoo id order
    ace_deals: list[Deal] = field(default_factory=list)  # in ACE id order

    @property
    def links(self) -> list[tuple[str, int]]:
        return sorted((d.ace_id, d.odoo_id) for d in self.deals if d.category == LINKED)


# -- titles and descriptions --------------------------------------------------------------------------------------
def _fill(template: str, workload: str) -> str:
    return template.replace("{W}", workload[:1].upper() + workload[1:]).replace("{w}", workload)


def _roman(n: int) -> str:
    return ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")[min(n, 10) - 1]


def _phase_suffix(r: random.Random, phase: int) -> str:
    if phase <= 0:
        return ""
    return r.choice(catalog.FOLLOW_ON_SUFFIXES).format(n=phase + 1, roman=_roman(phase + 1))


def render_titles(r: random.Random, deal: Deal, noise: Noise) -> tuple[str, str]:
    """(Odoo title, ACE title): paraphrases of one project; ACE sometimes copies Odoo's."""
    if deal.kind is None:
        title = deal.workload
        return title, title
    odoo = _fill(r.choice(deal.kind.titles), deal.workload) + _phase_suffix(r, deal.phase)
    if r.random() < noise.fill(0.3):
        ace = odoo
    else:
        ace = _fill(r.choice(deal.kind.titles), deal.workload) + _phase_suffix(r, deal.phase)
    roll = r.random()
    if roll < 0.3:
        odoo = f"{deal.company.base} - {odoo}"
    elif roll < 0.38:
        odoo = f"[AWS] {odoo}"
    elif roll < 0.42:
        odoo = odoo.lower()
    if r.random() < noise.p(0.04):
        ace = f"{deal.company.base}: {ace}"
    return odoo, ace


def _needs(r: random.Random, kind: ProjectKind | None, company: Company, workload: str) -> list[str]:
    if kind is None:
        return [f"{company.base} asked for a quote: {workload.lower()}."]
    sentences = list(kind.needs)
    r.shuffle(sentences)
    chosen = sentences[: r.randint(2, min(4, len(sentences)))]
    return [s.format(company=company.base, w=workload, n=r.choice((3, 8, 12, 25, 40, 120, 300)),
                     pct=r.choice((15, 20, 30, 40))) for s in chosen]


# -- amounts and dates --------------------------------------------------------------------------------------------
_KIND_SPEND = {"migration": 1.6, "sap": 2.5, "data": 1.2, "ml": 0.9, "containers": 1.0, "security": 0.4,
               "backup": 0.6, "euc": 0.8, "contact": 0.7, "managed": 0.8, "iot": 0.7, "web": 0.6}


def nice_round(value: float) -> float:
    if value < 1000:
        return float(max(50, round(value / 50) * 50))
    if value < 10000:
        return float(round(value / 100) * 100)
    return float(round(value / 500) * 500)


def _company_deal_count(r: random.Random) -> int:
    roll = r.random()
    if roll < 0.55:
        return 1
    if roll < 0.75:
        return 2
    if roll < 0.86:
        return 3
    if roll < 0.95:
        return r.randint(4, 6)
    return r.randint(7, 18)


def _stage_timing(r: random.Random, created: datetime, today: date, category: str) -> tuple[date, str, float]:
    cycle = int(min(540, max(14, r.lognormvariate(math.log(100), 0.6))))
    close = created.date() + timedelta(days=cycle)
    if category == ODOO_LEAD:
        return close, ("lost" if r.random() < 0.3 else "open"), 0.0
    if close < today - timedelta(days=10):
        roll = r.random()
        if roll < 0.45:
            return close, "won", 1.0
        if roll < 0.85:
            return close, "lost", r.uniform(0.1, 0.9)
        return close, "open", r.uniform(0.5, 0.95)  # stale: close date passed, never updated
    elapsed = (today - created.date()).days / max(cycle, 1)
    return close, "open", min(0.95, max(0.02, elapsed + r.uniform(-0.2, 0.2)))


# -- building the world -------------------------------------------------------------------------------------------
def _categories(r: random.Random, scale: int) -> list[str]:
    n_link = round(0.58 * scale)
    n_odoo_aws = round(0.2 * scale)
    n_plain = max(0, scale - n_link - n_odoo_aws)
    n_ace = round(0.72 * scale)
    n_lead = round(0.15 * scale)
    cats = [LINKED] * n_link + [ODOO_AWS] * n_odoo_aws + [ODOO_PLAIN] * n_plain + [ACE_ONLY] * n_ace \
        + [ODOO_LEAD] * n_lead
    r.shuffle(cats)
    return cats


def build_world(seed: int, scale: int, noise_level: float, today: date,
                modes: FailureModes | None = None) -> World:
    r = random.Random(f"{seed}:world")
    noise = Noise(noise_level, modes, seed)
    pools = NamePools(seed)
    taken_domains: set[str] = {PARTNER_DOMAIN}
    taken_accounts: set[str] = set()
    used_names: set[str] = set()
    partner_payers = {c.currency: _partner_payer(r, taken_accounts) for c in PARTNER_COMPANIES}

    reps: list[Rep] = []
    n_reps = min(60, max(len(TEAMS) + 2, scale // 120))
    for i in range(n_reps):
        loc = ("en_US", "de_DE", "en_GB", "fr_FR", "sv_SE", "en_AU", "en_US")[i % len(TEAMS)]
        reps.append(Rep(i, pools.first(r, loc), pools.last(r, loc), i % len(TEAMS)))

    cats = _categories(r, scale)
    window_start = datetime.combine(today, datetime.min.time()) - timedelta(days=3 * 365)
    span = (today - window_start.date()).days - 3

    companies: list[Company] = []
    deals: list[Deal] = []
    i = 0
    while i < len(cats):
        company = make_company(r, len(companies), pools, taken_domains, taken_accounts, used_names, today,
                               partner_payers)
        companies.append(company)
        count = 3 if len(companies) == 1 else _company_deal_count(r)  # always one multi-deal customer
        team_reps = [rep for rep in reps if rep.team == team_of(company)] or reps
        own: list[Deal] = []
        for category in cats[i:i + count]:
            own.append(_make_deal(r, seed, len(deals), category, company, own, team_reps, window_start, span,
                                  today, noise))
            deals.append(own[-1])
        i += count

    aws_people = [AwsPerson(pools.first(r, "en_US"), pools.last(r, "en_US")) for _ in range(max(12, scale // 60))]
    psms = [AwsPerson(pools.first(r, "en_US"), pools.last(r, "en_US")) for _ in range(4)]
    for deal in deals:
        if deal.kind is not None:
            deal.aws_rep = r.choice(aws_people) if r.random() < 0.85 else None
            deal.psm = r.choice(psms)
    deals = _add_duplicates(random.Random(f"{seed}:duplicates"), deals, noise, today)
    world = World(seed, today, noise, companies, deals, reps, partner_payers)
    _assign_ids(r, world)
    _assign_funding(random.Random(f"{seed}:funding"), world)
    return world


def _add_duplicates(r: random.Random, deals: list[Deal], noise: Noise, today: date) -> list[Deal]:
    """Second records of linked deals. Odoo duplicates replace plain deals so the opportunity count stays `scale`;
    drawn from their own generators, so the rest of the world does not depend on the noise level."""
    linked = [d for d in deals if d.category == LINKED]
    plain = [d for d in deals if d.category == ODOO_PLAIN]
    modes = noise.modes
    n_odoo = min(len(plain), round(noise.p(modes.odoo_duplicates) * len(linked)))
    dropped = {d.key for d in r.sample(plain, n_odoo)}
    kept = [d for d in deals if d.key not in dropped]
    key = max(d.key for d in deals) + 1
    n_ace = round(noise.p(modes.ace_duplicates) * len(linked))
    for category, count in ((ODOO_DUPLICATE, n_odoo), (ACE_DUPLICATE, n_ace)):
        for _ in range(count if linked else 0):
            kept.append(_duplicate(r, key, r.choice(linked), category, today))
            key += 1
    for twin in linked:
        if noise.happens("resubmissions", twin.key):
            kept.append(_resubmission(noise, key, twin, today))
            key += 1
    return kept


_FUNDED_KINDS = {"migration", "data", "ml", "sap", "containers"}
_PROGRAMS = (("MAP 2.0 - Migrate", "Cash + Credits"), ("MAP 2.0 - Assess", "Cash"), ("POC Credits", "Credits"),
             ("Well-Architected Partner Program", "Credits"), ("Innovation Sandbox", "Credits"),
             ("Partner Opportunity Acceleration", "Cash"))
_FUNDING_STATUS = ("Draft", "Submitted", "Pending Approval", "Approved", "Rejected", "Completed",
                   "Cash Claim Submitted", "Expired")


def _assign_funding(r: random.Random, world: World) -> None:
    serial = 100_000 + r.randrange(50_000)
    count = 0
    for deal in world.ace_deals:
        if deal.kind is None or deal.kind.key not in _FUNDED_KINDS or deal.category not in (LINKED, ACE_ONLY):
            continue
        if deal.progress < 0.3 and deal.outcome != "won" or r.random() > 0.16:
            continue
        program, ftype = r.choice(_PROGRAMS)
        submitted = min(deal.created.date() + timedelta(days=r.randint(10, 90)), world.today - timedelta(days=2))
        status = r.choices(_FUNDING_STATUS, weights=(6, 8, 6, 30, 8, 25, 10, 7), k=1)[0]
        decided = None if status in ("Draft", "Submitted", "Pending Approval") else \
            min(submitted + timedelta(days=r.randint(5, 40)), world.today - timedelta(days=1))
        requested = nice_round(deal.monthly_usd * r.uniform(1.0, 4.0))
        approved = None if decided is None or status == "Rejected" else \
            nice_round(requested * r.choice((1, 1, 0.8, 0.5)))
        start = submitted + timedelta(days=r.randint(7, 45))
        serial += r.randint(1, 40)
        count += 1
        deal.funding = Funding(
            key=count, program=program, funding_type=ftype,
            requested_usd=requested, approved_usd=approved, status=status, submitted=submitted, decided=decided,
            start=start, end=start + timedelta(days=r.choice((60, 90, 120, 180))),
            in_odoo=deal.category == LINKED and r.random() < 0.8,
            apn_id=f"a0F{serial:015d}", apn_name=f"FR-{serial:09d}",
        )


def _partner_payer(r: random.Random, taken: set[str]) -> str:
    while True:
        number = str(r.randrange(10**11, 10**12))
        if number not in taken:
            taken.add(number)
            return number


def _make_deal(r: random.Random, seed: int, key: int, category: str, company: Company, earlier: list[Deal],
               reps: list[Rep], window_start: datetime, span: int, today: date, noise: Noise) -> Deal:
    parent = None
    aws = category not in (ODOO_PLAIN,)
    follow_ons = [d for d in earlier if d.kind is not None]
    if aws and follow_ons and r.random() < 0.35:
        parent = r.choice(follow_ons)
    if not aws:
        kind, workload = None, r.choice(catalog.NON_AWS_TITLES)
    elif parent:
        kind, workload = parent.kind, parent.workload
    else:
        kind = r.choices(catalog.PROJECT_KINDS, weights=[k.weight for k in catalog.PROJECT_KINDS], k=1)[0]
        workload = r.choice(kind.workloads)
    if parent:
        created = parent.created + timedelta(days=r.uniform(45, 420), seconds=r.randrange(86400))
        latest = datetime.combine(today, datetime.min.time()) - timedelta(days=1, seconds=r.randrange(86400))
        created = min(created, latest)
    else:
        created = window_start + timedelta(days=r.uniform(0, span), seconds=r.randrange(86400))
    created = created.replace(microsecond=r.randrange(1_000_000))
    close, outcome, progress = _stage_timing(r, created, today, category)
    monthly = nice_round(company.size * r.lognormvariate(math.log(2500), 0.9)
                         * (_KIND_SPEND.get(kind.key, 1.0) if kind else 0.3))
    origin = "partner"
    if category in (LINKED, ACE_ONLY):
        origin = "aws" if r.random() < (0.3 if category == LINKED else 0.5) else "partner"
    account = None
    if aws and company.accounts and r.random() < 0.85:
        account = company.accounts[0] if r.random() < 0.6 else r.choice(company.accounts)
    deal = Deal(
        key=key, category=category, company=company, kind=kind, workload=workload,
        phase=(parent.phase + 1) if parent else 0, origin=origin, monthly_usd=monthly, created=created, close=close,
        outcome=outcome, progress=progress, account=account, contact=r.choice(company.contacts),
        rep=r.choice(reps), needs=_needs(r, kind, company, workload),
    )
    deal.odoo_title, deal.ace_title = render_titles(random.Random(f"{seed}:titles:{key}"), deal, noise)
    if kind and kind.key == "managed":
        deal.delivery_model = "Managed Services"
    elif account is not None and account.resold and r.random() < 0.4:
        deal.delivery_model = "Resell"
    elif r.random() < 0.1:
        deal.delivery_model = r.choice(catalog.ACE_DELIVERY_MODELS)
    if parent:
        deal.opportunity_type = "Flat Renewal" if kind and kind.key == "managed" and r.random() < 0.5 else "Expansion"
    phrasing.vary_titles(noise, deal)
    return deal


def _duplicate(r: random.Random, key: int, twin: Deal, category: str, today: date) -> Deal:
    """A second record of the same deal: archived in Odoo, or an AWS referral ACE rejected as duplicate."""
    created = min(twin.created + timedelta(days=r.uniform(1, 40)),
                  datetime.combine(today, datetime.min.time()) - timedelta(hours=r.randrange(1, 48)))
    deal = Deal(
        key=key, category=category, company=twin.company, kind=twin.kind, workload=twin.workload, phase=twin.phase,
        origin="aws" if category == ACE_DUPLICATE else twin.origin, monthly_usd=twin.monthly_usd, created=created,
        close=twin.close, outcome="lost" if category == ODOO_DUPLICATE else twin.outcome, progress=twin.progress,
        account=twin.account, contact=twin.contact, rep=twin.rep, needs=list(twin.needs), twin=twin,
        aws_rep=twin.aws_rep, psm=twin.psm,
    )
    deal.odoo_title, deal.ace_title = twin.odoo_title, twin.ace_title
    if category == ODOO_DUPLICATE and r.random() < 0.5:
        deal.odoo_title = twin.odoo_title + r.choice((" (copy)", " (2)", " - duplicate", ""))
    return deal


def _resubmission(noise: Noise, key: int, twin: Deal, today: date) -> Deal:
    """An earlier ACE registration of the same customer's project that AWS rejected or the partner closed lost;
    the deal came back later and was registered again (the twin). Titled on its own: a different person typed it."""
    r = noise.draw("resubmission", twin.key)
    created = twin.created - timedelta(days=r.uniform(30, 420), seconds=r.randrange(86400))
    deal = Deal(
        key=key, category=ACE_RESUBMITTED, company=twin.company, kind=twin.kind, workload=twin.workload,
        phase=twin.phase, origin="partner" if r.random() < 0.8 else "aws",
        monthly_usd=nice_round(twin.monthly_usd * r.uniform(0.6, 1.4)), created=created,
        close=created.date() + timedelta(days=r.randint(30, 200)), outcome="lost", progress=r.uniform(0.0, 0.6),
        account=twin.account, contact=twin.contact, rep=twin.rep, needs=list(twin.needs), twin=twin,
        aws_rep=twin.aws_rep, psm=twin.psm, delivery_model=twin.delivery_model,
        opportunity_type=twin.opportunity_type,
    )
    deal.odoo_title, deal.ace_title = render_titles(r, deal, noise)
    phrasing.vary_titles(noise, deal)
    return deal


def _cap(moment: datetime, today: date) -> datetime:
    return min(moment, datetime.combine(today, datetime.min.time()) - timedelta(minutes=5 + moment.second))


def odoo_created(deal: Deal, today: date) -> datetime:
    """AWS referrals reach Odoo after ACE shares them; everything else starts in Odoo."""
    if deal.origin == "aws" and deal.category == LINKED:
        return _cap(deal.created + timedelta(days=2 + deal.key % 19, minutes=deal.key % 600), today)
    return _cap(deal.created, today)


def ace_created(deal: Deal, today: date) -> datetime:
    """Partner referrals are registered in ACE some days after the Odoo deal was opened."""
    if deal.origin == "partner" and deal.category in (LINKED, ACE_ONLY):
        return _cap(deal.created + timedelta(days=(deal.key * 7) % 45, minutes=(deal.key * 13) % 900), today)
    return _cap(deal.created, today)


def _assign_ids(r: random.Random, world: World) -> None:
    odoo = sorted((d for d in world.deals if d.in_odoo), key=lambda d: (odoo_created(d, world.today), d.key))
    for i, deal in enumerate(odoo, start=1):
        deal.odoo_id = i
    world.odoo_deals = odoo
    ace = sorted((d for d in world.deals if d.in_ace), key=lambda d: (ace_created(d, world.today), d.key))
    number = 1_000_000 + r.randrange(500_000)
    for deal in ace:  # gaps: other partners' opportunities; drawn per deal so duplicates do not shift them
        number += random.Random(f"{world.seed}:ace-gap:{deal.key}").randint(1, 600)
        deal.ace_id = f"O{number}"
    world.ace_deals = ace
