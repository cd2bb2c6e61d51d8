"""Airflow local settings for this deployment (Airflow imports this module from ``$AIRFLOW_HOME/config``).

Compatibility: celery 5.7 dropped ``celery.backends.database.retry``, which the Celery provider (3.26.0) still
imports at module level, so no Celery worker or CeleryExecutor scheduler could start with the pinned set. Since
5.7 the database result backend retries on its own (``_ensure_retryable``), so the name is restored here as a
plain pass-through decorator. Remove this once the provider stops importing it (or celery is pinned below 5.7).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


def _pass_through(function: F) -> F:
    return function


def _restore_celery_retry() -> None:
    try:
        database_backend = importlib.import_module("celery.backends.database")
    except ImportError:  # no Celery in this image: nothing to restore
        return
    if not hasattr(database_backend, "retry"):
        setattr(database_backend, "retry", _pass_through)  # noqa: B010  (the module declares no such name)


_restore_celery_retry()
