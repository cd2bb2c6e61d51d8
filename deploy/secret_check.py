"""Refuses placeholder, empty, short, low-entropy, guessable or published secrets before a deployment starts.

A copied ``.env.example`` still says ``CHANGE_ME``: with that JWT secret anyone can sign an admin token, with that
Fernet key Airflow starts and encrypts nothing worth the name. A secret a person made up (a sentence, the project's
name and a year) or copied from a public guide is no better. ``weak_secrets`` reads every secret the way the
services read it (the Airflow setting, or the password inside a database or broker URL) and returns one line per
bad one, naming the ``.env`` variable and the command that generates a good value; ``python -m deploy.prepare
generate`` writes a ``.env`` whose every secret is generated.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

TOKEN_32 = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
TOKEN_64 = "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
FERNET = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
PLACEHOLDER_WORDS = ("changeme", "replaceme", "placeholder", "password", "example", "secret")
# What an attacker tries first besides common passwords and words: the project's own names and its services'.
PROJECT_WORDS = (
    "zgc", "zhongguancun", "zhong", "guancun", "beijing", "bureau", "pilot", "ledger", "subsidy",
    "airflow", "admin", "operator", "viewer", "postgres", "redis", "celery", "fernet", "jwt",
)  # fmt: skip
# Keys printed in public compose files, guides and chart documentation: valid, and known to everyone.
PUBLISHED_SECRETS = frozenset(
    {
        "46BKJoQYlPPOexq0OhDZnIlNepKFf87WFwLbfzqDDho=",
        "7T512UXSSmBOkpWimFHIVb8jK6lfmSAvx4mO6Arehnc=",
    }
)


@dataclass(frozen=True)
class SecretKind:
    """How long and how random a secret must be, and how to make a good one."""

    label: str
    min_length: int
    min_bits: float
    generate: str  # the command a person runs to make one
    new: Callable[[], str]  # the same, for ``deploy.prepare generate``


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _token(size: int) -> Callable[[], str]:
    return lambda: secrets.token_urlsafe(size)


PASSWORD = SecretKind("服务密码", 16, 64, TOKEN_32, _token(32))  # PostgreSQL, Redis, the ledger's database user
LOGIN = SecretKind("登录密码", 12, 40, TOKEN_32, _token(32))  # a person's password for the UI and the REST API
KEY = SecretKind("密钥", 32, 128, TOKEN_32, _token(32))  # [api] secret_key: signs the UI's sessions
JWT = SecretKind("JWT 密钥", 64, 256, TOKEN_64, _token(64))  # HS512 wants a key of at least 64 bytes (RFC 7518 §3.2)
FERNET_KEY = SecretKind("Fernet 密钥", 44, 0, FERNET, _fernet_key)


@dataclass(frozen=True)
class Secret:
    """One secret: the ``.env`` variable people edit, the setting a service reads, how to take the value out."""

    name: str
    setting: str
    kind: SecretKind
    extract: Callable[[str], str] = str


def url_password(url: str) -> str:
    """The password inside ``scheme://user:password@host/...`` ('' when there is none)."""
    match = re.match(r"^[^:/]+://[^:@/]*:([^@/]*)@", url)
    return match.group(1) if match else ""


SERVICE_SECRETS = (
    Secret("POSTGRES_PASSWORD", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", PASSWORD, url_password),
    Secret("REDIS_PASSWORD", "AIRFLOW__CELERY__BROKER_URL", PASSWORD, url_password),
    Secret("ZGC_LEDGER_URL", "ZGC_LEDGER_URL", PASSWORD, url_password),
)
AIRFLOW_SECRETS = (
    Secret("AIRFLOW_FERNET_KEY", "AIRFLOW__CORE__FERNET_KEY", FERNET_KEY),
    Secret("AIRFLOW_JWT_SECRET", "AIRFLOW__API_AUTH__JWT_SECRET", JWT),
    Secret("AIRFLOW_API_SECRET_KEY", "AIRFLOW__API__SECRET_KEY", KEY),
)


def login_secrets(variables: Iterable[str]) -> tuple[Secret, ...]:
    """The first users' passwords, read from the variables of the same name."""
    return tuple(Secret(name, name, LOGIN) for name in variables)


def shannon_bits(value: str) -> float:
    """The string's length times the entropy of its own character distribution: repetition scores low."""
    counts = Counter(value)
    total = len(value)
    return -total * sum(n / total * math.log2(n / total) for n in counts.values())


def _has_sequence(value: str, length: int = 5) -> bool:
    """A run like ``abcde``, ``12345`` or ``54321``: typed, not drawn."""
    run_up = run_down = 1
    for before, after in itertools.pairwise(value):
        step = ord(after) - ord(before)
        run_up = run_up + 1 if step == 1 else 1
        run_down = run_down + 1 if step == -1 else 1
        if max(run_up, run_down) >= length:
            return True
    return False


def _fernet_problem(value: str) -> str | None:
    try:
        key = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        key = b""
    if len(key) != 32 or len(value) != 44:
        return "不是有效的 Fernet 密钥（应为 32 字节的 URL 安全 base64）"
    if len(set(key)) < 16:
        return "是有效格式但几乎不随机"
    return None


def weakness(value: str, kind: SecretKind) -> str | None:
    """Why ``value`` is not good enough for ``kind`` (a short Chinese phrase), or None if it is."""
    if not value:
        return "为空"
    if value in PUBLISHED_SECRETS:
        return "是公开文档和示例中印出的值，人人可知"
    normalised = re.sub(r"[^a-z0-9]", "", value.lower())
    if any(word in normalised for word in PLACEHOLDER_WORDS):
        return "仍是占位符或常见词"
    if kind is FERNET_KEY:
        return _fernet_problem(value)
    if len(value) < kind.min_length:
        return f"太短（{len(value)} 个字符，至少 {kind.min_length} 个）"
    if shannon_bits(value) < kind.min_bits or len(set(value)) < len(value) / 4 or _has_sequence(value):
        return "随机性太低（重复或连续的字符）"
    return _guessable(value, kind)


def _guessable(value: str, kind: SecretKind) -> str | None:
    """What zxcvbn's estimate says of a value that passed the length and entropy checks: a person's password must
    not be among the first guesses (common passwords, words, years, the project's names); a service's secret, which
    nobody types, must not be made of words at all, as a sentence has plenty of characters and little chance."""
    from zxcvbn import zxcvbn  # only the check needs it: ``generate`` runs with any Python 3

    estimate = zxcvbn(value, user_inputs=PROJECT_WORDS, max_length=max(len(value), 72))
    if kind is not LOGIN:
        worded = sum(
            len(match["token"])
            for match in estimate["sequence"]
            if match["pattern"] == "dictionary" and len(match["token"]) >= 4
        )
        if worded * 4 >= len(value):
            return "由常见单词或词组构成，容易被猜中（服务之间的密钥没有人需要记住，应随机生成）"
    digits = float(estimate["guesses_log10"])
    if digits < min(kind.min_bits, 128) * math.log10(2):
        return f"容易被猜中（按常见密码、单词、年份和本项目名称估算，约 10^{digits:.0f} 次即可猜中）"
    return None


def weak_secrets(values: Mapping[str, str], secrets: Iterable[Secret]) -> list[str]:
    """One line per secret that is missing, a placeholder, too short or too regular; empty when all are good."""
    lines = []
    for secret in secrets:
        problem = weakness(secret.extract(values.get(secret.setting) or ""), secret.kind)
        if problem:
            where = secret.name if secret.name == secret.setting else f"{secret.name}（{secret.setting}）"
            lines.append(f"{where} 的{secret.kind.label}{problem}：用 {secret.kind.generate} 生成一个")
    return lines
