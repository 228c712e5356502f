"""The scheduler's clock: the system clock, or a manual one tests move by hand.

The scheduler only asks two things of time: what time it is, and to wait until a moment (or
until it is told to stop). `ManualClock` answers both without real waiting, so tests can walk a
scheduler through days of cron slots, DST changes and long runs in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]

#: Longest single real sleep: a suspended laptop or a clock set forward is noticed within it.
_MAX_NAP_S = 30.0


class Clock(Protocol):
    """What time it is (aware, UTC), and a wait that ends early when `stop` is set."""

    def now(self) -> datetime: ...

    async def sleep_until(self, moment: datetime, stop: asyncio.Event | None = None) -> None: ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)

    async def sleep_until(self, moment: datetime, stop: asyncio.Event | None = None) -> None:
        """Wait until `moment`, or until `stop` is set."""
        stop = stop or asyncio.Event()
        while not stop.is_set() and (left := (moment - self.now()).total_seconds()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=min(left, _MAX_NAP_S))


class ManualClock:
    """Time that moves only when a test calls `advance`; sleepers wake in order of their moment."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        """The clock's current time."""
        return self._now

    async def sleep_until(self, moment: datetime, stop: asyncio.Event | None = None) -> None:
        """Wait until `advance` reaches `moment`, or until `stop` is set."""
        if moment <= self._now:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (moment, next(self._order), woken))
        waits: set[asyncio.Future[object]] = {woken}  # type: ignore[arg-type]
        if stop is not None:
            waits.add(asyncio.ensure_future(stop.wait()))
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for waiting in pending:
            waiting.cancel()

    async def advance(self, delta: timedelta) -> None:
        """Move time forward by `delta`, waking each sleeper at its moment and letting it run."""
        target = self._now + delta
        await settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            moment, _, woken = heapq.heappop(self._sleepers)
            self._now = max(self._now, moment)
            if not woken.done():
                woken.set_result(None)
            await settle()
        self._now = target
        await settle()


async def settle(rounds: int = 50) -> None:
    """Let every ready task run until it waits again (a few event-loop turns)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
