"""The customer universe and the ways one customer is written differently in Odoo and in ACE.

A company exists once, with a canonical legal name, web domain, contacts and AWS accounts. Each source system then
writes what its users typed: legal suffix dropped or swapped, abbreviations, case, accents, typos, "The", "&" vs
"and", a different website form, a contact's free-mail address. Variant functions take an explicit
`random.Random` so that a seed reproduces the same text.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from faker import Faker

from revops_assets.sources.synthetic import catalog
from revops_assets.sources.synthetic.catalog import Country, Industry
from revops_assets.sources.synthetic.noise import Noise


@dataclass
class Person:
    first: str
    last: str
    email: str
    phone: str
    title: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class AwsAccount:
    number: str  # 12 digits, leading zeros allowed
    label: str  # environment, e.g. "Production"
    alias: str
    is_payer: bool
    payer: str | None  # number of the payer (management) account
    status: str  # ACTIVE | SUSPENDED | CLOSED
    root_email: str
    opened: date
    closed: date | None
    resold: bool  # billed through the partner (Solution Provider Program)


@dataclass
class Company:
    key: int
    country: Country
    industry: Industry
    base: str  # name without the legal form
    legal: str  # legal-form suffix
    local_name: str | None  # native-script legal name (Japanese companies)
    domain: str
    alt_domain: str | None  # another TLD or the corporate e-mail domain
    email_domain: str
    city: str
    city_en: str
    zip: str
    street: str
    state_code: str | None
    phone: str
    duns: str | None
    size: float  # spend multiplier
    lang: str
    vat: str | None
    contacts: list[Person] = field(default_factory=list)
    accounts: list[AwsAccount] = field(default_factory=list)

    @property
    def legal_name(self) -> str:
        return f"{self.base} {self.legal}".strip()

    @property
    def short(self) -> str:
        return self.base


# -- text helpers -------------------------------------------------------------------------------------------------
_SPECIAL_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                               "ł": "l", "Ł": "L", "–": "-"})


def strip_accents(text: str) -> str:
    """ASCII-fold Latin letters (Müller -> Muller); other scripts are left alone."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", strip_accents(text).lower())


def typo(r: random.Random, text: str) -> str:
    """One keyboard slip: swapped, dropped or doubled letter."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = r.choice(letters[1:-1])
    kind = r.random()
    if kind < 0.4 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind < 0.7:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


def postcode(r: random.Random, pattern: str) -> str:
    return "".join(
        str(r.randrange(10)) if ch == "9" else chr(65 + r.randrange(26)) if ch == "A" else ch for ch in pattern
    )


# -- people pools -------------------------------------------------------------------------------------------------
class NamePools:
    """Per-locale pools of first names, last names and streets drawn once from a seeded Faker.

    Sampling from pools is ~100x faster than calling Faker per row, and each locale has its own seed so the pools
    do not depend on the order locales are first used.
    """

    SIZE = 300

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._pools: dict[str, tuple[list[str], list[str], list[str]]] = {}
        self._jp_pairs: list[tuple[str, str]] = []

    def _pool(self, locale: str) -> tuple[list[str], list[str], list[str]]:
        if locale not in self._pools:
            fake = Faker(locale)
            fake.seed_instance(f"{self.seed}:{locale}")
            if locale == "ja_JP":
                firsts = [fake.first_romanized_name() for _ in range(self.SIZE)]
                lasts = [fake.last_romanized_name() for _ in range(self.SIZE)]
            else:
                firsts = [fake.first_name() for _ in range(self.SIZE)]
                lasts = [fake.last_name() for _ in range(self.SIZE)]
            streets = [fake.street_address().replace("\n", ", ") for _ in range(self.SIZE // 2)]
            self._pools[locale] = (firsts, lasts, streets)
        return self._pools[locale]

    def first(self, r: random.Random, locale: str) -> str:
        return r.choice(self._pool(locale)[0])

    def last(self, r: random.Random, locale: str) -> str:
        return r.choice(self._pool(locale)[1])

    def street(self, r: random.Random, locale: str) -> str:
        return r.choice(self._pool(locale)[2])

    def japanese_surnames(self, r: random.Random) -> tuple[str, str]:
        """(kanji, romaji) of one surname, for company names written both ways."""
        if not self._jp_pairs:
            fake = Faker("ja_JP")
            fake.seed_instance(f"{self.seed}:ja_JP:pairs")
            self._jp_pairs = [(kanji, romaji) for kanji, _kana, romaji in
                              (fake.last_name_pair() for _ in range(self.SIZE))]
        return r.choice(self._jp_pairs)


# -- company names ------------------------------------------------------------------------------------------------
_SECTOR_WORDS = {
    "de_DE": catalog.DE_SECTORS, "de_CH": catalog.DE_SECTORS, "fr_FR": catalog.FR_SECTORS,
    "es_ES": catalog.ES_SECTORS, "es_MX": catalog.ES_SECTORS, "it_IT": catalog.IT_SECTORS,
    "nl_NL": catalog.NL_SECTORS, "pt_BR": catalog.PT_SECTORS, "sv_SE": catalog.SV_SECTORS,
}
_GROUP_WORD = {"fr_FR": "Groupe", "es_ES": "Grupo", "es_MX": "Grupo", "it_IT": "Gruppo", "pt_BR": "Grupo",
               "de_DE": "Gruppe", "nl_NL": "Groep"}
_AND_WORD = {"de_DE": "&", "fr_FR": "et", "es_ES": "y", "it_IT": "&", "nl_NL": "&", "pt_BR": "&", "sv_SE": "&"}


def company_base_name(r: random.Random, pools: NamePools, country: Country) -> tuple[str, str | None, str | None]:
    """(base name, native legal name or None, romaji category) for a new company in `country`."""
    loc = country.locale
    if loc == "ja_JP":
        kanji, romaji = pools.japanese_surnames(r)
        jp, ro, en = r.choice(catalog.JP_CATEGORIES)
        base = f"{romaji} {ro if r.random() < 0.6 else en}"
        return base, f"株式会社{kanji}{jp}", ro
    roll = r.random()
    if loc in _SECTOR_WORDS and roll < 0.75:
        sectors = _SECTOR_WORDS[loc]
        sub = r.random()
        if sub < 0.55:
            return f"{pools.last(r, loc)} {r.choice(sectors)}", None, None
        if sub < 0.75 and loc in _GROUP_WORD:
            return f"{_GROUP_WORD[loc]} {pools.last(r, loc)}", None, None
        if sub < 0.9:
            return f"{pools.last(r, loc)} {_AND_WORD.get(loc, '&')} {pools.last(r, loc)}", None, None
        if loc == "fr_FR":
            sector = r.choice(sectors)
            link = "d'" if sector[0] in "AEIOUÉÈaeiou" else "de "
            return f"Société {r.choice(('Générale', 'Nouvelle', 'Lyonnaise', 'Française'))} {link}{sector}", None, None
        return f"{r.choice(catalog.EN_ADJECTIVES)} {r.choice(sectors)}", None, None
    sub = r.random()
    if sub < 0.35:
        return f"{r.choice(catalog.EN_ADJECTIVES)} {r.choice(catalog.EN_NOUNS)} {r.choice(catalog.EN_SECTORS)}", \
            None, None
    if sub < 0.55:
        return f"{r.choice(catalog.BLEND_HEADS)}{r.choice(catalog.BLEND_TAILS)}", None, None
    if sub < 0.75:
        return f"{pools.last(r, loc)} {r.choice(catalog.EN_SECTORS)}", None, None
    if sub < 0.85:
        return f"{pools.last(r, loc)} & {pools.last(r, loc)}", None, None
    if sub < 0.92:
        return f"The {r.choice(catalog.EN_ADJECTIVES)} {r.choice(catalog.EN_NOUNS)} Company", None, None
    return f"{r.choice(catalog.EN_ADJECTIVES)}{r.choice(catalog.EN_NOUNS).lower()} {r.choice(catalog.EN_SECTORS)}", \
        None, None


def _domain_stem(r: random.Random, base: str) -> str:
    words = [w for w in re.split(r"[\s&,.\-]+", strip_accents(base)) if w and w.lower() not in ("the", "and", "et",
                                                                                                  "y", "de")]
    roll = r.random()
    if len(words) >= 3 and roll < 0.25:
        return slug("".join(words[:-1]))
    if len(words) >= 2 and roll < 0.4:
        return "-".join(slug(w) for w in words)
    if len(words) >= 3 and roll < 0.5:
        return slug("".join(w[0] for w in words[:-1]) + words[-1])
    return slug("".join(words))


def make_domain(r: random.Random, base: str, country: Country, taken: set[str]) -> str:
    stem = _domain_stem(r, base) or "company"
    tld = country.tlds[0] if r.random() < 0.7 else r.choice(country.tlds)
    domain = stem + tld
    extras = ("group", "global", "hq", "online", country.code.lower(), "corp")
    tries = 0
    while domain in taken:
        domain = f"{stem}{r.choice(extras)}{tld}" if tries < 6 else f"{stem}{r.randrange(10, 999)}{tld}"
        tries += 1
    taken.add(domain)
    return domain


def alternate_domain(r: random.Random, domain: str, country: Country, taken: set[str]) -> str | None:
    """A second domain the same company uses: other TLD, group domain or a regional one."""
    stem, _, tld = domain.partition(".")
    options = [f"{stem}{t}" for t in (".com", ".net", *country.tlds) if f".{tld}" != t]
    options += [f"{stem}group.com", f"{stem}-{country.code.lower()}.com", f"{stem}corp.com"]
    r.shuffle(options)
    for cand in options:
        if cand not in taken:
            taken.add(cand)
            return cand
    return None


# -- variants -----------------------------------------------------------------------------------------------------
def _swap_and(text: str, r: random.Random) -> str:
    if " & " in text:
        return text.replace(" & ", " and " if r.random() < 0.8 else "&", 1)
    if " and " in text:
        return text.replace(" and ", " & ", 1)
    return text


def _abbreviate(text: str, r: random.Random) -> str:
    words = text.split(" ")
    hits = [i for i, w in enumerate(words) if w in catalog.ABBREVIATIONS]
    if not hits:
        return text
    i = r.choice(hits)
    words[i] = catalog.ABBREVIATIONS[words[i]]
    return " ".join(words)


def name_variant(r: random.Random, company: Company, noise: Noise) -> str:
    """The company as a person typed it into a CRM form."""
    if company.local_name and r.random() < 0.45:
        name = company.local_name if r.random() < 0.8 else company.local_name.replace("株式会社", "") + " 株式会社"
        return name
    base = company.base
    if r.random() < noise.p(0.12):
        base = _abbreviate(base, r)
    if r.random() < noise.p(0.25):
        base = _swap_and(base, r)
    words = base.split(" ")
    if len(words) >= 3 and words[-1] in catalog.SECTOR_INDUSTRY and words[-2] not in ("&", "and", "et", "y") \
            and r.random() < noise.p(0.06):
        base = " ".join(words[:-1])  # "Blue Ridge Logistics" -> "Blue Ridge"
    if base.startswith("The ") and r.random() < noise.p(0.4):
        base = base[4:]
    elif not base.startswith("The ") and company.country.locale.startswith("en") and r.random() < noise.p(0.02):
        base = "The " + base
    if len(words) >= 3 and r.random() < noise.p(0.015):
        base = "".join(w[0] for w in words if w[0].isalpha()).upper()
    suffix = company.legal
    roll = r.random()
    if roll < noise.p(0.3):
        suffix = ""
    elif roll < noise.p(0.3) + noise.p(0.12):
        suffix = r.choice(company.country.suffixes)
    if suffix.endswith(".") and r.random() < noise.p(0.2):
        suffix = suffix.rstrip(".")
    name = f"{base}, {suffix}" if suffix and r.random() < noise.p(0.08) else f"{base} {suffix}".strip()
    if r.random() < noise.p(0.3):
        name = strip_accents(name)
    roll = r.random()
    if roll < noise.p(0.05):
        name = name.upper()
    elif roll < noise.p(0.05) + noise.p(0.02):
        name = name.lower()
    if r.random() < noise.p(0.025):
        name = typo(r, name)
    if r.random() < noise.p(0.015):
        name = name.replace(" ", "  ", 1) if r.random() < 0.5 else name + " "
    return name


_GERMAN_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def native_variant(r: random.Random, company: Company) -> str | None:
    """The company in its own script or another transliteration than the CRM's: a Japanese company in kanji, or
    with a kanji surname before romaji words ("吉田 Bussan K.K." for Yoshida Bussan); a German umlaut name written
    the German ASCII way ("Mueller" for "Müller"). None when the name has no such form."""
    if company.local_name:
        category = next((jp for jp, _ro, _en in catalog.JP_CATEGORIES if company.local_name.endswith(jp)), "")
        kanji = company.local_name.removeprefix("株式会社").removesuffix(category)
        rest = company.base.split(" ", 1)[1] if " " in company.base else ""
        return r.choice((company.local_name, f"{kanji} {rest} {company.legal}".replace("  ", " ").strip(),
                         f"{kanji}{category} {company.legal}"))
    translit = company.legal_name.translate(_GERMAN_TRANSLIT)
    return translit if translit != company.legal_name else None


def website_variant(r: random.Random, company: Company, noise: Noise, *, invalid_rate: float = 0.004) -> str:
    """A website as typed: scheme, www, trailing path, other domain; rarely garbage."""
    if r.random() < noise.p(invalid_rate):
        return r.choice(("n/a", "htp://" + company.domain.split(".")[0], company.domain.split(".")[0],
                         f"info@{company.domain}", "www.", "-"))
    domain = company.domain
    if company.alt_domain and r.random() < noise.p(0.15):
        domain = company.alt_domain
    form = r.random()
    if form < 0.35:
        url = f"https://www.{domain}"
    elif form < 0.5:
        url = f"http://www.{domain}"
    elif form < 0.65:
        url = f"www.{domain}"
    elif form < 0.8:
        url = domain
    elif form < 0.9:
        url = f"https://{domain}/"
    else:
        url = f"https://www.{domain}/{r.choice(('en', 'home', 'en-us', 'index.html', 'about'))}"
    if r.random() < noise.p(0.03):
        url = url.upper()
    return url


def email_variant(r: random.Random, person: Person, company: Company, noise: Noise) -> str:
    """The contact's e-mail: usually the corporate one, sometimes another company domain or free mail."""
    if r.random() < noise.p(0.06):
        local = f"{slug(person.first)}.{slug(person.last)}{r.randrange(1, 99) if r.random() < 0.5 else ''}"
        return f"{local}@{r.choice(catalog.FREE_MAIL_DOMAINS)}"
    email = person.email
    if company.alt_domain and r.random() < noise.p(0.1):
        email = email.split("@")[0] + "@" + company.alt_domain
    if r.random() < noise.p(0.04):
        email = email.capitalize() if r.random() < 0.5 else email.upper()
    return email


# -- the universe -------------------------------------------------------------------------------------------------
def _weighted(r: random.Random, items, weights):
    return r.choices(items, weights=weights, k=1)[0]


def _account_number(r: random.Random, taken: set[str]) -> str:
    while True:
        number = str(r.randrange(10**10, 10**11)).zfill(12) if r.random() < 0.08 else str(r.randrange(10**11, 10**12))
        if number not in taken:
            taken.add(number)
            return number


_ENVIRONMENTS = ("Production", "Development", "Staging", "Shared Services", "Sandbox", "Log Archive", "Security",
                 "Data Platform", "Test")


def make_accounts(r: random.Random, company: Company, taken: set[str], today: date,
                  partner_payers: dict[str, str]) -> list[AwsAccount]:
    """0-6 AWS accounts; resold companies sit under the partner's payer account (Solution Provider Program)."""
    count = _weighted(r, (0, 1, 2, 3, 4, 6), (22, 43, 17, 9, 6, 3))
    if not count:
        return []
    resold = r.random() < 0.75
    envs = ["Production", *r.sample(_ENVIRONMENTS[1:], k=min(count - 1, len(_ENVIRONMENTS) - 1))]
    alias_stem = slug(company.base)[:18] or "acct"
    accounts: list[AwsAccount] = []
    for i, env in enumerate(envs):
        number = _account_number(r, taken)
        opened = date(today.year - r.choice((1, 2, 3, 4, 5)), r.randrange(1, 13), 1)
        status, closed = "ACTIVE", None
        roll = r.random()
        if roll < 0.06:
            status = "CLOSED"
            closed = date(today.year - r.choice((0, 1)), r.randrange(1, 13), 1)
            if closed <= opened or closed > today:
                status, closed = "ACTIVE", None
        elif roll < 0.09:
            status = "SUSPENDED"
        is_payer = not resold and i == 0
        payer = None
        if resold:
            payer = partner_payers[company.country.currency if company.country.currency in partner_payers else "USD"]
        elif i > 0:
            payer = accounts[0].number
        env_slug = env.lower().replace(" ", "-")
        root = r.choice((f"aws-{env_slug}@{company.email_domain}", f"aws+{env_slug}@{company.email_domain}",
                         f"cloud-admin+{i}@{company.email_domain}"))
        accounts.append(AwsAccount(number, env, f"{alias_stem}-{env_slug[:4]}", is_payer, payer, status, root, opened,
                                   closed, resold))
    return accounts


def make_company(r: random.Random, key: int, pools: NamePools, taken_domains: set[str], taken_accounts: set[str],
                 used_names: set[str], today: date, partner_payers: dict[str, str]) -> Company:
    country = _weighted(r, catalog.COUNTRIES, [c.weight for c in catalog.COUNTRIES])
    industry = _weighted(r, catalog.INDUSTRIES, [i.weight for i in catalog.INDUSTRIES])
    for _ in range(8):
        base, local, _ro = company_base_name(r, pools, country)
        # A few exact-name collisions stay: different companies with the same name are real hard negatives.
        if base not in used_names or r.random() < 0.02:
            break
    used_names.add(base)
    hinted = next((catalog.SECTOR_INDUSTRY[w] for w in base.replace("'", " ").split() if w in catalog.SECTOR_INDUSTRY),
                  None)
    if hinted and r.random() < 0.85:
        industry = next(i for i in catalog.INDUSTRIES if i.ace == hinted)
    legal = country.suffixes[0] if r.random() < 0.6 else r.choice(country.suffixes)
    if local:
        legal = "KK" if r.random() < 0.6 else "Co., Ltd."
    domain = make_domain(r, base, country, taken_domains)
    alt = alternate_domain(r, domain, country, taken_domains) if r.random() < 0.25 else None
    email_domain = alt if alt and r.random() < 0.4 else domain
    city_pair = r.choice(country.cities)
    city, city_en = city_pair[0], city_pair[-1]
    state = catalog.CITY_STATES.get(city)
    loc = country.locale
    lang = {"de_DE": "de_DE", "de_CH": "de_DE", "fr_FR": "fr_FR", "es_ES": "es_ES", "es_MX": "es_ES",
            "ja_JP": "ja_JP", "it_IT": "it_IT", "nl_NL": "nl_NL", "pt_BR": "pt_BR", "sv_SE": "sv_SE"}.get(loc, "en_US")
    company = Company(
        key=key, country=country, industry=industry, base=base, legal=legal, local_name=local and f"{local}",
        domain=domain, alt_domain=alt, email_domain=email_domain, city=city, city_en=city_en,
        zip=postcode(r, country.postcode), street=pools.street(r, loc), state_code=state,
        phone=f"+{country.phone_code} {r.randrange(100, 999)} {r.randrange(100, 999)} {r.randrange(1000, 9999)}",
        duns=str(r.randrange(10**8, 10**9)) if r.random() < 0.35 else None,
        size=r.lognormvariate(0.0, 0.9), lang=lang,
        vat=f"{country.code}{r.randrange(10**8, 10**9)}" if r.random() < 0.6 else None,
    )
    for _ in range(_weighted(r, (1, 2, 3, 4), (45, 30, 17, 8))):
        first, last = pools.first(r, loc), pools.last(r, loc)
        fmt = r.random()
        local_part = (f"{slug(first)}.{slug(last)}" if fmt < 0.6 else f"{slug(first)[:1]}{slug(last)}" if fmt < 0.85
                      else slug(first))
        company.contacts.append(Person(
            first, last, f"{local_part or 'contact'}@{email_domain}",
            f"+{country.phone_code} {r.randrange(100, 999)} {r.randrange(1000000, 9999999)}",
            r.choice(catalog.JOB_TITLES)))
    company.accounts = make_accounts(r, company, taken_accounts, today, partner_payers)
    return company
