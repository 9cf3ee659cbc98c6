"""Core on installations shaped unlike the generator, on the real Postgres: raw tables made by hand with other
column names, missing fields and missing tables. Core must degrade (NULL, flags, a warning check) or stop with one
clear error, never crash and never need an SQL edit."""

from __future__ import annotations

from datetime import date

import dagster as dg
import psycopg2
import pytest
from psycopg2 import sql

from revops_assets.core.assets import SOURCE_CHECK, core_assets
from revops_assets.core.billing import aws_costs_monthly
from revops_assets.resources.postgres import PostgresResource
from revops_assets.warehouse.ddl import apply_warehouse_ddl


def _asset(name: str) -> dg.AssetsDefinition:
    return next(a for a in core_assets() if a.key.path[-1] == name)


class Warehouse:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.resources = {"warehouse_db": PostgresResource(dsn=dsn, connection_name="warehouse")}

    def raw_table(self, name: str, columns: dict[str, str], rows: list[tuple]) -> None:
        """raw.<name> with exactly these source columns (plus raw's own _sync_deleted_at) and rows."""
        with psycopg2.connect(self.dsn) as conn, conn.cursor() as cur:
            cur.execute(sql.SQL("drop table if exists {}").format(sql.Identifier("raw", name)))
            cur.execute(sql.SQL("create table {} ({}, _sync_deleted_at timestamptz)").format(
                sql.Identifier("raw", name),
                sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items()),
            ))
            for row in rows:
                cur.execute(sql.SQL("insert into {} ({}) values ({})").format(
                    sql.Identifier("raw", name), sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sql.SQL(", ").join(sql.Placeholder() * len(row))), row)

    def query(self, statement: str, params=None):
        with psycopg2.connect(self.dsn) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall()

    def build(self, name: str, **kwargs) -> dg.ExecuteInProcessResult:
        return dg.materialize([_asset(name)], resources=self.resources, raise_on_error=False, **kwargs)


@pytest.fixture
def warehouse(pg) -> Warehouse:
    dsn = pg.create_database("mapping_wh")
    apply_warehouse_ddl(dsn)
    return Warehouse(dsn)


# An APN opportunity table as a Partner Central API sync names it; no users, no currency tables at all.
API_COLUMNS = {
    "identifier": "varchar", "customer_account_company_name": "varchar", "project_title": "varchar",
    "customer_account_website_url": "varchar", "life_cycle_stage": "varchar",
    "expected_monthly_aws_revenue": "numeric", "target_close_date": "date",
    "customer_account_aws_account_id": "varchar", "partner_opportunity_identifier": "varchar",
    "project_delivery_models": "text[]",
}
API_ROWS = [
    ("O100", "Acme GmbH", "Data lake", "https://www.acme.de", "Qualified", 1200, date(2026, 3, 1), "111122223333", "42",
     ["SaaS or PaaS", "Professional Services"]),
    ("O101", "Globex", "SAP on AWS", None, "Committed", 800, date(2026, 5, 1), None, None, None),
]


def _source_check(result):
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == SOURCE_CHECK)


def test_partner_central_names_and_missing_optional_fields_degrade_with_flags_and_a_warning(warehouse):
    warehouse.raw_table("apn_opportunity", API_COLUMNS, API_ROWS)
    result = warehouse.build("ace_opportunities")
    assert result.success
    rows = warehouse.query("select ace_opportunity_id, customer_name, title, stage, expected_monthly_spend_usd, "
                           "target_close_date, aws_account_id, partner_crm_id, owner_name, quality_flags, "
                           "delivery_model_raw from core.ace_opportunities order by 1")
    assert rows[0][:8] == ("O100", "Acme GmbH", "Data lake", "Qualified", 1200, date(2026, 3, 1), "111122223333", "42")
    assert rows[1][4] == 800  # ACE's monthly revenue is USD: no currency tables needed
    assert rows[0][10] == "SaaS or PaaS;Professional Services"  # a Partner Central list in ACE's own form
    flags = rows[0][9]
    assert "source field missing: ace.description" in flags and "source table missing: ace.user (users)" in flags
    check = _source_check(result)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "ace.description" in check.description and "ace.user" in check.description
    mapping = result.asset_materializations_for_node("core__ace_opportunities")[0].metadata["source_mapping"].value
    assert mapping["ace.customer_name"] == "raw.apn_opportunity.customer_account_company_name (alias)"
    assert mapping["ace.description"] == "missing (optional): NULL"
    assert mapping["ace.spend_currency"] == "default 'USD'"


def test_a_partner_crm_id_is_an_odoo_id_only_when_it_parses_as_one_and_another_crms_id_is_flagged(warehouse):
    typed = {"O100": "ODOO-42", "O101": "0060000YHbI5ED5", "O102": "HS-477093", "O103": "#7"}
    rows = [(oid, f"Customer {oid}", "Data lake", None, "Qualified", 100, date(2026, 3, 1), None, crm, None)
            for oid, crm in typed.items()]
    warehouse.raw_table("apn_opportunity", API_COLUMNS, rows)
    assert warehouse.build("ace_opportunities").success
    got = {r[0]: r[1:] for r in warehouse.query(
        "select ace_opportunity_id, partner_crm_id, partner_crm_id_raw, quality_flags from core.ace_opportunities")}
    assert {k: v[0] for k, v in got.items()} == {"O100": "42", "O101": None, "O102": None, "O103": "7"}
    assert {k: v[1] for k, v in got.items()} == typed  # the value as typed is kept
    assert any("Salesforce id" in f for f in got["O101"][2])
    assert any("HubSpot id" in f for f in got["O102"][2])
    assert not any("partner CRM id" in f for f in got["O100"][2] + got["O103"][2])


def test_a_missing_required_field_stops_the_build_with_one_error_naming_it(warehouse):
    warehouse.raw_table("apn_opportunity", {k: v for k, v in API_COLUMNS.items() if k != "customer_account_company_name"},
                        [r[:1] + r[2:] for r in API_ROWS])
    result = warehouse.build("ace_opportunities")
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.event_specific_data.error
    message = error.cause.message if error.cause else error.message  # the MappingError under Dagster's wrapper
    assert "ace.customer_name (required" in message and "customerCompanyName" in message
    assert "Add `ace.customer_name: <column>` under `fields:`" in message
    assert message.count("(required") == 1
    assert warehouse.query("select count(*) from information_schema.tables where table_schema = 'core' "
                           "and table_name like '%ace_opportunities'") == [(0,)]


def test_extra_unknown_columns_are_ignored(warehouse):
    extra = {**API_COLUMNS, "Weird Column": "jsonb", "select": "text", "x_studio_blob": "bytea"}
    warehouse.raw_table("apn_opportunity", extra, [r + ('{"a": 1}', "x", b"\x00") for r in API_ROWS])
    result = warehouse.build("ace_opportunities")
    assert result.success
    columns = {c for (c,) in warehouse.query("select column_name from information_schema.columns "
                                             "where table_schema = 'core' and table_name = 'ace_opportunities'")}
    assert not {"Weird Column", "select", "x_studio_blob"} & columns
    assert warehouse.query("select count(*) from core.ace_opportunities") == [(2,)]


def test_a_renamed_column_is_picked_up_through_an_alias_and_text_values_are_cast_safely(warehouse):
    # the legacy JSON names in camelCase, amounts stored as text (one of them not a number)
    columns = {"id": "varchar", "customerCompanyName": "varchar", "partnerProjectTitle": "varchar",
               "targetCloseDate": "varchar", "expectedMonthlyAwsRevenue": "varchar"}
    warehouse.raw_table("apn_opportunity", columns, [("O1", "Acme", "t", "2026-02-30", "1200.50"),
                                                     ("O2", "Initech", "u", "2026-04-01", "n/a")])
    result = warehouse.build("ace_opportunities")
    assert result.success
    rows = warehouse.query("select ace_opportunity_id, target_close_date, expected_monthly_spend_usd "
                           "from core.ace_opportunities order by 1")
    assert rows == [("O1", None, 1200.50), ("O2", date(2026, 4, 1), None)]
    mapping = result.asset_materializations_for_node("core__ace_opportunities")[0].metadata["source_mapping"].value
    assert mapping["ace.target_close_date"] == "raw.apn_opportunity.targetCloseDate (alias)"


def test_user_override_wins_over_the_aliases(warehouse, tmp_path, monkeypatch):
    columns = {**API_COLUMNS, "zz_closing": "date"}
    warehouse.raw_table("apn_opportunity", columns, [r + (date(2027, 1, 1),) for r in API_ROWS])
    overrides = tmp_path / "mine.yaml"
    overrides.write_text("fields:\n  ace.target_close_date: zz_closing\n")
    monkeypatch.setenv("REVOPS_MAPPING_OVERRIDES", str(overrides))
    result = warehouse.build("ace_opportunities")
    assert result.success
    assert warehouse.query("select distinct target_close_date from core.ace_opportunities") == [(date(2027, 1, 1),)]
    mapping = result.asset_materializations_for_node("core__ace_opportunities")[0].metadata["source_mapping"].value
    assert mapping["ace.target_close_date"] == "raw.apn_opportunity.zz_closing (override)"


def test_a_total_budget_is_never_read_as_monthly_spend(warehouse):
    columns = {"id": "varchar", "name": "varchar", "partner_project_title": "varchar", "project_budget": "numeric",
               "expected_spend_frequency": "varchar", "currency_code": "varchar"}
    warehouse.raw_table("apn_opportunity", columns, [("O1", "A", "t", 12000, None, "USD"),
                                                     ("O2", "B", "t", 12000, "Annual", "USD"),
                                                     ("O3", "C", "t", 900, "Monthly", "USD")])
    assert warehouse.build("ace_opportunities").success
    rows = warehouse.query("select ace_opportunity_id, expected_monthly_spend_usd, project_budget, spend_basis, "
                           "quality_flags from core.ace_opportunities order by 1")
    assert [r[1] for r in rows] == [None, 1000, 900]
    assert rows[0][2] == 12000 and rows[0][3] == "project_budget: total, not monthly"
    assert any("total budget, not a monthly spend" in f for f in rows[0][4])


def test_a_missing_optional_table_empties_its_part_and_the_run_stays_green(warehouse):
    # no Odoo funding model, no currency tables; the APN funding table is there under API-style names
    warehouse.raw_table("odoo_res_partner", {"id": "integer", "name": "varchar"}, [(1, "Acme")])
    # amounts stored as cash and credits parts only: the total is their sum
    warehouse.raw_table("apn_funding_request", {"funding_request_id": "varchar", "opportunity_id": "varchar",
                                                "program_name": "varchar", "requested_cash_amount": "numeric",
                                                "requested_credit_amount": "numeric", "aws_account_id": "varchar"},
                        [("FR1", "O100", "MAP", 20000, 5000, "1111-2222-3333"), ("FR2", "O101", "POC", None, 5000, "12")])
    result = warehouse.build("funding_requests")
    assert result.success
    rows = warehouse.query("select source, source_ref, program, requested_usd, aws_account_id, quality_flags "
                           "from core.funding_requests order by 2")
    assert [r[:5] for r in rows] == [("ace", "FR1", "MAP", 25000, "111122223333"), ("ace", "FR2", "POC", 5000, None)]
    assert "source table missing: odoo.funding_request (c_aws_funding_request)" in rows[0][5]
    assert "invalid AWS account id '12'" in rows[1][5]
    check = _source_check(result)
    assert not check.passed and "odoo.funding_request" in check.description
    assert all(e.passed for e in result.get_asset_check_evaluations() if e.severity == dg.AssetCheckSeverity.ERROR)


def test_a_differently_built_billing_module_gives_the_same_monthly_costs(warehouse, tmp_path, monkeypatch):
    # another vendor's module: its own table name (one override line) and c_-prefixed columns (found by themselves)
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("tables:\n  billing.cost: c_aws_cost\n")
    monkeypatch.setenv("REVOPS_MAPPING_OVERRIDES", str(overrides))
    warehouse.raw_table("odoo_c_aws_accounts", {"id": "integer", "name": "varchar"},
                        [(7, "1111 2222 3333"), (8, "444455556666")])
    warehouse.raw_table("odoo_c_aws_cost",
                        {"id": "integer", "c_period": "date", "c_cost": "numeric", "c_account_number": "varchar",
                         "c_product_code": "varchar"},
                        [(1, date(2025, 1, 1), 100.25, "111122223333", "AmazonEC2"),
                         (2, date(2025, 1, 1), 50, "1111-2222-3333", "AmazonEC2"),
                         (3, date(2025, 1, 1), 10, "444455556666", None),
                         (4, date(2025, 1, 1), 999, "999999999999", "AmazonS3"),  # no such account: reported apart
                         (5, date(2025, 2, 1), 1, "444455556666", "AmazonS3")])
    result = dg.materialize([aws_costs_monthly], resources=warehouse.resources, partition_key="2025-01-01",
                            raise_on_error=False)
    assert result.success
    rows = warehouse.query("select odoo_account_id, aws_account_id, product_code, cost_usd, quality_flags "
                           "from core.aws_costs_monthly order by 1, 3")
    assert [r[:4] for r in rows] == [(7, "111122223333", "AmazonEC2", 150.25), (8, "444455556666", "UNKNOWN", 10)]
    assert "source field missing: billing.cost.product_name" in rows[0][4]
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["totals_match_raw"].passed
    meta = result.asset_materializations_for_node("core__aws_costs_monthly")[0].metadata
    assert meta["lines_without_account"].value == 1 and meta["amount_without_account"].value == 999
    assert meta["source_mapping"].value["billing.cost.amount"] == "raw.odoo_c_aws_cost.c_cost (custom prefix)"
