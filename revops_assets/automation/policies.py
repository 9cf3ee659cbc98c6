"""How fresh each layer must be and what makes it run, declared once per layer (asset group).

`revops_assets.definitions` applies these to every asset spec by its group, so an asset added to a layer gets its
layer's automation and freshness without any code of its own. A group that matches no layer is an error at load
time (a test builds the definitions), never an asset that silently stays stale.

What starts what:
- raw (`raw_<source>` groups): the source change sensor and the hourly fallback schedule (automation/raw_sync.py),
  not a condition: only the sources know when they changed.
- core, search, matching, rules: follow their upstreams. They run on the daemon's next tick after any upstream
  update, once no upstream is missing or still running and every upstream *blocking* check passed (a core table
  whose primary key broke never reaches search or matching). One tick requests the whole chain in one run when
  the upstreams changed together; a layer whose upstreams finish at different times runs again after the last.
- core_billing: the newest month (the running one) daily after 05:00 UTC, once the billing sources have synced
  since; the month just closed is recomputed on days 1-3 too, as AWS's last cost lines for it arrive.
- review decisions: `match_decisions_sensor` (automation/match_review.py), the one trigger for re-scoring.

Freshness values are what a RevOps team works with: sources are mirrored within the hour, so raw warns after 2 h
and fails after 6 h (a sync outage of a morning); core follows raw within minutes (3 h / 8 h); search and matching
are what people review each day (4 h / 12 h: by the next working day at the latest); billing is daily, due by
07:00 UTC; the monthly rules are read once a day (26 h / 50 h: one missed day warns, two fail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

AC = dg.AutomationCondition

BILLING_CRON = "0 5 * * *"  # daily, 05:00 UTC: after AWS's overnight cost update
MONTH_CLOSE_CRON = "0 5 1-3 * *"  # days 1-3 of a month, when the month just closed receives its last cost lines
# A lookback selects the partitions lying wholly within it, counted back from the end of the running month: 62 days
# always cover the running and the previous month (at most 31 + 31 days) and never the one before (>= 89 days).
RUNNING_AND_CLOSING_MONTH = timedelta(days=62)


def follow_upstream(lookback: timedelta | None = None) -> dg.AutomationCondition:
    """Eager, gated on upstream blocking checks; `lookback` widens the time window of partitioned assets."""
    eager = AC.eager()
    if lookback is not None:
        eager = eager.replace("in_latest_time_window", AC.in_latest_time_window(lookback))
    # the UI shows ~30 characters of a label
    return (eager & AC.all_deps_blocking_checks_passed()).with_label("upstream updated, checks passed")


def billing_months() -> dg.AutomationCondition:
    """The running month daily on BILLING_CRON; the month just closed on MONTH_CLOSE_CRON."""
    running = AC.on_cron(BILLING_CRON)
    closing = (
        AC.in_latest_time_window(RUNNING_AND_CLOSING_MONTH)
        & ~AC.in_latest_time_window()
        & AC.cron_tick_passed(MONTH_CLOSE_CRON).since_last_handled()
        & AC.all_deps_updated_since_cron(MONTH_CLOSE_CRON)
    ).with_label("month just closed, days 1-3")
    return ((running | closing) & AC.all_deps_blocking_checks_passed()).with_label("daily 05:00 UTC + closing month")


@dataclass(frozen=True)
class LayerPolicy:
    layer: str
    freshness: dg.FreshnessPolicy
    automation: dg.AutomationCondition | None  # None: started by a sensor or schedule of its own


def _window(warn_hours: int, fail_hours: int) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=fail_hours), warn_window=timedelta(hours=warn_hours))


# Asset group -> its layer's policy; a group named raw_<source> is raw.
LAYER_POLICIES: dict[str, LayerPolicy] = {
    "raw": LayerPolicy("raw", _window(2, 6), None),
    "core": LayerPolicy("core", _window(3, 8), follow_upstream()),
    "core_billing": LayerPolicy(
        "core_billing",
        dg.FreshnessPolicy.cron(deadline_cron="0 7 * * *", lower_bound_delta=timedelta(hours=2)),
        billing_months(),
    ),
    "search": LayerPolicy("search", _window(4, 12), follow_upstream()),
    "matching": LayerPolicy("matching", _window(4, 12), follow_upstream()),
    "rules": LayerPolicy("rules", _window(26, 50), follow_upstream(RUNNING_AND_CLOSING_MONTH)),
}


def layer_policy(group_name: str | None) -> LayerPolicy:
    """The policy of the layer an asset group belongs to; KeyError naming the group when there is none."""
    name = group_name or "default"
    if name.startswith("raw_"):
        name = "raw"
    try:
        return LAYER_POLICIES[name]
    except KeyError:
        raise KeyError(
            f"asset group {group_name!r} belongs to no layer: name it after one of {', '.join(LAYER_POLICIES)} "
            "(or raw_<source>) so it gets that layer's automation and freshness (automation/policies.py)"
        ) from None


def with_layer_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    """`spec` with its layer's freshness policy and automation condition (replacing any set on the asset)."""
    policy = layer_policy(spec.group_name)
    return spec.replace_attributes(freshness_policy=policy.freshness, automation_condition=policy.automation)
