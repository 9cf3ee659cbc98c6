"""Real-world variants the core layer meets, table by table, plus a robustness sweep over odd unicode.

Pure functions only: no Dagster, no database.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

import pytest

from revops_assets.core.normalize import (
    PICKLIST_FIELDS,
    canonical_values,
    clean_text,
    company_domain,
    company_key,
    content_hash,
    context_text,
    country_name,
    extract_domain,
    fold,
    html_to_text,
    identity_text,
    is_free_mail_domain,
    is_valid_aws_account_id,
    normalize_ace_closed_lost_reason,
    normalize_ace_delivery_model,
    normalize_ace_industry,
    normalize_ace_opportunity_type,
    normalize_ace_origin,
    normalize_ace_picklist,
    normalize_ace_stage,
    normalize_ace_status,
    normalize_ace_use_case,
    normalize_aws_account_id,
    normalize_company_name,
    normalize_country,
    parse_odoo_id,
    rebase_rates,
    sanitize_amount,
    sanitize_date,
    to_usd,
    translated_name,
)
from revops_assets.core.normalize._data import load_yaml

# ----------------------------------------------------------------------------------------------------------------
# Company names


@pytest.mark.parametrize(
    "variants",
    [
        ["Amazon Web Services, Inc.", "AMAZON WEB SERVICES INC", "amazon web services", "Amazon Web Services LLC"],
        ["Société Générale S.A.", "Societe Generale", "SOCIETE GENERALE SA", "Société Générale"],
        ["Siemens AG", "SIEMENS A.G.", "siemens"],
        ["Grupo Bimbo, S.A.B. de C.V.", "Grupo Bimbo SAB de CV", "grupo bimbo"],
        ["Foo GmbH & Co. KG", "FOO GMBH", "Foo"],
        ["Maersk A/S", "Maersk AS", "MAERSK"],
        ["Acme Pty Ltd", "Acme Pty. Ltd.", "ACME PTY LIMITED", "Acme"],
        ["DBS Bank Pte. Ltd.", "DBS Bank Pte Ltd", "DBS Bank"],
        ["Infosys Pvt. Ltd.", "Infosys Private Limited", "Infosys"],
        ["Fiat S.p.A.", "Fiat SpA", "Fiat"],
        ["Toyota K.K.", "Toyota KK", "Toyota"],
        ["トヨタ自動車株式会社", "株式会社トヨタ自動車", "トヨタ自動車"],
        ["(株)日立製作所", "㈱日立製作所", "日立製作所"],
        ["PT Bank Central Asia Tbk", "Bank Central Asia"],
        ["The Coca-Cola Company", "Coca-Cola", "coca cola"],
        ["McDonald's Corporation", "McDonalds Corp.", "MCDONALD’S"],
        ["Nestlé S.A.", "Nestle SA", "NESTLÉ"],
        ["Ørsted A/S", "Orsted"],
        ["Telefónica, S.A.", "Telefonica"],
        ["Banco do Brasil S/A", "Banco do Brasil Ltda.", "Banco do Brasil"],
        ["Acme Sp. z o.o.", "Acme sp. z o. o.", "Acme"],
        ["ＡＣＭＥ　Ｉｎｃ．", "Acme Inc"],
    ],
)
def test_company_name_variants_normalize_equal(variants):
    assert len({normalize_company_name(v) for v in variants}) == 1


@pytest.mark.parametrize(
    "variants",
    [  # legal forms found only in the GLEIF list
        ["Siemens Aktiengesellschaft", "Siemens AG", "Siemens"],
        ["Acme Kabushiki Kaisha", "Acme K.K.", "Acme"],
        ["Nokia Oyj", "Nokia Osakeyhtiö", "Nokia"],
        ["Volvo Aktiebolag", "Volvo AB", "Volvo"],
        ["Amazon.com, Inc.", "Amazon"],
    ],
)
def test_gleif_legal_forms_are_removed(variants):
    assert len({normalize_company_name(v) for v in variants}) == 1


def test_ordinary_words_of_the_gleif_list_stay_in_names():
    assert normalize_company_name("Northern Trust Corporation") == "northern trust"
    assert normalize_company_name("Bill and Melinda Gates Foundation") == "bill and melinda gates foundation"


def test_company_keys_are_transliterated():
    assert company_key("ООО Ромашка") == company_key("Romashka LLC") == "romashka"
    assert company_key("Αθηνα Α.Ε.").isascii()
    assert normalize_company_name("ООО Ромашка") == "ромашка"  # what a reviewer reads keeps its script


def test_japanese_names_have_a_hepburn_reading_with_short_long_vowels():
    from revops_assets.core.normalize.companies import japanese_reading, transliterate

    assert japanese_reading("佐藤工業") == "sato kogyo"  # anyascii reads the kanji as Chinese
    assert transliterate("佐藤工業") != "sato kogyo"
    assert japanese_reading("林ソフト") == "hayashi sofuto"
    assert japanese_reading("吉田 Real Estate") == "yoshida real estate"
    assert japanese_reading("Yoshida Real Estate") is None and japanese_reading("ООО Ромашка") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Amazon Web Services, Inc.", "amazon web services"),
        ("Société Générale S.A.", "societe generale"),
        ("AT&T Inc.", "at and t"),
        ("J.P. Morgan Chase & Co.", "jp morgan chase"),
        ("The Home Depot, Inc.", "home depot"),
        ("Wal-Mart Stores Inc.", "wal mart stores"),
        ("The Company", "company"),  # never empties a name made only of legal words
        ("Co.", "co"),
        ("Limited Brands Inc", "limited brands"),  # legal words only go at the ends
        ("ООО Ромашка", "ромашка"),
        ("삼성전자 주식회사", "삼성전자"),
        ("  Müller   &  Söhne  GmbH ", "muller and sohne"),
        ("", ""),
        (None, ""),
        (12345, "12345"),
    ],
)
def test_normalize_company_name(raw, expected):
    assert normalize_company_name(raw) == expected


@pytest.mark.parametrize(
    "variants",
    [
        ["Wal-Mart Stores Inc.", "Walmart", "WALMART STORES", "Wal Mart"],
        ["Cisco Systems, Inc.", "Cisco"],
        ["BHP Group Limited", "BHP"],
        ["Huawei Technologies Co., Ltd.", "Huawei"],
        ["AT&T Inc.", "AT and T", "ATT"],
        ["Coca-Cola", "CocaCola", "Coca Cola Company"],
        ["Amazon Web Services, Inc.", "amazon web services", "AmazonWebServices"],
    ],
)
def test_company_key_variants_equal(variants):
    assert len({company_key(v) for v in variants}) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Amazon Web Services", "Amazon"),  # "services" keeps its meaning
        ("Global Payments Inc", "Payments Inc"),  # generic words only dropped at the end
        ("Acme Corp", "Apex Corp"),
    ],
)
def test_company_key_keeps_distinct_names_apart(a, b):
    assert company_key(a) != company_key(b)


# ----------------------------------------------------------------------------------------------------------------
# Domains


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.Example.co.uk/about", "example.co.uk"),
        ("info@example.co.uk", "example.co.uk"),
        ("http://shop.example.com:8080/x", "example.com"),
        ("www.example.com.", "example.com"),
        ("EXAMPLE.COM/path?q=1#frag", "example.com"),
        ("http://user:pw@sub.example.com.au:443/", "example.com.au"),
        ("mailto:jane@acme.io", "acme.io"),
        ("Jane Doe <jane.doe@acme.de>", "acme.de"),
        ("J. Doe <jane@acme.de>", "acme.de"),
        ("example.com, other.com", "example.com"),
        ("https://sub.domain.gov.uk", "domain.gov.uk"),
        ("www.tokyo-corp.co.jp", "tokyo-corp.co.jp"),
        ("https://loja.exemplo.com.br/", "exemplo.com.br"),
        ("https://münchen.de/x", "xn--mnchen-3ya.de"),
        ("test@test.com", "test.com"),  # an address typed into a website field still names a domain
        ("http://[::1", None),
        ("http://192.168.0.1/", None),
        ("localhost", None),
        ("co.uk", None),
        ("not a url", None),
        ("http://-bad-.com", None),
        ("https://", None),
        ("a@b", None),
        ("", None),
        (None, None),
    ],
)
def test_extract_domain(value, expected):
    assert extract_domain(value) == expected


@pytest.mark.parametrize(
    ("domain", "free"),
    [
        ("gmail.com", True),
        ("googlemail.com", True),
        ("yahoo.co.uk", True),
        ("mail.yahoo.com", True),
        ("hotmail.fr", True),
        ("jane@outlook.com", True),
        ("gmx.de", True),
        ("web.de", True),
        ("proton.me", True),
        ("qq.com", True),
        ("163.com", True),
        ("yandex.ru", True),
        ("acme.com", False),
        ("amazon.com", False),
        (None, False),
        ("garbage", False),
    ],
)
def test_is_free_mail_domain(domain, free):
    assert is_free_mail_domain(domain) is free


@pytest.mark.parametrize(
    ("website", "email", "expected"),
    [
        ("https://www.acme.com", "bob@other.com", "acme.com"),
        (None, "bob@acme.com", "acme.com"),
        (None, "bob@gmail.com", None),
        ("", "jane.doe@yahoo.co.uk", None),
        ("gmail.com", "bob@acme.com", "acme.com"),  # a free-mail "website" is no website
        ("not a url", "bob@acme.de", "acme.de"),
        (None, None, None),
    ],
)
def test_company_domain(website, email, expected):
    assert company_domain(website, email) == expected


# ----------------------------------------------------------------------------------------------------------------
# HTML and translated names


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("a < b", "a < b"),
        ("x &amp y &amp", "x & y &"),
        ("R&D\nteam", "R&D\nteam"),
        ("<p>Hello</p><p>World<br>again</p><ul><li>one</li><li>two</li></ul>", "Hello\nWorld\nagain\none\ntwo"),
        ("<script>alert(1)</script>Text<style>p{color:red}</style> end", "Text end"),
        ("<div>a &lt;b&gt; c &nbsp; d</div>", "a <b> c d"),
        ("<p>Caf&eacute; &#8211; d&#233;j&#xE0; vu</p>", "Café – déjà vu"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ("<p>line\n   wrapped   in source</p>", "line wrapped in source"),
        ("<p>x\x00y</p>", "xy"),
        ("<![CDATA[x]]>y", "y"),
        ("<p></p><br/><br/>", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ({"en_US": "Won", "fr_FR": "Gagné"}, "en_US", "Won"),
        ({"en_US": "Won", "fr_FR": "Gagné"}, "fr_FR", "Gagné"),
        ('{"en_US": "Won", "fr_FR": "Gagné"}', "en_US", "Won"),
        ('{"en_US": "Won", "fr_FR": "Gagné"}', "fr_BE", "Gagné"),  # same language, other country
        ({"en_US": "Won"}, "de_DE", "Won"),  # falls back to en_US
        ('{"fr_FR": "Gagné", "de_DE": "Gewonnen"}', "en_US", "Gagné"),  # then the first non-empty
        ({"en_US": "", "de_DE": "Gewonnen"}, "en_US", "Gewonnen"),
        ("Won", "en_US", "Won"),
        ("  New   Stage ", "en_US", "New Stage"),
        ("{not json", "en_US", "{not json"),
        ("123", "en_US", "123"),
        ({}, "en_US", None),
        ({"en_US": None}, "en_US", None),
        ("", "en_US", None),
        (None, "en_US", None),
    ],
)
def test_translated_name(value, lang, expected):
    assert translated_name(value, lang) == expected


# ----------------------------------------------------------------------------------------------------------------
# ACE picklists: legacy spellings (reference StandardValues.csv) vs API values

LEGACY_TO_API = [
    (normalize_ace_stage, "Closed Lost", "Closed Lost"),
    (normalize_ace_stage, "Closed lost", "Closed Lost"),
    (normalize_ace_stage, "CLOSED_LOST", "Closed Lost"),
    (normalize_ace_stage, "closed-lost", "Closed Lost"),
    (normalize_ace_stage, "technical validation", "Technical Validation"),
    (normalize_ace_stage, "Closed Won", "Launched"),
    (normalize_ace_status, "Draft", "Pending Submission"),
    (normalize_ace_status, "Pending Submission", "Pending Submission"),
    (normalize_ace_status, "In Review", "In review"),
    (normalize_ace_status, "IN_REVIEW", "In review"),
    (normalize_ace_status, "Action Required", "Action Required"),
    (normalize_ace_origin, "Partner Referral", "Partner Referral"),
    (normalize_ace_origin, "AWS Referral", "AWS Referral"),
    (normalize_ace_origin, "Partner Originated", "Partner Referral"),
    (normalize_ace_origin, "aws-originated", "AWS Referral"),
    (normalize_ace_industry, "Computers & Electronics", "Computers and Electronics"),
    (normalize_ace_industry, "Energy - Oil & Gas", "Energy - Oil and Gas"),
    (normalize_ace_industry, "Energy – Power & Utilities", "Energy - Power and Utilities"),
    (normalize_ace_industry, "Marketing & Advertising", "Marketing and Advertising"),
    (normalize_ace_industry, "Media & Entertainment", "Media and Entertainment"),
    (normalize_ace_industry, "Real Estate & Construction", "Real Estate and Construction"),
    (normalize_ace_industry, "Software & Internet", "Software and Internet"),
    (normalize_ace_industry, "Transportation & Logistics", "Transportation and Logistics"),
    (normalize_ace_industry, "Wholesale & Distribution", "Wholesale and Distribution"),
    (normalize_ace_industry, "Non Profit", "Non-Profit Organization"),
    (normalize_ace_industry, "financial services", "Financial Services"),
    (normalize_ace_closed_lost_reason, "Lost to Competitor – Google", "Lost to Competitor - Google"),
    (normalize_ace_closed_lost_reason, "Lost to Competitor – VMWare", "Lost to Competitor - VMWare"),
    (normalize_ace_closed_lost_reason, "lost to competitor—other", "Lost to Competitor - Other"),
    (normalize_ace_closed_lost_reason, "Delay / Cancellation of Project", "Delay / Cancellation of Project"),
    (normalize_ace_delivery_model, "SaaS or PaaS", "SaaS or PaaS"),
    (normalize_ace_delivery_model, "SaaS;Resell", "SaaS or PaaS;Resell"),
    (normalize_ace_delivery_model, "BYOL/AMI; byol or ami | Managed Services", "BYOL or AMI;Managed Services"),
    (normalize_ace_use_case, "Business Applications and Contact Center", "Business Applications & Contact Center"),
    (normalize_ace_use_case, "IoT", "IOT"),
    (normalize_ace_opportunity_type, "net new business", "Net New Business"),
]


@pytest.mark.parametrize(("normalize", "raw", "expected"), LEGACY_TO_API)
def test_ace_legacy_spellings_map_to_api_values(normalize, raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "normalize",
    [normalize_ace_stage, normalize_ace_status, normalize_ace_origin, normalize_ace_industry,
     normalize_ace_delivery_model, normalize_ace_closed_lost_reason],
)
@pytest.mark.parametrize("raw", [None, "", "   ", "Accept to View", "???", 42])
def test_ace_unknown_values_are_none(normalize, raw):
    assert normalize(raw) is None


@pytest.mark.parametrize("field", PICKLIST_FIELDS)
def test_canonical_values_are_fixed_points(field):
    values = canonical_values(field)
    assert values
    for value in values:
        assert normalize_ace_picklist(field, value) == value


# ----------------------------------------------------------------------------------------------------------------
# Countries


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("United States", "US"),
        ("USA", "US"),
        ("us", "US"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("UK", "GB"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("St. Lucia", "LC"),
        ("Norway", "NO"),
        ("NO", "NO"),
        ("Korea, Republic of", "KR"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Türkiye", "TR"),
        ("VIRGIN ISLANDS, U.S.", "VI"),
        ("Democratic Republic Of The Congo", "CD"),
        ('{"en_US": "Germany", "de_DE": "Deutschland"}', "DE"),
        ({"en_US": "France"}, "FR"),
        ("Accept to View", None),
        ("XX", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_country(value, expected):
    assert normalize_country(value) == expected


def test_every_ace_legacy_country_name_maps_to_its_code():
    table = load_yaml("ace_picklists.yaml")["countries"]
    assert len(table) >= 245
    for code, names in table.items():
        code = str(code)
        assert normalize_country(code) == code
        for name in names:
            assert normalize_country(name) == code, name
        assert country_name(code) == names[0]


# ----------------------------------------------------------------------------------------------------------------
# Money, dates, account ids


@pytest.mark.parametrize(
    ("amount", "currency", "rates", "expected"),
    [
        (92, "EUR", {"EUR": 0.92}, 100.0),
        (Decimal("150"), "gbp", {"GBP": 0.75}, 200.0),
        (10, "USD", {}, 10.0),
        (10, "GBP", {}, None),
        (10, "EUR", {"EUR": 0}, None),
        (10, "EUR", {"EUR": float("nan")}, None),
        (None, "EUR", {"EUR": 1.0}, None),
        (10, None, {"EUR": 1.0}, None),
        (float("inf"), "USD", {}, None),
    ],
)
def test_to_usd(amount, currency, rates, expected):
    assert to_usd(amount, currency, rates) == (pytest.approx(expected) if expected is not None else None)


def test_rebase_rates_from_odoo_company_currency():
    # Odoo, company currency EUR: 1 EUR = 1.087 USD = 0.85 GBP
    rates = rebase_rates({"EUR": 1.0, "USD": 1.087, "GBP": 0.85})
    assert rates["USD"] == 1.0
    assert to_usd(100, "EUR", rates) == pytest.approx(108.7)
    assert to_usd(85, "GBP", rates) == pytest.approx(108.7)
    assert rebase_rates({"EUR": 1.0}) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2024, 5, 1), (dt.date(2024, 5, 1), None)),
        (dt.datetime(2024, 5, 1, 12), (dt.datetime(2024, 5, 1, 12), None)),
        ("2024-05-01", (dt.date(2024, 5, 1), None)),
        ("2024-05-01T10:00:00", (dt.date(2024, 5, 1), None)),
        (dt.date(1900, 1, 1), (None, "implausible date 1900-01-01")),
        (dt.datetime(1899, 12, 31, 5), (None, "implausible date 1899-12-31")),
        ("9999-12-31", (None, "implausible date 9999-12-31")),
        (dt.date(2100, 12, 31), (dt.date(2100, 12, 31), None)),
        ("0000-00-00", (None, "unparseable date '0000-00-00'")),
        ("garbage", (None, "unparseable date 'garbage'")),
        ("", (None, None)),
        (None, (None, None)),
        (float("nan"), (None, None)),
    ],
)
def test_sanitize_date(value, expected):
    assert sanitize_date(value) == expected


def test_sanitize_date_pandas_missing():
    pd = pytest.importorskip("pandas")
    assert sanitize_date(pd.NaT) == (None, None)
    assert sanitize_date(pd.Timestamp("2024-01-01"))[1] is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, (100.0, None)),
        ("1,234.50", (1234.5, None)),
        (Decimal("12.5"), (12.5, None)),
        (0, (None, "non-positive amount 0")),
        (-5, (None, "non-positive amount -5")),
        ("abc", (None, "unparseable amount 'abc'")),
        (float("inf"), (None, "non-finite amount inf")),
        (float("nan"), (None, None)),
        (None, (None, None)),
    ],
)
def test_sanitize_amount(value, expected):
    assert sanitize_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123456789012", "123456789012"),
        ("1234-5678-9012", "123456789012"),
        (" 1234 5678 9012 ", "123456789012"),
        ("１２３４５６７８９０１２", "123456789012"),
        ("123456789012.0", "123456789012"),
        (123456789012, "123456789012"),
        (12345678901, "012345678901"),  # a numeric column lost the leading zero
        (123456789012.0, "123456789012"),
        ("12345678901", None),  # strings are not padded
        ("1234567890123", None),
        ("12345678901a", None),
        ("Accept to View", None),
        (-1, None),
        (True, None),
        (float("nan"), None),
        (None, None),
    ],
)
def test_aws_account_id(value, expected):
    assert normalize_aws_account_id(value) == expected
    assert is_valid_aws_account_id(value) is (expected is not None)


def test_the_warehouse_reads_account_numbers_as_the_python_reference_does(pg):
    """core.aws_account_id (sql/warehouse/functions.sql), used by set-based core builds, on text as typed."""
    import psycopg2

    from revops_assets.warehouse.ddl import apply_warehouse_ddl

    dsn = pg.create_database("wh_account_ids")
    apply_warehouse_ddl(dsn)
    typed = ["123456789012", "1234-5678-9012", " 1234 5678 9012 ", "１２３４５６７８９０１２", "123456789012.0",
             "1234\u20135678\u20149012", "1234\u22125678 9012", "12345678901", "1234567890123", "12345678901a",
             "Accept to View", "", None]
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select v, core.aws_account_id(v) from unnest(%s::text[]) with ordinality u(v, n) order by n",
                    (typed,))
        assert cur.fetchall() == [(v, normalize_aws_account_id(v)) for v in typed]


@pytest.mark.parametrize(
    "value, expected, kind",
    [
        ("123", "123", None),
        (" #123 ", "123", None),
        ("ODOO-123", "123", None),
        ("odoo id: 0123", "123", None),
        (4711, "4711", None),
        ("https://acme.odoo.com/web#id=42&model=crm.lead&view_type=form", "42", None),
        ("https://acme.odoo.com/web#id=42&model=res.partner", None, "not an Odoo id"),
        ("0060000YHbI5ED5", None, "Salesforce"),  # its trailing 5 is no Odoo id 5
        ("0060000YHbI5ED5AAQ", None, "Salesforce"),
        ("HS-477093", None, "HubSpot"),
        ("6F9619FF-8B86-D011-B42D-00C04FC964FF", None, "GUID"),
        ("deal 12 of 2024", None, "not an Odoo id"),
        ("99999999999", None, "not an Odoo id"),  # beyond an Odoo (integer) id
        ("0", None, "not an Odoo id"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_partner_crm_id_is_an_odoo_id_only_when_it_parses_as_one(value, expected, kind):
    parsed, reason = parse_odoo_id(value)
    assert parsed == expected
    assert (reason is None) if kind is None else (kind in reason)


# ----------------------------------------------------------------------------------------------------------------
# Texts for embeddings


def test_identity_text():
    assert identity_text("  Acme   Corp ", "ACME.com") == "Acme Corp (acme.com)"
    assert identity_text("Acme Corp", None) == "Acme Corp"
    assert identity_text(None, "acme.com") == "acme.com"
    assert identity_text(None, None) == ""


def test_context_text_format_and_truncation():
    text = context_text("Migrate DWH", "Line one\nline  two", "Database", "Retail")
    assert text == "Migrate DWH\nLine one line two\nUse case: Database\nIndustry: Retail"
    assert context_text("Title", None) == "Title"
    long = context_text(None, "word " * 1000)
    assert 1600 <= len(long) <= 2000 and long.endswith("word")


def test_content_hash():
    assert content_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert content_hash(None) == content_hash("")
    assert content_hash("a") != content_hash("b")
    assert len(content_hash("\ud800 lone surrogate")) == 64


# ----------------------------------------------------------------------------------------------------------------
# Robustness: totality and idempotence over odd unicode

_ALPHABET = (
    "abcXYZ 0123 .,;:-_/&'\"()<>@#%?!*+=[]{}|\\~`^"
    "éÉàçñøØßæœıİłđðþ"  # accents and special letters
    "\u0301\u0308\u0327"  # combining marks
    "ＡＢＣ１２３．＠"  # full-width
    "עברית العربية\u200f\u200e"  # RTL and direction marks
    "株式会社(株)㈱日本中文한국어주식회사"  # CJK
    "😀👍🏽👨‍👩‍👧🇫🇷"  # emoji, skin tone, ZWJ sequence, flag
    "\u00a0\u2009\u3000\u200b\ufeff\u2060\t\n\r"  # odd spaces and invisibles
    "\x01\x07\x1b\x7f\x85\x00"  # controls, NUL included
    "\ud800\udfff"  # lone surrogates
    "–—−¨´"
)
_WORDS = ["Inc.", "S.A.", "GmbH", "& Co.", "KG", "the", "a/s", "www.", "http://", ".co.uk", "@gmail.com", "<p>",
          "</b>", "&amp", "&#0;", "{\"en_US\": ", "\"}", "Pty Ltd", "Stores", "Group", "株式会社", "(株)", "s. a."]


def _random_strings(count: int = 400, seed: int = 20240501):
    rng = random.Random(seed)
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(0, 12)):
            if rng.random() < 0.3:
                pieces.append(rng.choice(_WORDS))
            else:
                pieces.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 6))))
            if rng.random() < 0.5:
                pieces.append(" ")
        yield "".join(pieces)


def _is_storable(text: str) -> bool:
    """Postgres text takes neither NUL nor lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


@pytest.mark.parametrize("value", list(_random_strings()))
def test_total_and_idempotent_over_odd_unicode(value):
    name = normalize_company_name(value)
    assert _is_storable(name)
    assert normalize_company_name(name) == name
    key = company_key(value)
    assert company_key(key) == key
    assert clean_text(clean_text(value)) == clean_text(value)
    assert fold(fold(value)) == fold(value)

    domain = extract_domain(value)
    if domain is not None:
        assert extract_domain(domain) == domain and domain.isascii()
    is_free_mail_domain(value)
    company_domain(value, value)

    text = html_to_text(value)
    assert _is_storable(text)
    assert _is_storable(translated_name(value) or "")

    for field in PICKLIST_FIELDS:
        canonical = normalize_ace_picklist(field, value)
        assert canonical is None or normalize_ace_picklist(field, canonical) == canonical
    country = normalize_country(value)
    assert country is None or normalize_country(country) == country

    assert _is_storable(identity_text(value, value)) and _is_storable(context_text(value, value, value, value))
    assert len(content_hash(value)) == 64
    sanitize_date(value)
    sanitize_amount(value)
    to_usd(value, value, {"EUR": 1.0})
    account = normalize_aws_account_id(value)
    assert account is None or len(account) == 12


@pytest.mark.parametrize("value", [b"bytes \xff", 3.5, float("nan"), [1, 2], {"a": 1}, object(), Decimal("NaN")])
def test_non_string_inputs_never_raise(value):
    for fn in (normalize_company_name, company_key, extract_domain, html_to_text, translated_name, normalize_country,
               normalize_ace_stage, normalize_ace_delivery_model, normalize_aws_account_id, content_hash,
               sanitize_date, sanitize_amount, clean_text):
        fn(value)
    assert math.isfinite(len(identity_text(value, value)))
