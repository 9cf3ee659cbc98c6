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
