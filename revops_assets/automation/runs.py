"""How automated runs are started and executed: the automation condition sensor, the executor, run lanes.

- Executor: in-process by default, chosen by REVOPS_EXECUTOR in revops_assets/resources/executor.py (why, and the
  multiprocess and k8s alternatives, are explained there).
- Lanes: every automated run carries the tag `revops/lane` (raw | downstream). dagster.yaml's
  `tag_concurrency_limits` allows one run per lane at a time; the next one waits in the queue, so two runs never
  write the same tables at once, and a sync never races the layers built from it.
- Intervals: sensors tick every minute or 30 s; `REVOPS_SENSOR_INTERVAL_S` overrides all of them (tests, demos).
"""

from __future__ import annotations

import os

import dagster as dg

LANE_TAG = "revops/lane"
RAW_LANE = {LANE_TAG: "raw"}
DOWNSTREAM_LANE = {LANE_TAG: "downstream"}


def sensor_interval(default_seconds: int) -> int:
    """A sensor's minimum interval: `default_seconds`, or REVOPS_SENSOR_INTERVAL_S when set."""
    raw = os.environ.get("REVOPS_SENSOR_INTERVAL_S")
    if not raw:
        return default_seconds
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError(f"REVOPS_SENSOR_INTERVAL_S must be a number of seconds, got {raw!r}") from None
    if seconds < 1:
        raise ValueError(f"REVOPS_SENSOR_INTERVAL_S must be at least 1, got {seconds}")
    return seconds


def automation_sensor() -> dg.AutomationConditionSensorDefinition:
    """Evaluates every asset's automation condition (automation/policies.py); running from the start."""
    return dg.AutomationConditionSensorDefinition(
        "revops_automation",
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=sensor_interval(30),
        run_tags=DOWNSTREAM_LANE,
        description="Builds core, search, matching and rules after their upstreams change, and the newest billing "
        "month daily (conditions per layer in revops_assets/automation/policies.py)",
    )
