"""The in-process run's watchdog: a watcher that stops polling ends the command with a clear failure, not a wait.

``dag.test`` waits at the sign-off for the answer only the watcher thread gives; once, under heavy load, the watcher
stopped reporting and the command waited until the caller's timeout, saying nothing.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from zgc_airflow.runner import SignOffAnswer, _Watchdog, _Watcher


def _watcher() -> _Watcher:
    return _Watcher("manual__test", [], SignOffAnswer(None), progress=lambda _line: None, on_waiting=lambda _s: None)


def test_a_watcher_that_stopped_polling_ends_the_run_with_the_stacks_in_the_log(tmp_path: Path) -> None:
    watcher = _watcher()
    watcher.last_poll = time.monotonic() - 60
    said: list[str] = []
    log = tmp_path / "airflow-run.log"
    watchdog = _Watchdog(watcher, stale_after=0.4, log_file=log, on_stuck=said.append)
    watchdog.start()
    watchdog.join(timeout=10)
    assert not watchdog.is_alive()
    assert len(said) == 1
    assert "未能读取" in said[0] and "按失败结束" in said[0] and str(log) in said[0]
    stacks = log.read_text(encoding="utf-8")
    assert "Thread 0x" in stacks and "test_watchdog.py" in stacks  # this test's own frame is among them


def test_a_polling_watcher_is_left_alone() -> None:
    watcher = _watcher()
    said: list[str] = []
    watchdog = _Watchdog(watcher, stale_after=0.4, on_stuck=said.append)
    polling = threading.Event()

    def poll() -> None:  # what the watcher's loop does after every poll
        while not polling.wait(0.05):
            watcher.last_poll = time.monotonic()

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    watchdog.start()
    time.sleep(1.5)
    watchdog.stop.set()
    polling.set()
    watchdog.join(timeout=10)
    assert said == []
