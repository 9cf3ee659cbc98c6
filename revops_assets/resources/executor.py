"""Which executor runs the steps of a run, chosen by configuration: REVOPS_EXECUTOR = in_process | multiprocess | k8s.

- unset or `in_process` (the default): every step in the run's own process. A step of this project is one
  SQL-heavy transaction (or one model pass); a process per step paid the whole import (seconds each, up to ~17 s on
  a loaded 2-core machine) and waited for a slot, which turned a 43 s sync of 35 tables into 15 minutes. In one
  process a run costs the sum of its steps plus one code load;
- `multiprocess`: a process per step (Dagster's multiprocess executor; the compose code server's default);
- `k8s`: a Kubernetes Job per step (dagster-k8s' `k8s_job_executor`, the `k8s` extra, in the image). Steps inherit
  the run pod's configuration from the K8sRunLauncher (deploy/helm/values.yaml: image, secrets, env); the steps of
  assets in the `gpu` pool (the embedding assets) also get REVOPS_K8S_GPU_STEP_CONFIG — by default one NVIDIA GPU,
  a node selector and toleration for GPU nodes, and the BGE-M3 model volume at /models.

A job's own executor always wins over this code-location default (Dagster's rule). Nothing here imports
dagster-k8s until `k8s` is asked for, so loading the code location stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
import yaml

EXECUTOR_VAR = "REVOPS_EXECUTOR"
GPU_STEP_CONFIG_VAR = "REVOPS_K8S_GPU_STEP_CONFIG"
EXECUTORS = ("in_process", "multiprocess", "k8s")
GPU_POOL = "gpu"  # the pool of the embedding assets (search/assets.py)

# One GPU per embedding step, on GPU nodes, with the BGE-M3 copy mounted read-only where EMBEDDER_MODEL points.
# Keys are those of dagster-k8s' UserDefinedDagsterK8sConfig (snake or camel case: Kubernetes' own field names).
DEFAULT_GPU_STEP_K8S_CONFIG: dict[str, Any] = {
    "container_config": {
        "resources": {
            "requests": {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"},
            "limits": {"memory": "16Gi", "nvidia.com/gpu": "1"},
        },
        "volume_mounts": [{"name": "models", "mount_path": "/models", "read_only": True}],
    },
    "pod_spec_config": {
        "node_selector": {"nvidia.com/gpu.present": "true"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "volumes": [{"name": "models", "persistent_volume_claim": {"claim_name": "revops-models", "read_only": True}}],
    },
}


def executor_name(env: Mapping[str, str] | None = None) -> str:
    """The executor asked for (in_process when unset); a value outside EXECUTORS is an error naming the variable."""
    raw = (os.environ if env is None else env).get(EXECUTOR_VAR, "").strip().lower().replace("-", "_")
    if not raw:
        return "in_process"
    if raw not in EXECUTORS:
        raise ValueError(f"{EXECUTOR_VAR} must be one of {', '.join(EXECUTORS)}, got {raw!r}")
    return raw


def gpu_step_k8s_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """REVOPS_K8S_GPU_STEP_CONFIG (YAML or JSON text) when set, else the default above."""
    text = (os.environ if env is None else env).get(GPU_STEP_CONFIG_VAR, "").strip()
    if not text:
        return DEFAULT_GPU_STEP_K8S_CONFIG
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(f"{GPU_STEP_CONFIG_VAR} is not valid YAML/JSON: {err}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{GPU_STEP_CONFIG_VAR} must be a mapping (container_config, pod_spec_config, ...)")
    return config


def k8s_executor(gpu_ops: Iterable[str], env: Mapping[str, str] | None = None) -> dg.ExecutorDefinition:
    """dagster-k8s' step-per-pod executor with the GPU configuration on `gpu_ops` (op names)."""
    try:
        from dagster_k8s import k8s_job_executor
        from dagster_k8s.job import UserDefinedDagsterK8sConfig
    except ImportError:
        raise ValueError(f"{EXECUTOR_VAR}=k8s needs dagster-k8s (pip install 'revops-assets[k8s]')") from None
    gpu = gpu_step_k8s_config(env)
    try:  # Kubernetes' own models check every field name now, not when the first GPU step is launched
        UserDefinedDagsterK8sConfig.from_dict(gpu)
    except Exception as err:
        raise ValueError(f"{GPU_STEP_CONFIG_VAR} is not a valid step configuration: {err}") from None
    return k8s_job_executor.configured({"per_step_k8s_config": {op: gpu for op in sorted(set(gpu_ops))}}, name="k8s")


def executor_from_env(gpu_ops: Iterable[str] = (), env: Mapping[str, str] | None = None) -> dg.ExecutorDefinition:
    name = executor_name(env)
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name == "k8s":
        return k8s_executor(gpu_ops, env)
    return dg.in_process_executor


def gpu_ops(defs: dg.Definitions) -> list[str]:
    """Op names of the assets in the `gpu` pool: the steps that need a GPU node."""
    return sorted(
        a.op.name for a in defs.assets or () if isinstance(a, dg.AssetsDefinition) and a.is_executable
        and a.op.pool == GPU_POOL
    )


def with_executor(defs: dg.Definitions, env: Mapping[str, str] | None = None) -> dg.Definitions:
    """`defs` with the executor REVOPS_EXECUTOR asks for (in-process when unset) as the code location's default,
    replacing one `defs` already has. Jobs that set their own executor keep it (Dagster's rule)."""
    executor = executor_from_env(gpu_ops(defs), env)
    return dg.Definitions(**{**{field: getattr(defs, field) for field in defs._fields}, "executor": executor})
