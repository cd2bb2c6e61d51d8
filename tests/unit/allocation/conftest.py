"""The allocation cases run on the allocation's frames, through the records the cases are written in."""

from __future__ import annotations

import pytest
from allocate_records import allocate_records, simulate_records

# Session-scoped, so hypothesis's tests may take them too (it refuses function-scoped fixtures).


@pytest.fixture(scope="session")
def allocate() -> object:
    """``allocate(settlement, *, budget, scores, policy) -> Allocation``, on columns."""
    return allocate_records


@pytest.fixture(scope="session")
def simulate() -> object:
    """``simulate(settlement, *, budgets, scores, policy)``, on columns."""
    return simulate_records
