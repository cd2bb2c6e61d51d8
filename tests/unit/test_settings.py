"""Deployment settings read from the environment: what each ``ZGC_*`` variable becomes."""

from __future__ import annotations

import pytest

from zgc_pipeline.cycle import CycleConfig
from zgc_pipeline.settings import load_settings


def test_uscc_exceptions_are_split_and_normalised() -> None:
    settings = load_settings({"ZGC_USCC_EXCEPTIONS": " 9135-0100m0001tgqxm，９１１１0000600037341A;\n"})
    assert settings.uscc_exceptions == {"91350100M0001TGQXM", "91110000600037341A"}


def test_no_uscc_exceptions_by_default() -> None:
    assert load_settings({}).uscc_exceptions == frozenset()


def test_a_runs_configuration_takes_the_exceptions_from_the_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZGC_USCC_EXCEPTIONS", "91350100M0001TGQXM")
    params = {"year": 2025, "registry": "registry.xlsx", "budget": "1000000.00", "out": "out"}
    assert CycleConfig.from_params(params).uscc_exceptions == {"91350100M0001TGQXM"}
    assert CycleConfig.from_params(params, load_settings({})).uscc_exceptions == frozenset()
