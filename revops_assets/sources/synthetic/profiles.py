"""The schema profiles of the synthetic sources (`revops seed --profile NAME`), declared, not coded.

- `classic` (the default): the shapes the generator was first written for. APN columns are the ACE legacy CRM JSON
  names in snake_case with `aws_last_modified_date` cursors and a monthly `project_budget` in `currency_code`; Odoo's
  custom modules are c_aws_ace_* fields on crm_lead, verticals, c_aws_funding_request and c_billing_* tables.
- `partner_central`: another partner's databases, designed apart from the first. The ACE sync tool is built on the
  Partner Central Selling API: columns are its field paths in snake_case (customer_company_name,
  expected_monthly_aws_revenue in USD on every row, target_close_date, partner_opportunity_identifier, ...), values
  are API spellings only, there is no currency column, a TOTAL project_budget is filled on a minority of deals, and
  every APN table's cursor is `last_modified_date`. In Odoo, the co-sell fields are c_ace_* / x_studio_*, the
  funding model's fields are all c_-prefixed with the requested amount split into cash and credits, billing is
  another vendor's module (c_aws_cost with c_cost / c_period / c_aws_account_id / c_account_number, c_aws_invoice,
  c_aws_invoice_line, c_aws_discount), and there is no verticals model.

Adding a profile is one declaration here plus its DDL under sql/sources/<name>/ (see schema.py for what is checked).
"""

from __future__ import annotations

from revops_assets.sources.synthetic.schema import Profile, SourceSchema, TableMap

ODOO_STANDARD = ("odoo_standard.sql", "odoo_aws_accounts.sql")
ODOO_STANDARD_CONSTRAINTS = ("odoo_standard_constraints.sql", "odoo_aws_accounts_constraints.sql")

# Alternative representations the generator renders for profiles that store them (see schema.py).
_ACE_USD_AMOUNTS = frozenset({"expected_monthly_revenue_usd", "total_project_budget_usd"})
_FUNDING_SPLIT = frozenset({"amount_requested_cash", "amount_requested_credits"})

CLASSIC = Profile(
    name="classic",
    description="ACE legacy JSON column names, aws_last_modified_date cursors, c_billing_* billing module",
    odoo=SourceSchema(
        ddl=(*ODOO_STANDARD, "classic/odoo_modules.sql"),
        constraints=(*ODOO_STANDARD_CONSTRAINTS, "classic/odoo_modules_constraints.sql"),
        cursor="write_date",
        tables={
            "c_aws_funding_request": TableMap(omit=_FUNDING_SPLIT),
            "c_billing_internal_cur": TableMap(omit=frozenset({"account_number"})),
        },
    ),
    apn=SourceSchema(
        ddl=("classic/apn.sql",),
        constraints=(),
        cursor="aws_last_modified_date",
        tables={"opportunity": TableMap(omit=_ACE_USD_AMOUNTS)},
    ),
)

_PC_OPPORTUNITY = TableMap(
    columns={
        "partner_opportunity_identifier": "partner_crm_unique_identifier",
        "related_opportunity_identifier": "parent_opp_id",
        "origin": "opportunity_ownership",
        "national_security": "does_opp_belong_to_nat_sec",
        "customer_company_name": "name",
        "customer_website_url": "customer_website",
        "customer_aws_account_id": "aws_account",
        "customer_industry": "industry",
        "customer_other_industry": "industry_other",
        "customer_street_address": "street_address",
        "customer_city": "city",
        "customer_state_or_region": "state",
        "customer_postal_code": "postal_code",
        "customer_country_code": "country",
        "customer_contact_first_name": "customer_first_name",
        "customer_contact_last_name": "customer_last_name",
        "customer_contact_email": "customer_email",
        "customer_contact_phone": "customer_phone",
        "customer_contact_business_title": "customer_title",
        "project_title": "partner_project_title",
        "customer_business_problem": "project_description_business_need",
        "customer_use_case": "use_case",
        "delivery_models": "delivery_model",
        "expected_monthly_aws_revenue": "expected_monthly_revenue_usd",
        "project_budget": "total_project_budget_usd",
        "competitor_name": "competitive_tracking",
        "other_competitor_names": "competitive_tracking_other",
        "other_solution_description": "other_solution_offered",
        "apn_programs": "campaign_name",
        "solutions": "solution_offered",
        "primary_needs_from_aws": "partner_primary_need_from_aws",
        "marketing_campaign_name": "aws_sf_campaign_name",
        "marketing_source": "is_opp_from_marketing_activity",
        "marketing_aws_funding_used": "is_marketing_development_funded",
        "marketing_channels": "marketing_activity_channel",
        "marketing_use_cases": "marketing_activity_usecase",
        "stage": "stage_name",
        "review_status": "status",
        "review_comments": "apn_reviewer_comments",
        "next_steps": "next_step",
        "next_steps_history": "next_step_history",
        "target_close_date": "close_date",
        "aws_target_close_date": "aws_close_date",
        "aws_psm_name": "aws_partner_success_manager_name",
        "aws_psm_email": "aws_partner_success_manager_email",
        "aws_account_manager_name": "aws_account_owner_name",
        "aws_account_manager_email": "aws_account_owner_email",
        "aws_pdm_name": "partner_developer_manager",
        "aws_pdm_email": "partner_developer_manager_email",
        "partner_account_manager_first_name": "primary_contact_first_name",
        "partner_account_manager_last_name": "primary_contact_last_name",
        "partner_account_manager_email": "partner_sales_rep_email",
        "partner_account_manager_phone": "primary_contact_phone",
        "partner_account_manager_business_title": "primary_contact_title",
        "owner_name": "opportunity_owner_name",
        "owner_email": "opportunity_owner_email",
        "created_date": "aws_create_date",
        "last_modified_date": "aws_last_modified_date",
    },
    omit=frozenset({
        "apn_crm_unique_identifier", "aws_status", "project_budget", "currency_code", "expected_spend_frequency",
        "engagement_score", "recommended_next_best_actions", "cosell_convert_reason", "aws_isv_success_manager_name",
        "aws_isv_success_manager_email", "wwps_pdm", "wwps_pdm_email", "customer_software_value",
        "customer_software_value_currency", "contract_start_date", "contract_end_date", "procurement_type",
        "is_deleted",
    }),
)
_PC_CURSOR = {"last_modified_date": "aws_last_modified_date"}
_PC_CREATED = {"created_date": "aws_create_date"}
_AUDIT_ONLY = frozenset({"is_deleted"})

PARTNER_CENTRAL = Profile(
    name="partner_central",
    description="Partner Central API column names, last_modified_date cursors, c_aws_* billing module, no verticals",
    odoo=SourceSchema(
        ddl=(*ODOO_STANDARD, "partner_central/odoo_modules.sql"),
        constraints=(*ODOO_STANDARD_CONSTRAINTS, "partner_central/odoo_modules_constraints.sql"),
        cursor="write_date",
        absent=frozenset({"c_vertical", "c_vertical_res_partner_rel"}),
        tables={
            "res_partner": TableMap(columns={"x_studio_duns": "c_duns", "x_studio_segment": "c_customer_segment"}),
            "product_template": TableMap(columns={"c_aws_service_code": "c_aws_product_code"}),
            "crm_lead": TableMap(
                columns={
                    "c_aws_account_id": "aws_ace_id", "c_origin": "origination",
                    "x_studio_ace_opportunity_id": "c_aws_ace_opportunity_id", "c_ace_use_case": "c_aws_ace_useCase",
                    "c_ace_aws_sales_rep_name": "c_aws_ace_aWSSalesRepName",
                    "c_ace_aws_sales_rep_email": "c_aws_ace_aWSSalesRepEmail",
                    "c_ace_psm_name": "c_aws_ace_aWSPartnerSuccessManagerName",
                    "c_ace_delivery_model": "c_aws_ace_deliveryModel",
                    "c_ace_expected_monthly_revenue": "c_aws_ace_expectedMonthlyAwsRevenue",
                    "c_ace_target_close_date": "c_aws_ace_targetCloseDate", "c_ace_stage": "c_aws_ace_stage",
                    "c_ace_review_status": "c_aws_ace_status", "c_ace_sync_enabled": "c_aws_ace_sync",
                    "c_ace_last_sync_date": "c_aws_ace_last_sync",
                },
                omit=frozenset({"c_aws_funding_request_id", "c_vertical_id"}),  # the funding points at the lead
            ),
            "c_aws_funding_request": TableMap(
                columns={
                    "c_name": "name", "c_lead_id": "lead_id", "c_partner_id": "partner_id",
                    "c_aws_account_id": "aws_account_id", "c_program": "program", "c_funding_type": "funding_type",
                    "c_state": "state", "c_cash_amount": "amount_requested_cash",
                    "c_credit_amount": "amount_requested_credits", "c_approved_amount": "amount_approved",
                    "c_currency_id": "currency_id", "c_ace_funding_reference": "ace_funding_request_id",
                    "c_date_submitted": "submitted_date", "c_date_approved": "approved_date",
                    "c_date_start": "start_date", "c_date_end": "end_date", "c_description": "description",
                    "c_user_id": "user_id",
                },
                omit=frozenset({"amount_requested"}),
            ),
            "c_aws_cost": TableMap(
                source="c_billing_internal_cur",
                columns={
                    "c_name": "name", "c_period": "period", "c_aws_account_id": "account_id",
                    "c_account_number": "account_number", "c_payer_account_id": "payer_account_id",
                    "c_product_id": "product_id", "c_service_code": "product_code", "c_service_name": "product_name",
                    "c_usage_type": "usage_type", "c_line_item_type": "line_item_type",
                    "c_usage_quantity": "usage_quantity", "c_cost": "unblended_cost",
                    "c_net_cost": "net_unblended_cost", "c_currency_id": "currency_id",
                    "c_invoice_reference": "aws_invoice_id",
                },
                omit=frozenset({"billing_period_start", "billing_period_end", "blended_cost"}),
            ),
            "c_aws_invoice": TableMap(
                source="c_billing_bill",
                columns={
                    "c_partner_id": "partner_id", "c_period": "period", "c_invoice_date": "bill_date",
                    "c_due_date": "due_date", "c_currency_id": "currency_id", "c_exchange_rate": "exchange_rate",
                    "c_amount_untaxed": "amount_untaxed", "c_amount_tax": "amount_tax",
                    "c_amount_total": "amount_total", "c_cost_usd": "cost_total_usd", "c_state": "state",
                    "c_move_id": "move_id",
                },
            ),
            "c_aws_invoice_line": TableMap(
                source="c_billing_bill_line",
                columns={
                    "c_invoice_id": "bill_id", "c_aws_account_id": "account_id", "c_product_id": "product_id",
                    "c_service_code": "product_code", "c_service_name": "product_name", "c_period": "period",
                    "c_description": "description", "c_quantity": "quantity", "c_cost": "cost_amount",
                    "c_margin_percent": "margin_percent", "c_price_unit": "price_unit", "c_amount": "amount",
                    "c_currency_id": "currency_id",
                },
            ),
            "c_aws_discount": TableMap(
                source="c_billing_spp_bill",
                columns={
                    "c_name": "name", "c_aws_account_id": "account_id", "c_payer_account_id": "payer_account_id",
                    "c_partner_id": "partner_id", "c_period": "period", "c_program": "program",
                    "c_discount_type": "discount_type", "c_eligible_amount": "eligible_amount",
                    "c_discount_percent": "discount_percent", "c_discount_amount": "discount_amount",
                    "c_currency_id": "currency_id", "c_state": "state", "c_reference": "aws_reference",
                },
            ),
        },
    ),
    apn=SourceSchema(
        ddl=("partner_central/apn.sql",),
        constraints=(),
        cursor="last_modified_date",
        picklists="api",
        tables={
            "opportunity": _PC_OPPORTUNITY,
            "users": TableMap(columns=_PC_CURSOR),
            "end_user": TableMap(
                columns={**_PC_CURSOR, "business_title": "title", "website_url": "website",
                         "country_code": "country", "state_or_region": "state"},
            ),
            "funding_request": TableMap(
                columns={**_PC_CURSOR, **_PC_CREATED},
                omit=frozenset({"total_requested_amount", "total_approved_amount", "sub_region", "is_deleted"}),
            ),
            "funding_request_history": TableMap(columns=_PC_CURSOR, omit=_AUDIT_ONLY),
            "cash_claim": TableMap(
                columns={**_PC_CURSOR, **_PC_CREATED},
                omit=frozenset({"purchase_order_number", "proof_of_execution", "is_deleted"}),
            ),
        },
    ),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (CLASSIC, PARTNER_CENTRAL)}
DEFAULT_PROFILE = CLASSIC.name


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown schema profile {name!r}; known: {', '.join(PROFILES)}") from None
