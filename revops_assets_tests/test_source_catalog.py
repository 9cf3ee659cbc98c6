"""The catalog drives the mirror: a third source system added by configuration only (an override catalog named in
REVOPS_SOURCE_CATALOG and a DSN variable), materialized through the code location on real Postgres; overrides
merge table by table; bad entries are left out, each with its error."""

from __future__ import annotations

import dagster as dg
import psycopg2
import pytest

from revops_assets.resources.postgres import PostgresResource
from revops_assets.sources.catalog import current_catalog, load_catalog, source_tables
from revops_assets.warehouse.ddl import apply_warehouse_ddl

BILLING_CATALOG = """
sources:
  billing:
    schema: billing
    tables:
      invoice:      {primary_key: [id], cursor: updated_at, description: "Invoices of the billing system"}
      invoice_line: {primary_key: [invoice_id, line_no]}
      credit_note:  {primary_key: [id], cursor: updated_at}   # not in this installation: skipped
  apn:
    tables:
      cash_claim: null                                         # this partner does not mirror it
"""

BILLING_DDL = """
create schema billing;
create table billing.invoice (id integer primary key, customer text, total numeric(12,2), "LastModifiedDate" timestamp,
                              updated_at timestamp not null);
insert into billing.invoice select g, 'customer ' || g, g * 10, null, timestamp '2026-01-01' + g * interval '1 hour'
from generate_series(1, 120) g;
create table billing.invoice_line (invoice_id integer, line_no integer, amount numeric, primary key (invoice_id, line_no));
insert into billing.invoice_line select i, l, i * l from generate_series(1, 120) i, generate_series(1, 3) l;
"""


def execute(dsn, statement, params=None):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else None


def test_overrides_merge_table_by_table_with_defaults_from_the_source_name(tmp_path, monkeypatch):
    override = tmp_path / "override.yaml"
    override.write_text(BILLING_CATALOG)
    monkeypatch.setenv("REVOPS_SOURCE_CATALOG", str(override))
    catalog = current_catalog()
    tables = {t.asset_key_str: t for t in catalog.tables()}
    assert "raw/apn_cash_claim" not in tables and "raw/apn_opportunity" in tables and "raw/odoo_crm_lead" in tables
    invoice = tables["raw/billing_invoice"]
    assert (invoice.resource, invoice.dsn_env, invoice.pool, invoice.connection_name, invoice.schema_name) == \
        ("billing_db", "BILLING_DSN", "billing_source", "billing source", "billing")
    assert catalog.source_connections()["billing_db"] == ("BILLING_DSN", "billing source", "pg_read_all_data")
    assert "raw_billing" in catalog.groups()
    assert {t.asset_key_str for t in source_tables()} == set(tables)  # what the code location loads


def test_bad_entries_are_left_out_with_their_error(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("sources:\n  s:\n    schema: public\n    tables:\n"
                    "      good: {primary_key: [id]}\n      \"bad'name\": {primary_key: [id]}\n"
                    "      nokey: {cursor: write_date}\n  broken: {tables: {t: {primary_key: [id]}}}\n")
    catalog = load_catalog([path])
    assert [t.table for t in catalog.tables()] == ["good"]
    assert len(catalog.problems) == 3 and any("bad'name" in p for p in catalog.problems)
    assert any("'broken' skipped" in p and "schema" in p for p in catalog.problems)
    unreadable = tmp_path / "not_yaml.yaml"
    unreadable.write_text("sources: [unclosed")
    with pytest.raises(ValueError, match="not_yaml.yaml"):
        load_catalog([unreadable])


def test_a_third_source_system_by_configuration_only(pg, tmp_path, monkeypatch):
    from revops_assets.automation.raw_sync import source_fingerprints
    from revops_assets.definitions import build_definitions

    billing_dsn = pg.create_database("third_billing")
    warehouse_dsn = pg.create_database("third_warehouse")
    execute(billing_dsn, BILLING_DDL)
    apply_warehouse_ddl(warehouse_dsn)
    override = tmp_path / "billing.yaml"
    override.write_text(BILLING_CATALOG)
    monkeypatch.setenv("REVOPS_SOURCE_CATALOG", str(override))
    monkeypatch.setenv("BILLING_DSN", billing_dsn)
    monkeypatch.setenv("WAREHOUSE_DSN", warehouse_dsn)

    defs = build_definitions()
    assert "billing_db" in defs.resources and defs.resources["billing_db"].read_only
    billing_keys = [dg.AssetKey(["raw", t]) for t in ("billing_invoice", "billing_invoice_line", "billing_credit_note")]
    job = defs.resolve_job_def("raw_sync")
    assert set(billing_keys) <= set(job.asset_layer.selected_asset_keys)
    sensor = defs.resolve_sensor_def("raw_source_change_sensor")
    assert "billing_db" in sensor.required_resource_keys

    run = job.execute_in_process(asset_selection=billing_keys)
    assert run.success
    rows = {e.asset_key.path[-1]: e.materialization.metadata for e in run.get_asset_materialization_events()}
    assert rows["billing_invoice"]["dagster/row_count"].value == 120
    assert rows["billing_invoice_line"]["dagster/row_count"].value == 360
    assert rows["billing_credit_note"]["mode"].value == "skipped"
    assert execute(warehouse_dsn, "select count(*), sum(total) from raw.billing_invoice") == [(120, 72600)]

    billing = PostgresResource(dsn=billing_dsn, connection_name="billing source", read_only=True)
    tables = [t for t in current_catalog().tables() if t.source == "billing"]
    assert set(source_fingerprints(billing, tables)) == {"raw/billing_invoice", "raw/billing_invoice_line"}
