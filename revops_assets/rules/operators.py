"""What each rule operator decides, and the reason it gives: pure functions of (rule, facts).

An outcome is `pass`, `review` or `reject`. A fact that is missing (None, empty) gives the rule's `when_missing`
outcome and quotes the fact's note ("no AWS account linked to the match ..."). A fact marked partial (a lower bound,
see facts.py) decides a comparison only when the bound alone settles it (spend already over the limit fails; spend
under it is not known to be under), otherwise it counts as missing. Reasons come from the rule's templates when it
has them, else from the operator's defaults below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from revops_assets.core.normalize import picklist_key
from revops_assets.rules.config import (
    BetweenRule,
    CompareRule,
    InRule,
    MatchesRule,
    PresentRule,
    SameAsRule,
)
from revops_assets.rules.facts import NOTES, PARTIAL

PASS, REVIEW, REJECT = "pass", "review", "reject"
SYMBOLS = {"less_than": "<", "at_most": "<=", "greater_than": ">", "at_least": ">="}
WORDS = {"less_than": "under", "at_most": "at most", "greater_than": "over", "at_least": "at least"}


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    outcome: str
    reason: str

    def as_json(self) -> dict:
        return {"rule": self.rule, "outcome": self.outcome, "reason": self.reason}


def missing(value) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0)


def fmt(value, fact: str = "") -> str:
    """A fact value for people: money with cents and thousands separators, lists joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if fact.endswith("_usd"):
            return f"{value:,.2f}"
        return f"{value:,}" if float(value).is_integer() else f"{value:,.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value) or "none"
    return "none" if value is None else str(value)


def _label(rule) -> str:
    fact = getattr(rule, "fact", None) or rule.name
    return rule.label or fact.replace("_", " ")


def _reason(rule, outcome_kind: str, default: str, **values) -> str:
    template = getattr(rule, f"{outcome_kind}_reason")
    if not template:
        return default
    return template.format_map(_Safe(label=_label(rule), fact=getattr(rule, "fact", ""), **values))


class _Safe(dict):
    def __missing__(self, key):  # templates are validated at load; this only guards odd format specs
        return "{" + key + "}"


def _missing_outcome(rule, facts: dict, fact: str, note: str | None = None) -> RuleOutcome:
    note = note or facts.get(NOTES, {}).get(fact) or f"no {fact.replace('_', ' ')}"
    outcome = {"pass": PASS, "review": REVIEW, "reject": REJECT}[rule.when_missing]
    default = f"{_label(rule)} unknown: {note}"
    return RuleOutcome(rule.name, outcome, _reason(rule, "missing", default, value="none", note=note))


def _decided(rule, ok: bool, pass_default: str, fail_default: str, **values) -> RuleOutcome:
    if ok:
        return RuleOutcome(rule.name, PASS, _reason(rule, "pass", pass_default, **values))
    outcome = REJECT if rule.on_fail == "reject" else REVIEW
    return RuleOutcome(rule.name, outcome, _reason(rule, "fail", fail_default, **values))


def check_in(rule: InRule, facts: dict) -> RuleOutcome:
    value = facts.get(rule.fact)
    if missing(value):
        return _missing_outcome(rule, facts, rule.fact)
    keys = {picklist_key(v) for v in rule.values}
    inside = picklist_key(value) in keys
    ok = inside if rule.operator == "in" else not inside
    listed = ", ".join(rule.values)
    label = _label(rule)
    if rule.operator == "in":
        return _decided(rule, ok, f"{label} is {value}", f"{label} is {value}, not {listed}", value=value, values=listed)
    return _decided(rule, ok, f"{label} is {value}", f"{label} is {value}", value=value, values=listed)


def check_same_as(rule: SameAsRule, facts: dict) -> RuleOutcome:
    value, other = facts.get(rule.fact), facts.get(rule.other)
    if missing(value):
        return _missing_outcome(rule, facts, rule.fact)
    if missing(other):
        return _missing_outcome(rule, facts, rule.other)
    ok = picklist_key(value) == picklist_key(other)
    label, other_label = _label(rule), rule.other.replace("_", " ")
    return _decided(rule, ok, f"{label} {fmt(value)} agrees with {other_label}",
                    f"{label} {fmt(value)} but {other_label} {fmt(other)}",
                    value=fmt(value), other=other_label, other_value=fmt(other))


def _passes(operator: str, value: float, limit: float) -> bool:
    return {"less_than": value < limit, "at_most": value <= limit,
            "greater_than": value > limit, "at_least": value >= limit}[operator]


def check_compare(rule: CompareRule, facts: dict) -> RuleOutcome:
    value = facts.get(rule.fact)
    if missing(value):
        return _missing_outcome(rule, facts, rule.fact)
    limit = float(rule.value)
    ok = _passes(rule.operator, float(value), limit)
    partial = facts.get(PARTIAL, {}).get(rule.fact)
    if partial:  # a lower bound: it settles "over a limit" one way only
        upper_test = rule.operator in ("less_than", "at_most")
        if ok == upper_test:
            return _missing_outcome(rule, facts, rule.fact, note=partial)
    label, shown, limit_shown = _label(rule), fmt(value, rule.fact), fmt(rule.value, rule.fact)
    word = WORDS[rule.operator]
    suffix = f" ({partial})" if partial else ""
    return _decided(rule, ok, f"{label} {shown} is {word} {limit_shown}",
                    f"{label} {shown} is not {word} {limit_shown}{suffix}",
                    value=shown, limit=limit_shown, note=partial or "")


def check_between(rule: BetweenRule, facts: dict) -> RuleOutcome:
    value = facts.get(rule.fact)
    if missing(value):
        return _missing_outcome(rule, facts, rule.fact)
    v = float(value)
    low_ok = rule.min is None or v >= float(rule.min)
    high_ok = rule.max is None or v <= float(rule.max)
    partial = facts.get(PARTIAL, {}).get(rule.fact)
    if partial and high_ok:  # a lower bound proves only "too high"
        return _missing_outcome(rule, facts, rule.fact, note=partial)
    label, shown = _label(rule), fmt(value, rule.fact)
    lo = "" if rule.min is None else fmt(rule.min, rule.fact)
    hi = "" if rule.max is None else fmt(rule.max, rule.fact)
    span = f"{lo or '-inf'}..{hi or 'inf'}"
    return _decided(rule, low_ok and high_ok, f"{label} {shown} is within {span}",
                    f"{label} {shown} is {'below' if not low_ok else 'above'} {lo if not low_ok else hi}",
                    value=shown, min=lo, max=hi)


def check_present(rule: PresentRule, facts: dict) -> RuleOutcome:
    absent = []
    for item in rule.facts:
        options = item if isinstance(item, list) else [item]
        if all(missing(facts.get(name)) for name in options):
            absent.append(" or ".join(o.replace("_", " ") for o in options))
    label = rule.label or "details"
    return _decided(rule, not absent, f"{label} present", f"{label} missing: {', '.join(absent)}",
                    missing=", ".join(absent), value="")


def check_matches(rule: MatchesRule, facts: dict) -> RuleOutcome:
    value = facts.get(rule.fact)
    if missing(value):
        return _missing_outcome(rule, facts, rule.fact)
    ok = re.search(str(rule.pattern), str(value)) is not None
    label = _label(rule)
    return _decided(rule, ok, f"{label} is {value}", f"{label} is {value}, which does not qualify",
                    value=value, pattern=rule.pattern)


CHECKS = {
    InRule: check_in,
    SameAsRule: check_same_as,
    CompareRule: check_compare,
    BetweenRule: check_between,
    PresentRule: check_present,
    MatchesRule: check_matches,
}


def apply_rule(rule, facts: dict) -> RuleOutcome:
    return CHECKS[type(rule)](rule, facts)
