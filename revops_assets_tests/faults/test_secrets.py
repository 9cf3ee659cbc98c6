"""Last scenario: the reader's password, used by every scenario above, appears nowhere: not in what they printed
or logged, not in Dagster's event storage (messages, metadata, errors), not in the warehouses' audit or quarantine
rows. Runs a failing and a succeeding sync through Dagster on Postgres first, with the DSN from the environment
(dg.EnvVar) as in production, so the error paths are in the scan too."""

from __future__ import annotations

import dagster as dg
import psycopg2

from revops_assets.raw.assets import raw_assets
from revops_assets.resources.postgres import PostgresResource
from revops_assets_tests.faults.conftest import OUTPUT, PASSWORD, READER
from revops_assets_tests.faults.ledger import LEDGER, Tally, query
from revops_assets_tests.faults.scenario import entry, lead_table


def occurrences(texts) -> int:
    return sum(str(t).count(PASSWORD) for t in texts if t)


def test_no_secret_in_output_logs_events_metadata_or_audit(source_server, warehouse_server, source_db, warehouse_db,
                                                           dagster_instance, monkeypatch, capfd):
    admin, source = source_db
    wh_dsn, warehouse = warehouse_db
    instance, _, dagster_url = dagster_instance
    lead_table(admin)
    good = source_server.dsn(admin.rsplit("dbname=", 1)[1], READER, PASSWORD)
    monkeypatch.setenv("FAULTS_SOURCE_DSN", good)
    monkeypatch.setenv("FAULTS_BAD_DSN", good.replace("dbname=", "dbname=missing_"))
    for variable in ("FAULTS_BAD_DSN", "FAULTS_SOURCE_DSN"):  # a failing run (every retry), then a good one
        resources = {"faults_db": PostgresResource(dsn=dg.EnvVar(variable), connection_name="faults source",
                                                   read_only=True), "warehouse_db": warehouse}
        assets = raw_assets((entry(),))
        dg.materialize(assets, resources=resources, instance=instance, raise_on_error=False,
                       run_config={"ops": {assets[0].op.name: {"config": {"retry_base_s": 0.1}}}})
    out, err = capfd.readouterr()
    OUTPUT.extend([out, err])

    texts = list(OUTPUT)
    storage = psycopg2.connect(dagster_url.replace("postgresql+psycopg2://", "postgresql://"))
    try:
        with storage.cursor() as cur:
            for table in ("event_logs", "runs"):
                cur.execute(f"select string_agg(t::text, ' ') from {table} t")
                texts.append(cur.fetchone()[0])
    finally:
        storage.close()
    [(failures,)] = query(wh_dsn, "select count(*) from ops.sync_runs where status = 'failed'")
    assert failures >= 1  # the failing run was audited, so its messages are in the scan
    for (db,) in query(warehouse_server.dsn("postgres"), "select datname from pg_database where datname like 'wh\\_%%'"):
        dsn = warehouse_server.dsn(db)
        texts += [row[0] for row in query(dsn, "select string_agg(t::text, ' ') from ops.sync_runs t")]
        texts += [row[0] for row in query(dsn, "select string_agg(t::text, ' ') from ops.quarantine t")]
        texts += [row[0] for row in query(dsn, "select string_agg(t::text, ' ') from ops.watermarks t")]
    assert sum(len(t or "") for t in texts) > 10_000  # the scan saw the suite's output and events
    seen = occurrences(texts)
    LEDGER.record("password grep of output, logs, Dagster events, metadata and audit",
                  Tally(secrets_seen=seen, problems=[f"password seen {seen} time(s)"] if seen else []))
    assert seen == 0
