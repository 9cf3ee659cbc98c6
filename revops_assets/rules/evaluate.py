"""A program's verdict on one pair's facts: plain Python, no database and no Dagster.

Every enabled rule is applied (none short-circuits, so each outcome and reason is on record). The verdict is
`auto_reject` when any rule rejects, else `needs_review` when any asks for review, else `auto_approve`; `reasons`
lists the rules that decided it (rejections, else reviews), or says that every rule passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from revops_assets.rules.config import Program
from revops_assets.rules.operators import PASS, REJECT, REVIEW, RuleOutcome, apply_rule

AUTO_APPROVE, NEEDS_REVIEW, AUTO_REJECT = "auto_approve", "needs_review", "auto_reject"
VERDICTS = (AUTO_APPROVE, NEEDS_REVIEW, AUTO_REJECT)


@dataclass(frozen=True)
class Evaluation:
    verdict: str
    outcomes: tuple[RuleOutcome, ...]

    @property
    def reasons(self) -> str:
        deciding = [o for o in self.outcomes if o.outcome == REJECT] or [o for o in self.outcomes if o.outcome == REVIEW]
        if not deciding:
            return "every rule passed"
        return "; ".join(f"{o.rule}: {o.reason}" for o in deciding)

    def outcome(self, rule: str) -> RuleOutcome:
        return next(o for o in self.outcomes if o.rule == rule)


def verdict_of(outcomes: tuple[RuleOutcome, ...] | list[RuleOutcome]) -> str:
    kinds = {o.outcome for o in outcomes}
    if REJECT in kinds:
        return AUTO_REJECT
    if REVIEW in kinds:
        return NEEDS_REVIEW
    assert kinds <= {PASS}, kinds
    return AUTO_APPROVE


def evaluate(program: Program, facts: dict) -> Evaluation:
    outcomes = tuple(apply_rule(rule, facts) for rule in program.rules)
    return Evaluation(verdict=verdict_of(outcomes), outcomes=outcomes)
