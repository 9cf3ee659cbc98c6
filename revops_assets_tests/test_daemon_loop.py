"""The loop, end to end under a real daemon: an edit in Odoo and in ACE reaches the match of that pair with no
manual materialization; every run is started by a sensor, and no two runs of one lane ever overlap."""

from __future__ import annotations

import time

from revops_assets.bench.freshness import RAW_JOB, chain_summary

AUTOMATED_BY = {"raw_source_change_sensor", "revops_automation"}
FALLBACK_SCHEDULE = "raw_hourly_sync"  # fires on the hour: a test that crosses one sees its (skipped or small) run


def started_by(run) -> str | None:
    """The sensor that requested the run, or the schedule; None when a person (or anything else) launched it."""
    return run.tags.get("dagster/sensor_name") or run.tags.get("dagster/schedule_name")


def test_first_build_came_from_the_sensors_alone(live_stack):
    print(f"\nfirst sync and build by the daemon: {live_stack.first_build_s:.1f}s")
    runs = live_stack.runs()
    assert runs and all(r.status == "SUCCESS" for r in runs), live_stack.describe_runs()
    assert AUTOMATED_BY <= {started_by(r) for r in runs} <= AUTOMATED_BY | {FALLBACK_SCHEDULE}
    first_raw = next(r for r in runs if r.job == RAW_JOB)
    assert len(first_raw.assets) >= 23 and first_raw.steps == len(first_raw.assets)  # every table, one run
    built = {key for r in runs for key in r.assets}
    assert {"core/odoo_opportunities", "core/ace_opportunities", "search/odoo_opportunity_embeddings",
            "search/ace_opportunity_embeddings", "matching/opportunity_matches", "matching/review_queue"} <= built


def test_an_edit_in_both_sources_reaches_the_match(live_stack):
    ace_id, odoo_id = live_stack.matched_pair()
    title = f"Data lake on AWS, phase {int(time.time())}"
    live_stack.start()
    try:
        changed = live_stack.edit_pair(ace_id, odoo_id, title)
        odoo, status, matched_at = live_stack.wait_for_match(ace_id, odoo_id, title, changed, timeout_s=600)
        live_stack.wait_quiet(timeout_s=300)
    finally:
        live_stack.stop()
    assert odoo == odoo_id and status == "auto_matched"
    runs = live_stack.runs(since_s=changed - 1)
    assert runs and all(r.status == "SUCCESS" for r in runs), live_stack.describe_runs()
    assert {started_by(r) for r in runs} <= AUTOMATED_BY | {FALLBACK_SCHEDULE}  # nobody pressed a button
    synced = set().union(*(r.assets for r in runs if r.job == RAW_JOB and started_by(r) != FALLBACK_SCHEDULE))
    assert synced == {"raw/odoo_crm_lead", "raw/apn_opportunity"}  # the sensor syncs only what changed
    summary = chain_summary(runs, changed, float(matched_at))
    print(f"\nchange -> updated match: {summary['latency_s']:.1f}s ({summary})")
    assert 0 < summary["latency_s"] < 600


def test_no_two_runs_of_a_lane_overlap(live_stack):
    runs = live_stack.runs()
    for lane in ("raw", "downstream"):
        spans = sorted((r.started_s, r.ended_s) for r in runs if r.tags.get("revops/lane") == lane)
        assert spans, lane
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert start >= end, f"two {lane} runs overlapped: {spans}"
