"""The ledger's SQLAlchemy URL from the Airflow connection ``zgc_ledger``: where a deployment keeps its password.

A connection of type ``postgres`` becomes a psycopg2 URL; ``sqlite`` takes the file from ``host``; any other type
may give the URL whole in its extra field ``sqlalchemy_url``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import URL

LEDGER_CONNECTION = "zgc_ledger"


def airflow_ledger_url() -> str | None:
    """The ledger named by the Airflow connection ``zgc_ledger``, read inside a task and never passed on; None when
    the deployment defines none (then the ``ZGC_*`` settings decide)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        connection = Connection.get(LEDGER_CONNECTION)
    except AirflowNotFoundException:
        return None
    return ledger_url_of(connection)


def server_ledger_url() -> str | None:
    """The same connection read where no task runs (the api-server serving the year's pages): through Airflow's
    secrets backends, as the server itself reads connections; None when the deployment defines none."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    try:
        connection = Connection.get_connection_from_secrets(LEDGER_CONNECTION)
    except AirflowNotFoundException:
        return None
    return ledger_url_of(connection)


def ledger_url_of(connection: Any) -> str:
    """The SQLAlchemy URL a connection describes (password included: never print or pass it on)."""
    extra = connection.extra_dejson or {}
    if extra.get("sqlalchemy_url"):
        return str(extra["sqlalchemy_url"])
    kind = (connection.conn_type or "").lower()
    if kind.startswith("postgres"):  # postgres, postgresql, postgresql+psycopg2 (a URI given whole)
        url = URL.create(
            "postgresql+psycopg2",
            username=connection.login or None,
            password=connection.password or None,
            host=connection.host or None,
            port=connection.port or None,
            database=connection.schema or None,
        )
        return url.render_as_string(hide_password=False)
    if kind == "sqlite" and connection.host:
        return f"sqlite:///{connection.host}"
    raise ValueError(
        f"连接 {connection.conn_id} 的类型 {connection.conn_type!r} 无法用作台账："
        "请用 postgres，或在 extra 中给出 sqlalchemy_url"
    )
