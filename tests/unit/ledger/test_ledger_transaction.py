"""``Ledger.transaction``: a step's reads and writes on one connection, committed together, one step at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from zgc_pipeline.ledger import Ledger

RUN = "manual__2021-01-15T01:00:00+00:00"
AT = datetime(2021, 1, 15, 1, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger.open(ledger_url) as opened:
        yield opened


def test_a_step_that_fails_leaves_nothing_of_what_it_wrote(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError), ledger.transaction() as tx:
        number = tx.open_intake_round(2020, RUN, started_at=AT)
        tx.record_skipped(2020, number, [("说明.txt", "不是报送文件")])
        assert tx.skipped_files(2020) == [("说明.txt", "不是报送文件")]  # the step reads what it wrote
        raise RuntimeError("the step fails after writing")
    assert ledger.skipped_files(2020) == []
    with ledger.transaction() as tx:
        tx.record_skipped(2020, tx.open_intake_round(2020, RUN, started_at=AT), [("说明.txt", "不是")])
    assert ledger.skipped_files(2020) == [("说明.txt", "不是")]


def test_two_steps_take_turns(ledger: Ledger, ledger_url: str) -> None:
    """A second step (another task's process) waits for the first to commit, then reads what it wrote."""
    seen: list[list[tuple[str, str]]] = []

    def second_step() -> None:
        with Ledger.open(ledger_url) as own, own.transaction() as tx:
            seen.append(tx.skipped_files(2020))

    with ledger.transaction() as tx:
        tx.record_skipped(2020, tx.open_intake_round(2020, RUN, started_at=AT), [("说明.txt", "不是报送文件")])
        waiting = threading.Thread(target=second_step)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive() and seen == []
    waiting.join(timeout=30)
    assert seen == [[("说明.txt", "不是报送文件")]]
