"""Airflow's own API app (``create_app``) with the project's plugin loaded from its entry point, over the
two years of ``tests/pilot_years.py``; users are tokens the simple auth manager itself signs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import airflow_env
from tests.pilot_years import PilotYears


@pytest.fixture(scope="session")
def airflow_app() -> Any:
    from zgc_airflow.home import ensure_metadata_database

    ensure_metadata_database(airflow_env.AIRFLOW_HOME)
    from airflow.api_fastapi.app import create_app

    return create_app(apps="core")


@pytest.fixture
def client(airflow_app: Any, pilot_years: PilotYears, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("ZGC_OUTPUT_ROOT", str(pilot_years.out))
    monkeypatch.setenv("ZGC_LEDGER_URL", pilot_years.ledger_url)
    with TestClient(airflow_app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def login(client: TestClient) -> Callable[[str | None], TestClient]:
    """Log ``client`` in as a user of the given simple-auth-manager role (None: a user with no role at all)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    def as_role(role: str | None) -> TestClient:
        token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=f"u-{role}", role=role))
        client.cookies.set(COOKIE_NAME_JWT_TOKEN, token)  # the session cookie the Airflow UI sets
        return client

    return as_role
