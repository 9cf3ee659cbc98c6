"""The main job, shared by `revops run` (your own databases) and `revops demo` (`make demo`: up + seed + run).

run: materialize every asset in-process on the configured sources (the same definitions the UI serves): every
unpartitioned asset in one run, then each partitioned group over all its partitions when any month has billing
lines (none when the installation has no billing module), in one run each; then a short summary (rows per layer,
checks, matches, match quality where ground truth exists). Runs are recorded in the Dagster instance under $REVOPS_HOME, so `dagster dev` afterwards shows them.
Nothing here writes to a source database.
"""

from __future__ import annotations

import logging
import os
import textwrap
import time
from collections.abc import Iterable

import dagster as dg

from revops_assets import settings
from revops_assets.progress import LOGGER as PROGRESS_LOGGER
from revops_assets.progress import duration_text
from revops_assets.rules.summary import demo_summary_lines as rules_summary_lines
from revops_assets.warehouse.bootstrap import apply_connection_env, bring_up, layer_row_counts, seed

LAYERS = ("raw", "core", "search", "matching", "rules", "ops")
# The summary is the output; per-event run logs stay in the Dagster UI (warnings still print).
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
    keys = [key for key in graph.get_all_asset_keys()
            if not graph.get(key).is_partitioned and graph.get(key).is_materializable]
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
    """Reload raw in full (after a re-seed: a new seed may reuse older write_dates)."""
    graph = defs.resolve_asset_graph()
    ops = {
        "__".join(key.path): {"config": {"mode": "full"}}
        for key in graph.get_all_asset_keys()
        if key.path[0] == "raw" and graph.get(key).is_materializable
    }
    return {"ops": ops}


def partition_keys_with_data(warehouse_dsn: str) -> tuple[set[str], str]:
    """Partition keys (first days of months) that have billing lines in raw, and a line saying so; raw must be
    loaded first. An installation without a billing module has none."""
    from revops_assets.core.billing import months_with_data
    from revops_assets.core.mapping import MappingError
    from revops_assets.resources.postgres import connect

    conn = connect(warehouse_dsn, name="warehouse")
    try:
        with conn:
            months = months_with_data(conn)
    except MappingError as err:
        return set(), f"partitions: none ({err})"
    finally:
        conn.close()
    if not months:
        return set(), "partitions: no billing lines, nothing to materialize per month"
    return {m.isoformat() for m in months}, f"partitions: {len(months)} months with data ({months[0]} .. {months[-1]})"


def _execute(defs: dg.Definitions, instance: dg.DagsterInstance, name: str, selection: dg.AssetSelection,
             run_config: dict, tags: dict, steps: "StepProgress"):
    job = dg.define_asset_job(name, selection, hooks=steps.hooks())
    merged = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    return merged.resolve_job_def(name).execute_in_process(
        instance=instance, raise_on_error=False, run_config=run_config, tags=tags
    )


def _step_count(graph, keys) -> int:
    """Steps a run of `keys` executes: one per assets definition (a multi-asset is one step for all its keys)."""
    return len({id(graph.assets_def_for_key(key)) for key in keys})


def materialize_all(defs: dg.Definitions, instance: dg.DagsterInstance, warehouse_dsn: str, *,
                    full_raw: bool = False, log=print) -> list:
    """Every unpartitioned asset in one run, then each partitioned group in one run each (a single-run backfill)
    over every partition of its definition, so the UI shows no month missing (a month before the data starts is
    built empty, which is true); a group is skipped only when no month has data (no billing module); a progress
    line per step."""
    graph = defs.resolve_asset_graph()
    run_config = {**QUIET_RUN, **(full_raw_load_config(defs) if full_raw else {})}
    groups = partitioned_keys(defs)
    main = unpartitioned_selection(defs)
    steps = StepProgress(total=_step_count(graph, main.resolve(graph))
                         + sum(_step_count(graph, keys) for keys in groups.values()))
    results = [_execute(defs, instance, "main_all", main, run_config, {}, steps)]
    if not groups:
        return results
    with_data, line = partition_keys_with_data(warehouse_dsn)
    log(f"  {line}")
    for i, keys in enumerate(groups.values()):
        partition_keys = graph.get(keys[0]).partitions_def.get_partition_keys() if with_data else []
        if not partition_keys:
            log(f"  skipped {', '.join('/'.join(k.path) for k in keys)}: no partition with data")
            steps.total -= _step_count(graph, keys)
            continue
        tags = {"dagster/asset_partition_range_start": partition_keys[0],
                "dagster/asset_partition_range_end": partition_keys[-1]}
        results.append(_execute(defs, instance, f"main_partitions_{i}", dg.AssetSelection.assets(*keys), QUIET_RUN,
                                tags, steps))
    return results


class StepProgress:
    """One line per finished step (the demo runs them one at a time): count, duration, elapsed time and ETA.

    The ETA assumes the remaining steps take as long as the finished ones on average, leaving out the first (it
    carries the run's start-up); the embedding steps print their own lines with a rate and ETA.
    """

    def __init__(self, total: int = 0) -> None:
        self.total, self.done = total, 0
        self.started = self.last = self.first_done = time.monotonic()

    def hooks(self) -> set:
        @dg.success_hook(name="demo_step_done")
        def _done(context: dg.HookContext) -> None:
            self.step_finished(context, "")

        @dg.failure_hook(name="demo_step_failed")
        def _failed(context: dg.HookContext) -> None:
            self.step_finished(context, " FAILED")

        return {_done, _failed}

    def step_finished(self, context: dg.HookContext, outcome: str) -> None:
        now = time.monotonic()
        self.done = min(self.total, self.done + 1)
        if self.done == 1:
            self.first_done = now
        line = (f"  [{self.done:>3}/{self.total}] {context.step_key.replace('__', '/')}{outcome} in "
                f"{duration_text(now - self.last)} · elapsed {duration_text(now - self.started)}")
        if 1 < self.done < self.total:
            per_step = (now - self.first_done) / (self.done - 1)
            line += f", ETA {duration_text(per_step * (self.total - self.done))}"
        print(line, flush=True)
        self.last = now


class _PrintHandler(logging.Handler):
    """Prints to whatever sys.stdout is at the time (a stream handler would keep the one it was made with)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"        {record.getMessage()}", flush=True)


def print_progress_lines() -> None:
    """Long steps' own progress lines (embedding: counts, rate, ETA) on stdout while the demo runs."""
    if not any(isinstance(h, _PrintHandler) for h in PROGRESS_LOGGER.handlers):
        PROGRESS_LOGGER.addHandler(_PrintHandler())
        PROGRESS_LOGGER.setLevel(logging.INFO)


def run_main_job(*, full_raw: bool = False, title: str = "run", report: object = None,
                 started: float | None = None) -> bool:
    """Materialize everything on the configured sources and print the summary; True when no asset or blocking
    check failed."""
    from revops_assets.definitions import build_definitions

    started = started or time.monotonic()
    conns = apply_connection_env()
    instance = demo_instance(conns)
    defs = build_definitions()
    print_progress_lines()
    t0 = time.monotonic()
    results = materialize_all(defs, instance, conns.warehouse_dsn, full_raw=full_raw)
    print(f"  materialized every asset in-process in {time.monotonic() - t0:.1f}s")
    failed_checks = [e for r in results for e in r.get_asset_check_evaluations()
                     if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    ok = all(r.success for r in results) and not failed_checks
    print()
    for line in summary_lines(conns.warehouse_dsn, results, report):
        print(line)
    print()
    print(f"{'OK' if ok else 'FAILED'}: {title} finished in {time.monotonic() - started:.1f}s. "
          "Explore it: eval \"$(.venv/bin/revops env)\" && .venv/bin/dagster dev  (http://127.0.0.1:3000)")
    return ok


def run_demo(scale: int = 3000, seed_value: int = 42, noise: float = 1.0, profile: str = "classic",
             noise_level: str = "standard") -> bool:
    """up + seed + run, with raw reloaded in full (the sources were just rebuilt)."""
    started = time.monotonic()
    print("== revops demo ==")
    for line in bring_up():
        print(f"  {line}")
    t0 = time.monotonic()
    report = seed(scale=scale, seed=seed_value, noise=noise, profile=profile, noise_level=noise_level)
    print(f"  seeded synthetic Odoo + APN sources (profile {profile}, scale {scale}, seed {seed_value}, noise level "
          f"{noise_level}, noise {noise:g}) in {time.monotonic() - t0:.1f}s")
    return run_main_job(full_raw=True, title="demo", report=report, started=started)


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
    failures = [e for r in results for e in r.all_events if e.event_type_value == "STEP_FAILURE"]
    if failures:
        lines.append(f"  FAILED steps: {', '.join(e.step_key for e in failures)}")
        for reason, steps in _failure_reasons(failures).items():
            lines.append(f"    {len(steps)} x {reason}")
    for extra in layer_summaries(metadata):
        lines.append(f"  {extra}")
    lines.extend(f"  {line}" for line in rules_summary_lines(warehouse_dsn))
    return lines


def _failure_reasons(failures: list, limit: int = 5) -> dict[str, list[str]]:
    """The innermost error message of each failed step (one line, grouped), so the cause is in the summary."""
    reasons: dict[str, list[str]] = {}
    for event in failures:
        error = event.event_specific_data.error if event.event_specific_data else None
        while error is not None and error.cause is not None:
            error = error.cause
        text = (error.message if error else "unknown error").strip().splitlines()[0][:300]
        reasons.setdefault(text, []).append(event.step_key)
    return dict(list(reasons.items())[:limit])


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
