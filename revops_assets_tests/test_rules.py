"""The rules layer on a real Postgres: each POD rule at its boundaries over crafted warehouse rows (core tables with
the real core column shapes), past months that keep their verdicts, the checks, an 18-month backfill in one run, ACE
update proposals and their export, and the whole chain on the seeded synthetic sources."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import dagster as dg
import psycopg2
import pytest
from psycopg2 import sql

from revops_assets import cli
from revops_assets.core.build import core_sql
from revops_assets.resources.postgres import PostgresResource
from revops_assets.rules.assets import EVERY_PAIR_CHECK, STABLE_CHECK, eligibility_asset, rules_assets
from revops_assets.rules.config import default_rules
from revops_assets.rules.evaluate import VERDICTS
from revops_assets.rules.proposals import build_proposals
from revops_assets.rules.verdicts import evaluate_months, missing_verdicts, unexplained_changes
from revops_assets.warehouse.ddl import apply_warehouse_ddl

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
IN_MARCH, AFTER_MARCH, IN_APRIL = datetime(2025, 3, 15, 12), datetime(2025, 4, 10, 12), datetime(2025, 4, 20, 12)
CORE_TABLES = ("ace_opportunities", "odoo_opportunities", "aws_accounts")


@pytest.fixture(scope="module")
def core_shapes(core_ready):
    """The real core tables' columns and types (built from the seeded sources), to craft rows against."""
    rows = core_ready.query(
        "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
        "join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'core' and c.relname = any(%s) and a.attnum > 0 and not a.attisdropped "
        "order by c.relname, a.attnum", (list(CORE_TABLES),))
    shapes: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        shapes.setdefault(table, []).append((column, kind))
    assert set(shapes) == set(CORE_TABLES)
    return shapes


class Warehouse:
    """A warehouse holding only crafted rows: core opportunities, accounts, monthly costs and matches."""

    def __init__(self, dsn: str, shapes: dict):
        self.dsn = dsn
        apply_warehouse_ddl(dsn)
        with self.connect() as conn, conn.cursor() as cur:
            for table, columns in shapes.items():
                cur.execute(sql.SQL("create table {} ({})").format(
                    sql.Identifier("core", table),
                    sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(k)) for c, k in columns)))
            cur.execute(core_sql("billing_tables.sql"))
            cur.execute("create table matching.opportunity_matches (ace_opportunity_id text not null, "
                        "odoo_opportunity_id integer, score double precision, status text not null)")
        self.resources = {"warehouse_db": PostgresResource(dsn=dsn, connection_name="warehouse")}

    def connect(self):
        return psycopg2.connect(self.dsn)

    def query(self, statement: str, params=None):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else None

    def insert(self, table: str, **values):
        schema, name = table.split(".")
        self.query(sql.SQL("insert into {} ({}) values ({})").format(
            sql.Identifier(schema, name), sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(sql.Placeholder() * len(values))), list(values.values()))

    def account(self, odoo_id: int, aws_id: str | None, company_partner_id=None, company_name=None):
        self.insert("core.aws_accounts", odoo_account_id=odoo_id, aws_account_id=aws_id,
                    company_partner_id=company_partner_id, company_name=company_name)

    def cost(self, month: date, odoo_id: int, aws_id: str | None, usd: float, product="AmazonEC2"):
        self.insert("core.aws_costs_monthly", month=month, odoo_account_id=odoo_id, aws_account_id=aws_id,
                    product_code=product, cost_usd=usd, line_count=1)

    def pair(self, ace_id: str, odoo_id: int, *, status="auto_matched", origin="Partner Referral",
             origination="partner_originated", stage="Committed", close=MARCH + timedelta(days=30),
             ace_account="111111111111", odoo_account=None, partner_id=None, customer="Acme Corp",
             website="acme.example", email="it@acme.example", created=datetime(2024, 1, 5), monthly_usd=2500,
             outcome="open", deadline=None, revenue_usd=None, lost_reason=None, modified=datetime(2025, 2, 1),
             partner_crm_id_raw=None, review_status="Approved"):
        self.insert("core.ace_opportunities", ace_opportunity_id=ace_id, customer_name=customer, title=f"{ace_id} deal",
                    website=website, email=email, stage=stage, status=review_status, origin=origin,
                    target_close_date=close, aws_account_id=ace_account, aws_create_date=created,
                    aws_last_modified_date=modified, expected_monthly_spend_usd=monthly_usd,
                    expected_monthly_spend=monthly_usd, currency_code="USD", country_code="US",
                    use_case="Migration / Database Migration", partner_crm_id_raw=partner_crm_id_raw)
        self.insert("core.odoo_opportunities", odoo_opportunity_id=odoo_id, customer_name=customer,
                    origination=origination, outcome=outcome, aws_ace_id=odoo_account, partner_id=partner_id,
                    create_date=created, write_date=modified, date_deadline=deadline, expected_revenue_usd=revenue_usd,
                    lost_reason=lost_reason)
        self.insert("matching.opportunity_matches", ace_opportunity_id=ace_id, odoo_opportunity_id=odoo_id,
                    score=0.95, status=status)

    def evaluate(self, program, start=MARCH, end=APRIL, now=IN_MARCH, refresh=False):
        with self.connect() as conn:
            return evaluate_months(conn, program, start, end, now=now, refresh=refresh)

    def verdicts(self, month=MARCH, table="pod_eligibility") -> dict[str, tuple]:
        rows = self.query(sql.SQL("select ace_opportunity_id, verdict, reasons, input_hash from {} where month = %s")
                          .format(sql.Identifier("rules", table)), (month,))
        return {ace: (verdict, reasons, digest) for ace, verdict, reasons, digest in rows}


@pytest.fixture
def warehouse(pg, core_shapes, request):
    name = "rules_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    return Warehouse(pg.create_database(name), core_shapes)


@pytest.fixture(scope="module")
def pod():
    return default_rules().programs["pod"]


def _boundary_scenario(wh: Warehouse) -> None:
    """One pair per POD rule boundary, all evaluated for March 2025 (spend of February)."""
    feb = date(2025, 2, 1)
    # exactly at the threshold, over every linked account: ACE's (3,000) + the customer's other account (2,000)
    wh.account(1, "111111111111")
    wh.account(2, "222222222222", company_partner_id=501)
    wh.cost(feb, 1, "111111111111", 3000.00)
    wh.cost(feb, 2, "222222222222", 1500.00)
    wh.cost(feb, 2, "222222222222", 500.00, product="AmazonS3")
    wh.cost(MARCH, 1, "111111111111", 90000.00)  # the evaluation month itself does not count
    wh.pair("O1", 101, ace_account="111111111111", partner_id=501)
    # a cent under, on the Odoo deal's own account
    wh.account(3, "333333333333")
    wh.cost(feb, 3, "333333333333", 4999.99)
    wh.pair("O2", 102, ace_account=None, odoo_account=3)
    # close date day 90 / day 91 (cheap customers on a billed account with no cost: spend 0)
    wh.account(4, "444444444444")
    wh.pair("O3", 103, ace_account="444444444444", close=MARCH + timedelta(days=90))
    wh.pair("O4", 104, ace_account="444444444444", close=MARCH + timedelta(days=91))
    # no account anywhere; an ACE account the partner does not bill
    wh.pair("O5", 105, ace_account=None)
    wh.pair("O6", 106, ace_account="999999999999")
    # origin disagreement; AWS-originated; Closed Lost; a match still to review
    wh.pair("O7", 107, ace_account="444444444444", origination="aws_originated")
    wh.pair("O8", 108, ace_account="444444444444", origin="AWS Referral", origination="aws_originated")
    wh.pair("O9", 109, ace_account="444444444444", stage="Closed Lost")
    wh.pair("O10", 110, ace_account="444444444444", status="needs_review")
    # not due a March verdict: created after March; not matched
    wh.pair("O11", 111, ace_account="444444444444", created=datetime(2025, 4, 2))
    wh.pair("O12", 112, ace_account="444444444444", status="unmatched")


def test_each_pod_rule_at_its_boundary(warehouse, pod):
    wh = warehouse
    _boundary_scenario(wh)
    (march,) = wh.evaluate(pod)
    v = wh.verdicts()
    assert set(v) == {f"O{i}" for i in range(1, 11)}
    assert v["O1"][0] == "auto_reject" and "prior-month AWS spend (USD) 5,000.00 is not under 5,000.00" in v["O1"][1]
    assert v["O2"][0] == "auto_approve" and v["O2"][1] == "every rule passed"
    assert v["O3"][0] == "auto_approve"
    assert v["O4"][0] == "auto_reject" and "91 is above 90" in v["O4"][1]
    assert v["O5"][0] == "needs_review" and "no AWS account linked to the match" in v["O5"][1]
    assert v["O6"][0] == "needs_review" and "999999999999 is not in the partner's billing" in v["O6"][1]
    assert v["O7"][0] == "needs_review" and "Partner Referral but odoo origin AWS Referral" in v["O7"][1]
    assert v["O8"][0] == "auto_reject" and "partner_originated: ACE origin is AWS Referral" in v["O8"][1]
    assert v["O9"][0] == "auto_reject" and "stage_not_closed_lost: ACE stage is Closed Lost" in v["O9"][1]
    assert v["O10"][0] == "needs_review" and "match is needs_review" in v["O10"][1]
    assert march.verdicts == {"auto_approve": 2, "auto_reject": 4, "needs_review": 4}
    assert march.usd_at_stake["auto_approve"] == 5000.0
    # each rule's outcome and reason is stored, and the linked accounts with it
    outcomes = wh.query("select rule_outcomes, prior_month_spend_usd, days_to_close from rules.pod_eligibility "
                        "where ace_opportunity_id = 'O1'")[0]
    assert {o["rule"] for o in outcomes[0]} == {r.name for r in pod.rules} and float(outcomes[1]) == 5000.0
    facts = wh.query("select facts from rules.eligibility_inputs where ace_opportunity_id = 'O1'")[0][0]
    assert facts["aws_accounts"] == ["111111111111", "222222222222"]
    with wh.connect() as conn:
        assert missing_verdicts(conn, pod, MARCH, APRIL) == []


def test_a_past_month_keeps_its_verdicts_when_sources_change(warehouse, pod):
    wh = warehouse
    _boundary_scenario(wh)
    wh.evaluate(pod, now=IN_MARCH)
    before = wh.verdicts()

    # after March: billing corrected, a deal lost, Odoo's origination fixed, an account linked, matches decided
    wh.query("update core.aws_costs_monthly set cost_usd = 9000 where odoo_account_id = 3")
    wh.query("update core.ace_opportunities set stage = 'Closed Lost' where ace_opportunity_id = 'O3'")
    wh.query("update core.odoo_opportunities set origination = 'partner_originated' where odoo_opportunity_id = 107")
    wh.query("update core.ace_opportunities set aws_account_id = '444444444444' where ace_opportunity_id = 'O5'")
    wh.query("update matching.opportunity_matches set status = 'confirmed' where ace_opportunity_id = 'O10'")
    wh.query("update matching.opportunity_matches set status = 'unmatched' where ace_opportunity_id = 'O9'")
    wh.pair("O13", 113, ace_account="444444444444")  # a match found only now

    wh.evaluate(pod, now=AFTER_MARCH)  # March is closed: same facts, same verdicts
    after = wh.verdicts()
    assert {k: v for k, v in after.items() if k != "O13"} == before
    assert after["O13"][0] == "auto_approve"  # a pair March never saw: captured late, from the current state
    states = dict(wh.query("select ace_opportunity_id, state_as_of from rules.eligibility_inputs where month = %s",
                           (MARCH,)))
    assert states["O1"] == "in_month" and states["O13"] == "unchanged_since_month"

    (april,) = wh.evaluate(pod, start=APRIL, end=date(2025, 5, 1), now=IN_APRIL)  # April sees today's state
    now_ = wh.verdicts(APRIL)
    assert now_["O3"][0] == "auto_reject" and "stage_not_closed_lost" in now_["O3"][1] and "O9" not in now_
    assert "origin" not in now_["O7"][1] and "match" not in now_["O10"][1]
    assert april.capture.open

    # an explicit refresh recaptures March; the verdict change is explained by the new inputs
    wh.evaluate(pod, now=AFTER_MARCH, refresh=True)
    refreshed = wh.verdicts()
    assert refreshed["O2"][0] == "auto_reject" and refreshed["O2"][2] != before["O2"][2]
    assert wh.query("select previous_verdict from rules.pod_eligibility where month = %s and ace_opportunity_id = 'O2'",
                    (MARCH,)) == [("auto_approve",)]
    assert wh.query("select count(*) from rules.eligibility_inputs where month = %s and superseded_at is not null",
                    (MARCH,))[0][0] >= 5
    with wh.connect() as conn:
        assert unexplained_changes(conn, pod, MARCH, APRIL) == []


def test_open_month_follows_changes_and_the_checks_catch_gaps(warehouse, pod):
    wh = warehouse
    _boundary_scenario(wh)
    wh.evaluate(pod, now=IN_MARCH)
    wh.evaluate(pod, now=IN_MARCH + timedelta(days=1))  # nothing changed: every capture reused
    assert wh.query("select count(*) from rules.eligibility_inputs where superseded_at is not null") == [(0,)]
    assert wh.query("select count(*) from rules.pod_eligibility where previous_verdict is distinct from verdict") \
        == [(0,)]

    wh.query("update core.aws_costs_monthly set cost_usd = 9000 where odoo_account_id = 3")
    (march,) = wh.evaluate(pod, now=IN_MARCH + timedelta(days=2))  # still March: the month moves with the data
    assert march.capture.superseded == 1 and march.capture.captured == 1
    row = wh.query("select verdict, previous_verdict, input_hash <> previous_input_hash from rules.pod_eligibility "
                   "where ace_opportunity_id = 'O2'")
    assert row == [("auto_reject", "auto_approve", True)]

    with wh.connect() as conn:
        assert unexplained_changes(conn, pod, MARCH, APRIL) == []
        # the checks are not vacuous: a verdict flipped with the same inputs, a pair without a verdict
        with conn.cursor() as cur:
            cur.execute("update rules.pod_eligibility set previous_verdict = 'auto_approve', "
                        "previous_input_hash = input_hash where ace_opportunity_id = 'O9'")
            cur.execute("delete from rules.pod_eligibility where ace_opportunity_id = 'O4'")
        assert [r[1] for r in unexplained_changes(conn, pod, MARCH, APRIL)] == ["O9"]
        assert missing_verdicts(conn, pod, MARCH, APRIL) == [("2025-03", 1, "O4")]
        conn.rollback()


def _range(window: list[str]) -> dict:
    """Run tags of a single-run backfill over the partition keys `window`."""
    return {"dagster/asset_partition_range_start": window[0], "dagster/asset_partition_range_end": window[-1]}


def test_backfill_of_18_months_is_one_run_with_passing_checks(warehouse, pod):
    wh = warehouse
    _boundary_scenario(wh)
    asset = eligibility_asset(pod)
    keys = asset.partitions_def.get_partition_keys()
    window = [k for k in keys if "2024-01-01" <= k <= "2025-06-01"]
    assert len(window) == 18
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([asset], resources=wh.resources, instance=instance, tags=_range(window))
    assert result.success
    assert len(instance.get_runs()) == 1
    assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == \
        {EVERY_PAIR_CHECK: True, STABLE_CHECK: True}
    months = dict(wh.query("select to_char(month, 'YYYY-MM'), count(*) from rules.pod_eligibility group by 1"))
    assert len(months) == 18 and months["2024-01"] == 10 and months["2025-06"] == 11  # O11 exists from April 2025
    assert months["2025-03"] == 10
    mats = result.asset_materializations_for_node("rules__pod_eligibility")
    assert len(mats) == 18 and mats[-1].metadata["months"].value == 18

    # the same window again: nothing changed, so no verdict moves and no capture is replaced
    again = dg.materialize([asset], resources=wh.resources, instance=instance, tags=_range(window))
    assert again.success and all(e.passed for e in again.get_asset_check_evaluations())
    assert wh.query("select count(*) from rules.pod_eligibility where previous_verdict is distinct from verdict") \
        == [(0,)]
    assert wh.query("select count(*) from rules.eligibility_inputs where superseded_at is not null") == [(0,)]


def test_update_proposals_payloads_and_export(warehouse, tmp_path, monkeypatch, capsys):
    wh = warehouse
    settings = default_rules().proposals
    today = datetime(2026, 11, 30, 9)
    soon = today.date() + timedelta(days=60)
    wh.pair("O21", 201, stage="Business Validation", outcome="won", close=soon, deadline=soon, revenue_usd=30000)
    wh.pair("O22", 202, stage="Committed", outcome="lost", lost_reason="Price", close=soon, deadline=soon,
            revenue_usd=30000)
    wh.pair("O23", 203, stage="Qualified", close=today.date() + timedelta(days=10), deadline=soon,
            revenue_usd=30000, partner_crm_id_raw="203")
    wh.pair("O24", 204, stage="Qualified", close=soon, deadline=soon, revenue_usd=360000, monthly_usd=2500,
            partner_crm_id_raw="ODOO-204")
    wh.pair("O25", 205, stage="Launched", outcome="lost", close=soon, deadline=soon, revenue_usd=30000)  # ACE closed
    wh.pair("O26", 206, stage="Qualified", close=soon, deadline=soon + timedelta(days=30), revenue_usd=30000)
    wh.pair("O27", 207, stage="Qualified", close=soon, deadline=today.date() - timedelta(days=40),
            revenue_usd=30000)  # Odoo's deadline is past: nothing to send ACE
    wh.pair("O28", 208, stage="Qualified", status="needs_review", outcome="won", revenue_usd=30000)
    wh.pair("O29", 209, stage="Qualified", outcome="won")
    wh.query("update core.ace_opportunities set currency_code = 'US' where ace_opportunity_id = 'O29'")
    with wh.connect() as conn:
        built = build_proposals(conn, settings, now=today)
    assert built["rows"] == 4 and built["by_change"] == {"stage": 2, "close_date": 1, "amount": 1}
    # ACE's own value would make an invalid request: left out and reported, the rest still built
    assert built["invalid"] == ["O29: Project.ExpectedCustomerSpend.0.CurrencyCode: String should match pattern "
                                "'^[A-Z]{3}$'"]
    rows = {r[0]: r[1:] for r in wh.query(
        "select ace_opportunity_id, change_kinds, reason, payload, changes from rules.ace_update_proposals")}
    assert set(rows) == {"O21", "O22", "O23", "O24"}

    won = rows["O21"][2]
    assert won["Catalog"] == "AWS" and won["Identifier"] == "O21" and won["LastModifiedDate"] == "2025-02-01T00:00:00Z"
    assert won["LifeCycle"]["Stage"] == "Launched" and "ClosedLostReason" not in won["LifeCycle"]
    assert won["PartnerOpportunityIdentifier"] == "201"  # ACE did not name the Odoo deal: filled in
    assert won["Project"]["ExpectedCustomerSpend"] == [
        {"Amount": "2500.00", "CurrencyCode": "USD", "Frequency": "Monthly", "TargetCompany": "AWS"}]
    assert won["Customer"]["Account"] == {"CompanyName": "Acme Corp", "WebsiteUrl": "acme.example",
                                          "AwsAccountId": "111111111111", "Address": {"CountryCode": "US"}}
    assert rows["O21"][1] == "Odoo deal 201 is won: ACE stage Business Validation -> Launched"
    lost = rows["O22"][2]["LifeCycle"]
    assert lost["Stage"] == "Closed Lost" and lost["ClosedLostReason"] == "Price"
    dated = rows["O23"][2]
    assert rows["O23"][0] == ["close_date"] and dated["LifeCycle"]["TargetCloseDate"] == soon.isoformat()
    assert dated["PartnerOpportunityIdentifier"] == "203" and "(50 days apart)" in rows["O23"][1]
    assert rows["O24"][0] == ["amount"]
    assert rows["O24"][2]["Project"]["ExpectedCustomerSpend"][0]["Amount"] == "30000.00"
    assert "360,000.00 USD / 12 = 30,000.00 USD/month vs ACE 2,500.00 USD/month" in rows["O24"][1]

    for k, v in {"WAREHOUSE_DSN": wh.dsn, "ODOO_DSN": wh.dsn, "APN_DSN": wh.dsn}.items():
        monkeypatch.setenv(k, v)
    jsonl, csv_path, as_json = tmp_path / "p.jsonl", tmp_path / "p.csv", tmp_path / "p.json"
    for path in (jsonl, csv_path, as_json):
        assert cli.main(["review", "export", "proposals", str(path)]) == 0
    assert "exported 4 ACE update proposals" in capsys.readouterr().out
    payloads = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [p["Identifier"] for p in payloads] == ["O21", "O22", "O23", "O24"]
    assert csv_path.read_text().splitlines()[0].startswith("ace_opportunity_id,odoo_opportunity_id,match_status")
    listed = json.loads(as_json.read_text())
    assert listed[1]["payload"]["LifeCycle"]["ClosedLostReason"] == "Price" and listed[1]["changes"][0]["kind"] == "stage"


def test_export_before_any_proposals_says_what_to_run(pg, tmp_path, monkeypatch, capsys):
    dsn = pg.create_database("rules_no_proposals")
    apply_warehouse_ddl(dsn)
    for k in ("WAREHOUSE_DSN", "ODOO_DSN", "APN_DSN"):
        monkeypatch.setenv(k, dsn)
    assert cli.main(["review", "export", "proposals", str(tmp_path / "p.csv")]) == 1
    assert "materialize rules/ace_update_proposals" in capsys.readouterr().err


def test_rules_on_seeded_sources_billing_and_verdicts_in_one_run(core_ready, minilm_path):
    """The real chain: seeded sources -> core -> search -> matching, then billing and every program's verdicts over
    six months in a single run, and the proposals (the 18-month backfill is the crafted test above)."""
    from revops_assets.core.billing import billing_assets
    from revops_assets.matching.assets import matching_assets
    from revops_assets.resources.embedder import EmbedderResource
    from revops_assets.search.assets import search_assets

    wh = core_ready
    embedder = EmbedderResource(backend="sentence-transformers", model=str(minilm_path), max_length=256)
    assert dg.materialize(search_assets(), resources={**wh.resources, "embedder": embedder}).success
    assert dg.materialize(matching_assets, resources=wh.resources, run_config={
        "ops": {"matching__match_quality": {"config": {"truth_path": str(wh.truth_dir / "opportunity_links.csv")}}}
    }).success
    assets = rules_assets()
    monthly = [a for a in assets if a.partitions_def is not None]
    window = [k for k in monthly[0].partitions_def.get_partition_keys() if "2026-05-01" <= k <= "2026-10-01"]
    assert len(window) == 6
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([*billing_assets, *monthly], resources=wh.resources, instance=instance, tags=_range(window))
    assert result.success and len(instance.get_runs()) == 1
    assert all(e.passed for e in result.get_asset_check_evaluations())
    matched = wh.query("select count(*) from matching.opportunity_matches "
                       "where status in ('confirmed', 'auto_matched', 'needs_review')")[0][0]
    per_month = wh.query("select month, count(*), count(distinct verdict) from rules.pod_eligibility "
                         "where month between '2026-05-01' and '2026-10-01' group by 1 order by 1")
    assert len(per_month) == 6 and per_month[-1][1] <= matched and per_month[-1][1] > 0.5 * matched
    assert {v for (v,) in wh.query("select distinct verdict from rules.pod_eligibility")} <= set(VERDICTS)
    assert per_month[-1][2] >= 2  # the rules discriminate
    spend_known = wh.query("select count(*) from rules.pod_eligibility where month = '2026-10-01' "
                           "and prior_month_spend_usd is not null")[0][0]
    assert spend_known > 0  # accounts linked and billed on the seeded data
    assert wh.query("select count(*) from rules.map_eligibility where month = '2026-10-01'")[0][0] == per_month[-1][1]

    proposals = [a for a in assets if a.partitions_def is None]
    assert dg.materialize(proposals, resources=wh.resources).success
    for (payload,) in wh.query("select payload from rules.ace_update_proposals"):
        assert payload["Identifier"].startswith("O") and payload["LifeCycle"]
