"""Rules in YAML: loading, `extends`, validation errors naming file, program, rule and field; evaluation of each
operator at its boundaries as plain Python (no database, no Dagster)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from revops_assets.rules.config import RulesConfigError, load_rules
from revops_assets.rules.evaluate import AUTO_APPROVE, AUTO_REJECT, NEEDS_REVIEW, evaluate
from revops_assets.rules.facts import NO_ACCOUNT_NOTE, input_hash


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def _problems(directory: Path) -> list[str]:
    with pytest.raises(RulesConfigError) as info:
        load_rules(directory)
    return info.value.problems


def good_facts(**overrides) -> dict:
    """Facts of a pair every shipped POD rule passes (evaluated on 2026-03-01)."""
    facts = {
        "odoo_opportunity_id": 7, "match_status": "auto_matched", "match_score": 0.97, "confirmed_by": None,
        "ace_origin": "Partner Referral", "odoo_origin": "Partner Referral", "ace_stage": "Committed",
        "ace_review_status": "Approved", "odoo_outcome": "open", "evaluation_date": "2026-03-01",
        "target_close_date": "2026-04-15", "days_to_close": 45, "prior_month": "2026-02-01",
        "prior_month_spend_usd": 1200.0, "aws_accounts": ["111122223333"], "customer_name": "Acme GmbH",
        "title": "Data lake", "website": "acme.de", "email": "it@acme.de", "country_code": "DE",
        "expected_monthly_spend_usd": 8000.0, "expected_annual_spend_usd": 96000.0,
        "use_case": "Migration / Database Migration", "delivery_model": "Professional Services",
        "opportunity_type": "Net New Business", "_notes": {}, "_partial": {},
    }
    facts.update(overrides)
    return facts


@pytest.fixture(scope="module")
def shipped():
    return load_rules()


def test_shipped_programs_load_with_the_issue_defaults(shipped):
    pod = shipped.programs["pod"]
    assert pod.parameters == {"spend_threshold_usd": 5000, "close_window_days": 90}
    assert [r.name for r in pod.rules] == [
        "match_confidence", "stage_not_closed_lost", "end_user_details", "partner_originated",
        "origin_agrees_with_odoo", "prior_month_spend_under_threshold", "close_date_within_window"]
    assert "co_sell" not in shipped.programs  # abstract: only extended
    assert {"pod", "map"} <= set(shipped.programs)
    assert evaluate(pod, good_facts()).verdict == AUTO_APPROVE
    assert evaluate(pod, good_facts()).reasons == "every rule passed"


@pytest.mark.parametrize("spend, verdict", [(5000.0, AUTO_REJECT), (4999.99, AUTO_APPROVE), (5000.01, AUTO_REJECT)])
def test_spend_is_strictly_under_the_threshold(shipped, spend, verdict):
    ev = evaluate(shipped.programs["pod"], good_facts(prior_month_spend_usd=spend))
    assert ev.verdict == verdict
    if verdict == AUTO_REJECT:
        assert "is not under 5,000.00" in ev.outcome("prior_month_spend_under_threshold").reason


@pytest.mark.parametrize("days, verdict", [(0, AUTO_APPROVE), (90, AUTO_APPROVE), (91, AUTO_REJECT), (-1, AUTO_REJECT)])
def test_close_date_window_is_zero_to_ninety_days(shipped, days, verdict):
    assert evaluate(shipped.programs["pod"], good_facts(days_to_close=days)).verdict == verdict


def test_partial_spend_decides_only_when_the_bound_settles_it(shipped):
    pod = shipped.programs["pod"]
    note = "AWS account 999988887777 is not in the partner's billing (core.aws_accounts): ..."
    over = evaluate(pod, good_facts(prior_month_spend_usd=7000.0, _partial={"prior_month_spend_usd": note}))
    assert over.verdict == AUTO_REJECT and "999988887777" in over.reasons
    under = evaluate(pod, good_facts(prior_month_spend_usd=100.0, _partial={"prior_month_spend_usd": note}))
    assert under.verdict == NEEDS_REVIEW and "unknown" in under.reasons and "999988887777" in under.reasons


def test_missing_facts_follow_when_missing_and_quote_the_note(shipped):
    pod = shipped.programs["pod"]
    ev = evaluate(pod, good_facts(prior_month_spend_usd=None, aws_accounts=[],
                                  _notes={"prior_month_spend_usd": NO_ACCOUNT_NOTE}))
    assert ev.verdict == NEEDS_REVIEW and NO_ACCOUNT_NOTE in ev.reasons
    blank_odoo = evaluate(pod, good_facts(odoo_origin=None, _notes={"odoo_origin": "Odoo has no origination"}))
    assert blank_odoo.verdict == AUTO_APPROVE
    assert blank_odoo.outcome("origin_agrees_with_odoo").reason.endswith("Odoo has no origination")


def test_origin_stage_match_and_contact_rules(shipped):
    pod = shipped.programs["pod"]
    assert evaluate(pod, good_facts(odoo_origin="AWS Referral")).verdict == NEEDS_REVIEW
    assert evaluate(pod, good_facts(ace_origin="AWS Referral", odoo_origin="AWS Referral")).verdict == AUTO_REJECT
    assert evaluate(pod, good_facts(ace_stage="closed lost")).verdict == AUTO_REJECT  # compared loosely
    review = evaluate(pod, good_facts(match_status="needs_review"))
    assert review.verdict == NEEDS_REVIEW and "confirm it in `revops review`" in review.reasons
    assert evaluate(pod, good_facts(email=None)).verdict == AUTO_APPROVE  # website is enough
    no_contact = evaluate(pod, good_facts(email=None, website=None))
    assert no_contact.verdict == NEEDS_REVIEW and "email or website" in no_contact.reasons


def test_input_hash_is_stable_and_sensitive():
    assert input_hash(good_facts()) == input_hash(dict(reversed(list(good_facts().items()))))
    assert input_hash(good_facts()) != input_hash(good_facts(days_to_close=46))


def test_extends_overrides_parameters_replaces_and_drops_rules(tmp_path):
    _write(tmp_path, "base.yaml", """
        programs:
          base:
            abstract: true
            parameters: {limit: 100}
            rules:
              - {name: small, operator: at_most, fact: expected_monthly_spend_usd, value: $limit}
              - {name: approved, operator: in, fact: ace_review_status, values: [Approved], on_fail: review}
              - {name: stage, operator: not_in, fact: ace_stage, values: [Closed Lost]}
    """)
    _write(tmp_path, "child.yaml", """
        programs:
          child:
            extends: base
            parameters: {limit: 10000}
            rules:
              - {name: approved, operator: in, fact: ace_review_status, values: [Approved, Submitted], on_fail: review}
              - {name: stage, enabled: false, operator: not_in, fact: ace_stage, values: [x]}
              - {name: migration, operator: matches, fact: use_case, pattern: "(?i)migration"}
    """)
    child = load_rules(tmp_path).programs["child"]
    assert [r.name for r in child.rules] == ["small", "approved", "migration"]
    assert child.rules[0].value == 10000  # the parent's rule reads the child's parameter
    assert evaluate(child, good_facts(ace_review_status="Submitted", ace_stage="Closed Lost")).verdict == AUTO_APPROVE
    assert evaluate(child, good_facts(expected_monthly_spend_usd=10000.01)).verdict == AUTO_REJECT
    assert evaluate(child, good_facts(use_case="Training")).verdict == AUTO_REJECT
    assert child.rules_hash == load_rules(tmp_path).programs["child"].rules_hash
    (tmp_path / "child.yaml").write_text((tmp_path / "child.yaml").read_text().replace("limit: 10000", "limit: 9000"))
    assert load_rules(tmp_path).programs["child"].rules_hash != child.rules_hash  # a parameter decides verdicts


def test_a_new_rule_from_existing_operators_needs_no_code(tmp_path):
    _write(tmp_path, "startup.yaml", """
        programs:
          startup_credits:
            title: Startup credits
            parameters: {max_spend: 2000}
            at_stake: expected_annual_spend_usd
            rules:
              - name: small_customer
                operator: between
                fact: prior_month_spend_usd
                min: 0
                max: $max_spend
                fail_reason: "{label} {value} above {max}: not a startup"
              - name: german
                operator: in
                fact: country_code
                values: [DE, AT, CH]
                on_fail: review
    """)
    program = load_rules(tmp_path).programs["startup_credits"]
    assert program.at_stake == "expected_annual_spend_usd"
    ev = evaluate(program, good_facts(prior_month_spend_usd=2500.0, country_code="FR"))
    assert ev.verdict == AUTO_REJECT
    assert ev.outcome("small_customer").reason == "prior month spend usd 2,500.00 above 2,000.00: not a startup"
    assert ev.outcome("german").outcome == "review"


def test_validation_errors_name_file_program_rule_and_field(tmp_path):
    _write(tmp_path, "bad.yaml", """
        programs:
          pod2:
            parameters: {limit: 5000}
            rules:
              - {name: spend, operator: less_than, fact: prior_month_spend, value: $limit}
              - {name: spend_b, operator: less_than, fact: prior_month_spend_usd, value: $limt}
              - {name: odd, operator: greater_or_equal, fact: days_to_close, value: 3}
              - {name: origin, operator: in, fact: ace_origin, values: [Partner Referral], fail_reason: "{nope}"}
              - {name: window, operator: between, fact: days_to_close}
              - {name: words, operator: less_than, fact: ace_stage, value: 3}
              - {name: origin, operator: in, fact: ace_origin, values: [x], on_fail: maybe}
    """)
    problems = _problems(tmp_path)
    text = "\n".join(problems)
    assert "data/rules" not in text and "bad.yaml: program 'pod2', rule 'spend', field 'fact': unknown fact " \
                                       "'prior_month_spend'" in text
    assert "bad.yaml: program 'pod2', rule 'odd', field 'operator': unknown operator 'greater_or_equal'" in text
    assert "rule 'origin', field 'fail_reason': unknown placeholder(s) {nope}" in text
    assert "rule 'window': between needs min, max or both" in text
    assert "rule 'words', field 'fact': fact 'ace_stage' is a text, this operator needs a number" in text
    assert "rule 'origin', field 'on_fail'" in text


def test_reference_errors_are_reported_all_at_once(tmp_path):
    _write(tmp_path, "a.yaml", """
        programs:
          first:
            extends: nowhere
            rules: [{name: r, operator: in, fact: ace_stage, values: [Committed]}]
          second:
            rules:
              - {name: spend, operator: less_than, fact: prior_month_spend_usd, value: $limt}
          third:
            rules:
              - {name: use, operator: matches, fact: use_case, pattern: "(unclosed"}
          loop_a: {extends: loop_b, rules: []}
          loop_b: {extends: loop_a, rules: []}
    """)
    _write(tmp_path, "b.yaml", """
        programs:
          second: {rules: []}
        proposals:
          default_closed_lost_reason: Bored
    """)
    text = "\n".join(_problems(tmp_path))
    assert "a.yaml: program 'first', field 'extends': unknown program 'nowhere'" in text
    assert "a.yaml: program 'second', rule 'spend', field 'value': unknown parameter '$limt' (parameters: none)" in text
    assert "a.yaml: program 'third', rule 'use', field 'pattern': not a regular expression" in text
    assert "cycle loop_a -> loop_b -> loop_a" in text or "cycle loop_b -> loop_a -> loop_b" in text
    assert "b.yaml: program 'second': defined twice (also in " in text
    assert "b.yaml: proposals, field 'default_closed_lost_reason'" in text and "'Bored'" in text


def test_yaml_syntax_and_shape_errors_name_the_file(tmp_path):
    _write(tmp_path, "broken.yaml", "programs:\n  pod: [unclosed\n")
    assert any("broken.yaml: not valid YAML" in p for p in _problems(tmp_path))
    (tmp_path / "broken.yaml").write_text("rules: []\n")
    assert any("broken.yaml: expected top-level keys 'programs' and/or 'proposals'" in p for p in _problems(tmp_path))
