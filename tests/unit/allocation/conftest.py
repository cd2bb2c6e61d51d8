"""Every allocation case runs twice: on the record-based allocation and on the columnar one."""

from __future__ import annotations

import pytest
from columnar_adapter import allocate_columnar, simulate_columnar

from zgc_pipeline.allocation import allocate as allocate_records
from zgc_pipeline.allocation import simulate as simulate_records

# Session-scoped, so hypothesis's tests may take them too (it refuses function-scoped fixtures).


@pytest.fixture(scope="session", params=[allocate_records, allocate_columnar], ids=["records", "columns"])
def allocate(request: pytest.FixtureRequest) -> object:
    """``allocate(settlement, *, budget, scores, policy) -> Allocation``, by either implementation."""
    return request.param


@pytest.fixture(scope="session", params=[simulate_records, simulate_columnar], ids=["records", "columns"])
def simulate(request: pytest.FixtureRequest) -> object:
    """``simulate(settlement, *, budgets, scores, policy)``, by either implementation."""
    return request.param
