"""Fixed-window rate limiting with Intercom's `X-RateLimit-*` headers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from hoist.emulator.config import UNLIMITED

__all__ = ["Decision", "FixedWindowLimiter"]


@dataclass(frozen=True)
class Decision:
    """Whether one call is allowed, and the headers to send with its response."""

    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        """The three headers Intercom sends on every authenticated response."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


class FixedWindowLimiter:
    """Counts calls in windows aligned to multiples of `window_s` of Unix time.

    Aligning to Unix time makes `X-RateLimit-Reset` an exact integer second when `window_s` is
    whole, like Intercom's. A rejected (429) call does not consume budget: Intercom documents
    nothing either way, and not counting rejections means a client that waits for the reset
    always gets a full window. The caller holds the emulator's lock.
    """

    def __init__(self, limit: int | None, window_s: float, clock: Callable[[], float]) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._window_start = -1.0
        self._used = 0

    def take(self) -> Decision:
        """Spend one call from the current window if any is left."""
        now = self._clock()
        start = math.floor(now / self._window_s) * self._window_s
        if start != self._window_start:
            self._window_start, self._used = start, 0
        limit = UNLIMITED if self._limit is None else self._limit
        reset = math.ceil(start + self._window_s)
        if self._used >= limit:
            return Decision(False, limit, 0, reset)
        self._used += 1
        return Decision(True, limit, limit - self._used, reset)
