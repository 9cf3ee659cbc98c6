"""Hostile values and identifiers: cursors in the year 9999 or at infinity, null keys arriving in deltas, column
and table names that need quoting (or collide with raw's own columns), a quote in a catalog table name, amounts
that are NaN, infinite or absurd, the literal text \\N, and writes attempted through the source connection."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from revops_assets.raw.sync import sync_table
from revops_assets.resources.postgres import PostgresResource
from revops_assets_tests.faults.conftest import PASSWORD, READER
from revops_assets_tests.faults.ledger import query
from revops_assets_tests.faults.scenario import LEAD_COLUMNS, entry, lead_table, materialize, settle

LEAD = ("public.lead", "faults_lead", ["id"], LEAD_COLUMNS)


def test_future_cursors_are_clamped_reported_and_never_hide_later_updates(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    query(admin, "update lead set write_date = timestamp '9999-12-31 23:59' where id = 17; "
                 "update lead set write_date = 'infinity' where id = 18")
    first = materialize([entry()], {"faults_db": source, "warehouse_db": warehouse})
    assert first.success
    meta = first.asset_materializations_for_node("raw__faults_lead")[0].metadata
    assert meta["future_cursor_rows"].value == 2 and sorted(meta["future_cursor_keys"].value) == ["17", "18"]
    checks = {e.check_name: (e.passed, e.severity) for e in first.get_asset_check_evaluations()}
    assert checks["cursor_not_in_future"] == (False, dg.AssetCheckSeverity.WARN)
    [(watermark,)] = query(wh_dsn, "select watermark from ops.watermarks")
    assert watermark <= datetime.now(timezone.utc)  # clamped to the time the source was read

    # an ordinary update a minute later is found by the next incremental
    query(admin, "update lead set name = 'ordinary', write_date = (now() at time zone 'UTC') where id = 30")
    second = sync_table(entry(), source, warehouse, run_id="ordinary")
    assert second.mode == "incremental" and second.rows_updated == 1

    # a watermark an older version pushed to 9999 is not trusted: the next sync reloads and recomputes it
    query(wh_dsn, "update ops.watermarks set watermark = timestamptz '9999-12-31'")
    query(admin, "update lead set write_date = timestamp '2026-02-01' where id in (17, 18)")  # the source fixed
    healed = sync_table(entry(), source, warehouse, run_id="healed")
    assert healed.mode == "full" and "past the source's clock" in healed.mode_reason
    assert healed.watermark_after < datetime.now(timezone.utc) and healed.future_cursor_rows == 0
    query(admin, "update lead set name = 'later', write_date = (now() at time zone 'UTC') where id = 31")
    assert sync_table(entry(), source, warehouse, run_id="later").rows_updated == 1
    settle("cursors at 9999 and infinity", admin, wh_dsn, [LEAD])


def test_null_keys_arriving_in_deltas_are_quarantined_once(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    query(admin, "create table opportunity (id varchar(20), name text, aws_last_modified_date timestamp); "
                 "insert into opportunity select 'O' || g, 'opp ' || g, timestamp '2026-01-01' + g * interval '1 minute' "
                 "from generate_series(1, 1306) g; "
                 "insert into opportunity values (null, 'no id yet', timestamp '2026-03-01')")
    opps = entry("opportunity", cursor="aws_last_modified_date")
    first = sync_table(opps, source, warehouse, run_id="full")
    assert (first.source_rows, first.raw_live_rows, first.rows_quarantined) == (1306, 1306, 1)
    query(admin, "insert into opportunity values (null, 'another without id', now() at time zone 'UTC'), "
                 "('O9999', 'new', now() at time zone 'UTC')")
    result = materialize([opps], {"faults_db": source, "warehouse_db": warehouse}, mode="incremental")
    assert result.success
    meta = result.asset_materializations_for_node("raw__faults_opportunity")[0].metadata
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["row_count_matches_source"] and meta["dagster/row_count"].value == 1307
    assert meta["mode"].value == "incremental" and meta["rows_quarantined"].value == 1
    # the cursor alone re-reads the window: the null-key row already quarantined is not stored again
    query(wh_dsn, "update ops.watermarks set source_xmin = null")
    sync_table(opps, source, warehouse, run_id="again")
    assert query(wh_dsn, "select count(*) from ops.quarantine") == [(2,)]
    settle("null keys in incremental deltas", admin, wh_dsn,
           [("public.opportunity", "faults_opportunity", ["id"], ["id", "name", "aws_last_modified_date"])])


HOSTILE_COLUMNS = ['we"ird', "sp ace", "Ünïcödé", "; drop table lead; --", "x" * 63, "UPPER"]


def test_hostile_identifiers_are_mirrored_quoted(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    quoted = [psycopg2.extensions.quote_ident(c, psycopg2.connect(admin)) for c in HOSTILE_COLUMNS]
    query(admin, 'create table "LeadUpper" (id integer primary key, write_date timestamp not null, '
                 + ", ".join(f"{q} text" for q in quoted) + ', "_sync_loaded_at" text)')
    query(admin, 'insert into "LeadUpper" select g, timestamp \'2026-01-01\' + g * interval \'1 hour\', '
                 + ", ".join(f"'v{i}-' || g" for i in range(len(quoted))) + ", 'mine' from generate_series(1, 300) g")
    upper = entry("LeadUpper")
    result = sync_table(upper, source, warehouse, run_id="hostile")
    assert result.ignored_columns == ["_sync_loaded_at"]  # raw's own column: not mirrored, said so
    query(admin, 'update "LeadUpper" set "; drop table lead; --" = \'changed\', write_date = '
                 "timestamp '2027-01-01' where id = 5")
    assert sync_table(upper, source, warehouse, run_id="hostile-2").rows_updated == 1
    assert query(wh_dsn, 'select "; drop table lead; --" from raw."faults_LeadUpper" where id = 5') == [("changed",)]
    settle("hostile column and table names", admin, wh_dsn,
           [('public."LeadUpper"', "faults_LeadUpper", ["id"], ["id", "write_date", *HOSTILE_COLUMNS])])


def test_a_quote_in_a_catalog_table_name_skips_that_entry_only(source_db, warehouse_db, tmp_path, monkeypatch):
    from revops_assets.definitions import build_definitions

    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "sources:\n"
        "  faults:\n"
        "    schema: public\n"
        "    dsn_env: FAULTS_SOURCE_DSN\n"
        "    tables:\n"
        "      lead: {primary_key: [id], cursor: write_date}\n"
        "      \"lead'; drop table lead; --\": {primary_key: [id], cursor: write_date}\n"
        "      ok_but_no_key: {primary_key: []}\n"
    )
    monkeypatch.setenv("REVOPS_SOURCE_CATALOG", str(catalog))
    monkeypatch.setenv("FAULTS_SOURCE_DSN", source.dsn)
    monkeypatch.setenv("WAREHOUSE_DSN", wh_dsn)
    from revops_assets.sources.catalog import current_catalog

    problems = current_catalog().problems
    assert any("lead'; drop table lead; --" in p and "not a plain identifier" in p for p in problems)
    assert any("ok_but_no_key" in p for p in problems)
    defs = build_definitions()  # the code location loads, with every valid table
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert "raw/faults_lead" in keys and not any("drop table" in k for k in keys)
    job = defs.resolve_implicit_global_asset_job_def()
    run = job.execute_in_process(asset_selection=[dg.AssetKey(["raw", "faults_lead"])], raise_on_error=False)
    assert run.success
    settle("a quote in a catalog table name", admin, wh_dsn, [LEAD])


def test_writes_through_the_source_connection_fail_even_after_asking_for_read_write(source_db, warehouse_db):
    """The sources' real guard is a read-only role (here: pg_read_all_data); the session is read-only too."""
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin)
    conn = source.open()
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for attempt in ("set session characteristics as transaction read write",
                            "set default_transaction_read_only = off"):
                cur.execute(attempt)  # the session can undo its own settings ...
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("begin; set transaction read write; delete from lead; commit")  # ... not the role
    finally:
        conn.close()
    result = sync_table(entry(), source, warehouse, run_id="reader")
    assert result.source_role_can_write is False and result.raw_live_rows == 2000
    # logged in as a superuser, the source still acts as pg_read_all_data (the catalog's default session_role)
    superuser = PostgresResource(dsn=admin, connection_name="faults source", read_only=True,
                                 session_role="pg_read_all_data")
    conn = superuser.open()
    try:
        conn.autocommit = True
        with conn.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("begin; set transaction read write; delete from lead; commit")
    finally:
        conn.close()
    assert sync_table(entry(), superuser, warehouse, run_id="superuser").source_role_can_write is False
    assert query(admin, "select count(*) from lead") == [(2000,)]
    settle("writes through the source connection", admin, wh_dsn, [LEAD])


def test_hostile_amounts_and_backslash_n_text_reach_core_flagged_not_poisoned(source_server, warehouse_db, tmp_path):
    """NaN, infinite and absurd amounts are nulled and flagged in core (sums over core stay numbers); a literal
    text \\N stays that text in raw and in core."""
    import revops_assets.core.assets as core_layer
    from revops_assets.raw.assets import raw_assets
    from revops_assets.sources.synthetic import seed_sources

    wh_dsn, warehouse = warehouse_db
    odoo_admin, apn_admin = source_server.database("hostile_odoo"), source_server.database("hostile_apn")
    seed_sources(odoo_admin, apn_admin, tmp_path / "truth", scale=40, seed=5)
    ids = [r[0] for r in query(odoo_admin, "select id from crm_lead where type = 'opportunity' order by id limit 4")]
    query(odoo_admin, "update crm_lead set expected_revenue = 'NaN' where id = %s; "
                      "update crm_lead set expected_revenue = 'Infinity' where id = %s; "
                      "update crm_lead set expected_revenue = 1e30 where id = %s; "
                      "update crm_lead set description = E'\\\\N' where id = %s", ids)
    resources = {
        "odoo_db": PostgresResource(dsn=source_server.dsn("hostile_odoo", READER, PASSWORD), connection_name="odoo source", read_only=True),
        "apn_db": PostgresResource(dsn=source_server.dsn("hostile_apn", READER, PASSWORD), connection_name="apn source", read_only=True),
        "warehouse_db": warehouse,
    }
    assert dg.materialize(raw_assets(), resources=resources).success
    assert query(wh_dsn, "select description from raw.odoo_crm_lead where id = %s", (ids[3],)) == [("\\N",)]
    core = [a for a in core_layer.core_assets() if a.key.to_user_string() == "core/odoo_opportunities"]
    assert dg.materialize(core, resources=resources, selection=core).success
    rows = dict(query(wh_dsn, "select odoo_opportunity_id, array_to_string(quality_flags, '; ') "
                              "from core.odoo_opportunities where odoo_opportunity_id = any(%s)", (ids[:3],)))
    assert all("expected_revenue" in rows[i] for i in ids[:3]), rows
    assert query(wh_dsn, "select count(*) from core.odoo_opportunities where expected_revenue_usd = 'NaN' "
                         "or expected_revenue_usd::text in ('Infinity', '-Infinity')") == [(0,)]
    assert query(wh_dsn, "select expected_revenue_usd from core.odoo_opportunities where odoo_opportunity_id = any(%s)",
                 (ids[:3],)) == [(None,)] * 3
    assert query(wh_dsn, "select description_text from core.odoo_opportunities where odoo_opportunity_id = %s",
                 (ids[3],)) == [("\\N",)]
    settle("NaN, infinite and absurd amounts; literal \\N text", odoo_admin, wh_dsn,
           [("public.crm_lead", "odoo_crm_lead", ["id"], ["id", "name", "expected_revenue", "description", "write_date"])])
