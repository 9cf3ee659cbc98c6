"""Re-scoring when people decide: a sensor on ops.match_decisions.

Every new decision (its id is monotonic) requests a matching run, so a confirmation shows up as matched and a
rejection leaves the queue without waiting for the next schedule. The run key is the newest decision id: one run per
batch of decisions, never two for the same one.
"""

import dagster as dg

from revops_assets.automation.runs import DOWNSTREAM_LANE, sensor_interval
from revops_assets.resources.postgres import PostgresResource

# Same lane as the automation sensor's runs: a re-score waits for a running matching build instead of racing it.
rescore_job = dg.define_asset_job(
    "rescore_matches",
    selection=dg.AssetSelection.groups("matching"),
    description="Re-score ACE x Odoo matches, rebuild the review queue, reconciliation and quality",
    tags=DOWNSTREAM_LANE,
)


@dg.sensor(
    job=rescore_job,
    minimum_interval_seconds=sensor_interval(30),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Re-scores matches when new review decisions are recorded in ops.match_decisions",
)
def match_decisions_sensor(context: dg.SensorEvaluationContext, warehouse_db: PostgresResource):
    with warehouse_db.connection() as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('ops.match_decisions')")
        if cur.fetchone()[0] is None:
            return dg.SkipReason("ops.match_decisions does not exist yet (run `revops up`)")
        cur.execute("select coalesce(max(id), 0), count(*) from ops.match_decisions")
        newest, total = cur.fetchone()
    previous = int(context.cursor or 0)
    if newest <= previous:
        return dg.SkipReason("no new review decisions")
    context.update_cursor(str(newest))
    return dg.RunRequest(run_key=f"decisions-{newest}", tags={"revops/trigger": "review-decisions",
                                                              "revops/decisions": str(total)})
