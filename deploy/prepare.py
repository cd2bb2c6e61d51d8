"""One-time preparation of a deployment, run by compose's ``airflow-init`` (and, in part, by ``run_cluster``).

    python -m deploy.prepare generate   # write .env from .env.example, every secret generated (never overwrites)
    python -m deploy.prepare check      # refuse placeholder, empty, short, guessable or published secrets
    python -m deploy.prepare            # check, then ledger, then accounts (after ``airflow db migrate``)
    python -m deploy.prepare ledger accounts

- ``generate``: a new ``.env`` (mode 600) from ``.env.example``, each ``CHANGE_ME`` replaced by a value made for
  its kind, so nobody has to invent one; it refuses to replace an existing file (the secrets in use).
- ``check``: every secret the services read (``deploy/secret_check.py``); one line per bad one, exit 1.
- ``ledger``: the ledger gets a PostgreSQL database of its own (``ZGC_LEDGER_URL``, e.g. ``.../zgc_ledger``), owned
  by the URL's user, created with the metadata database's administrator; its schema goes to the newest revision.
- ``accounts``: the roles ``bureau``, ``operator``, ``viewer`` and the first users (``deploy/accounts.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from deploy import accounts
from deploy.secret_check import AIRFLOW_SECRETS, LOGIN, PASSWORD, SERVICE_SECRETS, login_secrets, weak_secrets

STEPS = ("check", "ledger", "accounts")
PLACEHOLDER = "CHANGE_ME"
EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
NEEDED = ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "ZGC_LEDGER_URL")


def problems(env: Mapping[str, str]) -> list[str]:
    """What stops a deployment from starting: missing settings, missing first users, weak secrets."""
    lines = [f"缺少环境变量：{name}（见 .env.example）" for name in NEEDED if not env.get(name)]
    users, missing = accounts.wanted_users(env)
    lines += [f"缺少环境变量：{name}（见 .env.example）" for name in missing]
    passwords = login_secrets(user.password_variable for user, _, _ in users)
    return lines + weak_secrets(env, (*SERVICE_SECRETS, *AIRFLOW_SECRETS, *passwords))


def generated_env(example: str) -> str:
    """``example`` with every ``CHANGE_ME`` replaced by a secret generated for its variable's kind (a password
    inside a URL, such as the ledger's, is a service password)."""
    kinds = {secret.name: secret.kind for secret in (*SERVICE_SECRETS, *AIRFLOW_SECRETS)}
    lines = []
    for line in example.splitlines():
        name, sep, value = line.partition("=")
        name = name.strip()
        if sep and not line.lstrip().startswith("#") and PLACEHOLDER in value:
            kind = kinds.get(name) or (LOGIN if name.endswith("_PASSWORD") else PASSWORD)
            value = value.replace(PLACEHOLDER, kind.new())
            line = f"{name}={value}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_env_file(target: Path) -> int:
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"{target} 已存在，未覆盖（其中是正在使用的密钥）；如需重新生成，请先移走它", file=sys.stderr)
        return 1
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(generated_env(EXAMPLE.read_text(encoding="utf-8")))
    print(f"已生成 {target}：每个密钥都是随机生成的，请妥善保管，勿提交到代码库")
    return 0


def ensure_database(admin_url: str, url: str) -> bool:
    """Create the database named in ``url`` (and its user, if missing) unless it exists; True if it was made."""
    from psycopg2 import sql
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    target = make_url(url)
    engine = create_engine(make_url(admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            owner = target.username
            if owner:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (owner,))
                if cursor.fetchone() is None:
                    cursor.execute(
                        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                            sql.Identifier(owner), sql.Literal(target.password or "")
                        )
                    )
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,))
            if cursor.fetchone() is not None:
                return False
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(target.database)))
            if owner:
                statement = sql.SQL("{} OWNER {}").format(statement, sql.Identifier(owner))
            cursor.execute(statement)
            return True
        finally:
            connection.close()
    finally:
        engine.dispose()


def migrate_ledger(url: str) -> None:
    """Bring the ledger's tables to the newest Alembic revision (what every task's first open would do)."""
    from zgc_pipeline.ledger import Ledger

    Ledger.open(url).close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.prepare", description=__doc__.splitlines()[0])
    parser.add_argument("steps", nargs="*", choices=(*STEPS, "generate"), help="default: check, ledger, accounts")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="generate: the file to write")
    args = parser.parse_args(argv)
    if "generate" in args.steps:
        return write_env_file(args.env_file)
    steps = args.steps or list(STEPS)
    env = os.environ
    if "check" in steps:
        found = problems(env)
        if found:
            print("\n".join(found), file=sys.stderr)
            return 1
        print("密钥与密码检查通过")
    if "ledger" in steps:
        made = ensure_database(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], env["ZGC_LEDGER_URL"])
        migrate_ledger(env["ZGC_LEDGER_URL"])
        print(f"台账数据库{'已创建' if made else '已存在'}，结构已升级到最新")
    if "accounts" in steps:
        return accounts.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
