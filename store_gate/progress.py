"""A transient progress line for long runs on a terminal: `store-gate: reading 1,200/4,000 files`.

Shown on standard error only past a delay (about a second: a quick run prints nothing), redrawn
at most ten times a second, and erased when the run ends. The CLI turns it on only where a person
watches: stderr is a terminal, the output is text, not quiet, not in CI. Everything else calls
`stage` and `step` on the inactive default, which does nothing.
"""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, delay: float = 1.0) -> None:
        self.stream = stream
        self.delay = delay
        self.started = time.monotonic()
        self.last = 0.0
        self.label = ""
        self.done = 0
        self.total = 0
        self.shown = False

    def stage(self, label: str, total: int) -> None:
        self.label, self.done, self.total = label, 0, total
        self._draw()

    def step(self, count: int = 1) -> None:
        self.done += count
        self._draw()

    def _draw(self) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.started < self.delay or now - self.last < 0.1:
            return
        self.last = now
        shown = min(self.done, self.total)
        self.stream.write(f"\r\x1b[Kstore-gate: {self.label} {shown:,}/{self.total:,}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Erase the line, so that what follows starts on a clean one."""
        if self.stream is not None and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self.shown = False


active = Progress()  # inactive unless the CLI replaces it


def stage(label: str, total: int) -> None:
    active.stage(label, total)


def step(count: int = 1) -> None:
    active.step(count)
