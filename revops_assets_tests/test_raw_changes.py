"""When an incremental may skip checking the source's keys for deletes (raw/changes.py), and how its delta is read
and upserted: in page ranges, the last first, and in batches while the scan goes on. Real Postgres on both sides."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import psycopg2

from revops_assets.raw import delta as delta_module
from revops_assets.raw import incremental as incremental_module
from revops_assets.raw.changes import KeyCheck, SourceCounters, skip_reason
from revops_assets.raw.sync import sync_table
from revops_assets_tests.test_raw_sync import (  # noqa: F401 (dbs is a fixture)
    LEADS,
    assert_fingerprint_current,
    assert_mirrors,
    dbs,
    execute,
)


def counters_skipped(result) -> bool:
    return result.deletes_checked_by.startswith("source change counters") and not result.key_check_reason


def test_updates_and_inserts_alone_skip_the_key_check_and_keep_raw_exact(dbs):
    src_dsn, wh_dsn, source, warehouse = dbs
    sync_table(LEADS, source, warehouse, run_id="full")
    for n in range(3):
        execute(src_dsn, f"update crm_lead set name = 'v{n}', write_date = timestamp '2026-05-0{n + 1}' where id % 7 = {n}")
        execute(src_dsn, f"insert into crm_lead (name, write_date) values ('new {n}', timestamp '2026-05-0{n + 1}')")
        result = sync_table(LEADS, source, warehouse, run_id=f"incr-{n}")
        assert counters_skipped(result), (result.deletes_checked_by, result.key_check_reason)
        assert result.rows_inserted == 1 and result.raw_live_rows == 501 + n == result.source_rows
        assert_mirrors(src_dsn, wh_dsn)
        assert_fingerprint_current(wh_dsn)
    kept = execute(wh_dsn, "select key_check from ops.watermarks where asset_key = 'raw/odoo_crm_lead'")[0][0]
    assert kept["keys_inserted_since"] == 3 and kept["counters"]["deleted"] == 0


def test_a_delete_moves_the_counter_and_is_reconciled(dbs):
    src_dsn, wh_dsn, source, warehouse = dbs
    sync_table(LEADS, source, warehouse, run_id="full")
    execute(src_dsn, "delete from crm_lead where id in (3, 4)")
    result = sync_table(LEADS, source, warehouse, run_id="incr")
    assert "deleted-rows counter" in result.key_check_reason
    assert result.deletes_checked_by == "key reconciliation" and result.rows_deleted == 2
    assert_mirrors(src_dsn, wh_dsn)
    # the check recorded the new counters: the next sync, with nothing deleted, skips it again
    execute(src_dsn, "update crm_lead set write_date = timestamp '2026-05-01' where id = 9")
    assert counters_skipped(sync_table(LEADS, source, warehouse, run_id="after"))


def test_a_key_changed_in_place_is_found_though_no_row_was_deleted(dbs):
    src_dsn, wh_dsn, source, warehouse = dbs
    sync_table(LEADS, source, warehouse, run_id="full")
    execute(src_dsn, "update crm_lead set id = 9000, write_date = timestamp '2026-05-01' where id = 12")
    result = sync_table(LEADS, source, warehouse, run_id="incr")
    assert "more new keys than the source counted inserts" in result.key_check_reason
    assert result.rows_deleted == 1 and result.raw_live_rows == 500
    assert_mirrors(src_dsn, wh_dsn)
    assert_fingerprint_current(wh_dsn)


def test_truncate_is_found_though_it_counts_no_deletes(dbs):
    src_dsn, wh_dsn, source, warehouse = dbs
    sync_table(LEADS, source, warehouse, run_id="full")
    execute(src_dsn, "truncate crm_lead; insert into crm_lead (name, write_date) values ('after', timestamp '2026-05-01')")
    result = sync_table(LEADS, source, warehouse, run_id="incr")
    assert "changed since the last key check" in result.key_check_reason
    assert result.rows_deleted == 500 and result.raw_live_rows == 1
    assert_mirrors(src_dsn, wh_dsn)


def test_a_statistics_reset_does_not_hide_a_delete(dbs):
    src_dsn, wh_dsn, source, warehouse = dbs
    sync_table(LEADS, source, warehouse, run_id="full")
    execute(src_dsn, "delete from crm_lead where id = 5")
    execute(src_dsn, "select pg_stat_reset()")  # the deleted-rows counter is back where the last check saw it
    result = sync_table(LEADS, source, warehouse, run_id="incr")
    assert result.key_check_reason and result.rows_deleted == 1
    assert_mirrors(src_dsn, wh_dsn)


def test_counters_that_cannot_prove_anything_always_check_the_keys(dbs):
    src_dsn, wh_dsn, source, warehouse = dbs
    sync_table(LEADS, source, warehouse, run_id="full")
    # a server that counts nothing
    dbname = psycopg2.extensions.parse_dsn(src_dsn)["dbname"]
    execute(src_dsn, f'alter database "{dbname}" set track_counts = off')
    execute(src_dsn, "update crm_lead set write_date = timestamp '2026-05-02' where id = 20")
    off = sync_table(LEADS, source, warehouse, run_id="off")
    assert "track_counts is off" in off.key_check_reason and off.deletes_checked_by == "key fingerprint"
    execute(src_dsn, f'alter database "{dbname}" reset track_counts')
    # rows of an inheritance child are read through the parent, but their deletes count on the child
    execute(src_dsn, "create table crm_lead_archive () inherits (crm_lead); "
                     "insert into crm_lead_archive (id, name, write_date) values (7000, 'archived', timestamp '2026-05-03')")
    added = sync_table(LEADS, source, warehouse, run_id="child")
    assert "inheritance children" in added.key_check_reason and added.raw_live_rows == 501
    execute(src_dsn, "delete from crm_lead_archive")
    gone = sync_table(LEADS, source, warehouse, run_id="child-gone")
    assert gone.rows_deleted == 1 and gone.raw_live_rows == 500
    assert_mirrors(src_dsn, wh_dsn)


def test_key_check_hours_bounds_the_time_between_key_checks(dbs):
    src_dsn, wh_dsn, source, warehouse = dbs
    sync_table(LEADS, source, warehouse, run_id="full")
    every = sync_table(LEADS.model_copy(update={"key_check_hours": 0}), source, warehouse, run_id="every")
    assert "keys checked on every sync" in every.key_check_reason and every.deletes_checked_by == "key fingerprint"
    time.sleep(0.05)
    stale = sync_table(LEADS.model_copy(update={"key_check_hours": 1e-5}), source, warehouse, run_id="stale")
    assert "older than" in stale.key_check_reason
    assert counters_skipped(sync_table(LEADS, source, warehouse, run_id="fresh"))


def test_skip_reason_needs_a_recorded_check_on_the_same_table():
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    counters = SourceCounters(relid=1, filenode=1, deleted=4, inserted=10, stats_reset=None)
    last = KeyCheck(counters, now, "sys/1")

    def reason(last_check, current, identity="sys/1"):
        return skip_reason(last_check, current, "unread", identity=identity, read_time=now, max_age_hours=24)

    assert reason(last, counters) is None
    assert reason(None, counters) == "no key check recorded yet"
    assert reason(last, None) == "unread"
    assert "changed since the last key check" in reason(last, counters, identity="sys/2")  # another database
    assert "changed since the last key check" in reason(last, SourceCounters(1, 2, 4, 10, None))  # TRUNCATE
    assert "changed since the last key check" in reason(last, SourceCounters(1, 1, 4, 10, "2026-11-30"))  # reset
    assert reason(last, SourceCounters(1, 1, 4, 10, None, "the source is a standby")).endswith("a standby")
    assert "+1" in reason(last, SourceCounters(1, 1, 5, 10, None))
    assert KeyCheck.from_json(last.to_json()) == last
    assert KeyCheck.from_json({"counters": {"relid": 1}}) is None  # written by another version: check anew


def test_a_delta_read_in_page_ranges_and_upserted_in_batches_mirrors_exactly(dbs, monkeypatch):
    """Small thresholds force what a large table does: four page ranges, the last first, and one upsert per
    ~200 bytes of COPY text while the scan goes on."""
    src_dsn, wh_dsn, source, warehouse = dbs
    monkeypatch.setattr(delta_module, "DELTA_PARTS_MIN_PAGES", 1)
    monkeypatch.setattr(incremental_module, "DELTA_BATCH_BYTES", 200)
    sync_table(LEADS, source, warehouse, run_id="full")
    execute(src_dsn, "update crm_lead set name = 'spread', write_date = timestamp '2026-05-01' where id % 9 = 0")
    execute(src_dsn, "insert into crm_lead (name, write_date) select 'tail ' || g, timestamp '2026-05-02' "
                     "from generate_series(1, 40) g")
    result = sync_table(LEADS, source, warehouse, run_id="incr")
    assert (result.rows_inserted, result.rows_updated) == (40, 55)
    assert result.rows_read == 95 and result.raw_live_rows == 540
    assert result.watermark_after.isoformat() == "2026-05-02T00:00:00+00:00"  # the cursor of every batch
    assert_mirrors(src_dsn, wh_dsn)
    assert_fingerprint_current(wh_dsn)
