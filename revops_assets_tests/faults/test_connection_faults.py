"""Connections that die under a sync: each a real fault on a real server, each retried to a correct mirror.

- the warehouse stopped (-m immediate) in the middle of a full load's COPY;
- the source stopped (-m immediate) in the middle of its COPY, and still down at the first retry;
- the COPY's backend terminated (pg_terminate_backend) on either side;
- a deadlock on the warehouse between the upsert and another session.
Every failed attempt names the connection and what the sync was doing; the retries run on their own.
"""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest

from revops_assets.raw.errors import transient_reason
from revops_assets.raw.sync import sync_table
from revops_assets_tests.faults.conftest import BIG_ROWS
from revops_assets_tests.faults.ledger import query
from revops_assets_tests.faults.scenario import LEAD_COLUMNS, Striker, audit, entry, lead_table, materialize, settle

BIG = ("public.big_lead", "faults_big_lead", ["id"], LEAD_COLUMNS)


def retry_messages(result) -> list[str]:
    return [e.event_specific_data.error.to_string() for e in result.all_events
            if e.event_type_value == "STEP_UP_FOR_RETRY"]


def crash_and_restart(server, down_s: float):
    def strike():
        server.crash()
        time.sleep(down_s)
        server.start()

    return strike


def test_warehouse_crash_mid_copy_is_retried_and_loses_nothing(warehouse_server, source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin, "big_lead", BIG_ROWS)
    strike = crash_and_restart(warehouse_server, 1)
    with Striker(warehouse_server.dsn("postgres"), strike, command="COPY FROM") as striker:
        result = materialize([entry("big_lead")], {"faults_db": source, "warehouse_db": warehouse}, retry_base_s=1)
    assert striker.error is None and striker.struck.is_set(), "the warehouse was not stopped during the COPY"
    assert result.success
    retried = retry_messages(result)
    assert retried and "connection to the faults warehouse" in retried[0]
    assert "lost while streaming the whole table into the staging table" in retried[0]
    assert "password" not in retried[0].lower()
    # the attempt that died with the server left a "running" audit row: the retry closed it as abandoned
    rows = audit(wh_dsn)
    assert rows[-1][2] == "success" and any(r[2] == "failed" and r[3].startswith("abandoned") for r in rows)
    settle("warehouse stopped -m immediate mid-COPY", admin, wh_dsn, [BIG])


def test_source_crash_mid_copy_is_retried_and_every_attempt_audited(source_server, source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin, "big_lead", BIG_ROWS)
    strike = crash_and_restart(source_server, 2)  # still down at the first retry: that attempt cannot even connect
    with Striker(source_server.dsn("postgres"), strike, command="COPY TO") as striker:
        result = materialize([entry("big_lead")], {"faults_db": source, "warehouse_db": warehouse}, retry_base_s=1)
    assert striker.error is None and striker.struck.is_set(), "the source was not stopped during the COPY"
    assert result.success
    rows = audit(wh_dsn)
    failed = [r[3] for r in rows if r[2] == "failed"]
    assert rows[-1][2] == "success" and len(failed) >= 2
    # the attempt cut mid-stream says which connection went and what it was doing
    assert "connection to the faults source (revops_reader@127.0.0.1" in failed[0]
    assert "lost while streaming the whole table" in failed[0]
    # an attempt that never connected is audited too
    assert any("cannot connect to the faults source database" in f for f in failed[1:])
    settle("source stopped -m immediate mid-COPY", admin, wh_dsn, [BIG])


@pytest.mark.parametrize("side", ["COPY TO", "COPY FROM"])
def test_copy_backend_terminated_is_retried(source_server, warehouse_server, source_db, warehouse_db, side):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin, "big_lead", BIG_ROWS)
    server = source_server if side == "COPY TO" else warehouse_server

    def terminate():
        query(server.dsn("postgres"),
              "select pg_terminate_backend(pid) from pg_stat_progress_copy where command = %s", (side,))

    with Striker(server.dsn("postgres"), terminate, command=side) as striker:
        result = materialize([entry("big_lead")], {"faults_db": source, "warehouse_db": warehouse})
    assert striker.error is None and striker.struck.is_set()
    assert result.success
    retried = retry_messages(result)
    which = "faults source" if side == "COPY TO" else "faults warehouse"
    assert retried and f"connection to the {which}" in retried[0]
    settle(f"pg_terminate_backend of the {side}", admin, wh_dsn, [BIG])


def test_deadlock_in_the_upsert_is_retried_as_a_deadlock(warehouse_server, source_db, warehouse_db):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    lead_table(admin, "lead", 2000)
    sync_table(entry(), source, warehouse, run_id="first")
    # the delta holds rows 1500 then 10, in that order: the upsert locks raw's row 1500, then waits for row 10
    query(admin, "update lead set name = 'changed', write_date = timestamp '2027-01-01' where id = 1500; "
                 "update lead set name = 'changed', write_date = timestamp '2027-01-01' where id = 10")
    other = psycopg2.connect(wh_dsn)
    try:
        with other.cursor() as cur:
            cur.execute("set deadlock_timeout = '20s'")  # the sync's backend finds the deadlock first
            cur.execute("update raw.faults_lead set note = note where id = 10")
        outcome = {}
        runner = threading.Thread(target=lambda: outcome.setdefault(
            "result", materialize([entry()], {"faults_db": source, "warehouse_db": warehouse})))
        runner.start()
        deadline = time.monotonic() + 60
        while not query(wh_dsn, "select 1 from pg_stat_activity where application_name like 'revops raw%%' "
                                "and wait_event_type = 'Lock'"):
            assert time.monotonic() < deadline, "the upsert never waited for row 10"
            time.sleep(0.05)
        with other.cursor() as cur:
            cur.execute("update raw.faults_lead set note = note where id = 1500")  # waits: the sync holds it
        other.rollback()
        runner.join(120)
    finally:
        other.close()
    result = outcome["result"]
    assert result.success
    retried = retry_messages(result)
    assert retried and "deadlock in the faults warehouse" in retried[0] and "upserting the delta" in retried[0]
    settle("deadlock in the upsert", admin, wh_dsn, [("public.lead", "faults_lead", ["id"], LEAD_COLUMNS)])


def test_serialization_failures_and_lost_connections_are_transient(warehouse_db):
    """Decided by SQLSTATE and connection state, not by the exception's Python class."""
    wh_dsn, _ = warehouse_db
    query(wh_dsn, "create table ser (id int primary key, v int); insert into ser values (1, 0)")
    first, second = psycopg2.connect(wh_dsn), psycopg2.connect(wh_dsn)
    try:
        for conn in (first, second):
            conn.set_session(isolation_level="SERIALIZABLE")
            conn.cursor().execute("select v from ser")
        first.cursor().execute("update ser set v = 1")
        first.commit()
        with pytest.raises(psycopg2.Error) as raised:
            second.cursor().execute("update ser set v = 2")
        assert transient_reason(raised.value) == "serialization failure"
    finally:
        first.close()
        second.close()
    bare = psycopg2.DatabaseError("error with status PGRES_COPY_OUT and no message from the libpq")
    assert transient_reason(bare, lost_connection=True) == "connection lost"
    assert transient_reason(bare, lost_connection=False) is None
    assert transient_reason(ValueError("a bug")) is None
