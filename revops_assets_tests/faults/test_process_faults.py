"""Processes that die or collide: a worker SIGKILLed in the middle of an upsert (its run holding a pool slot), and
two syncs of the same table at once."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from revops_assets.raw.sync import sync_table
from revops_assets_tests.faults.ledger import query
from revops_assets_tests.faults.scenario import LEAD_COLUMNS, audit, entry, lead_table, materialize, settle

LEAD = ("public.lead", "faults_lead", ["id"], LEAD_COLUMNS)

CHILD = textwrap.dedent("""
    import json, sys
    import dagster as dg
    from revops_assets.raw.assets import raw_assets
    from revops_assets.resources.postgres import PostgresResource
    from revops_assets.sources.catalog import SourceTable

    args = json.loads(sys.argv[1])
    entry = SourceTable(**args["entry"])
    resources = {
        "faults_db": PostgresResource(dsn=args["source"], connection_name="faults source", read_only=True),
        "warehouse_db": PostgresResource(dsn=args["warehouse"], connection_name="faults warehouse"),
    }
    dg.materialize(raw_assets((entry,)), resources=resources, instance=dg.DagsterInstance.get(),
                   tags={"dagster/max_runtime": "1"})
""")


@pytest.mark.timeout(300)
def test_worker_killed_mid_upsert_loses_nothing_and_frees_its_pool_slot(
    source_db, warehouse_db, dagster_instance, tmp_path
):
    from dagster._daemon.monitoring import concurrency as slot_monitor
    from dagster._daemon.monitoring.run_monitoring import check_run_timeout

    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    instance, home, url = dagster_instance
    instance.event_log_storage.set_concurrency_slots("faults_source", 1)
    lead_table(admin, "lead", 20_000)
    sync_table(entry(), source, warehouse, run_id="before")
    before = query(wh_dsn, "select md5(string_agg(t::text, '|' order by id)) from raw.faults_lead t")
    query(admin, "update lead set name = name || ' v2', write_date = timestamp '2027-01-01' where id % 10 = 0")

    # hold raw's table so the child's upsert waits in the middle of the load, then kill the child there
    blocker = __import__("psycopg2").connect(wh_dsn)
    with blocker.cursor() as cur:
        cur.execute("lock table raw.faults_lead in share mode")
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_PG_URL": url}
    args = {"entry": entry().model_dump(), "source": source.dsn, "warehouse": warehouse.dsn}
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not query(wh_dsn, "select 1 from pg_stat_activity where application_name like 'revops raw%%' "
                                "and wait_event_type = 'Lock' and query like '%%upserted as (%%'"):
            assert child.poll() is None, child.stdout.read().decode()
            assert time.monotonic() < deadline, "the child's upsert never started"
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        blocker.rollback()
        blocker.close()
    output = child.stdout.read().decode()

    # the data: nothing of the killed load is visible, its audit row was left "running"
    deadline = time.monotonic() + 30  # its backend notices the dead client (client_connection_check_interval)
    while query(wh_dsn, "select 1 from pg_stat_activity where application_name like 'revops raw%%'"):
        assert time.monotonic() < deadline, "the killed sync's backend is still there"
        time.sleep(0.2)
    assert query(wh_dsn, "select md5(string_agg(t::text, '|' order by id)) from raw.faults_lead t") == before
    assert [r[2] for r in audit(wh_dsn)] == ["success", "running"]

    # Dagster: the run is STARTED forever and holds the pool's only slot, until run monitoring fails it (run
    # timeout) and frees the slots of ended runs after free_slots_after_run_end_seconds (from dagster.yaml)
    [record] = instance.get_run_records()
    assert record.dagster_run.status.value == "STARTED"
    assert instance.event_log_storage.get_concurrency_info("faults_source").claimed_slots
    assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
    time.sleep(1.5)
    check_run_timeout(instance, record, logging.getLogger("faults"), instance.run_monitoring_max_runtime_seconds)
    assert instance.get_run_by_id(record.dagster_run.run_id).status.value == "FAILURE"
    later = datetime.now(timezone.utc) + timedelta(
        seconds=instance.run_monitoring_settings["free_slots_after_run_end_seconds"] + 5)
    original_now = slot_monitor.get_current_datetime
    slot_monitor.get_current_datetime = lambda: later  # the daemon's next pass, that much later
    try:
        list(slot_monitor.execute_concurrency_slots_iteration(type("Ctx", (), {"instance": instance})(),
                                                              logging.getLogger("faults")))
    finally:
        slot_monitor.get_current_datetime = original_now
    assert not instance.event_log_storage.get_concurrency_info("faults_source").claimed_slots

    # the next sync gets the slot, closes the dead sync's audit row and mirrors the change
    result = materialize([entry()], {"faults_db": source, "warehouse_db": warehouse}, instance=instance)
    assert result.success, output
    rows = audit(wh_dsn)
    assert [r[2] for r in rows] == ["success", "failed", "success"] and rows[1][3].startswith("abandoned")
    settle("worker SIGKILLed mid-upsert", admin, wh_dsn, [LEAD])


def test_two_syncs_of_one_table_run_one_after_the_other(source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin, "lead", 50_000)
    sync_table(entry(), source, warehouse, run_id="first")
    query(admin, "delete from lead where id % 1000 = 0")  # 50 deletes: audited once, by whichever sync saw them
    query(admin, "update lead set name = 'new', write_date = timestamp '2027-02-01' where id % 1000 = 1")
    results, errors = {}, []

    def run(mode):
        try:
            results[mode] = sync_table(entry(), source, warehouse, run_id=f"concurrent-{mode}", mode=mode)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(mode,)) for mode in ("full", "incremental")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert max(r.lock_waited_s for r in results.values()) > 0  # the second one waited for the first
    assert sum(r.rows_deleted for r in results.values()) == 50
    deletes = query(wh_dsn, "select coalesce(sum(rows_deleted), 0) from ops.sync_runs where run_id like 'concurrent%%'")
    assert deletes == [(50,)]
    settle("two concurrent syncs (full + incremental)", admin, wh_dsn, [LEAD])
