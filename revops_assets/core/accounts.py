"""Core AWS accounts, customer companies and funding requests."""

from __future__ import annotations

from psycopg2 import sql

from revops_assets.core.build import NormColumn, core_sql, normalize_in_batches, swap_in
from revops_assets.core.opportunities import BuildStats, company_fields


def flag_counts(cur, schema: str, table: str) -> BuildStats:
    """(rows, rows with quality flags) of a core table."""
    cur.execute(
        sql.SQL("select count(*), count(*) filter (where cardinality(quality_flags) > 0) from {}").format(
            sql.Identifier(schema, table)
        )
    )
    rows, flagged = cur.fetchone()
    return BuildStats(rows, flagged)


def build_aws_accounts(conn) -> BuildStats:
    """Set-based only: account ids are validated in SQL; opportunities come from the two core opportunity tables."""
    with conn.cursor() as cur:
        cur.execute(core_sql("aws_accounts.sql"))
        swap_in(cur, "core", "aws_accounts", ["odoo_account_id"])
        return flag_counts(cur, "core", "aws_accounts")


def build_funding_requests(conn) -> BuildStats:
    """Set-based only: both systems' requests in one table, amounts converted with the Odoo rates."""
    with conn.cursor() as cur:
        cur.execute(core_sql("usd_rates.sql"))
        cur.execute(core_sql("aws_account_ids.sql"))
        cur.execute(core_sql("funding_requests.sql"))
        swap_in(cur, "core", "funding_requests", ["source", "source_ref"])
        return flag_counts(cur, "core", "funding_requests")


COMPANY_NORM_COLUMNS = [
    NormColumn("partner_id", "integer primary key"),
    NormColumn("company_name_norm", "text"),
    NormColumn("company_key", "text"),
    NormColumn("domain", "text"),
    NormColumn("quality_flags", "text[]"),
]


def normalize_company_row(row: tuple) -> tuple:
    partner_id, name, website, email = row
    flags: list[str] = []
    return partner_id, *company_fields(flags, name, website, email), flags


def build_companies(conn) -> BuildStats:
    with conn.cursor() as cur:
        cur.execute(core_sql("companies_base.sql"))
    normalize_in_batches(
        conn, "select partner_id, name, website, email from _base", "_norm", COMPANY_NORM_COLUMNS, normalize_company_row
    )
    with conn.cursor() as cur:
        cur.execute(core_sql("companies.sql"))
        swap_in(cur, "core", "companies", ["source", "source_ref"])
        return flag_counts(cur, "core", "companies")
