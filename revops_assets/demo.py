"""`revops demo` (`make demo`): the whole product on the embedded Postgres and the synthetic sources.

up -> seed -> materialize every asset in-process (the same definitions the UI serves) -> a short summary. Runs are
recorded in the Dagster instance under $REVOPS_HOME, so `dagster dev` afterwards shows them.
"""

from __future__ import annotations

import os
import textwrap
import time
from collections.abc import Iterable

import dagster as dg

from revops_assets import settings
from revops_assets.warehouse.bootstrap import apply_connection_env, bring_up, layer_row_counts, seed

LAYERS = ("raw", "core", "search", "matching", "rules", "ops")
# The summary is the demo's output; per-event run logs stay in the Dagster UI (warnings still print).
QUIET_RUN = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def demo_instance(conns: settings.Connections) -> dg.DagsterInstance:
    """The persistent instance (dagster.yaml, Postgres storage) when we have its URL, else an ephemeral one."""
    if conns.dagster_pg_url:
        os.environ["DAGSTER_PG_URL"] = conns.dagster_pg_url
        os.environ["DAGSTER_HOME"] = str(settings.dagster_home())
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def unpartitioned_selection(defs: dg.Definitions) -> dg.AssetSelection:
    graph = defs.resolve_asset_graph()
    keys = [key for key in graph.get_all_asset_keys() if not graph.get(key).is_partitioned]
    return dg.AssetSelection.assets(*keys)


def partitioned_keys(defs: dg.Definitions) -> dict[str, list[dg.AssetKey]]:
    """Partitioned assets grouped by their partitions definition (one run per group)."""
    graph = defs.resolve_asset_graph()
    groups: dict[str, list[dg.AssetKey]] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_partitioned and node.is_materializable:
            groups.setdefault(str(node.partitions_def), []).append(key)
    return groups


def full_raw_load_config(defs: dg.Definitions) -> dict:
    """The sources were just re-seeded: reload raw in full (a new seed may reuse older write_dates)."""
    graph = defs.resolve_asset_graph()
    ops = {
        "__".join(key.path): {"config": {"mode": "full"}}
        for key in graph.get_all_asset_keys()
        if key.path[0] == "raw" and graph.get(key).is_materializable
    }
    return {"ops": ops}


def materialize_all(defs: dg.Definitions, instance: dg.DagsterInstance, months: int = 18) -> list:
    """Every unpartitioned asset in one run, then each partitioned group over its last `months` in one run each."""
    graph = defs.resolve_asset_graph()
    runs = {"demo_all": (unpartitioned_selection(defs), {**QUIET_RUN, **full_raw_load_config(defs)}, {})}
    for i, keys in enumerate(partitioned_keys(defs).values()):
        partition_keys = graph.get(keys[0]).partitions_def.get_partition_keys()[-months:]
        if partition_keys:
            tags = {"dagster/asset_partition_range_start": partition_keys[0],
                    "dagster/asset_partition_range_end": partition_keys[-1]}
            runs[f"demo_partitions_{i}"] = (dg.AssetSelection.assets(*keys), QUIET_RUN, tags)
    jobs = [dg.define_asset_job(name, selection) for name, (selection, _, _) in runs.items()]
    merged = dg.Definitions.merge(defs, dg.Definitions(jobs=jobs))
    return [
        merged.resolve_job_def(name).execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_config, tags=tags
        )
        for name, (_, run_config, tags) in runs.items()
    ]


def run_demo(scale: int = 3000, seed_value: int = 42, noise: float = 1.0, profile: str = "classic",
             noise_level: str = "standard") -> bool:
    from revops_assets.definitions import build_definitions

    started = time.monotonic()
    print("== revops demo ==")
    for line in bring_up():
        print(f"  {line}")
    t0 = time.monotonic()
    report = seed(scale=scale, seed=seed_value, noise=noise, profile=profile, noise_level=noise_level)
    print(f"  seeded synthetic Odoo + APN sources (profile {profile}, scale {scale}, seed {seed_value}, noise level "
          f"{noise_level}, noise {noise:g}) in {time.monotonic() - t0:.1f}s")
    conns = apply_connection_env()
    instance = demo_instance(conns)
    defs = build_definitions()
    t0 = time.monotonic()
    results = materialize_all(defs, instance)
    elapsed = time.monotonic() - t0
    print(f"  materialized every asset in-process in {elapsed:.1f}s")
    failed_checks = [e for r in results for e in r.get_asset_check_evaluations()
                     if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    ok = all(r.success for r in results) and not failed_checks
    print()
    for line in summary_lines(conns.warehouse_dsn, results, report):
        print(line)
    print()
    print(f"{'OK' if ok else 'FAILED'}: demo finished in {time.monotonic() - started:.1f}s. "
          "Explore it: eval \"$(.venv/bin/revops env)\" && .venv/bin/dagster dev  (http://127.0.0.1:3000)")
    return ok


def _metadata_by_asset(results: Iterable) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for result in results:
        for event in result.get_asset_materialization_events():
            mat = event.event_specific_data.materialization
            out["/".join(mat.asset_key.path)] = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
    return out


def summary_lines(warehouse_dsn: str, results: list, report: object) -> list[str]:
    counts = layer_row_counts(warehouse_dsn)
    metadata = _metadata_by_asset(results)
    lines = ["Summary"]
    for layer in LAYERS:
        tables = counts.get(layer, {})
        lines.append(f"  {layer:<9} {len(tables):>3} tables {sum(tables.values()):>12,} rows")
    raw = counts.get("raw", {})
    if raw:
        listing = ", ".join(f"{name} {rows:,}" for name, rows in sorted(raw.items()))
        lines.extend(textwrap.wrap(listing, width=116, initial_indent="  raw tables: ", subsequent_indent="    "))
    checks = [e for r in results for e in r.get_asset_check_evaluations()]
    failed = [_check_name(e) for e in checks if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    warned = [_check_name(e) for e in checks if not e.passed and e.severity == dg.AssetCheckSeverity.WARN]
    lines.append(f"  checks: {len(checks) - len(failed) - len(warned)} passed, {len(warned)} warnings, {len(failed)} failed"
                 + (f" (failed: {', '.join(failed[:5])})" if failed else ""))
    if warned:
        lines.append(f"  warnings: {', '.join(warned[:6])}{' …' if len(warned) > 6 else ''}")
    failures = [
        e.step_key for r in results for e in r.all_events if e.event_type_value == "STEP_FAILURE"
    ]
    if failures:
        lines.append(f"  FAILED steps: {', '.join(failures)}")
    for extra in layer_summaries(metadata):
        lines.append(f"  {extra}")
    return lines


def _check_name(evaluation) -> str:
    return f"{'/'.join(evaluation.asset_key.path)}:{evaluation.check_name}"


def layer_summaries(metadata: dict[str, dict]) -> list[str]:
    """One line per later layer that reports a headline figure in its materialization metadata."""
    lines = []
    for key, meta in sorted(metadata.items()):
        headline = meta.get("summary")
        if headline:
            lines.append(f"{key}: {headline}")
    return lines
