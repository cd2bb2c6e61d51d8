"""docker-compose.yaml, read as data (no Docker engine here): the official Airflow 3 shape, CeleryExecutor, health
checks, folders and settings that match what the pipeline and Airflow read, and no secret outside ``.env``."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = [
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
]
# A setting the deployment leaves unset on purpose: the shipped include/policy.yaml is the pilot's policy.
UNSET_ON_PURPOSE = {"ZGC_POLICY_FILE"}
SECRETS = ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY")
USER_PASSWORDS = ("AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_BUREAU_PASSWORD", "AIRFLOW_OPERATOR_PASSWORD")
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def _project_settings() -> set[str]:
    """Every ZGC_* name the pipeline and the DAG read from the environment."""
    sources = [ROOT / "zgc_pipeline" / "settings.py", ROOT / "dags" / "zgc_annual_cycle.py"]
    return {name for source in sources for name in re.findall(r"\"(ZGC_[A-Z_]+)\"", source.read_text("utf-8"))}


def _mount_targets(service: dict[str, Any]) -> dict[str, str]:
    """Container path → host side of each volume."""
    targets = {}
    for volume in service.get("volumes", []):
        host, container = volume.split(":")[:2]
        targets[container] = host
    return targets


def test_it_has_the_official_airflow_3_services() -> None:
    assert set(SERVICES) == {"postgres", "redis", *AIRFLOW_SERVICES}
    commands = {name: SERVICES[name].get("command") for name in AIRFLOW_SERVICES if name != "airflow-init"}
    assert commands == {
        "airflow-apiserver": "api-server --proxy-headers",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-worker": "celery worker",
        "airflow-triggerer": "triggerer",
    }


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_every_airflow_service_runs_the_project_image_with_celery(name: str) -> None:
    service = SERVICES[name]
    assert service["build"] == "."
    env = service["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD\}@redis:6379/\d+", env["AIRFLOW__CELERY__BROKER_URL"])
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    for setting in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert re.fullmatch(r"\$\{[A-Z_]+\}", env[setting]), f"{setting} must come from .env"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_every_airflow_service_uses_the_fab_auth_manager(name: str) -> None:
    env = SERVICES[name]["environment"]
    assert env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER
    assert not [key for key in env if "SIMPLE_AUTH_MANAGER" in key]


def test_only_the_api_server_publishes_a_port_and_only_on_loopback() -> None:
    published = {name: service["ports"] for name, service in SERVICES.items() if "ports" in service}
    assert published == {"airflow-apiserver": ["127.0.0.1:${AIRFLOW_API_PORT:-8080}:8080"]}


def test_the_fab_provider_is_pinned_alike_in_both_places() -> None:
    pins = re.findall(r"^apache-airflow-providers-fab==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)
    declared = re.findall(r'"apache-airflow-providers-fab==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert len(pins) == 1 and declared == pins
    spec = importlib.util.find_spec("airflow.providers.fab.auth_manager.fab_auth_manager")
    assert spec is not None  # installed by make setup, so the cluster test runs with it


def test_the_image_installs_the_pinned_package_and_the_files_it_reads() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"FROM \$\{AIRFLOW_IMAGE\}", dockerfile)
    assert "ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11" in dockerfile
    assert "pip install --no-cache-dir -c constraints.txt -e '.[airflow]'" in dockerfile
    for needed in ("constraints.txt", "zgc_pipeline/", "zgc_airflow/", "expectations/", "include/", "dags/"):
        assert re.search(rf"COPY .*{re.escape(needed)}", dockerfile), needed
    pinned = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    assert "apache-airflow==3.3.2\n" in pinned  # the base image's Airflow, so pip keeps it


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_health_check(name: str) -> None:
    check = SERVICES[name]["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL") and len(check["test"]) >= 2
    assert check["interval"] and check["retries"] >= 1


def test_health_checks_ask_each_component_the_right_question() -> None:
    def probe(name: str) -> str:
        return " ".join(SERVICES[name]["healthcheck"]["test"][1:])

    assert "/api/v2/monitor/health" in probe("airflow-apiserver")
    assert ":8974/health" in probe("airflow-scheduler")
    assert SERVICES["airflow-scheduler"]["environment"]["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"
    assert "DagProcessorJob" in probe("airflow-dag-processor")
    assert "TriggererJob" in probe("airflow-triggerer")
    assert "inspect ping" in probe("airflow-worker") and "celery@$${HOSTNAME}" in probe("airflow-worker")
    assert "pg_isready" in probe("postgres") and "redis-cli" in probe("redis")


def test_workers_scale() -> None:
    worker = SERVICES["airflow-worker"]
    assert not {"container_name", "ports", "hostname"} & set(worker)
    assert worker["environment"]["DUMB_INIT_SETSID"] == "0"


def test_services_wait_for_what_they_need() -> None:
    for name in AIRFLOW_SERVICES:
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy"
        if name != "airflow-init":
            assert depends["airflow-init"]["condition"] == "service_completed_successfully"
    init = SERVICES["airflow-init"]
    assert init["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"
    assert "python -m deploy.prepare" in "".join(init["command"])
    for variable in ("USERNAME", "PASSWORD"):
        for who in ("ADMIN", "BUREAU", "OPERATOR"):
            name = f"AIRFLOW_{who}_{variable}"
            assert init["environment"][name] == f"${{{name}}}", name


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_the_mounted_folders_are_the_ones_the_pipeline_is_told(name: str) -> None:
    service = SERVICES[name]
    env, mounts = service["environment"], _mount_targets(service)
    assert mounts[env["ZGC_INBOX_ROOT"]] == "${ZGC_HOST_INBOX}"
    assert mounts[env["ZGC_OUTPUT_ROOT"]] == "${ZGC_HOST_OUTPUT}"
    assert mounts[env["ZGC_ARCHIVE_DIR"]] == "${ZGC_HOST_ARCHIVE}"
    assert env["ZGC_REGISTRY_FILE"].startswith(env["ZGC_INBOX_ROOT"] + "/")
    assert mounts["/opt/airflow/dags"] == "./dags"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"


def test_the_settings_are_exactly_the_ones_the_project_reads() -> None:
    read = _project_settings()
    assert {"ZGC_INBOX_ROOT", "ZGC_LEDGER_URL", "ZGC_TASK_RETRIES"} <= read  # the scan finds them at all
    for name in AIRFLOW_SERVICES:
        environment = SERVICES[name]["environment"]
        given = {key for key in environment if key.startswith("ZGC_")}
        # the ledger, password included, is the Airflow connection zgc_ledger; init alone gets the URL to create it
        expected = read - UNSET_ON_PURPOSE - ({"ZGC_LEDGER_URL"} if name != "airflow-init" else set())
        assert given == expected, name
        assert environment["AIRFLOW_CONN_ZGC_LEDGER"] == "${ZGC_LEDGER_URL}", name


def test_every_airflow_setting_is_one_airflow_knows() -> None:
    """AIRFLOW__SECTION__KEY names are checked against Airflow's and the Celery provider's config templates."""
    spec = importlib.util.find_spec("airflow")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    core = yaml.safe_load((package / "config_templates" / "config.yml").read_text(encoding="utf-8"))
    celery = (package / "providers" / "celery" / "get_provider_info.py").read_text(encoding="utf-8")
    names = {key for service in AIRFLOW_SERVICES for key in SERVICES[service]["environment"]}
    for name in sorted(n for n in names if n.startswith("AIRFLOW__")):
        _, section, option = name.lower().split("__", 2)
        if section == "celery":
            assert f'"{option}"' in celery, name
        else:
            assert option in core.get(section, {}).get("options", {}), name


def test_env_example_covers_every_variable_and_holds_no_secret() -> None:
    text = (ROOT / "docker-compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    example = _env_example()
    assert used - set(example) == set()
    assert used >= {"POSTGRES_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "ZGC_LEDGER_URL"}
    for name in (*SECRETS, *USER_PASSWORDS):
        assert example[name] == "CHANGE_ME", name
    assert re.fullmatch(r"postgresql\+psycopg2://\w+:CHANGE_ME@postgres:5432/zgc_ledger", example["ZGC_LEDGER_URL"])


def test_the_deploying_guide_names_every_setting_and_the_budget_variable() -> None:
    guide = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    dag = (ROOT / "dags" / "zgc_annual_cycle.py").read_text(encoding="utf-8")
    assert 'Variable.get(f"zgc_budget_{' in dag and "zgc_budget_<year>" in guide
    for name in _project_settings():
        assert name in guide, name
    assert "clearTaskInstances" in guide and "hitlDetails" in guide


def test_the_deploying_guide_says_how_to_generate_every_secret() -> None:
    from deploy.secret_check import AIRFLOW_SECRETS, SERVICE_SECRETS

    guide = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    for secret in (*SERVICE_SECRETS, *AIRFLOW_SECRETS):
        assert f"`{secret.name}`" in guide and secret.kind.generate in guide, secret.name
    for role in ("bureau", "operator", "viewer"):
        assert f"`{role}`" in guide, role
