"""One rate budget shared by every coroutine of a client, learnt from Intercom's headers.

Intercom counts calls per app in fixed windows and reports, on every authenticated response,
`X-RateLimit-Limit` (calls per window), `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix
second the window ends, by the server's clock); NOTES.md §4. Nothing here hard-codes a limit.

The budget for the current window is::

    budget = remaining (lowest reported for this window) - requests in flight

Responses arrive out of order, so the lowest `remaining` of a window is the freshest. Every
request in flight is counted against the budget even if the server already counted it in the
reported figure: this errs towards waiting, never towards a 429, and the error disappears as
the responses come back. When the budget is spent:

- with requests still in flight, callers wait for their responses (they carry fresher figures);
- with nothing in flight, every caller sleeps until the reset plus a little jitter, after which
  the full `limit` is assumed again until a response says otherwise.

Before the first response only one request may be in flight (a probe), so a burst of coroutines
cannot overrun a budget nobody has read yet. Responses without the headers (e.g. 401s, or a
server that sends none) leave the budget unlimited; in-flight requests are always capped.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

__all__ = ["RateLimiter"]


class RateLimiter:
    """Paces requests to the budget Intercom announces; share one per access token.

    Use as ``async with limiter.slot(): response = await send()`` then
    ``limiter.observe(response.headers)``. `clock` returns Unix seconds (it is compared with
    the server's reset times); `sleep` waits; both are injectable for tests.
    """

    def __init__(
        self,
        *,
        max_in_flight: int = 64,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter_s: float = 0.05,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._jitter_s = jitter_s
        self._rng = rng
        self._gate = asyncio.Semaphore(max_in_flight)
        self._changed = asyncio.Event()
        self._seen_response = False
        self._assumed_full = False  # the reset passed; `remaining` is the limit, not reported
        self.max_in_flight = max_in_flight
        self.limit: int | None = None
        """Calls per window, as last announced."""
        self.reported: int | None = None
        """Lowest `X-RateLimit-Remaining` reported for the current window."""
        self.reset_at: float | None = None
        """Unix time the current window ends, by the server's clock."""
        self.in_flight = 0
        self.waits = 0
        """How many times callers slept for a window reset (once per window)."""
        self.rate_limited = 0
        """How many 429 answers were observed (`hoist serve`'s /metrics exports it)."""
        self._waited_for: float | None = None

    @property
    def remaining(self) -> int | None:
        """Calls still available in this window: reported remaining minus those in flight."""
        if self.reported is None:
            return None
        return max(self.reported - self.in_flight, 0)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for a slot in the budget, hold it while the request is sent."""
        async with self._gate:
            await self._acquire()
            try:
                yield
            finally:
                self.in_flight -= 1
                self._notify()

    def observe(self, headers: Mapping[str, str], *, rate_limited: bool = False) -> None:
        """Learn the budget from one response's headers; `rate_limited` for a 429."""
        self._seen_response = True
        limit, remaining, reset = _read(headers)
        if limit is not None:
            self.limit = limit
        if rate_limited:
            self.rate_limited += 1
            # Whatever Remaining says (a workspace-wide limit may be the one hit), this window
            # is spent for us.
            remaining = 0
        if remaining is None or reset is None:
            self._notify()
            return
        if self.reset_at is None or reset > self.reset_at:
            self.reset_at, self.reported, self._assumed_full = reset, remaining, False
        elif reset == self.reset_at and not self._assumed_full and self.reported is not None:
            self.reported = min(self.reported, remaining)
        # Otherwise the response belongs to a window already over: its figures are stale.
        self._notify()

    async def _acquire(self) -> None:
        while True:
            self._roll_over()
            if self._may_send():
                self.in_flight += 1
                return
            if self.in_flight > 0:
                await self._wait_for_change()
            else:
                await self._wait_for_reset()

    def _may_send(self) -> bool:
        if not self._seen_response or (self._assumed_full and self.in_flight == 0):
            # A probe: before any response, or when even a fresh window showed no budget.
            return self.in_flight == 0
        if self.reported is None:
            return True  # no headers seen: nothing to pace by
        return self.reported - self.in_flight > 0

    def _roll_over(self) -> None:
        """After the reset the window is fresh: assume the full limit until told otherwise."""
        if self.reset_at is not None and self._clock() >= self.reset_at and not self._assumed_full:
            self.reported = self.limit
            self._assumed_full = True

    async def _wait_for_change(self) -> None:
        changed = self._changed
        await changed.wait()

    async def _wait_for_reset(self) -> None:
        reset = self.reset_at
        assert reset is not None, "a spent budget always comes with a reported reset"
        if self._waited_for != reset:
            self._waited_for = reset
            self.waits += 1
        delay = max(reset - self._clock(), 0.0) + self._rng() * self._jitter_s
        await self._sleep(delay)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def _read(headers: Mapping[str, str]) -> tuple[int | None, int | None, float | None]:
    """The three rate-limit headers as numbers; a missing or garbled one is None."""
    lower = {name.lower(): value for name, value in headers.items()}
    limit = _number(lower.get("x-ratelimit-limit"))
    remaining = _number(lower.get("x-ratelimit-remaining"))
    reset = _number(lower.get("x-ratelimit-reset"))
    return (
        None if limit is None else int(limit),
        None if remaining is None else int(remaining),
        reset,
    )


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        return float(raw.strip())
    except ValueError:
        return None
