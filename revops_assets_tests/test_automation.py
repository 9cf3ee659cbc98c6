"""What starts what, evaluated tick by tick as the daemon would (dagster's condition tester, an ephemeral instance):
layers follow their upstreams only once upstream blocking checks pass, billing runs its newest month on the cron
and the month just closed on days 1-3, and the hourly sync never starts a second full sync on top of one."""

from __future__ import annotations

from datetime import datetime, timezone

import dagster as dg
import pytest

from dagster._core.utils import make_new_run_id

from revops_assets.automation import runs as run_policy
from revops_assets.automation.policies import with_layer_policy
from revops_assets.automation.raw_sync import raw_hourly_schedule, raw_sync_job
from revops_assets.core.billing import monthly_partitions
from revops_assets.resources.executor import executor_from_env
from revops_assets.sources.catalog import source_tables

CHECK = "key_unique"
check_passes = {"value": True}


@dg.asset(key=["raw", "src_orders"], group_name="raw_src")
def raw_orders() -> None: ...


@dg.asset(key=["core", "orders"], group_name="core", deps=[raw_orders],
          check_specs=[dg.AssetCheckSpec(CHECK, asset=["core", "orders"], blocking=True)])
def core_orders():
    return dg.MaterializeResult(check_results=[dg.AssetCheckResult(check_name=CHECK, passed=check_passes["value"])])


@dg.asset(key=["search", "orders"], group_name="search", deps=[core_orders])
def search_orders() -> None: ...


@dg.asset(key=["matching", "orders"], group_name="matching", deps=[search_orders])
def matching_orders() -> None: ...


@dg.asset(key=["core", "costs_monthly"], group_name="core_billing", deps=[raw_orders], partitions_def=monthly_partitions)
def costs_monthly() -> None: ...


def layered(*assets) -> dg.Definitions:
    return dg.Definitions(assets=list(assets)).map_asset_specs(func=with_layer_policy)


def _keys(result) -> set[str]:
    return {r.key.to_user_string() for r in result.results if r.true_subset.size}


def test_layers_follow_upstream_only_once_blocking_checks_pass():
    defs = layered(raw_orders, core_orders, search_orders, matching_orders)
    instance = dg.DagsterInstance.ephemeral()
    tick = dg.evaluate_automation_conditions(defs, instance)
    assert _keys(tick) == set()  # raw never ran: nothing downstream can

    assert dg.materialize([raw_orders], instance=instance).success
    tick = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
    # the whole chain in one tick: core because raw changed, the rest because core will run
    assert _keys(tick) == {"core/orders", "search/orders", "matching/orders"}

    # core rebuilt with a failing blocking check: nothing downstream may follow it
    tick = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
    check_passes["value"] = False
    try:
        dg.materialize([core_orders], instance=instance, raise_on_error=False)
        tick = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
        assert "search/orders" not in _keys(tick)
    finally:
        check_passes["value"] = True
    assert dg.materialize([core_orders], instance=instance).success
    tick = dg.evaluate_automation_conditions(defs, instance, cursor=tick.cursor)
    assert {"search/orders", "matching/orders"} <= _keys(tick)


def _billing_ticks(instance, defs, times, materialize_before: int) -> set[str]:
    """Evaluate at each time; raw is materialized just before the tick at index `materialize_before`."""
    cursor, result = None, None
    for i, moment in enumerate(times):
        if i == materialize_before:
            assert dg.materialize([raw_orders], instance=instance).success
        result = dg.evaluate_automation_conditions(defs, instance, evaluation_time=moment, cursor=cursor)
        cursor = result.cursor
    billing = next(r for r in result.results if r.key == dg.AssetKey(["core", "costs_monthly"]))
    return set(billing.true_subset.expensively_compute_partition_keys())


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_billing_newest_month_daily_and_the_closing_month_on_days_one_to_three():
    defs = layered(raw_orders, costs_monthly)
    # day 2, 05:00 passes, the sources sync after it: the running month and the month just closed
    early = [utc(2026, 3, 2, 4), utc(2026, 3, 2, 5, 10), utc(2026, 3, 2, 5, 20)]
    assert _billing_ticks(dg.DagsterInstance.ephemeral(), defs, early, materialize_before=2) == {
        "2026-03-01", "2026-02-01"}
    # two 31-day months: still exactly the running and the closed month
    boundary = [utc(2026, 9, 2, 4), utc(2026, 9, 2, 5, 10), utc(2026, 9, 2, 5, 20)]
    assert _billing_ticks(dg.DagsterInstance.ephemeral(), defs, boundary, materialize_before=2) == {
        "2026-09-01", "2026-08-01"}
    # mid-month: the running month only
    mid = [utc(2026, 3, 15, 4), utc(2026, 3, 15, 5, 10), utc(2026, 3, 15, 5, 20)]
    assert _billing_ticks(dg.DagsterInstance.ephemeral(), defs, mid, materialize_before=2) == {"2026-03-01"}
    # before the sources synced after the tick, nothing (yesterday's data is not recomputed)
    assert _billing_ticks(dg.DagsterInstance.ephemeral(), defs, mid, materialize_before=0) == set()


def _add_run(instance, status: dg.DagsterRunStatus, assets: set[dg.AssetKey] | None) -> None:
    instance.add_run(dg.DagsterRun(job_name=raw_sync_job.name, run_id=make_new_run_id(), status=status,
                                   asset_selection=frozenset(assets) if assets else None))


EVERY_TABLE = {dg.AssetKey(entry.asset_key) for entry in source_tables()}


@pytest.mark.parametrize(
    ("active", "expect_run"),
    [(None, True), ("job", False), ("every_table", False), ("some_tables", True)],
    ids=["nothing-running", "full-sync-running", "sensor-first-sync-running", "sensor-subset-running"],
)
def test_hourly_sync_skips_while_a_full_sync_is_running(active, expect_run):
    selection = {"job": None, "every_table": EVERY_TABLE, "some_tables": set(list(EVERY_TABLE)[:2])}
    with dg.instance_for_test() as instance:
        if active:
            _add_run(instance, dg.DagsterRunStatus.STARTED, selection[active])
        # exited before the instance: the context enters its own copy, which must not outlive this one
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=utc(2026, 3, 2, 5)) as context:
            result = raw_hourly_schedule(context)
    if expect_run:
        assert isinstance(result, dg.RunRequest) and result.tags["revops/trigger"] == "schedule"
    else:
        assert isinstance(result, dg.SkipReason) and "still started" in result.skip_message


def test_sensor_interval_and_executor_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("REVOPS_SENSOR_INTERVAL_S", raising=False)
    assert run_policy.sensor_interval(60) == 60
    monkeypatch.setenv("REVOPS_SENSOR_INTERVAL_S", "2")
    assert run_policy.sensor_interval(60) == 2
    monkeypatch.setenv("REVOPS_SENSOR_INTERVAL_S", "soon")
    with pytest.raises(ValueError, match="REVOPS_SENSOR_INTERVAL_S"):
        run_policy.sensor_interval(60)
    monkeypatch.delenv("REVOPS_EXECUTOR", raising=False)
    assert executor_from_env() is dg.in_process_executor
    monkeypatch.setenv("REVOPS_EXECUTOR", "multiprocess")
    assert executor_from_env() is dg.multiprocess_executor
    monkeypatch.setenv("REVOPS_EXECUTOR", "celery")
    with pytest.raises(ValueError, match="in_process, multiprocess"):
        executor_from_env()
