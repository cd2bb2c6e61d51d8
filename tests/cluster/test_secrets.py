"""A deployment refuses placeholder, empty, short or low-entropy secrets before it starts.

The decisive case is the one people hit: ``.env.example`` copied unchanged. Compose's ``airflow-init`` is read as
data, its environment filled from ``.env.example`` as compose would, and its first step run for real.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from deploy.secret_check import (
    AIRFLOW_SECRETS,
    FERNET_KEY,
    JWT,
    KEY,
    LOGIN,
    PASSWORD,
    SERVICE_SECRETS,
    SecretKind,
    weakness,
)

ROOT = Path(__file__).resolve().parents[2]
INIT = yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))["services"]["airflow-init"]
USER_PASSWORDS = ("AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_BUREAU_PASSWORD", "AIRFLOW_OPERATOR_PASSWORD")
ENV_SECRETS = tuple(secret.name for secret in (*SERVICE_SECRETS, *AIRFLOW_SECRETS)) + USER_PASSWORDS


def _env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def _interpolate(value: str, dotenv: dict[str, str]) -> str:
    """Compose's ``${VAR}`` and ``${VAR:-default}`` against the .env file."""

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(3)
        return dotenv.get(name) or (default or "")

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}", one, value)


def _init_environment(dotenv: dict[str, str]) -> dict[str, str]:
    """What the airflow-init container's processes see, with the project on the path as in the image."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW", "ZGC_"))}
    return {**base, **{name: _interpolate(str(value), dotenv) for name, value in INIT["environment"].items()}}


def _generated(kind: SecretKind) -> str:
    """Run the generation command the refusal message gives, as a person would paste it."""
    command = shlex.split(kind.generate)
    assert command[0] == "python"
    return subprocess.run([sys.executable, *command[1:]], capture_output=True, text=True, check=True).stdout.strip()


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.prepare", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_init_checks_the_secrets_before_it_touches_anything() -> None:
    script = INIT["command"][-1]
    steps = [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    runs = [line for line in steps if re.match(r"(exec\s+)?(python|airflow|/entrypoint)\b", line)]
    assert runs[0] == "python -m deploy.prepare check", steps
    assert "set -euo pipefail" in steps  # a refusal stops the init, and every service waits for the init


def test_env_example_copied_unchanged_is_refused_naming_every_secret() -> None:
    result = _check(_init_environment(_env_file(ROOT / ".env.example")))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    for name in ENV_SECRETS:
        named = [line for line in lines if line.startswith(name)]
        assert len(named) == 1, (name, lines)
        assert "生成" in named[0] and "python -c" in named[0], named[0]
    assert len(lines) == len(ENV_SECRETS), lines


def test_generated_secrets_pass_and_one_weak_one_is_named_alone() -> None:
    dotenv = _env_file(ROOT / ".env.example")
    dotenv.update(
        {
            "POSTGRES_PASSWORD": _generated(PASSWORD),
            "REDIS_PASSWORD": _generated(PASSWORD),
            "AIRFLOW_FERNET_KEY": _generated(FERNET_KEY),
            "AIRFLOW_JWT_SECRET": _generated(JWT),
            "AIRFLOW_API_SECRET_KEY": _generated(KEY),
            "ZGC_LEDGER_URL": f"postgresql+psycopg2://zgc:{_generated(PASSWORD)}@postgres:5432/zgc_ledger",
            **{name: _generated(LOGIN) for name in USER_PASSWORDS},
        }
    )
    good = _check(_init_environment(dotenv))
    assert good.returncode == 0, good.stderr
    dotenv["AIRFLOW_JWT_SECRET"] = _generated(KEY)  # a fine API key, but too short to sign HS512 tokens
    weak = _check(_init_environment(dotenv))
    assert weak.returncode == 1
    assert weak.stderr.strip().splitlines() == [
        "AIRFLOW_JWT_SECRET（AIRFLOW__API_AUTH__JWT_SECRET） 的JWT 密钥太短（43 个字符，至少 64 个）："
        "用 python -c 'import secrets; print(secrets.token_urlsafe(64))' 生成一个"
    ]


@pytest.mark.parametrize("kind", [PASSWORD, LOGIN, KEY, JWT], ids=lambda k: k.label)
@pytest.mark.parametrize(
    "value",
    ["", "CHANGE_ME", "change-me-please-0123456789", "MyPassword!2026xyz", "example.example.example.example"],
    ids=["empty", "placeholder", "changeme-inside", "password-word", "example-word"],
)
def test_placeholders_and_empty_values_are_refused(kind: SecretKind, value: str) -> None:
    assert weakness(value, kind) is not None


@pytest.mark.parametrize("kind", [PASSWORD, LOGIN, KEY, JWT], ids=lambda k: k.label)
def test_short_and_regular_values_are_refused_and_generated_ones_pass(kind: SecretKind) -> None:
    good = _generated(kind)
    assert weakness(good, kind) is None
    assert "太短" in str(weakness(good[: kind.min_length - 1], kind))
    for regular in ("a" * 90, "ab" * 45, "Zq7" * 30, "abcdefghijklmnopqrstuvwxyz" * 4, "9876543210" * 9):
        assert weakness(regular[: max(kind.min_length, 90)], kind) is not None, regular


def test_a_fernet_key_must_be_a_real_random_fernet_key() -> None:
    assert weakness(Fernet.generate_key().decode(), FERNET_KEY) is None
    assert "占位符" in str(weakness("CHANGE_ME", FERNET_KEY))
    assert "Fernet" in str(weakness("not-a-fernet-key-but-long-enough-to-look-like", FERNET_KEY))
    assert "Fernet" in str(weakness(base64.urlsafe_b64encode(os.urandom(16)).decode(), FERNET_KEY))
    zeros = base64.urlsafe_b64encode(bytes(32)).decode()  # Fernet(zeros) works, and protects nothing
    Fernet(zeros)
    assert "随机" in str(weakness(zeros, FERNET_KEY))


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (LOGIN, "zgc2026bureau"),  # the project's name, a year and the role: the first guesses anyone makes
        (LOGIN, "Zhongguancun2026"),
        (JWT, "The bureau signs the payout every January after the expert panel has scored the projects"),
        (KEY, "airflow-is-a-platform-to-author-schedule-and-monitor-workflows"),
        (PASSWORD, "correct-horse-battery-staple-zgc"),
    ],
    ids=["bureau-password", "place-and-year", "jwt-sentence", "api-key-phrase", "ledger-passphrase"],
)
def test_secrets_a_person_chose_are_refused_as_guessable(kind: SecretKind, value: str) -> None:
    assert "猜" in str(weakness(value, kind)), weakness(value, kind)


@pytest.mark.parametrize(
    "published",
    [
        "46BKJoQYlPPOexq0OhDZnIlNepKFf87WFwLbfzqDDho=",  # printed in countless public compose files and guides
        "7T512UXSSmBOkpWimFHIVb8jK6lfmSAvx4mO6Arehnc=",  # a Helm chart's documented default
    ],
)
def test_a_fernet_key_printed_in_public_documentation_is_refused(published: str) -> None:
    Fernet(published)  # a valid key: only its publication makes it worthless
    assert "公开" in str(weakness(published, FERNET_KEY))


def _generate(target: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "deploy.prepare", "generate", "--env-file", str(target)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_prepare_generate_writes_an_env_file_that_passes_the_check(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    made = _generate(target)
    assert made.returncode == 0, made.stderr
    dotenv = _env_file(target)
    assert not [name for name, value in dotenv.items() if "CHANGE_ME" in value]
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    good = _check(_init_environment(dotenv))
    assert good.returncode == 0, good.stderr
    again = _generate(target)
    assert again.returncode == 1 and "已存在" in again.stderr  # never overwrites the secrets in use
    assert _env_file(target) == dotenv
