"""Core opportunities from both systems: resolved in SQL, normalized in Python, with the texts search embeds.

Bad input (empty names, broken HTML, invalid URLs, odd unicode, amounts <= 0, dates in 1900 or 9999, malformed AWS
account ids) never fails the build: the value is normalized or nulled and the reason lands in `quality_flags`.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg2 import sql

from revops_assets.core import normalize as nz
from revops_assets.core.build import NormColumn, core_sql, normalize_in_batches, swap_in


@dataclass(frozen=True)
class BuildStats:
    rows: int
    flagged: int


def company_fields(flags: list[str], customer, website, email) -> tuple[str, str, str | None]:
    """(normalized name, blocking key, web domain) of a deal's customer; problems appended to `flags`."""
    name_norm = nz.normalize_company_name(customer)
    if not name_norm:
        flags.append("empty company name")
    if website and not nz.extract_domain(website):
        flags.append(f"invalid website {str(website)[:80]!r}")
    return name_norm, nz.company_key(customer), nz.company_domain(website, email)


def _text_pair(company: str | None, domain: str | None, title, description, use_case, industry):
    identity = nz.identity_text(company, domain)
    context = nz.context_text(title, description, use_case, industry)
    return identity, nz.content_hash(identity), context, nz.content_hash(context)


# -- Odoo ---------------------------------------------------------------------------------------------------------
ODOO_NORM_COLUMNS = [
    NormColumn("odoo_opportunity_id", "integer primary key"),
    NormColumn("company_name_norm", "text"),
    NormColumn("company_key", "text"),
    NormColumn("domain", "text"),
    NormColumn("description_text", "text"),
    NormColumn("expected_revenue", "numeric"),
    NormColumn("expected_revenue_usd", "numeric"),
    NormColumn("date_deadline", "date"),
    NormColumn("aws_account_id", "text"),
    NormColumn("quality_flags", "text[]"),
    NormColumn("identity_text", "text"),
    NormColumn("identity_hash", "text"),
    NormColumn("context_text", "text"),
    NormColumn("context_hash", "text"),
]

ODOO_NORM_INPUT = """
select odoo_opportunity_id, customer_name, website, email, title, description_html, use_case, industry,
       expected_revenue, expected_revenue_usd, date_deadline, aws_account_id_raw
from _base
"""


def normalize_odoo_row(row: tuple) -> tuple:
    (oid, customer, website, email, title, description_html, use_case, industry,
     revenue, revenue_usd, deadline, account_raw) = row
    flags: list[str] = []
    name_norm, key, domain = company_fields(flags, customer, website, email)
    description = nz.html_to_text(description_html)
    revenue, reason = nz.sanitize_amount(revenue)
    if reason:
        flags.append(f"expected_revenue: {reason}")
        revenue_usd = None
    deadline, reason = nz.sanitize_date(deadline)
    if reason:
        flags.append(f"date_deadline: {reason}")
    account = nz.normalize_aws_account_id(account_raw)
    if account_raw and not account:
        flags.append(f"invalid AWS account id {str(account_raw)[:20]!r}")
    texts = _text_pair(customer, domain, title, description, use_case, industry)
    return (oid, name_norm, key, domain, description, revenue, revenue_usd, deadline, account, flags, *texts)


def build_odoo_opportunities(conn) -> BuildStats:
    """Rebuild core.odoo_opportunities in the caller's transaction (commit = swap)."""
    return _build(conn, "odoo_opportunities", "odoo_opportunity_id", ODOO_NORM_INPUT, ODOO_NORM_COLUMNS,
                  normalize_odoo_row)


def _build(conn, table: str, key: str, norm_input, norm_columns, normalize_row) -> BuildStats:
    """Both opportunity tables: USD rates and the SQL base, Python normalization in batches, the SQL that joins
    them, then the swap into core.<table>."""
    with conn.cursor() as cur:
        cur.execute(core_sql("usd_rates.sql"))
        cur.execute(core_sql(f"{table}_base.sql"))
    rows = normalize_in_batches(conn, norm_input, "_norm", norm_columns, normalize_row)
    with conn.cursor() as cur:
        cur.execute(core_sql(f"{table}.sql"))
        swap_in(cur, "core", table, [key])
        cur.execute(
            sql.SQL("select count(*) filter (where cardinality(quality_flags) > 0) from {}").format(
                sql.Identifier("core", table)
            )
        )
        flagged = cur.fetchone()[0]
    return BuildStats(rows, flagged)


# -- ACE ----------------------------------------------------------------------------------------------------------
ACE_NORM_COLUMNS = [
    NormColumn("ace_opportunity_id", "text primary key"),
    NormColumn("company_name_norm", "text"),
    NormColumn("company_key", "text"),
    NormColumn("domain", "text"),
    NormColumn("stage", "text"),
    NormColumn("status", "text"),
    NormColumn("origin", "text"),
    NormColumn("industry", "text"),
    NormColumn("delivery_model", "text"),
    NormColumn("expected_monthly_spend", "numeric"),
    NormColumn("expected_monthly_spend_usd", "numeric"),
    NormColumn("target_close_date", "date"),
    NormColumn("aws_account_id", "text"),
    NormColumn("aws_account_id_valid", "boolean"),
    NormColumn("partner_crm_id", "text"),
    NormColumn("country_code", "text"),
    NormColumn("quality_flags", "text[]"),
    NormColumn("identity_text", "text"),
    NormColumn("identity_hash", "text"),
    NormColumn("context_text", "text"),
    NormColumn("context_hash", "text"),
]

ACE_NORM_INPUT = """
select ace_opportunity_id, customer_name, website, email, title, description, use_case, industry_raw,
       stage_raw, status_raw, origin_raw, delivery_model_raw, expected_monthly_spend, expected_monthly_spend_usd,
       currency_code, target_close_date, aws_account_id_raw, country_raw, spend_basis, expected_spend_frequency,
       partner_crm_id_raw
from _base
"""

# spend_basis values of ace_opportunities_base.sql that mean "an amount exists but is not a monthly spend"
_SPEND_REFUSED = {
    "project_budget: total, not monthly": "project_budget is a total budget, not a monthly spend: monthly spend left empty",
    "project_budget: unknown frequency": "project_budget frequency {frequency!r} unknown: monthly spend left empty",
    "spend_amount: unknown frequency": "spend frequency {frequency!r} unknown: monthly spend left empty",
}


def _picklist(flags: list[str], field: str, raw, normalizer):
    value = normalizer(raw)
    if raw not in (None, "") and value is None:
        flags.append(f"unknown {field} {str(raw)[:40]!r}")
    return value


def normalize_ace_row(row: tuple) -> tuple:
    (aid, customer, website, email, title, description, use_case, industry_raw, stage_raw, status_raw, origin_raw,
     delivery_raw, spend, spend_usd, currency, close_date, account_raw, country_raw, basis, frequency, crm_raw) = row
    flags: list[str] = []
    if basis in _SPEND_REFUSED:
        flags.append(_SPEND_REFUSED[basis].format(frequency=frequency))
    name_norm, key, domain = company_fields(flags, customer, website, email)
    stage = _picklist(flags, "stage", stage_raw, nz.normalize_ace_stage)
    status = _picklist(flags, "status", status_raw, nz.normalize_ace_status)
    origin = _picklist(flags, "origin", origin_raw, nz.normalize_ace_origin)
    industry = _picklist(flags, "industry", industry_raw, nz.normalize_ace_industry)
    delivery = _picklist(flags, "delivery model", delivery_raw, nz.normalize_ace_delivery_model)
    spend, reason = nz.sanitize_amount(spend)
    if reason:
        flags.append(f"expected_monthly_spend: {reason}")
        spend_usd = None
    elif spend is not None and spend_usd is None:
        flags.append(f"no USD rate for currency {currency!r}")
    close_date, reason = nz.sanitize_date(close_date)
    if reason:
        flags.append(f"target_close_date: {reason}")
    account = nz.normalize_aws_account_id(account_raw)
    account_valid = account is not None
    if account_raw not in (None, "") and not account_valid:
        flags.append(f"invalid AWS account id {str(account_raw)[:20]!r}")
    crm_id, reason = nz.parse_odoo_id(crm_raw)  # another CRM's id (Salesforce, HubSpot) is no Odoo id
    if reason:
        flags.append(reason)
    country = nz.normalize_country(country_raw)
    texts = _text_pair(customer, domain, title, nz.html_to_text(description), use_case, industry or industry_raw)
    return (aid, name_norm, key, domain, stage, status, origin, industry, delivery, spend,
            spend_usd, close_date, account, account_valid if account_raw not in (None, "") else None, crm_id,
            country, flags, *texts)


def build_ace_opportunities(conn) -> BuildStats:
    """Rebuild core.ace_opportunities in the caller's transaction (commit = swap)."""
    return _build(conn, "ace_opportunities", "ace_opportunity_id", ACE_NORM_INPUT, ACE_NORM_COLUMNS, normalize_ace_row)
