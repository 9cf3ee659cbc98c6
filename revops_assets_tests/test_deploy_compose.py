"""The compose deployment as an operator gets it: `docker-compose config` validates it with the placeholders of
.env.example, and what it describes is a deployment that can run (no Docker engine runs here: nothing is started).

The Dagster files it ships (docker/dagster.yaml, docker/workspace.yaml) are checked by Dagster's own schemas.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
OUR_SERVICES = {"init", "code-server", "webserver", "daemon"}
SECRET_VARS = ("POSTGRES_ADMIN_PASSWORD", "REVOPS_APP_PASSWORD", "ODOO_DSN", "APN_DSN")


def _compose(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose; .ci/run installs it)")
    return subprocess.run([exe, "-f", str(COMPOSE), "--project-directory", str(ROOT), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def config() -> dict:
    done = _compose("--env-file", str(ROOT / ".env.example"), "config")
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_config_validates_with_the_example_env(config):
    assert set(config["services"]) == {"warehouse", *OUR_SERVICES}


def test_every_secret_is_required_from_the_env_file(tmp_path):
    empty = tmp_path / "empty.env"  # (not the checkout's .env, which an operator may have)
    empty.write_text("")
    done = _compose("--env-file", str(empty), "config")  # each secret must be asked for, none has a default
    assert done.returncode != 0
    assert re.search(r"set (POSTGRES_ADMIN_PASSWORD|REVOPS_APP_PASSWORD|ODOO_DSN|APN_DSN) in \.env", done.stderr)
    text = COMPOSE.read_text()
    values = re.findall(r"\bpassword=(\S+)", text)  # inside libpq DSNs
    values += re.findall(r"^\s*\w*PASSWORD\w*:\s*(\S+)", text, flags=re.MULTILINE)  # environment entries
    values += re.findall(r"postgres[a-z+0-9]*://[^:@/\s]+:(\S+)", text)  # inside URLs (user:password@host)
    assert len(values) >= 5 and all(v.startswith("${") for v in values), values
    for var in SECRET_VARS:
        assert re.search(r"\$\{" + var + r":\?", text), f"{var} must be required (:?), never defaulted"


def test_every_service_has_a_healthcheck_and_a_restart_policy(config):
    for name, service in config["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert service.get("restart") in {"unless-stopped", "always", "no"}, f"{name}: restart {service.get('restart')}"
    assert config["services"]["init"]["restart"] == "no"  # a one-shot the others wait for
    assert all(config["services"][s]["restart"] == "unless-stopped" for s in ("warehouse", *OUR_SERVICES - {"init"}))


def test_one_image_built_once(config):
    services = config["services"]
    built = [name for name, s in services.items() if "build" in s]
    assert built == ["init"]
    images = {services[name]["image"] for name in OUR_SERVICES}
    assert images == {"revops-assets:latest"}
    assert services["init"]["build"]["args"]["TORCH_VARIANT"] == "cu128"  # the GPU reserved below needs CUDA torch
    assert all(services[name].get("pull_policy") == "never" for name in OUR_SERVICES - {"init"})


def test_start_order_init_then_code_server_then_webserver_and_daemon(config):
    services = config["services"]
    assert services["init"]["depends_on"] == {"warehouse": {"condition": "service_healthy"}}
    assert services["init"]["command"] == ["revops", "init"]
    assert services["code-server"]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}
    for name in ("webserver", "daemon"):
        assert services[name]["depends_on"] == {"code-server": {"condition": "service_healthy"}}
        assert "/opt/dagster/home/workspace.yaml" in services[name]["command"]


def test_warehouse_is_pgvector_with_shared_memory(config):
    warehouse = config["services"]["warehouse"]
    assert warehouse["image"] == "pgvector/pgvector:pg16"
    assert warehouse["shm_size"] == "1gb"
    for name in ("warehouse", "webserver"):  # published on the host's loopback only
        assert all(str(p).startswith("127.0.0.1:") for p in config["services"][name]["ports"])


def test_code_server_has_the_gpu_the_model_and_the_credentials(config):
    code = config["services"]["code-server"]
    (device,) = code["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["count"] == 1 and device["capabilities"] == ["gpu"]
    env = code["environment"]
    assert env["EMBEDDER_BACKEND"] == "bge-m3" and env["EMBEDDER_MODEL"] == "/models/bge-m3"
    assert env["EMBEDDER_DEVICE"] == "cuda"
    assert any(v.endswith(":/models:ro") for v in code["volumes"])
    assert code["command"][:3] == ["dagster", "code-server", "start"] and "revops_assets.definitions" in code["command"]
    assert "user=revops_app" in env["WAREHOUSE_DSN"] and "//revops_app:" in env["DAGSTER_PG_URL"]
    assert "revops_odoo_reader" in env["ODOO_DSN"] and "revops_apn_reader" in env["APN_DSN"]


def test_least_privilege_between_services(config):
    services = config["services"]
    for name in ("webserver", "daemon"):  # they only talk to Dagster's storage and the code server
        assert set(services[name]["environment"]) == {"DAGSTER_PG_URL"}
        assert "deploy" not in services[name]
    assert "REVOPS_ADMIN_DSN" in services["init"]["environment"]
    assert not any("REVOPS_ADMIN_DSN" in services[name]["environment"] for name in OUR_SERVICES - {"init"})


def test_compute_logs_are_shared_between_the_runs_and_the_ui(config):
    def mount(service: str) -> str:
        (volume,) = [v for v in config["services"][service]["volumes"] if v.startswith("compute-logs:")]
        return volume.split(":")[1]

    base_dir = yaml.safe_load((ROOT / "docker" / "dagster.yaml").read_text())["compute_logs"]["config"]["base_dir"]
    assert mount("code-server") == mount("webserver") == base_dir
    assert "compute-logs" in config["volumes"]


def test_dagster_files_of_the_image_pass_dagster_schemas(tmp_path):
    from dagster._core.instance.config import dagster_instance_config
    from dagster._core.workspace.config_schema import ensure_workspace_config
    from dagster._serdes import ConfigurableClassData

    instance, _ = dagster_instance_config(str(ROOT / "docker"), "dagster.yaml")
    assert instance["concurrency"]["runs"]["max_concurrent_runs"] >= 1
    logs = instance["compute_logs"]
    manager = ConfigurableClassData(logs["module"], logs["class"], yaml.safe_dump({"base_dir": str(tmp_path)})).rehydrate(
        as_type=object)
    assert type(manager).__name__ == "LocalComputeLogManager"
    workspace = ensure_workspace_config(yaml.safe_load((ROOT / "docker" / "workspace.yaml").read_text()), "workspace")
    (location,) = workspace["load_from"]
    assert location["grpc_server"] == {"host": "code-server", "port": 4000, "location_name": "revops_assets"}
    # a typo in the instance file is caught by the same check
    (tmp_path / "dagster.yaml").write_text((ROOT / "docker" / "dagster.yaml").read_text().replace("compute_logs:",
                                                                                                  "compute_log:"))
    with pytest.raises(Exception, match="compute_log"):
        dagster_instance_config(str(tmp_path), "dagster.yaml")


def test_dockerfile_installs_from_the_lock_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and all("--no-deps" in line for line in installs if "TORCH_VARIANT" not in line)
    assert "requirements.lock" in dockerfile and "ARG TORCH_VARIANT=cpu" in dockerfile
    assert "COPY docker/dagster.yaml docker/workspace.yaml /opt/dagster/home/" in dockerfile
    assert re.search(r"^USER revops$", dockerfile, flags=re.MULTILINE)
    torch_pins = [line for line in (ROOT / "requirements.lock").read_text().splitlines() if line.startswith("torch==")]
    assert len(torch_pins) == 1 and torch_pins[0].endswith("+cpu")
    lock = (ROOT / "requirements.lock").read_text()
    assert "dagster-k8s==0.29.27" in lock  # the image serves the Helm deployment too
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".revops", ".env"} <= set(ignored)
