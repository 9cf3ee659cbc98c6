"""`revops doctor` against real source databases: the generator's, and one shaped like a Partner Central sync."""

from __future__ import annotations

import re

import psycopg2

from revops_assets import cli

PC_OPPORTUNITY = """
create table opportunity (
    identifier varchar(20), customer_account_company_name varchar, project_title varchar,
    project_customer_business_problem text, life_cycle_stage varchar, origin varchar,
    expected_monthly_aws_revenue numeric, project_budget numeric, target_close_date date,
    customer_account_aws_account_id varchar, last_modified_date timestamp, some_sync_tool_column jsonb
);
insert into opportunity values
    ('O1', 'Acme', 'Data lake', 'A long enough business problem.', 'Qualified', 'Partner Referral', 1000, null,
     '2026-01-01', '111122223333', now(), null),
    ('O2', 'Globex', 'SAP', null, 'Launched', 'AWS Referral', 500, 20000, '2026-02-01', null, now(), null);
"""


def _doctor(monkeypatch, capsys, dsn_var: str, dsn: str, source: str) -> tuple[int, str]:
    monkeypatch.setenv(dsn_var, dsn)
    rc = cli.main(["doctor", "--source", source])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def test_doctor_on_the_generated_sources_finds_every_field(seeded, monkeypatch, capsys):
    rc, out = _doctor(monkeypatch, capsys, "ODOO_DSN", seeded.odoo_dsn, "odoo")
    assert rc == 0, out
    assert "catalog: 29 of 29 tables present" in out
    assert "crm_tag_rel" in out and "no cursor [none found, full loads]" in out
    assert "odoo.lead <- crm_lead" in out and "aws_account=aws_ace_id" in out
    assert re.search(r"duns +\d+%  c_duns \(custom prefix\)", out)
    assert "OK: every required field found; 0 optional field(s)/table(s) degrade" in out
    rc, out = _doctor(monkeypatch, capsys, "APN_DSN", seeded.apn_dsn, "apn")
    assert rc == 0 and "0 optional field(s)/table(s) degrade" in out, out


def test_doctor_on_a_partner_central_shaped_database(pg, monkeypatch, capsys):
    dsn = pg.create_database("doctor_apn")
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(PC_OPPORTUNITY)
    rc, out = _doctor(monkeypatch, capsys, "APN_DSN", dsn, "apn")
    assert rc == 0, out
    assert "catalog: 1 of 6 tables present" in out
    assert "MISSING users: raw skips it" in out
    assert "cursor last_modified_date [detected (catalog says aws_last_modified_date, absent)]" in out
    assert "customer_account_company_name (alias)" in out
    assert "ace.user (table users)" in out  # an optional table that degrades
    assert "project_budget" in out and " 50%" in out  # filled on one row of two

    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("alter table opportunity rename column customer_account_company_name to cust")
    rc, out = _doctor(monkeypatch, capsys, "APN_DSN", dsn, "apn")
    assert rc == 1
    assert "PROBLEM: ace.customer_name (required" in out and "Add `ace.customer_name: <column>` under `fields:`" in out
    assert "revops: error:" in out
    # the source was only read
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from opportunity")
        assert cur.fetchone() == (2,)


def test_doctor_on_the_partner_central_profile(pg, tmp_path, monkeypatch, capsys):
    """The second synthetic profile (Partner Central API names, other custom modules, tables absent) resolves with
    the built-in mapping alone: every required field found, only what the installation lacks degrades."""
    from revops_assets.sources.synthetic import seed_sources

    odoo, apn = pg.create_database("doctor_pc_odoo"), pg.create_database("doctor_pc_apn")
    seed_sources(odoo, apn, tmp_path / "truth", scale=60, seed=3, profile="partner_central")
    rc, out = _doctor(monkeypatch, capsys, "APN_DSN", apn, "apn")
    assert rc == 0, out
    assert "customer_company_name (alias)" in out and "customer_country_code (alias)" in out
    assert "expected_monthly_revenue" in out and "expected_monthly_aws_revenue (alias)" in out
    assert "cursor last_modified_date [detected" in out
    assert "degrades (2): ace.spend_frequency, ace.aws_status" in out
    rc, out = _doctor(monkeypatch, capsys, "ODOO_DSN", odoo, "odoo")
    assert rc == 0, out
    assert re.search(r"ace_expected_monthly_revenue +\d+%  c_ace_expected_monthly_revenue \(custom prefix\)", out)
    assert re.search(r"amount_requested_cash +\d+%  c_cash_amount \(custom prefix\)", out)
    degrades = next(line for line in out.splitlines() if line.startswith("degrades"))
    assert degrades.startswith("degrades (5): odoo.vertical (table c_vertical)")
    assert "billing.cost (table c_billing_internal_cur)" in degrades  # another vendor's billing module: configure it
