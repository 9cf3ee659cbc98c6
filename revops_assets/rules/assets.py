"""Rules layer assets: one monthly eligibility asset per program of data/rules/*.yaml, and the ACE update proposals.

`rules/<program>_eligibility` is partitioned by month like the billing facts (same partitions, so a backfill of
billing and verdicts is one run) and backfills a range in a single run. Each month reads the AWS spend of the month
before (core/aws_costs_monthly, partition offset -1) and the matched pairs as captured for that month (snapshots.py:
a closed month keeps the facts it was evaluated on). Two checks guard every run: every matched pair has a verdict in
every month of the window, and no verdict changed without its inputs or the rules changing.
"""


import dagster as dg
from pydantic import Field

from revops_assets.core.billing import monthly_partitions
from revops_assets.rules.config import Program, RulesConfig, default_rules
from revops_assets.rules.evaluate import VERDICTS
from revops_assets.rules.proposals import build_proposals
from revops_assets.rules.verdicts import MonthResult, evaluate_months, missing_verdicts, unexplained_changes

GROUP = "rules"
EVERY_PAIR_CHECK = "every_matched_pair_has_a_verdict"
STABLE_CHECK = "verdict_changes_only_with_inputs"
COMMON = dict(group_name=GROUP, kinds={"postgres"}, owners=["team:revops"], required_resource_keys={"warehouse_db"},
              tags={"layer": "rules"})

CURRENT_INPUTS = [
    dg.AssetKey(["matching", "opportunity_matches"]),
    dg.AssetKey(["core", "ace_opportunities"]),
    dg.AssetKey(["core", "odoo_opportunities"]),
    dg.AssetKey(["core", "aws_accounts"]),
]
PRIOR_MONTH_COSTS = dg.AssetDep(
    dg.AssetKey(["core", "aws_costs_monthly"]),
    partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1,
                                                    allow_nonexistent_upstream_partitions=True),
)


class EligibilityConfig(dg.Config):
    refresh_inputs: bool = Field(
        default=False,
        description="recapture closed months from the current state (normally they keep the facts they were "
        "evaluated on); the replaced captures stay in rules.eligibility_inputs",
    )


def _by_month_markdown(results: list[MonthResult]) -> str:
    lines = ["| month | " + " | ".join(VERDICTS) + " | " + " | ".join(f"USD {v}" for v in VERDICTS) + " |",
             "|---" * (1 + 2 * len(VERDICTS)) + "|"]
    for r in results:
        row = r.as_row()
        lines.append(f"| {row['month']} | " + " | ".join(f"{row[v]:,}" for v in VERDICTS) + " | "
                     + " | ".join(f"{row['usd_' + v]:,.0f}" for v in VERDICTS) + " |")
    return "\n".join(lines)


def _metadata(program: Program, results: list[MonthResult]) -> dict:
    latest = results[-1]
    captures = {k: sum(getattr(r.capture, k) for r in results) for k in ("captured", "superseded", "reused")}
    return {
        "dagster/row_count": sum(sum(r.verdicts.values()) for r in results),
        "program": program.title,
        "rules_file": program.source,
        "rules_hash": program.rules_hash,
        "parameters": dg.MetadataValue.json(program.parameters),
        "months": len(results),
        "latest_month": latest.month.strftime("%Y-%m"),
        "verdicts": dg.MetadataValue.json({v: latest.verdicts.get(v, 0) for v in VERDICTS}),
        "usd_at_stake": dg.MetadataValue.json({v: round(latest.usd_at_stake.get(v, 0.0), 2) for v in VERDICTS}),
        "at_stake_fact": program.at_stake,
        "rule_outcomes": dg.MetadataValue.json({rule: dict(c) for rule, c in latest.rule_outcomes.items()}),
        "state_as_of": dg.MetadataValue.json(dict(latest.state_as_of)),
        "inputs": dg.MetadataValue.json({**captures, "open_months": [r.month.strftime("%Y-%m") for r in results
                                                                     if r.capture.open]}),
        "by_month": dg.MetadataValue.md(_by_month_markdown(results)),
    }


def eligibility_asset(program: Program) -> dg.AssetsDefinition:
    key = dg.AssetKey(["rules", program.table])

    @dg.asset(
        key=key,
        deps=[*CURRENT_INPUTS, PRIOR_MONTH_COSTS],
        partitions_def=monthly_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=f"{program.title}: one row per matched ACE opportunity per month with each rule's outcome and "
        f"reason and a verdict (auto_approve / needs_review / auto_reject). Rules: {program.source}.",
        metadata={"dagster/table_name": f"rules.{program.table}", "rules_file": program.source},
        check_specs=[
            dg.AssetCheckSpec(EVERY_PAIR_CHECK, asset=key, description="every matched pair has a verdict in every "
                              "month of the run's window"),
            dg.AssetCheckSpec(STABLE_CHECK, asset=key, description="no verdict changed while its input hash and "
                              "the rules hash stayed the same"),
        ],
        **COMMON,
    )
    def _eligibility(context: dg.AssetExecutionContext, config: EligibilityConfig):
        window = context.partition_time_window
        start, end = window.start.date(), window.end.date()
        with context.resources.warehouse_db.connection() as conn:
            results = evaluate_months(conn, program, start, end, refresh=config.refresh_inputs)
            missing = missing_verdicts(conn, program, start, end)
            unexplained = unexplained_changes(conn, program, start, end)
        return dg.MaterializeResult(
            metadata=_metadata(program, results),
            check_results=[
                dg.AssetCheckResult(check_name=EVERY_PAIR_CHECK, passed=not missing, metadata={
                    "missing": dg.MetadataValue.json([{"month": m, "pairs": n, "example": ex} for m, n, ex in missing])}),
                dg.AssetCheckResult(check_name=STABLE_CHECK, passed=not unexplained, metadata={
                    "unexplained": dg.MetadataValue.json([list(map(str, r)) for r in unexplained])}),
            ],
        )

    return _eligibility


def proposals_asset(config: RulesConfig) -> dg.AssetsDefinition:
    @dg.asset(
        key=["rules", "ace_update_proposals"],
        deps=CURRENT_INPUTS[:3],
        description="Matched pairs whose stage, close date or amount disagree, with the Partner Central "
        "UpdateOpportunity payload that would bring ACE in line with Odoo and the reason; "
        "`revops review export proposals <file>` exports them (.csv, .json or .jsonl).",
        metadata={"dagster/table_name": "rules.ace_update_proposals"},
        **COMMON,
    )
    def ace_update_proposals(context: dg.AssetExecutionContext):
        with context.resources.warehouse_db.connection() as conn:
            built = build_proposals(conn, config.proposals)
            with conn.cursor() as cur:
                cur.execute("select coalesce(sum(usd_at_stake), 0) from rules.ace_update_proposals")
                stake = float(cur.fetchone()[0])
                cur.execute("select ace_opportunity_id, customer_name, reason from rules.ace_update_proposals "
                            "order by usd_at_stake desc nulls last, ace_opportunity_id limit 5")
                preview = cur.fetchall()
        table = "| ACE | customer | reason |\n|---|---|---|\n" + "".join(
            f"| {a} | {(c or '').replace('|', '/')} | {r.replace('|', '/')} |\n" for a, c, r in preview)
        return dg.MaterializeResult(metadata={
            "dagster/row_count": built["rows"],
            "by_change": dg.MetadataValue.json(built["by_change"]),
            "invalid_payloads": len(built["invalid"]),
            "invalid_examples": dg.MetadataValue.json(built["invalid"][:10]),
            "usd_at_stake": stake,
            "catalog": config.proposals.catalog,
            "preview": dg.MetadataValue.md(table),
        })

    return ace_update_proposals


def rules_assets(config: RulesConfig | None = None) -> list[dg.AssetsDefinition]:
    config = config or default_rules()
    return [*(eligibility_asset(p) for p in config.programs.values()), proposals_asset(config)]
