"""Programs and their rules, read from data/rules/*.yaml and validated before anything is evaluated.

A file holds `programs:` (name -> program) and/or `proposals:` (the ACE update proposal settings). A program has
`parameters`, `rules` and may `extends` another program: it inherits the parent's parameters (its own win) and
rules (a rule with the same name replaces the parent's in place, `enabled: false` drops it, new ones are appended).
`abstract: true` programs only exist to be extended. `$name` in a rule's value refers to a parameter and is
resolved after inheritance, so a child that changes a parameter changes the parent's rules that use it.

Every problem is reported at load with the file, program, rule and field at fault (all problems at once), e.g.
`data/rules/pod.yaml: program 'pod', rule 'prior_month_spend', field 'value': unknown parameter '$spend_limit'`.
A new rule built from the existing operators (revops_assets/rules/operators.py) over the facts
(revops_assets/rules/facts.py) needs no code.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from revops_assets.core import normalize as nz
from revops_assets.rules.facts import FACTS
from revops_assets.settings import data_dir

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
PARAM_RE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
Number = Union[int, float, str]  # str only as a $parameter reference


class RulesConfigError(ValueError):
    """One or more problems in data/rules/*.yaml, each naming file, program, rule and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid rules configuration:\n  " + "\n  ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- rules: one model per operator (the `operator` field selects it) -------------------------------------------------
class RuleBase(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    label: str | None = Field(default=None, description="how reasons name the fact (default: the fact's name)")
    on_fail: Literal["reject", "review"] = "reject"
    when_missing: Literal["pass", "review", "reject"] = "review"
    enabled: bool = True
    pass_reason: str | None = None
    fail_reason: str | None = None
    missing_reason: str | None = None

    # placeholders every reason template may use; operators add their own
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ()
    # kinds of fact (facts.py) the operator reads in `fact` (and `other`)
    FACT_KINDS: ClassVar[tuple[str, ...]] = ()

    @field_validator("fact", "other", check_fields=False)
    @classmethod
    def _known_fact(cls, v):
        return _check_fact(v, cls.FACT_KINDS)

    @field_validator("pass_reason", "fail_reason", "missing_reason")
    @classmethod
    def _template(cls, template):
        """Only the placeholders this operator fills ({label}, {value}, ... see PLACEHOLDERS)."""
        if template is None:
            return template
        allowed = {"label", "fact", "value", "note", *cls.PLACEHOLDERS}
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        except ValueError as err:
            raise ValueError(f"not a valid template ({err})") from None
        unknown = sorted(n for n in names if n.split(".")[0].split("[")[0] not in allowed)
        if unknown:
            raise ValueError(f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)} "
                             f"(allowed: {', '.join('{' + a + '}' for a in sorted(allowed))})")
        return template


def _check_fact(value: str, kinds: tuple[str, ...] | None = None) -> str:
    fact = FACTS.get(value)
    if fact is None:
        raise ValueError(f"unknown fact {value!r} (facts: {', '.join(sorted(FACTS))})")
    if kinds and fact.kind not in kinds:
        raise ValueError(f"fact {value!r} is a {fact.kind}, this operator needs a {' or '.join(kinds)}")
    return value


class InRule(RuleBase):
    """The fact is one of `values` (compared ignoring case, spaces and punctuation)."""

    operator: Literal["in", "not_in"]
    fact: str
    values: list[str] = Field(min_length=1)
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("values",)
    FACT_KINDS: ClassVar[tuple[str, ...]] = ("text",)


class SameAsRule(RuleBase):
    """The fact equals another fact (compared ignoring case, spaces and punctuation)."""

    operator: Literal["same_as"]
    fact: str
    other: str
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("other", "other_value")
    FACT_KINDS: ClassVar[tuple[str, ...]] = ("text", "number", "date")


class CompareRule(RuleBase):
    """A number against a limit: less_than (<), at_most (<=), greater_than (>), at_least (>=)."""

    operator: Literal["less_than", "at_most", "greater_than", "at_least"]
    fact: str
    value: Number
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("limit",)
    FACT_KINDS: ClassVar[tuple[str, ...]] = ("number",)


class BetweenRule(RuleBase):
    """A number within [min, max] (both inclusive; either may be left out)."""

    operator: Literal["between"]
    fact: str
    min: Number | None = None
    max: Number | None = None
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("min", "max")
    FACT_KINDS: ClassVar[tuple[str, ...]] = ("number",)

    @model_validator(mode="after")
    def _some_bound(self):
        if self.min is None and self.max is None:
            raise ValueError("between needs min, max or both")
        return self


class PresentRule(RuleBase):
    """Every listed fact is present; a nested list means any one of those facts will do."""

    operator: Literal["present"]
    facts: list[Union[str, list[str]]] = Field(min_length=1)
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("missing",)

    @field_validator("facts")
    @classmethod
    def _facts(cls, v):
        for item in v:
            for name in item if isinstance(item, list) else [item]:
                _check_fact(name)
        return v


class MatchesRule(RuleBase):
    """The fact matches a regular expression (Python syntax, searched anywhere in the value)."""

    operator: Literal["matches"]
    fact: str
    pattern: str
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ("pattern",)
    FACT_KINDS: ClassVar[tuple[str, ...]] = ("text",)


    @field_validator("pattern")
    @classmethod
    def _pattern(cls, v):
        if not PARAM_RE.match(v):
            try:
                re.compile(v)
            except re.error as err:
                raise ValueError(f"not a regular expression: {err}") from None
        return v


Rule = Annotated[
    Union[InRule, SameAsRule, CompareRule, BetweenRule, PresentRule, MatchesRule],
    Field(discriminator="operator"),
]
OPERATORS = ("in", "not_in", "same_as", "less_than", "at_most", "greater_than", "at_least", "between", "present",
             "matches")


class ProgramSpec(_Strict):
    """A program as written in YAML (before `extends` is applied)."""

    title: str | None = None
    description: str = ""
    extends: str | None = None
    abstract: bool = False
    parameters: dict[str, Union[int, float, str, bool]] = {}
    at_stake: str | None = Field(default=None, description="numeric fact summed as 'USD at stake' per verdict")
    rules: list[Rule] = []

    @field_validator("at_stake")
    @classmethod
    def _at_stake(cls, v):
        return None if v is None else _check_fact(v, ("number",))

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, v):
        for name in v:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                raise ValueError(f"parameter name {name!r} must be a word (letters, digits, _)")
        return v


class ProposalSettings(_Strict):
    """How `rules.ace_update_proposals` decides that ACE should follow Odoo."""

    catalog: Literal["AWS", "Sandbox"] = "AWS"
    match_statuses: list[Literal["confirmed", "auto_matched", "needs_review"]] = ["confirmed", "auto_matched"]
    close_date_tolerance_days: int = Field(default=30, ge=0)
    amount_ratio: float = Field(default=3.0, ge=1.0)
    odoo_revenue_months: int = Field(default=12, ge=1)
    default_closed_lost_reason: str = "Other"

    @field_validator("default_closed_lost_reason")
    @classmethod
    def _reason(cls, v):
        if v not in nz.canonical_values("closed_lost_reason"):
            raise ValueError(f"{v!r} is not an ACE ClosedLostReason ({', '.join(nz.canonical_values('closed_lost_reason'))})")
        return v


# -- resolved programs -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Program:
    """A program after `extends` and `$parameters` are applied: what the evaluator runs."""

    name: str
    title: str
    description: str
    parameters: dict[str, Any]
    rules: tuple  # resolved rule models (values substituted), enabled ones only
    at_stake: str
    source: str  # the file it came from

    @cached_property  # read once per verdict row: computed once per program (frozen: it cannot change)
    def rules_hash(self) -> str:
        """Digest of everything that decides verdicts: rules (resolved) and parameters."""
        payload = {"rules": [r.model_dump() for r in self.rules], "parameters": self.parameters,
                   "at_stake": self.at_stake}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @property
    def table(self) -> str:
        return f"{self.name}_eligibility"


@dataclass(frozen=True)
class RulesConfig:
    programs: dict[str, Program]
    proposals: ProposalSettings


def rules_dir() -> Path:
    return data_dir() / "rules"


def _where(path: Path, program: str | None = None, rule: str | None = None, field: str | None = None) -> str:
    parts = [f"program {program!r}"] if program else []
    if rule:
        parts.append(f"rule {rule!r}")
    if field:
        parts.append(f"field {field!r}")
    return f"{_display(path)}: " + ", ".join(parts) if parts else _display(path)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(data_dir().parent))
    except ValueError:
        return str(path)


def _validation_problems(err: ValidationError, path: Path, program: str, raw: dict) -> list[str]:
    """Pydantic's errors as 'file: program, rule, field: message' (the rule named, not numbered)."""
    problems = []
    raw_rules = raw.get("rules") if isinstance(raw.get("rules"), list) else []
    for e in err.errors():
        loc = list(e["loc"])
        rule = None
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            index = loc[1]
            item = raw_rules[index] if index < len(raw_rules) else None
            rule = item.get("name") if isinstance(item, dict) and item.get("name") else f"#{index + 1}"
            loc = loc[2:]
            if loc and isinstance(loc[0], str) and loc[0] in OPERATORS:  # the discriminated union's branch
                loc = loc[1:]
        field = ".".join(str(p) for p in loc) or None
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "union_tag_invalid":
            field = "operator"
            message = f"unknown operator {e['input'].get('operator')!r} (operators: {', '.join(OPERATORS)})"
        elif e["type"] == "union_tag_not_found":
            field = "operator"
            message = f"missing (operators: {', '.join(OPERATORS)})"
        problems.append(f"{_where(path, program, rule, field)}: {message}")
    return problems


def _read(files: list[Path]) -> tuple[dict, dict, ProposalSettings, list[str]]:
    specs: dict[str, ProgramSpec] = {}
    origin: dict[str, Path] = {}
    proposals, proposals_from = ProposalSettings(), None
    problems: list[str] = []
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            problems.append(f"{_display(path)}: not valid YAML ({err})")
            continue
        if not isinstance(doc, dict) or set(doc) - {"programs", "proposals"}:
            problems.append(f"{_display(path)}: expected top-level keys 'programs' and/or 'proposals'"
                            + (f", got {sorted(doc)}" if isinstance(doc, dict) else ""))
            continue
        programs = doc.get("programs") or {}
        if not isinstance(programs, dict):
            problems.append(f"{_display(path)}: 'programs' must map program names to programs")
            programs = {}
        for name, raw in programs.items():
            if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
                problems.append(f"{_display(path)}: program name {name!r} must be lower_snake_case")
                continue
            if name in origin:
                problems.append(f"{_where(path, name)}: defined twice (also in {_display(origin[name])})")
                continue
            if not isinstance(raw, dict):
                problems.append(f"{_where(path, name)}: a program is a mapping (title, parameters, rules, ...)")
                continue
            origin[name] = path
            try:
                specs[name] = ProgramSpec.model_validate(raw)
            except ValidationError as err:
                problems.extend(_validation_problems(err, path, name, raw))
                continue
            seen = set()
            for rule in specs[name].rules:
                if rule.name in seen:
                    problems.append(f"{_where(path, name, rule.name, 'name')}: two rules share this name")
                seen.add(rule.name)
        if "proposals" in doc:
            if proposals_from is not None:
                problems.append(f"{_display(path)}: 'proposals' is also set in {_display(proposals_from)}")
                continue
            try:
                proposals = ProposalSettings.model_validate(doc["proposals"] or {})
                proposals_from = path
            except ValidationError as err:
                for e in err.errors():
                    field = ".".join(str(p) for p in e["loc"])
                    message = e["msg"].removeprefix("Value error, ")
                    problems.append(f"{_display(path)}: proposals, field {field!r}: {message}")
    return specs, origin, proposals, problems


def _chain(name: str, specs: dict[str, ProgramSpec], origin: dict[str, Path]) -> list[str]:
    """[root, ..., name] following `extends`; raises on an unknown parent or a cycle."""
    chain = [name]
    while specs[chain[-1]].extends:
        parent = specs[chain[-1]].extends
        if parent not in specs:
            raise ValueError(f"{_where(origin[chain[-1]], chain[-1], field='extends')}: unknown program {parent!r} "
                             f"(programs: {', '.join(sorted(specs))})")
        if parent in chain:
            raise ValueError(f"{_where(origin[name], name, field='extends')}: cycle "
                             f"{' -> '.join([*chain, parent])}")
        chain.append(parent)
    return chain[::-1]


def _substitute(value, parameters: dict, where: str, problems: list[str]):
    if isinstance(value, str) and (m := PARAM_RE.match(value)):
        if m.group(1) not in parameters:
            problems.append(f"{where}: unknown parameter {value!r} (parameters: {', '.join(sorted(parameters)) or 'none'})")
            return None
        return parameters[m.group(1)]
    return value


def _resolve(name: str, specs: dict, origin: dict, problems: list[str]) -> Program | None:
    try:
        chain = _chain(name, specs, origin)
    except ValueError as err:
        problems.append(str(err))
        return None
    parameters: dict = {}
    rules: dict[str, tuple[Any, str]] = {}  # name -> (rule, program it came from); dict keeps first-seen order
    at_stake = None
    for link in chain:
        spec = specs[link]
        parameters.update(spec.parameters)
        for rule in spec.rules:
            rules[rule.name] = (rule, link)
        at_stake = spec.at_stake or at_stake
    resolved = []
    for rule, link in rules.values():
        if not rule.enabled:
            continue
        updates = {}
        for field in ("value", "min", "max", "pattern"):
            if field in type(rule).model_fields and getattr(rule, field) is not None:
                where = _where(origin[link], name, rule.name, field) + (
                    f" (inherited from {link!r})" if link != name else "")
                value = _substitute(getattr(rule, field), parameters, where, problems)
                if field != "pattern" and value is not None and not isinstance(value, (int, float)):
                    problems.append(f"{where}: must be a number, got {value!r}")
                    value = None
                if field == "pattern" and value is not None:
                    try:
                        re.compile(str(value))
                    except re.error as err:
                        problems.append(f"{where}: not a regular expression: {err}")
                updates[field] = value
        resolved.append(rule.model_copy(update=updates))
    spec = specs[name]
    return Program(
        name=name, title=spec.title or name.upper(), description=spec.description, parameters=parameters,
        rules=tuple(resolved), at_stake=at_stake or "expected_monthly_spend_usd", source=_display(origin[name]),
    )


def load_rules(directory: Path | None = None) -> RulesConfig:
    """Every program of directory/*.yaml (default data/rules), resolved and validated; raises RulesConfigError."""
    directory = directory or rules_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise RulesConfigError([f"{_display(directory)}: no *.yaml rule files"])
    specs, origin, proposals, problems = _read(files)
    programs = {}
    for name in specs:
        program = _resolve(name, specs, origin, problems)
        if program is None or specs[name].abstract:
            continue
        if not program.rules:
            problems.append(f"{_where(origin[name], name, field='rules')}: the program has no enabled rules")
        programs[name] = program
    if problems:
        raise RulesConfigError(problems)
    return RulesConfig(programs=programs, proposals=proposals)


@lru_cache(maxsize=1)
def default_rules() -> RulesConfig:
    """data/rules, loaded once per process (the code location builds one asset per program from it)."""
    return load_rules()
