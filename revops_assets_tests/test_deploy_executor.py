"""The executor switch (REVOPS_EXECUTOR): the code location's default executor, and GPU pods for embedding steps."""

from __future__ import annotations

import pytest

from revops_assets.definitions import build_definitions
from revops_assets.resources.executor import EXECUTOR_VAR, GPU_STEP_CONFIG_VAR, executor_from_env, gpu_ops

EMBEDDING_OPS = ["search__ace_opportunity_embeddings", "search__odoo_opportunity_embeddings"]


def _step_pod(executor_def, op: str):
    """The Kubernetes Job dagster-k8s would launch for `op` with this executor's configuration (no cluster needed:
    the kubernetes client's models check every field)."""
    from dagster_k8s.job import DagsterK8sJobConfig, UserDefinedDagsterK8sConfig, construct_dagster_k8s_job

    config = executor_def.config_schema.resolve_config({}).value["config"]
    step = UserDefinedDagsterK8sConfig.from_dict(config["per_step_k8s_config"].get(op, {}))
    job = construct_dagster_k8s_job(
        DagsterK8sJobConfig(job_image="revops-assets:test", dagster_home="/opt/dagster/home"),
        ["dagster", "api", "execute_step"], f"dagster-step-{op[:20].replace('_', '-')}", user_defined_k8s_config=step,
    )
    return job.spec.template.spec


def test_unset_runs_steps_in_process(monkeypatch):
    monkeypatch.delenv(EXECUTOR_VAR, raising=False)
    assert build_definitions().executor.name == "in_process"


@pytest.mark.parametrize("value, name", [("in_process", "in_process"), ("multiprocess", "multiprocess"),
                                         ("IN-PROCESS", "in_process")])
def test_local_executors(monkeypatch, value, name):
    monkeypatch.setenv(EXECUTOR_VAR, value)
    defs = build_definitions()
    assert defs.executor.name == name
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == name


def test_unknown_executor_is_a_clear_error():
    with pytest.raises(ValueError, match=f"{EXECUTOR_VAR} must be one of in_process, multiprocess, k8s, got 'celery'"):
        executor_from_env(env={EXECUTOR_VAR: "celery"})


def test_k8s_runs_embedding_steps_on_gpu_nodes(monkeypatch):
    monkeypatch.setenv(EXECUTOR_VAR, "k8s")
    monkeypatch.delenv(GPU_STEP_CONFIG_VAR, raising=False)
    defs = build_definitions()
    assert gpu_ops(defs) == EMBEDDING_OPS
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "k8s"  # (a job's own executor wins)
    gpu = _step_pod(defs.executor, "search__odoo_opportunity_embeddings")
    assert gpu.node_selector == {"nvidia.com/gpu.present": "true"}
    assert [(t.key, t.effect) for t in gpu.tolerations] == [("nvidia.com/gpu", "NoSchedule")]
    (container,) = gpu.containers
    assert container.resources.limits["nvidia.com/gpu"] == "1"
    assert [(m.name, m.mount_path, m.read_only) for m in container.volume_mounts] == [("models", "/models", True)]
    assert gpu.volumes[0].persistent_volume_claim.claim_name == "revops-models"
    # every other step: the run launcher's defaults, no GPU
    plain = _step_pod(defs.executor, "raw__odoo_crm_lead")
    assert not plain.node_selector and not (plain.containers[0].resources and plain.containers[0].resources.limits)


def test_k8s_gpu_step_config_from_the_environment_is_checked(monkeypatch):
    custom = "pod_spec_config: {node_selector: {cloud.google.com/gke-accelerator: nvidia-l4}}"
    executor = executor_from_env(EMBEDDING_OPS, env={EXECUTOR_VAR: "k8s", GPU_STEP_CONFIG_VAR: custom})
    assert _step_pod(executor, EMBEDDING_OPS[0]).node_selector == {"cloud.google.com/gke-accelerator": "nvidia-l4"}
    with pytest.raises(ValueError, match=f"{GPU_STEP_CONFIG_VAR} is not a valid step configuration.*nodeSelectr"):
        executor_from_env(EMBEDDING_OPS, env={EXECUTOR_VAR: "k8s", GPU_STEP_CONFIG_VAR: "pod_spec_config: {nodeSelectr: {}}"})
    with pytest.raises(ValueError, match="must be a mapping"):
        executor_from_env(EMBEDDING_OPS, env={EXECUTOR_VAR: "k8s", GPU_STEP_CONFIG_VAR: "- a list"})
