"""A wall clock that a test moves by hand, for code that takes ``clock=`` (DESIGN: time is
injected everywhere)."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock time that a test moves by hand."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
