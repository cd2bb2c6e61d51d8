"""Every rules test that settles through ``rules_factories.run`` runs twice: on the records and on the columns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rules_factories import IMPLEMENTATIONS, implementation


@pytest.fixture(scope="module", params=IMPLEMENTATIONS)
def both_implementations(request: pytest.FixtureRequest) -> Iterator[str]:
    with implementation(request.param):
        yield request.param
