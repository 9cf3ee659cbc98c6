"""The source mapping on its own: files, naming rules, resolution order, overrides, and coverage of the spellings
ACE data is really found under (the reference field list), without a database."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from revops_assets.core.entities import core_entities
from revops_assets.core.mapping import MappingError, load_mapping
from revops_assets.core.mapping.naming import alias_keys, squash, without_markers
from revops_assets.core.mapping.resolve import Column, resolve_entity
from revops_assets.core.mapping.sources import required_problems
from revops_assets.core.mapping.spec import Mapping, Overrides, load_overrides
from revops_assets.sources.catalog import source_tables

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "ace" / "Opportunity-Fields.csv"


def columns(*spec: str) -> list[Column]:
    """'name:type' (type defaults to text) -> information_schema-like columns."""
    out = []
    for i, item in enumerate(spec, 1):
        name, _, data_type = item.partition(":")
        out.append(Column(name, data_type or "character varying", i))
    return out


def resolve(mapping: Mapping, entity: str, cols: list[Column]):
    ent = mapping.entity(entity)
    return resolve_entity(mapping, ent, "raw", f"{ent.system}_{ent.spec.table}", cols)


def with_overrides(tmp_path, text: str) -> Mapping:
    mapping = load_mapping()
    path = tmp_path / "overrides.yaml"
    path.write_text(text)
    return Mapping(mapping.entities, load_overrides(path, mapping.entities))


def test_names_compare_ignoring_case_punctuation_paths_and_custom_markers():
    assert squash("expectedMonthlyAwsRevenue") == squash("expected_monthly_aws_revenue") == squash("Expected-Monthly AWS revenue")
    assert alias_keys("Project.ExpectedCustomerSpend.Amount") == ["projectexpectedcustomerspendamount",
                                                                  "expectedcustomerspendamount"]
    # root + leaf is another common flattening, except for leaves that say nothing alone
    assert "customercountrycode" in alias_keys("Customer.Account.Address.CountryCode")
    assert "projectamount" not in alias_keys("Project.ExpectedCustomerSpend.Amount")
    assert without_markers("x_studio_c_cost", ["x_studio_", "x_", "c_"], []) == "cost"
    assert without_markers("Expected_Monthly__c", [], ["__c"]) == "expected_monthly"
    assert without_markers("cost", ["c_"], []) is None


def test_mapping_files_are_consistent_with_the_catalog_and_core():
    mapping = load_mapping()
    catalog = {(t.source, t.table) for t in source_tables()}
    for entity in mapping.entities.values():
        # every mapped table is mirrored by raw (a catalog line), so core can read it
        assert (entity.system, entity.spec.table) in catalog, entity.name
        for name, spec in entity.spec.fields.items():
            assert spec.meaning, f"{entity.name}.{name} has no meaning"
            if spec.references:
                assert spec.references in mapping.entities, f"{entity.name}.{name} -> {spec.references}"
            assert entity.lines.get(name), f"no line recorded for {entity.name}.{name}"
    for core in core_entities():
        for refs in core.lineage.values():
            for ref in refs:
                mapping.split(ref)  # raises on an unknown canonical field
        assert core.raw_inputs, core.name
    # money fields say their unit: a total budget is never confused with a monthly amount
    for ref in ("ace.expected_monthly_revenue", "ace.project_budget", "billing.cost.amount", "odoo.lead.expected_revenue"):
        entity, name = mapping.split(ref)
        assert entity.spec.fields[name].unit, ref
    assert "monthly" not in mapping.entity("ace").spec.fields["project_budget"].unit.split(";")[0]


def test_custom_billing_module_columns_resolve_through_prefixes_and_types():
    # the spellings of a differently built billing module: c_cost, c_period, c_aws_account_id, c_account_number
    res = resolve(load_mapping(), "billing.cost", columns(
        "id:integer", "c_period:date", "c_cost:numeric", "c_aws_account_id:integer", "c_account_number",
        "c_product_code", "x_studio_notes:text"))
    found = {name: (f.column, f.how) for name, f in res.fields.items() if f.found}
    assert found["period"] == ("c_period", "custom prefix")
    assert found["amount"] == ("c_cost", "custom prefix")
    assert found["account"] == ("c_aws_account_id", "custom prefix")  # the integer one is the many2one
    assert found["account_number"] == ("c_account_number", "custom prefix")  # the text one is the number
    assert found["product_code"] == ("c_product_code", "custom prefix")
    assert res.required_misses() == [] and "x_studio_notes" in res.extra_columns()


def test_a_column_of_the_wrong_type_is_passed_over():
    res = resolve(load_mapping(), "billing.cost", columns("period:boolean", "billing_period:date", "amount:date",
                                                          "unblended_cost:numeric", "account_id:integer"))
    assert res.fields["period"].column == "billing_period"
    assert res.fields["amount"].column == "unblended_cost"
    assert "amount (date)" in res.fields["amount"].note and "period (boolean)" in res.fields["period"].note
    # a text column named like an id is not a many2one
    res = resolve(load_mapping(), "odoo.lead", columns("id:integer", "name", "aws_account_id"))
    assert res.fields["aws_account"].column is None
    assert res.fields["aws_account_number"].column == "aws_account_id"


def test_an_earlier_alias_beats_a_closer_spelling_of_a_later_one():
    # Partner Central's flattened company name wins over a bare `name`
    res = resolve(load_mapping(), "ace", columns("id", "name", "customer_company_name", "project_title"))
    assert res.fields["customer_name"].column == "customer_company_name"
    assert res.fields["title"].column == "project_title"


def test_alternatives_cover_each_other_and_missing_ones_are_degraded():
    res = resolve(load_mapping(), "ace", columns("id", "customer_company_name", "title", "project_budget:numeric"))
    spend = {n: res.fields[n] for n in ("expected_monthly_revenue", "spend_amount", "project_budget")}
    assert spend["project_budget"].found and spend["expected_monthly_revenue"].covered_by == "ace.project_budget"
    degraded = {f.ref for f in res.degraded_fields()}
    assert "ace.expected_monthly_revenue" not in degraded and "ace.target_close_date" in degraded
    assert "ace.spend_currency" not in degraded  # has a default (ACE amounts are USD)
    assert "source field missing: ace.target_close_date" in res.flags()
    # nothing of the group: one flag naming all of it
    res = resolve(load_mapping(), "ace", columns("id", "customer_company_name", "title"))
    assert ("source field missing: ace.expected_monthly_revenue / ace.spend_amount / ace.project_budget"
            in res.flags())


def test_a_missing_required_field_is_one_error_with_aliases_and_the_line_to_add():
    mapping = load_mapping()
    res = resolve(mapping, "ace", columns("id", "title", "stage_name"))
    problems = required_problems(mapping, [res])
    assert len(problems) == 1
    message = problems[0]
    assert message.startswith("ace.customer_name (required")
    assert "customerCompanyName" in message and "Customer.Account.CompanyName" in message
    assert f"Add `ace.customer_name: <column>` under `fields:` in {mapping.overrides.path}" in message
    assert re.search(r"apn\.yaml:\d+", message)
    # a required one_of group: one message for the group
    res = resolve(mapping, "billing.cost", columns("id:integer", "period:date", "amount:numeric"))
    (message,) = required_problems(mapping, [res])
    assert "billing.cost.account or billing.cost.account_number" in message


def test_a_missing_optional_table_degrades_and_a_missing_required_one_is_an_error():
    mapping = load_mapping()
    vertical = resolve_entity(mapping, mapping.entity("odoo.vertical"), "raw", "odoo_c_vertical", None)
    assert required_problems(mapping, [vertical]) == []
    assert vertical.flags() == ["source table missing: odoo.vertical (c_vertical)"]
    lead = resolve_entity(mapping, mapping.entity("odoo.lead"), "raw", "odoo_crm_lead", None)
    (message,) = required_problems(mapping, [lead])
    assert "required table raw.odoo_crm_lead does not exist" in message and "under `tables:`" in message


def test_user_override_wins_over_aliases_and_can_switch_a_field_off(tmp_path):
    mapping = with_overrides(tmp_path, "fields:\n  ace.target_close_date: zz_when\n  ace.project_budget: null\n"
                                       "tables:\n  billing.cost: x_cost\n")
    res = resolve(mapping, "ace", columns("id", "customer_company_name", "title", "close_date:date", "zz_when:date",
                                          "project_budget:numeric"))
    assert (res.fields["target_close_date"].column, res.fields["target_close_date"].how) == ("zz_when", "override")
    assert res.fields["project_budget"].how == "disabled" and not res.fields["project_budget"].found
    assert mapping.table_of("billing.cost") == "x_cost"
    # an override naming a column that is not there is reported, never silently replaced by an alias
    res = resolve(mapping, "ace", columns("id", "customer_company_name", "title", "close_date:date"))
    assert not res.fields["target_close_date"].found and "zz_when" in res.fields["target_close_date"].note


def test_invalid_override_files_are_rejected_naming_the_problem(tmp_path, monkeypatch):
    with pytest.raises(MappingError, match="unknown canonical field 'ace.nope'"):
        with_overrides(tmp_path, "fields:\n  ace.nope: x\n")
    with pytest.raises(MappingError, match="expected only the keys"):
        with_overrides(tmp_path, "columns: {}\n")
    monkeypatch.setenv("REVOPS_MAPPING_OVERRIDES", str(tmp_path / "absent.yaml"))
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping()


def _reference_rows():
    if not REFERENCE.exists():
        pytest.skip(f"ACE reference not available at {REFERENCE}")
    with REFERENCE.open(encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))[1:]


def _snake(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


ACE_CORE_FIELDS = ("id", "customer_name", "title", "description", "website", "stage", "status", "origin", "industry",
                   "delivery_model", "use_case", "expected_monthly_revenue", "target_close_date", "aws_account_id",
                   "partner_crm_id", "country", "city", "closed_lost_reason", "next_step")


@pytest.mark.parametrize("naming", ["legacy JSON names", "Partner Central API paths"])
def test_ace_tables_named_after_either_ace_spelling_resolve(naming):
    """Columns named as a sync tool would (snake_case of the legacy JSON name, or of the whole API path) resolve
    every field core uses, from the reference list alone."""
    rows = _reference_rows()
    if naming == "legacy JSON names":
        names = [_snake(r[0]) for r in rows if r[0].strip()]
    else:
        names = [_snake(r[3].split()[0]) for r in rows if r[3].strip() and r[3].strip() != "#N/A"]
    cols = columns(*dict.fromkeys(n for n in names if n))
    mapping = load_mapping()
    res = resolve(mapping, "ace", cols)
    missing = [f for f in ACE_CORE_FIELDS if not res.fields[f].found]
    assert missing == [], (missing, sorted(c.name for c in cols))
    assert required_problems(mapping, [res]) == []
