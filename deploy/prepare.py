"""One-time preparation of a deployment, run by compose's ``airflow-init`` (and, in part, by ``run_cluster``).

    python -m deploy.prepare check      # refuse placeholder, empty, short or low-entropy secrets (before anything)
    python -m deploy.prepare            # check, then ledger, then accounts (after ``airflow db migrate``)
    python -m deploy.prepare ledger accounts

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

from deploy import accounts
from deploy.secret_check import AIRFLOW_SECRETS, SERVICE_SECRETS, login_secrets, weak_secrets

STEPS = ("check", "ledger", "accounts")
NEEDED = ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "ZGC_LEDGER_URL")


def problems(env: Mapping[str, str]) -> list[str]:
    """What stops a deployment from starting: missing settings, missing first users, weak secrets."""
    lines = [f"缺少环境变量：{name}（见 .env.example）" for name in NEEDED if not env.get(name)]
    users, missing = accounts.wanted_users(env)
    lines += [f"缺少环境变量：{name}（见 .env.example）" for name in missing]
    passwords = login_secrets(user.password_variable for user, _, _ in users)
    return lines + weak_secrets(env, (*SERVICE_SECRETS, *AIRFLOW_SECRETS, *passwords))


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
    parser.add_argument("steps", nargs="*", choices=STEPS, help="default: all three, in this order")
    steps = parser.parse_args(argv).steps or list(STEPS)
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
