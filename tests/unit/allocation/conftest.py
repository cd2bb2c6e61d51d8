"""The allocation cases run on the columnar allocation, through the records the cases are written in."""

from __future__ import annotations

import pytest
from columnar_adapter import allocate_columnar, simulate_columnar

# Session-scoped, so hypothesis's tests may take them too (it refuses function-scoped fixtures).


@pytest.fixture(scope="session")
def allocate() -> object:
    """``allocate(settlement, *, budget, scores, policy) -> Allocation``, on columns."""
    return allocate_columnar


@pytest.fixture(scope="session")
def simulate() -> object:
    """``simulate(settlement, *, budgets, scores, policy)``, on columns."""
    return simulate_columnar
