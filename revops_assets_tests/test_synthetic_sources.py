"""The synthetic source generator against a real Postgres: Odoo/APN shapes, counts, determinism, truth and noise."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import pytest
from psycopg2 import sql

from revops_assets.sources.synthetic import TRUTH_FILE, seed_sources
from revops_assets.sources.synthetic.loading import copy_value

SCALE = 300
SEED = 7

ODOO_TABLES = {
    "crm_lead", "res_partner", "crm_team", "crm_stage", "sale_order", "sale_order_line", "product_template",
    "account_move", "account_move_line", "project_project", "res_country_state", "c_aws_accounts",
    "c_aws_funding_request", "c_billing_internal_cur", "c_billing_bill", "c_billing_bill_line", "c_billing_spp_bill",
    "res_users", "res_company", "res_country", "res_currency", "res_currency_rate", "crm_tag", "crm_tag_rel",
    "crm_lost_reason", "res_partner_industry", "utm_source",
}
APN_TABLES = {"opportunity", "users", "end_user", "funding_request", "funding_request_history", "cash_claim"}
MIXED_CASE = {"c_aws_ace_useCase", "c_aws_ace_aWSSalesRepName", "c_aws_ace_aWSPartnerSuccessManagerName"}


def query(dsn: str, statement, params=None) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall()
    finally:
        conn.close()


def columns(dsn: str, table: str) -> dict[str, str]:
    rows = query(dsn, "select column_name, data_type from information_schema.columns "
                      "where table_schema = 'public' and table_name = %s", (table,))
    return dict(rows)


def tables(dsn: str) -> list[str]:
    return [r[0] for r in query(dsn, "select table_name from information_schema.tables "
                                     "where table_schema = 'public' and table_type = 'BASE TABLE' order by 1")]


def content_hashes(dsn: str) -> dict[str, str]:
    out = {}
    for table in tables(dsn):
        stmt = sql.SQL("select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {} t").format(
            sql.Identifier(table))
        out[table] = query(dsn, stmt)[0][0]
    return out


def read_truth(truth_dir: Path) -> list[dict]:
    with (truth_dir / TRUTH_FILE).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def seed_pair(pg, tmp_path_factory, tag: str, seed: int) -> SimpleNamespace:
    odoo = pg.create_database(f"synth_odoo_{tag}")
    apn = pg.create_database(f"synth_apn_{tag}")
    truth = tmp_path_factory.mktemp(f"truth_{tag}")
    report = seed_sources(odoo, apn, truth, scale=SCALE, seed=seed)
    return SimpleNamespace(odoo=odoo, apn=apn, truth=truth, report=report)


@pytest.fixture(scope="module")
def seeded(pg, tmp_path_factory) -> SimpleNamespace:
    return seed_pair(pg, tmp_path_factory, "a", SEED)


def test_odoo_has_odoo_shaped_tables(seeded):
    assert ODOO_TABLES <= set(tables(seeded.odoo))
    lead = columns(seeded.odoo, "crm_lead")
    assert len(lead) >= 60
    assert MIXED_CASE <= set(lead)
    for name in ("aws_ace_id", "origination", "c_aws_ace_opportunity_id", "partner_name", "expected_revenue",
                 "date_deadline", "stage_id", "description", "website", "email_from"):
        assert name in lead
    for table in tables(seeded.odoo):
        cols = columns(seeded.odoo, table)
        if "id" in cols:  # every model table (relation tables have neither id nor audit columns)
            assert cols["write_date"] == "timestamp without time zone", table
            assert {"create_uid", "create_date", "write_uid"} <= set(cols), table
    for table in ("crm_stage", "crm_team", "crm_tag", "crm_lost_reason", "res_country", "product_template",
                  "res_partner_industry"):
        assert columns(seeded.odoo, table)["name"] == "jsonb", table
    won = query(seeded.odoo, "select name->>'en_US', name->>'fr_FR' from crm_stage where is_won")
    assert won == [("Won", "Gagné")]
    assert query(seeded.odoo, "select count(*) from crm_lead where description like '<%'")[0][0] > 0
    accounts = query(seeded.odoo, "select name from c_aws_accounts")
    assert sum(bool(re.fullmatch(r"\d{12}", a)) for (a,) in accounts) >= 0.95 * len(accounts)


def test_apn_has_ace_shaped_tables(seeded):
    assert set(tables(seeded.apn)) == APN_TABLES
    opp = columns(seeded.apn, "opportunity")
    assert len(opp) >= 60
    assert opp["aws_last_modified_date"] == "timestamp without time zone"
    for name in ("name", "partner_project_title", "partner_crm_unique_identifier", "project_budget", "currency_code",
                 "aws_account", "stage_name", "status", "opportunity_ownership", "close_date", "owner_id"):
        assert name in opp
    assert len(columns(seeded.apn, "users")) == 6
    assert len(columns(seeded.apn, "end_user")) == 18
    assert len(columns(seeded.apn, "funding_request_history")) == 14
    assert len(columns(seeded.apn, "cash_claim")) == 26
    assert len(columns(seeded.apn, "funding_request")) >= 20
    assert query(seeded.apn, "select count(*) from information_schema.table_constraints "
                             "where table_schema = 'public' and constraint_type = 'PRIMARY KEY'")[0][0] == 0
    for table in APN_TABLES:
        total, distinct = query(seeded.apn, sql.SQL("select count(*), count(distinct id) from {}").format(
            sql.Identifier(table)))[0]
        assert total == distinct, table
    ids = [r[0] for r in query(seeded.apn, "select id from opportunity")]
    assert all(re.fullmatch(r"O\d{1,19}", i) for i in ids)


def test_row_counts(seeded):
    report = seeded.report
    assert query(seeded.odoo, "select count(*) from crm_lead where type = 'opportunity'")[0][0] == SCALE
    assert query(seeded.odoo, "select count(*) from crm_lead where type = 'lead'")[0][0] > 0
    for dsn, counts in ((seeded.odoo, report.odoo_rows), (seeded.apn, report.apn_rows)):
        assert set(counts) == set(tables(dsn))
        for table, count in counts.items():
            assert query(dsn, sql.SQL("select count(*) from {}").format(sql.Identifier(table)))[0][0] == count
            assert count > 0, table
    assert report.apn_rows["opportunity"] > SCALE  # ACE holds deals Odoo never saw
    months, latest = query(seeded.odoo, "select count(distinct period), max(period) from c_billing_internal_cur")[0]
    assert months >= 18 and latest == report.today.replace(day=1)
    assert report.elapsed_s > 0 and report.links > 0


def test_truth_links_exist_on_both_sides(seeded):
    links = read_truth(seeded.truth)
    assert (seeded.truth / TRUTH_FILE).read_text().splitlines()[0] == "ace_opportunity_id,odoo_opportunity_id"
    assert len(links) == seeded.report.links
    ace = {a for a, in query(seeded.apn, "select id from opportunity")}
    odoo = {i for i, in query(seeded.odoo, "select id from crm_lead where type = 'opportunity'")}
    assert {link["ace_opportunity_id"] for link in links} <= ace
    assert {int(link["odoo_opportunity_id"]) for link in links} <= odoo
    assert len({link["ace_opportunity_id"] for link in links}) == len(links)  # one-to-one
    assert len({link["odoo_opportunity_id"] for link in links}) == len(links)


def test_noise_features(seeded):
    links = {link["ace_opportunity_id"]: int(link["odoo_opportunity_id"]) for link in read_truth(seeded.truth)}
    crm_ids = dict(query(seeded.apn, "select id, partner_crm_unique_identifier from opportunity"))
    linked = [crm_ids[a] for a in links]
    assert any(v is None for v in linked) and any(v is not None for v in linked)
    filled = sum(v is not None for v in linked) / len(linked)
    assert 0.15 < filled < 0.6
    assert any(crm_ids[a] == str(o) for a, o in links.items())
    assert set(crm_ids) - set(links), "ACE deals without an Odoo twin"
    odoo_opps = {i for i, in query(seeded.odoo, "select id from crm_lead where type = 'opportunity'")}
    assert odoo_opps - set(links.values()), "Odoo deals never registered in ACE"
    multi = query(seeded.odoo, """
        select count(*) from (
            select coalesce(p.commercial_partner_id, l.partner_id) from crm_lead l
            join res_partner p on p.id = l.partner_id
            where l.type = 'opportunity' group by 1 having count(*) > 1) s""")[0][0]
    assert multi > 0, "some customers have several opportunities"
    names = query(seeded.apn, "select id, name, partner_project_title from opportunity")
    odoo_titles = dict(query(seeded.odoo, "select id, name from crm_lead"))
    differing_titles = sum(odoo_titles[links[a]] != title for a, _n, title in names if a in links)
    assert differing_titles > len(links) / 3
    countries = {c for c, in query(seeded.apn, "select distinct country from opportunity where country is not null")}
    assert any(len(c) == 2 for c in countries) and any(len(c) > 2 for c in countries)  # ISO codes and names
    assert len(query(seeded.apn, "select distinct currency_code from opportunity")) > 1
    assert len(query(seeded.odoo, "select distinct currency_id from res_company")) == 3
    assert query(seeded.odoo, "select count(*) from res_partner where name ~ '[^\\x01-\\x7f]'")[0][0] > 0


def test_same_seed_same_bytes_other_seed_differs(seeded, pg, tmp_path_factory):
    again = seed_pair(pg, tmp_path_factory, "b", SEED)
    assert content_hashes(again.odoo) == content_hashes(seeded.odoo)
    assert content_hashes(again.apn) == content_hashes(seeded.apn)
    assert (again.truth / TRUTH_FILE).read_bytes() == (seeded.truth / TRUTH_FILE).read_bytes()
    other = seed_pair(pg, tmp_path_factory, "b", SEED + 1)
    assert content_hashes(other.odoo)["crm_lead"] != content_hashes(seeded.odoo)["crm_lead"]
    assert content_hashes(other.apn)["opportunity"] != content_hashes(seeded.apn)["opportunity"]
    assert (other.truth / TRUTH_FILE).read_bytes() != (seeded.truth / TRUTH_FILE).read_bytes()


def test_billing_rows_target_streams_both_tables(pg, tmp_path):
    odoo = pg.create_database("synth_odoo_bill")
    apn = pg.create_database("synth_apn_bill")
    report = seed_sources(odoo, apn, tmp_path, scale=40, seed=3, billing_rows=30_000)
    assert report.odoo_rows["c_billing_internal_cur"] >= 30_000
    assert report.odoo_rows["c_billing_bill_line"] >= 30_000
    unbilled = query(odoo, "select count(*) from c_billing_bill_line l left join c_billing_bill b on b.id = l.bill_id "
                           "where b.id is null")[0][0]
    assert unbilled == 0


def test_sequences_continue_after_the_seeded_ids(seeded):
    conn = psycopg2.connect(seeded.odoo)
    try:
        with conn.cursor() as cur:
            cur.execute("select max(id) from crm_lead")
            last = cur.fetchone()[0]
            cur.execute("insert into crm_lead (name, type) values ('new deal', 'opportunity') returning id")
            assert cur.fetchone()[0] == last + 1
    finally:
        conn.rollback()
        conn.close()


def test_copy_value_escapes_text_format():
    assert copy_value(None) == r"\N"
    assert copy_value("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    assert copy_value({"en_US": "Gagné"}) == '{"en_US": "Gagné"}'
    assert copy_value(True) == "t"
