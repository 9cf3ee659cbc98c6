"""What each core entity is, declared once: its raw inputs, keys, resolved ids, lineage and completeness rule.

The asset factory, its checks and its metadata are all derived from these declarations, so a reader sees in one
place what `core.odoo_opportunities` is made of.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CoreEntity:
    name: str
    description: str
    primary_key: tuple[str, ...]
    raw_inputs: tuple[str, ...]  # raw table names (raw.<name>) the build reads
    build: Callable  # build(conn) -> BuildStats, inside the caller's transaction
    core_inputs: tuple[str, ...] = ()  # core tables it reads
    # (id column, resolved column, what it points at): the id resolves when the name is present
    resolutions: tuple[tuple[str, str, str], ...] = ()
    # column -> raw (table, column) it comes from
    lineage: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # SQL returning (expected rows from raw, rows in core) for the completeness check
    completeness_sql: str | None = None
    preview_columns: tuple[str, ...] = ()
    resolution_threshold: float = 0.99
    # metadata name -> SQL returning one number (e.g. invalid AWS account ids kept and flagged)
    counts: dict[str, str] = field(default_factory=dict)


def _odoo_opportunities() -> CoreEntity:
    from revops_assets.core.opportunities import build_odoo_opportunities

    return CoreEntity(
        name="odoo_opportunities",
        description="Odoo opportunities with stage, team, salesperson, customer, country, currency, tags and AWS "
        "account resolved; outcome won/lost/open as Odoo derives it; plain-text description; the identity and "
        "context texts the search layer embeds.",
        primary_key=("odoo_opportunity_id",),
        raw_inputs=(
            "odoo_crm_lead", "odoo_crm_stage", "odoo_crm_lost_reason", "odoo_crm_team", "odoo_res_users",
            "odoo_res_partner", "odoo_res_partner_industry", "odoo_res_country", "odoo_res_country_state",
            "odoo_res_company", "odoo_res_currency", "odoo_res_currency_rate", "odoo_c_aws_accounts",
            "odoo_crm_tag", "odoo_crm_tag_rel",
        ),
        build=build_odoo_opportunities,
        resolutions=(
            ("stage_id", "stage_name", "crm_stage"),
            ("team_id", "team_name", "crm_team"),
            ("user_id", "salesperson_name", "res_users -> res_partner"),
            ("partner_id", "customer_name", "res_partner"),
            ("country_id", "country_code", "res_country"),
            ("state_id", "state_name", "res_country_state"),
            ("company_id", "currency_code", "res_company -> res_currency"),
            ("lost_reason_id", "lost_reason", "crm_lost_reason"),
            ("aws_ace_id", "aws_account_id_raw", "c_aws_accounts"),
        ),
        lineage={
            "odoo_opportunity_id": (("odoo_crm_lead", "id"),),
            "title": (("odoo_crm_lead", "name"),),
            "stage_name": (("odoo_crm_stage", "name"),),
            "outcome": (("odoo_crm_stage", "is_won"), ("odoo_crm_lead", "active"), ("odoo_crm_lead", "lost_reason_id")),
            "team_name": (("odoo_crm_team", "name"),),
            "salesperson_name": (("odoo_res_users", "partner_id"), ("odoo_res_partner", "name")),
            "customer_name": (("odoo_res_partner", "name"), ("odoo_crm_lead", "partner_name")),
            "company_name_norm": (("odoo_res_partner", "name"), ("odoo_crm_lead", "partner_name")),
            "domain": (("odoo_crm_lead", "website"), ("odoo_crm_lead", "email_from"), ("odoo_res_partner", "website")),
            "expected_revenue_usd": (("odoo_crm_lead", "expected_revenue"), ("odoo_res_currency_rate", "rate")),
            "date_deadline": (("odoo_crm_lead", "date_deadline"),),
            "aws_account_id": (("odoo_c_aws_accounts", "name"),),
            "description_text": (("odoo_crm_lead", "description"),),
            "use_case": (("odoo_crm_lead", "c_aws_ace_useCase"),),
            "tags": (("odoo_crm_tag", "name"), ("odoo_crm_tag_rel", "tag_id")),
        },
        completeness_sql="""
            select (select count(*) from raw.odoo_crm_lead where _sync_deleted_at is null and type = 'opportunity'),
                   (select count(*) from core.odoo_opportunities)
        """,
        preview_columns=("odoo_opportunity_id", "title", "customer_name", "domain", "outcome", "expected_revenue_usd"),
        counts={"invalid_aws_account_ids": "select count(*) from core.odoo_opportunities "
                                           "where aws_account_id_raw is not null and aws_account_id is null"},
    )


def _ace_opportunities() -> CoreEntity:
    from revops_assets.core.opportunities import build_ace_opportunities

    return CoreEntity(
        name="ace_opportunities",
        description="ACE opportunities with owner resolved; stage, status, origin, industry and delivery model "
        "normalized across ACE's legacy and API spellings; expected monthly spend in USD; target close date; "
        "AWS account id validated (invalid ones kept and flagged); identity and context texts for search.",
        primary_key=("ace_opportunity_id",),
        raw_inputs=("apn_opportunity", "apn_users", "odoo_res_currency", "odoo_res_currency_rate", "odoo_res_company"),
        build=build_ace_opportunities,
        resolutions=(("owner_id", "owner_name", "users"), ("stage_raw", "stage", "ACE stage picklist"),
                     ("origin_raw", "origin", "ACE origin picklist")),
        lineage={
            "ace_opportunity_id": (("apn_opportunity", "id"),),
            "title": (("apn_opportunity", "partner_project_title"),),
            "customer_name": (("apn_opportunity", "name"),),
            "company_name_norm": (("apn_opportunity", "name"),),
            "domain": (("apn_opportunity", "customer_website"), ("apn_opportunity", "customer_email")),
            "stage": (("apn_opportunity", "stage_name"),),
            "status": (("apn_opportunity", "status"),),
            "origin": (("apn_opportunity", "opportunity_ownership"),),
            "industry": (("apn_opportunity", "industry"),),
            "expected_monthly_spend_usd": (("apn_opportunity", "project_budget"), ("apn_opportunity", "currency_code"),
                                           ("odoo_res_currency_rate", "rate")),
            "target_close_date": (("apn_opportunity", "close_date"),),
            "aws_account_id": (("apn_opportunity", "aws_account"),),
            "partner_crm_id": (("apn_opportunity", "partner_crm_unique_identifier"),),
            "owner_name": (("apn_users", "name"),),
        },
        completeness_sql="""
            select (select count(*) from raw.apn_opportunity where _sync_deleted_at is null and not coalesce(is_deleted, false)),
                   (select count(*) from core.ace_opportunities)
        """,
        preview_columns=("ace_opportunity_id", "title", "customer_name", "domain", "stage", "expected_monthly_spend_usd"),
        counts={"invalid_aws_account_ids": "select count(*) from core.ace_opportunities where not aws_account_id_valid"},
        # picklist spellings outside ACE's lists are flagged per row, not a reason to stop the graph
        resolution_threshold=0.95,
    )


def _aws_accounts() -> CoreEntity:
    from revops_assets.core.accounts import build_aws_accounts

    return CoreEntity(
        name="aws_accounts",
        description="AWS accounts (Odoo c_aws_accounts) with company, payer account, status, and every ACE and Odoo "
        "opportunity that names them; account ids validated as 12 digits, invalid ones kept and flagged.",
        primary_key=("odoo_account_id",),
        raw_inputs=("odoo_c_aws_accounts", "odoo_res_partner"),
        core_inputs=("ace_opportunities", "odoo_opportunities"),
        build=build_aws_accounts,
        resolutions=(("company_partner_id", "company_name", "res_partner"),
                     ("payer_odoo_account_id", "payer_aws_account_id", "c_aws_accounts")),
        lineage={
            "aws_account_id": (("odoo_c_aws_accounts", "name"),),
            "account_name": (("odoo_c_aws_accounts", "c_aws_account_name"),),
            "company_name": (("odoo_res_partner", "name"),),
        },
        completeness_sql="""
            select (select count(*) from raw.odoo_c_aws_accounts where _sync_deleted_at is null),
                   (select count(*) from core.aws_accounts)
        """,
        preview_columns=("odoo_account_id", "aws_account_id", "account_name", "company_name", "account_status"),
        counts={"invalid_aws_account_ids": "select count(*) from core.aws_accounts where not aws_account_id_valid"},
        resolution_threshold=0.95,
    )


def _companies() -> CoreEntity:
    from revops_assets.core.accounts import build_companies

    return CoreEntity(
        name="companies",
        description="Customer companies from Odoo partners and ACE customers with normalized name, blocking key "
        "and web domain (free-mail domains never identify a company).",
        primary_key=("source", "source_ref"),
        raw_inputs=("odoo_res_partner", "odoo_res_country", "odoo_res_partner_industry", "odoo_crm_lead"),
        core_inputs=("ace_opportunities",),
        build=build_companies,
        lineage={
            "name": (("odoo_res_partner", "name"),),
            "company_name_norm": (("odoo_res_partner", "name"),),
            "domain": (("odoo_res_partner", "website"), ("odoo_res_partner", "email")),
        },
        preview_columns=("source", "name", "company_name_norm", "domain", "country_code"),
    )


def core_entities() -> list[CoreEntity]:
    return [_odoo_opportunities(), _ace_opportunities(), _aws_accounts(), _companies()]
