"""What each core entity is, declared once: the mapped source entities it reads, keys, resolved ids, lineage and
completeness rule.

The asset factory, its checks and its metadata are all derived from these declarations, so a reader sees in one
place what `core.odoo_opportunities` is made of. Sources are canonical entities of the source mapping
(data/mappings/*.yaml), never raw column names: the build reads the views `src_<entity>` the mapping renders, and
lineage names canonical fields (`ace.target_close_date`), resolved to the raw column each run found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from revops_assets.core.mapping import raw_tables_of


@dataclass(frozen=True)
class CoreEntity:
    name: str
    description: str
    primary_key: tuple[str, ...]
    sources: tuple[str, ...]  # mapping entities (data/mappings) the build reads, as views src_<entity>
    build: Callable  # build(conn) -> BuildStats, inside the caller's transaction (views already created)
    core_inputs: tuple[str, ...] = ()  # core tables it reads
    # (id column, resolved column, what it points at): the id resolves when the name is present
    resolutions: tuple[tuple[str, str, str], ...] = ()
    # column -> canonical source fields it comes from
    lineage: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # SQL returning (expected rows from the source views, rows in core) for the completeness check
    completeness_sql: str | None = None
    preview_columns: tuple[str, ...] = ()
    resolution_threshold: float = 0.99
    # metadata name -> SQL returning one number (e.g. invalid AWS account ids kept and flagged)
    counts: dict[str, str] = field(default_factory=dict)

    @property
    def raw_inputs(self) -> tuple[str, ...]:
        """raw tables (raw.<name>) behind its sources: the asset's upstream dependencies."""
        return tuple(raw_tables_of(self.sources))


ODOO_OPPORTUNITY_SOURCES = (
    "odoo.lead", "odoo.stage", "odoo.lost_reason", "odoo.team", "odoo.user", "odoo.partner", "odoo.industry",
    "odoo.country", "odoo.state", "odoo.company", "odoo.currency", "odoo.currency_rate", "odoo.aws_account",
    "odoo.tag", "odoo.tag_rel",
)
USD_RATE_SOURCES = ("odoo.currency", "odoo.currency_rate", "odoo.company")


def _odoo_opportunities() -> CoreEntity:
    from revops_assets.core.opportunities import build_odoo_opportunities

    return CoreEntity(
        name="odoo_opportunities",
        description="Odoo opportunities with stage, team, salesperson, customer, country, currency, tags and AWS "
        "account resolved; outcome won/lost/open as Odoo derives it; plain-text description; the identity and "
        "context texts the search layer embeds.",
        primary_key=("odoo_opportunity_id",),
        sources=ODOO_OPPORTUNITY_SOURCES,
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
            "odoo_opportunity_id": ("odoo.lead.id",),
            "title": ("odoo.lead.name",),
            "stage_name": ("odoo.stage.name",),
            "outcome": ("odoo.stage.is_won", "odoo.lead.active", "odoo.lead.lost_reason_id"),
            "team_name": ("odoo.team.name",),
            "salesperson_name": ("odoo.user.partner_id", "odoo.partner.name"),
            "customer_name": ("odoo.partner.name", "odoo.lead.partner_name"),
            "company_name_norm": ("odoo.partner.name", "odoo.lead.partner_name"),
            "domain": ("odoo.lead.website", "odoo.lead.email_from", "odoo.partner.website"),
            "expected_revenue_usd": ("odoo.lead.expected_revenue", "odoo.currency_rate.rate"),
            "date_deadline": ("odoo.lead.date_deadline",),
            "aws_account_id": ("odoo.aws_account.account_number", "odoo.lead.aws_account_number"),
            "origination": ("odoo.lead.origination",),
            "ace_opportunity_ref": ("odoo.lead.ace_opportunity_ref",),
            "description_text": ("odoo.lead.description",),
            "use_case": ("odoo.lead.use_case",),
            "tags": ("odoo.tag.name", "odoo.tag_rel.tag_id"),
        },
        completeness_sql="""
            select (select count(*) from src_odoo_lead where type = 'opportunity'),
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
        "normalized across ACE's legacy and API spellings; expected monthly spend in USD (from the monthly revenue, "
        "or a spend or budget whose frequency is known: spend_basis says which; a total budget is never read as "
        "monthly); target close date; AWS account id validated (invalid ones kept and flagged); identity and context "
        "texts for search.",
        primary_key=("ace_opportunity_id",),
        sources=("ace", "ace.user", *USD_RATE_SOURCES),
        build=build_ace_opportunities,
        resolutions=(("owner_id", "owner_name", "users"), ("stage_raw", "stage", "ACE stage picklist"),
                     ("origin_raw", "origin", "ACE origin picklist")),
        lineage={
            "ace_opportunity_id": ("ace.id",),
            "title": ("ace.title",),
            "customer_name": ("ace.customer_name",),
            "company_name_norm": ("ace.customer_name",),
            "domain": ("ace.website", "ace.email"),
            "stage": ("ace.stage",),
            "status": ("ace.status",),
            "origin": ("ace.origin",),
            "industry": ("ace.industry",),
            "expected_monthly_spend_usd": ("ace.expected_monthly_revenue", "ace.spend_amount", "ace.project_budget",
                                           "ace.spend_frequency", "ace.spend_currency", "odoo.currency_rate.rate"),
            "project_budget": ("ace.project_budget",),
            "target_close_date": ("ace.target_close_date",),
            "aws_account_id": ("ace.aws_account_id",),
            "partner_crm_id": ("ace.partner_crm_id",),
            "owner_name": ("ace.user.name", "ace.owner_name"),
        },
        completeness_sql="""
            select (select count(*) from src_ace where not coalesce(is_deleted, false)),
                   (select count(*) from core.ace_opportunities)
        """,
        preview_columns=("ace_opportunity_id", "title", "customer_name", "domain", "stage", "expected_monthly_spend_usd"),
        counts={"invalid_aws_account_ids": "select count(*) from core.ace_opportunities where not aws_account_id_valid",
                "without_monthly_spend": "select count(*) from core.ace_opportunities "
                                         "where expected_monthly_spend_usd is null",
                "partner_crm_ids_not_odoo": "select count(*) from core.ace_opportunities "
                                            "where partner_crm_id_raw is not null and partner_crm_id is null"},
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
        sources=("odoo.aws_account", "odoo.partner"),
        core_inputs=("ace_opportunities", "odoo_opportunities"),
        build=build_aws_accounts,
        resolutions=(("company_partner_id", "company_name", "res_partner"),
                     ("payer_odoo_account_id", "payer_aws_account_id", "c_aws_accounts")),
        lineage={
            "aws_account_id": ("odoo.aws_account.account_number",),
            "account_name": ("odoo.aws_account.account_name",),
            "company_name": ("odoo.partner.name",),
        },
        completeness_sql="""
            select (select count(*) from src_odoo_aws_account), (select count(*) from core.aws_accounts)
        """,
        preview_columns=("odoo_account_id", "aws_account_id", "account_name", "company_name", "account_status"),
        counts={"invalid_aws_account_ids": "select count(*) from core.aws_accounts where not aws_account_id_valid"},
        resolution_threshold=0.95,
    )


def _companies() -> CoreEntity:
    from revops_assets.core.accounts import build_companies

    return CoreEntity(
        name="companies",
        description="Customer companies from Odoo partners and ACE customers with normalized name, blocking key, "
        "web domain (free-mail domains never identify a company) and the partner's verticals where it keeps them.",
        primary_key=("source", "source_ref"),
        sources=("odoo.partner", "odoo.country", "odoo.industry", "odoo.lead", "odoo.vertical", "odoo.vertical_rel"),
        core_inputs=("ace_opportunities",),
        build=build_companies,
        lineage={
            "name": ("odoo.partner.name",),
            "company_name_norm": ("odoo.partner.name",),
            "domain": ("odoo.partner.website", "odoo.partner.email"),
            "verticals": ("odoo.vertical.name", "odoo.vertical_rel.vertical_id"),
        },
        preview_columns=("source", "name", "company_name_norm", "domain", "country_code"),
    )


def _funding_requests() -> CoreEntity:
    from revops_assets.core.accounts import build_funding_requests

    return CoreEntity(
        name="funding_requests",
        description="AWS funding requests (MAP, POC credits, MDF ...) from Odoo and from Partner Central, with the "
        "opportunity, customer and AWS account they concern; requested and approved totals (never monthly) in "
        "their currency and USD. An installation without one of the two tables still gets the other.",
        primary_key=("source", "source_ref"),
        sources=("odoo.funding_request", "ace.funding_request", "odoo.aws_account", "odoo.partner",
                 *USD_RATE_SOURCES),
        build=build_funding_requests,
        lineage={
            "requested_amount": ("odoo.funding_request.amount_requested", "ace.funding_request.requested_amount"),
            "approved_amount": ("odoo.funding_request.amount_approved", "ace.funding_request.approved_amount"),
            "ace_opportunity_id": ("ace.funding_request.opportunity_id",),
            "odoo_opportunity_id": ("odoo.funding_request.lead_id",),
            "program": ("odoo.funding_request.program", "ace.funding_request.program"),
            "status": ("odoo.funding_request.state", "ace.funding_request.status"),
        },
        completeness_sql="""
            select (select count(*) from src_odoo_funding_request)
                   + (select count(*) from src_ace_funding_request where not coalesce(is_deleted, false)),
                   (select count(*) from core.funding_requests)
        """,
        preview_columns=("source", "name", "program", "status", "requested_usd", "approved_usd"),
        counts={"invalid_aws_account_ids": "select count(*) from core.funding_requests f where exists "
                                           "(select 1 from unnest(f.quality_flags) q where q like 'invalid AWS%')"},
    )


def core_entities() -> list[CoreEntity]:
    return [_odoo_opportunities(), _ace_opportunities(), _aws_accounts(), _companies(), _funding_requests()]
