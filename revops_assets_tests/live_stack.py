"""A warehouse built by a real Dagster daemon, with nobody materializing anything: the session fixture behind the
daemon loop, data dictionary and browser tests.

Sources are seeded small on the session's Postgres; `dagster-daemon run` over this checkout's workspace.yaml and
dagster.yaml (Postgres storage, DAGSTER_HOME in a temp dir) syncs raw from its change sensor and builds core, search
and matching from the automation sensor. The daemon is stopped once everything is built, so it does not run beside
the other tests; the loop test starts it again for its edit.
"""

from __future__ import annotations

import pytest

from revops_assets.bench.freshness import LiveStack

LIVE_SCALE = 80
LIVE_SEED = 5
SENSOR_INTERVAL_S = 1
FIRST_BUILD_TIMEOUT_S = 900


@pytest.fixture(scope="session")
def live_stack(pg, tmp_path_factory):
    home = tmp_path_factory.mktemp("live_stack")
    dsns = {kind: pg.create_database(f"live_{kind}") for kind in ("odoo", "apn", "warehouse")}
    pg.create_database("live_dagster")
    stack = LiveStack(dsns=dsns, dagster_url=pg.server.sqlalchemy_url("live_dagster"), home=home,
                      interval_s=SENSOR_INTERVAL_S)
    try:
        stack.prepare(scale=LIVE_SCALE, seed=LIVE_SEED)
        stack.start()
        stack.first_build_s = stack.wait_until_built(timeout_s=FIRST_BUILD_TIMEOUT_S)
        stack.stop()
        yield stack
    finally:
        stack.close()
