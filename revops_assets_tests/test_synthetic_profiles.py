"""Schema profiles of the synthetic sources on a real Postgres: the partner_central databases are what the profile
declares, hold the same business as classic for the same seed (column by column), keep their own semantics (API
spellings, a USD monthly amount on every row, a total budget on a minority), are reproducible, and the raw layer
mirrors them. Declaration mistakes are errors that name the table and field."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import psycopg2
import pytest
from psycopg2 import sql

from revops_assets.raw.sync import sync_table
from revops_assets.resources.postgres import PostgresResource
from revops_assets.sources.catalog import SourceTable, source_tables
from revops_assets.sources.synthetic import TRUTH_FILE, seed_sources
from revops_assets.sources.synthetic.profiles import CLASSIC, PARTNER_CENTRAL, PROFILES, get_profile
from revops_assets.sources.synthetic.schema import Placement, SchemaProfileError, TableMap
from revops_assets.warehouse.ddl import apply_warehouse_ddl

from .test_synthetic_sources import columns, content_hashes, query, tables

SCALE = 200
SEED = 5
# Fields partner_central stores in API spellings (a Selling-API sync reads every record that way); all other
# fields must carry exactly classic's values.
API_SPELLED = {("opportunity", "country"), ("opportunity", "industry"), ("opportunity", "use_case"),
               ("opportunity", "status"), ("opportunity", "closed_lost_reason"), ("end_user", "country"),
               ("end_user", "industry")}


def seed_profile(pg, tmp_path_factory, profile: str, tag: str) -> SimpleNamespace:
    odoo = pg.create_database(f"prof_odoo_{tag}")
    apn = pg.create_database(f"prof_apn_{tag}")
    truth = tmp_path_factory.mktemp(f"prof_truth_{tag}")
    report = seed_sources(odoo, apn, truth, scale=SCALE, seed=SEED, profile=profile)
    return SimpleNamespace(odoo=odoo, apn=apn, truth=truth, report=report)


@pytest.fixture(scope="module")
def classic(pg, tmp_path_factory) -> SimpleNamespace:
    return seed_profile(pg, tmp_path_factory, "classic", "c")


@pytest.fixture(scope="module")
def central(pg, tmp_path_factory) -> SimpleNamespace:
    return seed_profile(pg, tmp_path_factory, "partner_central", "pc")


def dsn_of(pair: SimpleNamespace, source: str) -> str:
    return pair.odoo if source == "odoo" else pair.apn


def test_partner_central_schema_is_the_declared_one(classic, central):
    for source in ("odoo", "apn"):
        schema = getattr(PARTNER_CENTRAL, source)
        generated = tables(dsn_of(classic, source))  # classic stores every generated table under its own name
        placements = [p for p in map(schema.placement, generated) if p is not None]
        assert set(tables(dsn_of(central, source))) == {p.physical for p in placements}
        for placement in placements:  # no declared column is missing from the DDL
            assert set(placement.table_map.columns) <= set(columns(dsn_of(central, source), placement.physical))
    assert central.report.profile == "partner_central" and classic.report.profile == "classic"
    odoo_tables = set(tables(central.odoo))
    assert not {"c_vertical", "c_vertical_res_partner_rel", "c_billing_internal_cur"} & odoo_tables
    cost = columns(central.odoo, "c_aws_cost")
    assert {"c_cost", "c_period", "c_aws_account_id", "c_account_number"} <= set(cost)
    assert "unblended_cost" not in cost and "period" not in cost
    funding = set(columns(central.odoo, "c_aws_funding_request"))
    assert funding - {"id", "company_id", "create_uid", "create_date", "write_uid", "write_date"} == {
        c for c in funding if c.startswith("c_")}
    assert {"c_cash_amount", "c_credit_amount"} <= funding
    lead = columns(central.odoo, "crm_lead")
    assert "c_vertical_id" not in lead and "c_aws_account_id" in lead
    opp = columns(central.apn, "opportunity")
    for name in ("expected_monthly_aws_revenue", "target_close_date", "customer_company_name",
                 "customer_website_url", "partner_opportunity_identifier", "project_title", "project_budget"):
        assert name in opp, name
    assert not {"currency_code", "close_date", "aws_last_modified_date", "partner_crm_unique_identifier"} & set(opp)
    for table in tables(central.apn):  # the cursor of every APN table
        cols = columns(central.apn, table)
        assert cols.get("last_modified_date") == "timestamp without time zone" and "aws_last_modified_date" not in cols
    for table in tables(central.odoo):
        if "id" in columns(central.odoo, table):
            assert "write_date" in columns(central.odoo, table), table


def _digests(dsn: str, table: str, cols: list[str]) -> list[str]:
    """Per column: its values in row order (by id where the table has one), as count and md5."""
    order = sql.Identifier("id") if "id" in columns(dsn, table) else sql.SQL("t::text")
    parts = [sql.SQL("count({c})::text || ':' || md5(coalesce(string_agg({c}::text, '|' order by {o}), ''))").format(
        c=sql.Identifier(c), o=order) for c in cols]
    return list(query(dsn, sql.SQL("select {} from {} t").format(sql.SQL(", ").join(parts), sql.Identifier(table)))[0])


def test_same_business_as_classic_column_by_column(classic, central):
    """Every partner_central column that stores a field classic also stores holds the same values, row by row."""
    compared = 0
    for source in ("odoo", "apn"):
        schema = getattr(PARTNER_CENTRAL, source)
        for generated in tables(dsn_of(classic, source)):
            placement = schema.placement(generated)
            if placement is None:
                continue
            classic_cols = columns(dsn_of(classic, source), generated)
            physical = list(columns(dsn_of(central, source), placement.physical))
            pairs = [(c, f) for c, f in zip(physical, placement.fields(physical))
                     if f in classic_cols and (generated, f) not in API_SPELLED]
            ours = _digests(dsn_of(central, source), placement.physical, [c for c, _ in pairs])
            theirs = _digests(dsn_of(classic, source), generated, [f for _, f in pairs])
            for (column, field), a, b in zip(pairs, ours, theirs):
                assert a == b, f"{placement.physical}.{column} <- {generated}.{field}"
            compared += len(pairs)
    assert compared > 500
    assert (central.truth / TRUTH_FILE).read_bytes() == (classic.truth / TRUTH_FILE).read_bytes()
    assert central.report.links == classic.report.links > 0
    counts = {(s, PARTNER_CENTRAL.odoo.placement(t).physical if s == "odoo" else t): n
              for s, rows in classic.report.rows.items() for t, n in rows.items()
              if s == "apn" or PARTNER_CENTRAL.odoo.placement(t) is not None}
    assert counts == {(s, t): n for s, rows in central.report.rows.items() for t, n in rows.items()}


def test_partner_central_values_and_amount_semantics(classic, central):
    countries = {c for c, in query(central.apn, "select distinct customer_country_code from opportunity "
                                                "where customer_country_code is not null")}
    assert countries and all(len(c) == 2 for c in countries)
    assert not query(central.apn, "select 1 from opportunity where customer_industry like '%&%' "
                                  "or review_status = 'Draft' or closed_lost_reason like '%–%'")
    assert query(classic.apn, "select count(*) from opportunity where length(country) > 2")[0][0] > 0  # classic: mixed
    total, monthly, budget, bigger = query(central.apn, """
        select count(*), count(expected_monthly_aws_revenue), count(project_budget),
               count(*) filter (where project_budget >= 4 * expected_monthly_aws_revenue)
        from opportunity""")[0]
    assert monthly == total
    assert 0.2 * total < budget < 0.5 * total and bigger == budget  # a total budget, not a monthly amount
    usd_rows = query(classic.apn, "select id, project_budget from opportunity where currency_code = 'USD'")
    usd = dict(query(central.apn, "select id, expected_monthly_aws_revenue from opportunity"))
    assert all(usd[i] == amount for i, amount in usd_rows)  # the same estimate, in USD
    mismatched = query(central.odoo, """
        select count(*) from c_aws_cost c join c_aws_accounts a on a.id = c.c_aws_account_id
        where c.c_account_number is distinct from a.name""")[0][0]
    assert mismatched == 0
    parts = query(central.odoo, "select count(*) filter (where c_cash_amount + c_credit_amount > 0), count(*) "
                                "from c_aws_funding_request")[0]
    assert parts[0] == parts[1] > 0


def test_same_seed_same_partner_central_databases(central, pg, tmp_path_factory):
    again = seed_profile(pg, tmp_path_factory, "partner_central", "pc2")
    assert content_hashes(again.odoo) == content_hashes(central.odoo)
    assert content_hashes(again.apn) == content_hashes(central.apn)
    assert (again.truth / TRUTH_FILE).read_bytes() == (central.truth / TRUTH_FILE).read_bytes()


def _entries(profile_name: str, source: str, dsn: str) -> list[SourceTable]:
    """Catalog entries for every table of a seeded profile: the default catalog's keys where it names the table,
    else `id`; the profile's cursor where the table has it."""
    schema = getattr(get_profile(profile_name), source)
    known = {t.table: t for t in source_tables() if t.source == source}
    base = next(t for t in source_tables() if t.source == source)
    out = []
    for table in tables(dsn):
        cols = columns(dsn, table)
        key = known[table].primary_key if table in known else ["id"]
        out.append(base.model_copy(update={"table": table, "primary_key": key, "description": table,
                                           "cursor": schema.cursor if schema.cursor in cols else None}))
    return out


def test_raw_mirrors_every_partner_central_table(central, pg):
    warehouse_dsn = pg.create_database("prof_warehouse_pc")
    apply_warehouse_ddl(warehouse_dsn)
    warehouse = PostgresResource(dsn=warehouse_dsn, connection_name="warehouse")
    log = logging.getLogger("test")
    for source in ("odoo", "apn"):
        resource = PostgresResource(dsn=dsn_of(central, source), connection_name=f"{source} source", read_only=True)
        for entry in _entries("partner_central", source, dsn_of(central, source)):
            result = sync_table(entry, resource, warehouse, run_id="pc-full", mode="full", log=log)
            assert result.raw_live_rows == central.report.rows[source][entry.table] == result.source_rows, entry.table
    with psycopg2.connect(central.apn) as conn, conn.cursor() as cur:  # a change ACE syncs: the cursor moves
        cur.execute("update opportunity set project_title = project_title || ' (updated)', "
                    "last_modified_date = now()::timestamp where id = (select min(id) from opportunity)")
    apn = PostgresResource(dsn=central.apn, connection_name="apn source", read_only=True)
    entry = next(e for e in _entries("partner_central", "apn", central.apn) if e.table == "opportunity")
    result = sync_table(entry, apn, warehouse, run_id="pc-incr", mode="incremental", log=log)
    assert result.mode == "incremental" and result.rows_updated >= 1
    titles = query(warehouse_dsn, "select count(*) from raw.apn_opportunity where project_title like '%(updated)'")
    assert titles[0][0] == 1


def test_declaration_mistakes_name_the_table_and_field():
    rows = [{"id": 1, "name": "x", "budget": 3}]
    lost = Placement("opportunity", "opportunity", TableMap(columns={"title": "name"}))
    with pytest.raises(SchemaProfileError, match=r"\['budget'\] have no column in opportunity"):
        list(lost.checked_rows(rows, ["id", "title"]))
    typo = Placement("opportunity", "opportunity", TableMap(columns={"title": "nmae"}, omit=frozenset({"budget"})))
    with pytest.raises(SchemaProfileError, match=r"opportunity.title: mapped to generated field\(s\) \['nmae'\]"):
        list(typo.checked_rows(rows, ["id", "title", "name"]))
    stale = Placement("c_aws_cost", "c_aws_cost", TableMap(source="c_billing_internal_cur", omit=frozenset({"zz"})))
    with pytest.raises(SchemaProfileError, match=r"omit lists \['zz'\]"):
        stale.text_columns(["id", "period"], ["id", "period"])
    copied, pick = Placement("g", "p", TableMap(columns={"c_period": "period"})).text_columns(
        ["id", "period", "cost"], ["id", "c_period", "cost", "notes"])
    assert copied == ["id", "c_period", "cost"] and pick == [0, 1, 2]  # notes keeps its default
    with pytest.raises(ValueError, match="unknown schema profile 'nope'; known: classic, partner_central"):
        get_profile("nope")
    assert set(PROFILES) == {"classic", "partner_central"} and CLASSIC.apn.cursor == "aws_last_modified_date"
