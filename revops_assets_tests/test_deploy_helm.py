"""The Kubernetes deployment, validated offline (no cluster, no helm binary here):

- deploy/helm/values.yaml against deploy/helm/values.contract.schema.json (the chart's keys and types for what we
  set, closed, so a misspelt key fails);
- every Kubernetes object in it, and the manifests of deploy/k8s, through the kubernetes client's models (unknown
  fields and wrong shapes raise), the way dagster-k8s builds pods from them;
- the run launcher configuration the chart renders from these values, through dagster-k8s' own config schema.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "helm" / "values.yaml"
SCHEMA = ROOT / "deploy" / "helm" / "values.contract.schema.json"
K8S_DIR = ROOT / "deploy" / "k8s"


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _k8s(model: str, data):
    """A kubernetes client model from a manifest-style (camelCase) dict, as dagster-k8s reads pod configuration."""
    import kubernetes
    from dagster_k8s.models import k8s_model_from_dict, k8s_snake_case_dict

    model_class = getattr(kubernetes.client, model)
    return k8s_model_from_dict(model_class, k8s_snake_case_dict(model_class, data))


def _components(values: dict) -> dict[str, dict]:
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    return {"webserver": values["dagsterWebserver"], "daemon": values["dagsterDaemon"], "code location": deployment}


def test_values_satisfy_the_chart_contract(values, validator):
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(values)]
    assert errors == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda v: v["dagsterWebserver"].update(volumeMount=[]), "volumeMount"),
        (lambda v: v["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"].update(podSpecConfg={}), "podSpecConfg"),
        (lambda v: v["dagsterDaemon"]["image"].update(tag="latest"), "latest"),
        (lambda v: v["postgresql"].update(postgresqlPassword="hunter2"), "postgresqlPassword"),
        (lambda v: v.update(dagit={}), "dagit"),
        (lambda v: v["dagster-user-deployments"]["deployments"][0].update(port="3030"), "3030"),
    ],
)
def test_contract_rejects_what_helm_would_silently_ignore_or_misuse(values, validator, change, expected):
    broken = copy.deepcopy(values)
    change(broken)
    messages = " ".join(e.message for e in validator.iter_errors(broken))
    assert expected in messages


def test_one_image_everywhere_and_the_code_location_loads_our_module(values):
    components = _components(values)
    images = {(c["image"]["repository"], c["image"]["tag"]) for c in components.values()}
    assert len(images) == 1
    deployment = components["code location"]
    args = deployment["codeServerArgs"]
    module = args[args.index("-m") + 1]
    assert module == "revops_assets.definitions" and importlib.util.find_spec(module) is not None
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True


def test_kubernetes_objects_in_the_values_are_valid(values):
    for name, component in _components(values).items():
        for field, model in (("volumes", "V1Volume"), ("volumeMounts", "V1VolumeMount")):
            for item in component.get(field, []):
                assert _k8s(model, item) is not None, (name, field)
        _k8s("V1ResourceRequirements", component["resources"])
        _k8s("V1PodSecurityContext", component["podSecurityContext"])
        assert component["podSecurityContext"]["runAsNonRoot"] is True
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    for item in launcher["volumes"]:
        _k8s("V1Volume", item)
    for item in launcher["volumeMounts"]:
        _k8s("V1VolumeMount", item)
    with pytest.raises(Exception, match="Unexpected keys"):
        _k8s("V1VolumeMount", {"name": "x", "mountPth": "/x"})  # the check can fail


def test_the_rendered_run_launcher_config_passes_dagster_k8s(values):
    """What the chart's instance ConfigMap makes of runLauncher, checked by K8sRunLauncher's own config schema."""
    from dagster._config import process_config
    from dagster_k8s import K8sRunLauncher
    from dagster_k8s.job import UserDefinedDagsterK8sConfig

    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    run_k8s = launcher["runK8sConfig"]
    rendered = {
        "load_incluster_config": launcher["loadInclusterConfig"],
        "job_namespace": "revops",
        "image_pull_policy": launcher["imagePullPolicy"],
        "service_account_name": "revops-dagster",
        "dagster_home": "/opt/dagster/dagster_home",
        "instance_config_map": "revops-dagster-instance",
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
        "env_config_maps": ["revops-dagster-pipeline-env"] + [c["name"] for c in launcher["envConfigMaps"]],
        "env_secrets": [s["name"] for s in launcher["envSecrets"]],
        "volume_mounts": launcher["volumeMounts"],
        "volumes": launcher["volumes"],
        "run_k8s_config": {
            "container_config": run_k8s["containerConfig"],
            "pod_spec_config": run_k8s["podSpecConfig"],
            "job_spec_config": run_k8s["jobSpecConfig"],
        },
    }
    result = process_config(K8sRunLauncher.config_type(), rendered)
    assert result.success, [e.message for e in result.errors]
    k8s = UserDefinedDagsterK8sConfig.from_dict(rendered["run_k8s_config"])  # raises on unknown Kubernetes fields
    assert k8s.pod_spec_config["security_context"]["run_as_user"] == 10001


def test_compute_logs_are_shared_by_runs_and_the_webserver(values, tmp_path):
    from dagster._serdes import ConfigurableClassData

    custom = values["computeLogManager"]["config"]["customComputeLogManager"]
    base_dir = custom["config"]["base_dir"]
    manager = ConfigurableClassData(custom["module"], custom["class"],
                                    yaml.safe_dump({"base_dir": str(tmp_path)})).rehydrate(as_type=object)
    assert type(manager).__name__ == "LocalComputeLogManager"

    def mounted_claim(volumes, mounts) -> str:
        (mount,) = [m for m in mounts if m["mountPath"] == base_dir]
        (volume,) = [v for v in volumes if v["name"] == mount["name"]]
        return volume["persistentVolumeClaim"]["claimName"]

    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    webserver = values["dagsterWebserver"]
    claim = mounted_claim(launcher["volumes"], launcher["volumeMounts"])
    assert claim == mounted_claim(webserver["volumes"], webserver["volumeMounts"])
    claims = {d["metadata"]["name"]: d for d in yaml.safe_load_all((K8S_DIR / "volumes.yaml").read_text()) if d}
    assert "ReadWriteMany" in claims[claim]["spec"]["accessModes"]


def test_code_location_env_switches_to_step_pods_with_the_model_on_gpu_nodes(values):
    """REVOPS_EXECUTOR=k8s in the code location's env: the executor puts embedding steps on GPU nodes with the
    model volume that deploy/k8s/volumes.yaml declares, at the path EMBEDDER_MODEL names."""
    from revops_assets.resources.executor import DEFAULT_GPU_STEP_K8S_CONFIG, executor_name

    env = values["dagster-user-deployments"]["deployments"][0]["env"]
    assert executor_name(env) == "k8s" and env["EMBEDDER_BACKEND"] == "bge-m3"
    (mount,) = DEFAULT_GPU_STEP_K8S_CONFIG["container_config"]["volume_mounts"]
    assert env["EMBEDDER_MODEL"].startswith(mount["mount_path"] + "/")
    (volume,) = DEFAULT_GPU_STEP_K8S_CONFIG["pod_spec_config"]["volumes"]
    claims = {d["metadata"]["name"] for d in yaml.safe_load_all((K8S_DIR / "volumes.yaml").read_text()) if d}
    assert volume["persistent_volume_claim"]["claim_name"] in claims


def test_init_job_and_volume_manifests_are_valid_kubernetes(values):
    job = yaml.safe_load((K8S_DIR / "init-job.yaml").read_text())
    parsed = _k8s("V1Job", job)
    (container,) = parsed.spec.template.spec.containers
    assert container.command == ["revops", "init"]
    assert {ref.secret_ref.name for ref in container.env_from} == {"revops-connections", "revops-init-admin"}
    image = values["dagsterWebserver"]["image"]
    assert container.image == f"{image['repository']}:{image['tag']}"
    assert parsed.spec.template.spec.security_context.run_as_non_root is True
    job["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"  # a typo deep inside fails
    with pytest.raises(Exception, match="imagePullPolicyy"):
        _k8s("V1Job", job)
    for document in yaml.safe_load_all((K8S_DIR / "volumes.yaml").read_text()):
        if document:
            _k8s("V1PersistentVolumeClaim", document)


def test_no_secret_in_the_deploy_files():
    for path in [VALUES, *K8S_DIR.glob("*.yaml")]:
        text = path.read_text().lower()
        assert "password:" not in text and "password=" not in text, path
