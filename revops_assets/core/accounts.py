"""Core AWS accounts and customer companies."""

from __future__ import annotations

from revops_assets.core.build import NormColumn, core_sql, normalize_in_batches, swap_in
from revops_assets.core.opportunities import BuildStats, company_fields


def _flagged(cur, table: str) -> int:
    cur.execute(f"select count(*) filter (where cardinality(quality_flags) > 0) from core.{table}")  # noqa: S608 (constant)
    return cur.fetchone()[0]


def build_aws_accounts(conn) -> BuildStats:
    """Set-based only: account ids are validated in SQL; opportunities come from the two core opportunity tables."""
    with conn.cursor() as cur:
        cur.execute(core_sql("aws_accounts.sql"))
        swap_in(cur, "core", "aws_accounts", ["odoo_account_id"])
        cur.execute("select count(*) from core.aws_accounts")
        rows = cur.fetchone()[0]
        return BuildStats(rows, _flagged(cur, "aws_accounts"))


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
        cur.execute("select count(*) from core.companies")
        rows = cur.fetchone()[0]
        return BuildStats(rows, _flagged(cur, "companies"))
