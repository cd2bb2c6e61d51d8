"""One-time preparation of a deployment, run by compose's ``airflow-init`` (and reused by ``run_cluster``).

- The ledger gets a PostgreSQL database of its own (``ZGC_LEDGER_URL``, e.g. ``.../zgc_ledger``), owned by the
  URL's user, created with the metadata database's administrator; its schema is brought to the newest revision.
- The REST API's user (simple auth manager) gets the password from the environment, never a generated one.

    python deploy/prepare.py      # reads AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, ZGC_LEDGER_URL,
                                  # AIRFLOW_ADMIN_USERNAME, AIRFLOW_ADMIN_PASSWORD, and the passwords file path
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

PASSWORDS_FILE_SETTING = "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
NEEDED = (
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "ZGC_LEDGER_URL",
    PASSWORDS_FILE_SETTING,
    "AIRFLOW_ADMIN_USERNAME",
    "AIRFLOW_ADMIN_PASSWORD",
)


def write_passwords(path: Path, users: dict[str, str]) -> Path:
    """The simple auth manager's passwords file (user → password), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(users) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


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


def main() -> int:
    env = os.environ
    missing = [name for name in NEEDED if not env.get(name)]
    if missing:
        print("缺少环境变量：" + "、".join(missing) + "（见 .env.example）", file=sys.stderr)
        return 1
    made = ensure_database(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], env["ZGC_LEDGER_URL"])
    migrate_ledger(env["ZGC_LEDGER_URL"])
    user = env["AIRFLOW_ADMIN_USERNAME"]
    write_passwords(Path(env[PASSWORDS_FILE_SETTING]), {user: env["AIRFLOW_ADMIN_PASSWORD"]})
    print(f"台账数据库{'已创建' if made else '已存在'}，结构已升级到最新；API 用户 {user} 已写入")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
