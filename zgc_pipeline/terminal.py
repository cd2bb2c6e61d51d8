"""Progress for a person at a terminal: one status line rewritten in place, and nothing at all when the output is
a file or a pipe (a log, CI), so logs hold only the lines that matter."""

from __future__ import annotations

import os

CLEAR = "\r\033[K"


class StatusLine:
    """A transient line on file descriptor ``fd`` (standard error by default), shown only on a terminal."""

    def __init__(self, fd: int = 2) -> None:
        self.fd = fd
        self.active = os.isatty(fd)
        self.shown = False

    def show(self, text: str) -> None:
        if self.active:
            os.write(self.fd, (CLEAR + text).encode())
            self.shown = True

    def clear(self) -> None:
        if self.active and self.shown:
            os.write(self.fd, CLEAR.encode())
            self.shown = False
