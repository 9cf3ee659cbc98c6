"""Core layer on seeded synthetic sources: entities, checks, resolution rates, monthly facts, bad input."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

from revops_assets.core.assets import core_assets
from revops_assets.core.billing import billing_assets
from revops_assets.core.opportunities import normalize_ace_row, normalize_odoo_row


@pytest.fixture(scope="module")
def core_built(core_ready):
    # a second build over the same raw data: idempotent, and its events are what these tests read
    result = dg.materialize(core_assets(), resources=core_ready.resources)
    assert result.success
    return result


def _metadata(result, name):
    return result.asset_materializations_for_node(f"core__{name}")[0].metadata


def test_every_core_entity_materializes_and_checks_pass(core_built, seeded):
    errors = [e for e in core_built.get_asset_check_evaluations()
              if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert errors == []
    names = {e.asset_key.path[-1] for e in core_built.get_asset_materialization_events()}
    assert names == {"odoo_opportunities", "ace_opportunities", "aws_accounts", "companies", "funding_requests"}
    # every live raw opportunity is present
    assert seeded.query("select count(*) from raw.odoo_crm_lead where type = 'opportunity' and _sync_deleted_at is null") \
        == seeded.query("select count(*) from core.odoo_opportunities")
    meta = _metadata(core_built, "odoo_opportunities")
    assert meta["dagster/row_count"].value > 200
    assert "customer_name" in meta["dagster/column_lineage"].value.deps_by_column
    assert "| odoo_opportunity_id |" in meta["preview"].value


def test_invalid_aws_account_ids_are_kept_flagged_and_counted(core_built, seeded):
    victim = seeded.query("select min(id) from raw.apn_opportunity")[0][0]
    seeded.query("update raw.apn_opportunity set aws_account = '1234-5678-901' where id = %s", (victim,))
    result = dg.materialize(core_assets()[1:2], resources=seeded.resources)
    assert result.success
    row = seeded.query("select aws_account_id, aws_account_id_raw, aws_account_id_valid, quality_flags "
                       "from core.ace_opportunities where ace_opportunity_id = %s", (victim,))[0]
    assert row[:3] == (None, "1234-5678-901", False)
    assert any(f.startswith("invalid AWS account id") for f in row[3])
    invalid = seeded.query("select count(*) from core.ace_opportunities where not aws_account_id_valid")[0][0]
    assert invalid >= 1 and _metadata(result, "ace_opportunities")["invalid_aws_account_ids"].value == invalid


def test_resolution_is_complete_where_the_source_is(core_built):
    checks = {(e.asset_key.path[-1], e.check_name): e for e in core_built.get_asset_check_evaluations()}
    odoo = checks[("odoo_opportunities", "foreign_keys_resolved")]
    for column in ("stage_id", "team_id", "user_id", "partner_id", "country_id", "company_id", "aws_ace_id"):
        assert odoo.metadata[f"{column}_resolved"].value == 1.0, column
    assert checks[("ace_opportunities", "foreign_keys_resolved")].metadata["owner_id_resolved"].value == 1.0


def test_entities_carry_normalized_values(core_built, seeded):
    rows = seeded.query("select outcome, count(*) from core.odoo_opportunities group by 1")
    assert {o for o, _ in rows} <= {"won", "lost", "open", "archived"} and len(rows) >= 3
    won = seeded.query("select bool_and(stage_is_won) from core.odoo_opportunities where outcome = 'won'")[0][0]
    assert won
    stages = {s for (s,) in seeded.query("select distinct stage from core.ace_opportunities where stage is not null")}
    assert stages <= {"Prospect", "Qualified", "Technical Validation", "Business Validation", "Committed",
                      "Launched", "Closed Lost"}
    # legacy and API spellings collapse onto one canonical value
    for raw, canonical in (("industry_raw", "industry"), ("country_raw", "country_code")):
        spellings = seeded.query(f"select count(distinct {raw}), count(distinct {canonical}) from core.ace_opportunities")[0]
        assert spellings[0] > spellings[1] > 1, raw
    assert seeded.query("select count(*) from core.ace_opportunities where aws_account_id !~ '^[0-9]{12}$'") == [(0,)]
    assert seeded.query("select count(*) from core.odoo_opportunities where domain in ('gmail.com', 'yahoo.com', 'hotmail.com')") == [(0,)]
    assert seeded.query("select count(*) from core.odoo_opportunities where description_text ~ '<[a-z]+[ >]'") == [(0,)]
    assert seeded.query("select count(*) from core.odoo_opportunities where identity_hash is null or context_hash is null") == [(0,)]
    # cross-system ids as people typed them are reduced to the canonical id, the raw value kept beside it
    assert seeded.query("select count(*) from core.ace_opportunities where partner_crm_id !~ '^[0-9]+$'") == [(0,)]
    assert seeded.query("select count(*) from core.odoo_opportunities where ace_opportunity_ref !~ '^O[0-9]+$'") == [(0,)]
    assert seeded.query("select count(*) from core.ace_opportunities where partner_crm_id <> partner_crm_id_raw")[0][0] > 0
    account = seeded.query("select count(*) from core.aws_accounts where cardinality(odoo_opportunity_ids) > 0")[0][0]
    assert account > 0


def test_one_month_of_billing_recomputes_alone(core_built, seeded):
    months = [p for p in billing_assets[0].partitions_def.get_partition_keys() if "2025-06-01" <= p <= "2025-08-01"]
    result = dg.materialize(billing_assets, resources=seeded.resources,
                            tags={"dagster/asset_partition_range_start": months[0],
                                  "dagster/asset_partition_range_end": months[-1]})
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    before = dict(seeded.query("select month, sum(cost_usd) from core.aws_costs_monthly group by 1"))
    assert set(before) == {date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)}

    # a cost correction in July, recomputed for July only
    seeded.query("update raw.odoo_c_billing_internal_cur set unblended_cost = unblended_cost + 1000 "
                 "where id = (select min(id) from raw.odoo_c_billing_internal_cur where period = '2025-07-01')")
    seeded.query("update raw.odoo_c_billing_internal_cur set unblended_cost = unblended_cost + 500 "
                 "where id = (select min(id) from raw.odoo_c_billing_internal_cur where period = '2025-06-01')")
    july = dg.materialize(billing_assets, resources=seeded.resources, partition_key="2025-07-01")
    assert july.success
    after = dict(seeded.query("select month, sum(cost_usd) from core.aws_costs_monthly group by 1"))
    assert after[date(2025, 7, 1)] == before[date(2025, 7, 1)] + 1000
    assert after[date(2025, 6, 1)] == before[date(2025, 6, 1)]  # not recomputed
    assert after[date(2025, 8, 1)] == before[date(2025, 8, 1)]
    recon = seeded.query("select sum(cost_usd) from core.billing_reconciliation_monthly where month = '2025-07-01'")
    assert recon[0][0] == after[date(2025, 7, 1)]


@pytest.mark.parametrize(
    "row",
    [
        (1, "", "not a url", None, "<p>unclosed <b>bold", "<script>x</script>", None, None, 0, 0, date(1900, 1, 1), "12345"),
        (2, "\u202eevil\u200b Corp", "http://", "a@gmail.com", None, None, "", "", -5, -5, date(9999, 12, 31), None),
        (3, None, None, None, None, None, None, None, None, None, None, "1234-5678-9012"),
    ],
)
def test_bad_odoo_input_is_normalized_or_flagged(row):
    out = normalize_odoo_row(row)
    assert out[0] == row[0] and len(out) == 14
    flags = out[9]
    if row[0] == 1:
        assert "empty company name" in flags and any("invalid website" in f for f in flags)
        assert any("implausible date" in f for f in flags) and any("invalid AWS account id" in f for f in flags)
        assert out[5] is None and out[7] is None
    if row[0] == 2:
        assert out[3] is None  # free-mail never identifies a company
        assert any("non-positive" in f for f in flags)
    if row[0] == 3:
        assert out[8] == "123456789012"


def test_bad_ace_input_is_flagged():
    row = ("O1", "ACME & Sons, Inc.", "www.acme.com", None, "t", "<b>d</b>", "Migration", "Fin Services??",
           "closed lost", "Draft", "partner referral", "SaaS or PaaS", 0, 0, "EUR", date(1900, 1, 1), "1234", "Frnce",
           "project_budget", "Monthly", "HS-477093")
    out = normalize_ace_row(row)
    assert out[4] == "Closed Lost" and out[5] == "Pending Submission" and out[6] == "Partner Referral"
    flags = out[16]
    assert any("unknown industry" in f for f in flags) and any("invalid AWS account id" in f for f in flags)
    assert out[14] is None and any("HS-477093" in f for f in flags)  # another CRM's id is no Odoo id
    assert out[12] is None and out[13] is False and out[3] == "acme.com"
