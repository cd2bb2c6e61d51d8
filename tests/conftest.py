"""Shared fixtures: ledger database URLs (SQLite file, and PostgreSQL when ZGC_TEST_POSTGRES_URL names one), and
hypothesis's profiles: under CI=true a property test without its own ``max_examples`` tries fewer examples."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "ZGC_TEST_POSTGRES_URL"

settings.register_profile("ci", max_examples=25, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")
SLOW = ("browser", "cluster", "e2e")  # markers of the tests that run Airflow, a browser or a whole cycle


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first (each module kept in its order): spread over pytest-xdist's workers they start at once
    and the quick ones fill the gaps, rather than the slowest running last, one per worker, while the rest idle."""
    items.sort(key=lambda item: not any(item.get_closest_marker(name) for name in SLOW))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session, dropped afterwards.

    Without ZGC_TEST_POSTGRES_URL the PostgreSQL cases are skipped on a developer's machine, and fail in CI.
    """
    admin_url = os.environ.get(POSTGRES_ENV)
    in_ci = os.environ.get("CI") == "true"
    if not admin_url:
        if in_ci:
            pytest.fail(f"CI needs PostgreSQL: set {POSTGRES_ENV}")
        pytest.skip(f"{POSTGRES_ENV} is not set")
    name = f"zgc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # unreachable or refused: never a silent skip
        admin.dispose()
        pytest.fail(f"PostgreSQL at {POSTGRES_ENV} is not usable: {exc}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes URLs of fresh, empty ledgers on the parametrised database (a new schema each on PostgreSQL)."""
    if request.param == "sqlite":
        counter = iter(range(1_000))
        return lambda: f"sqlite:///{tmp_path / f'ledger{next(counter)}.sqlite'}"
    database: str = request.getfixturevalue("postgres_database")

    def fresh_schema() -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = create_engine(database, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        return (
            make_url(database)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

    return fresh_schema


@pytest.fixture
def ledger_url(new_ledger_url: Callable[[], str]) -> str:
    """The URL of one fresh, empty ledger."""
    return new_ledger_url()


@pytest.fixture(scope="session")
def pilot_years(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A ledger and output folder with 2020 signed off (expert review) and 2021 awaiting sign-off."""
    from tests.pilot_years import build_pilot_years

    return build_pilot_years(tmp_path_factory.mktemp("pilot"))
