"""One run per output folder and year at a time: a second ``zgc cycle`` of the same year says so and exits.

An advisory lock (``flock``) on ``OUT/.zgc-<year>.lock``, held for the whole run and released by the kernel when
the process ends, however it ends: a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from zgc_pipeline.cli import CommandError


class YearLock:
    def __init__(self, out: Path, year: int) -> None:
        self.path = out / f".zgc-{year}.lock"
        self.year = year
        self._fd: int | None = None

    def __enter__(self) -> YearLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            who = f"（进程 {holder}）" if holder else ""
            raise CommandError(
                f"{self.year}年度在 {self.path.parent} 的另一次运行正在进行{who}：请等它结束后再运行"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
