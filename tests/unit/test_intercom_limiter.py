"""The shared rate limiter: its budget arithmetic, with an injected clock and sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any

from hoist.intercom import RateLimiter


class Clock:
    """A Unix clock that only moves when the limiter sleeps."""

    def __init__(self, now: float = 95.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def limiter(clock: Clock, **kwargs: Any) -> RateLimiter:
    """A limiter on `clock` whose jitter is always 0.01 s."""
    return RateLimiter(clock=clock, sleep=clock.sleep, jitter_s=0.02, rng=lambda: 0.5, **kwargs)


def headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    """The three headers, as Intercom spells them."""
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
    }


async def settle() -> None:
    """Let every runnable task take its next step."""
    for _ in range(5):
        await asyncio.sleep(0)


def run(body: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run one test body on a fresh event loop."""
    asyncio.run(body())


async def hold(lim: RateLimiter, stack: AsyncExitStack) -> None:
    """Take one slot and keep it until `stack` closes."""
    await stack.enter_async_context(lim.slot())


def start_waiting(lim: RateLimiter) -> asyncio.Event:
    """Ask for a slot in the background; the event is set once the slot is granted."""
    granted = asyncio.Event()

    async def take() -> None:
        async with lim.slot():
            granted.set()
            await asyncio.Event().wait()  # hold it until the loop ends

    asyncio.get_running_loop().create_task(take())
    return granted


def test_before_any_response_only_one_request_is_in_flight() -> None:
    """The first request is a probe: others wait until its response has been read."""

    async def body() -> None:
        lim = limiter(Clock())
        async with AsyncExitStack() as first:
            await hold(lim, first)
            second = start_waiting(lim)
            await settle()
            assert not second.is_set()
            lim.observe(headers(10, 9, 100))
        await settle()
        assert second.is_set()
        assert lim.in_flight == 1

    run(body)


def test_budget_is_remaining_minus_requests_in_flight() -> None:
    """With 3 remaining, three requests may be in flight at once and a fourth waits."""

    async def body() -> None:
        lim = limiter(Clock())
        lim.observe(headers(10, 3, 100))
        async with AsyncExitStack() as stack:
            for _ in range(3):
                await hold(lim, stack)
            assert lim.remaining == 0
            fourth = start_waiting(lim)
            await settle()
            assert not fourth.is_set()
            lim.observe(headers(10, 2, 100))  # one response came back: it was counted
        await settle()
        assert fourth.is_set()  # 2 reported, 1 in flight

    run(body)


def test_the_lowest_remaining_of_a_window_wins() -> None:
    """Responses arrive out of order, so a higher Remaining for the same window is ignored."""
    lim = limiter(Clock())
    lim.observe(headers(10, 5, 100))
    lim.observe(headers(10, 7, 100))
    assert (lim.limit, lim.remaining, lim.reset_at) == (10, 5, 100.0)


def test_a_later_reset_starts_a_new_window_and_an_earlier_one_is_stale() -> None:
    """A response from the next window replaces the figures; one from a past window does not."""
    lim = limiter(Clock())
    lim.observe(headers(10, 0, 100))
    lim.observe(headers(10, 9, 110))
    assert (lim.remaining, lim.reset_at) == (9, 110.0)
    lim.observe(headers(10, 0, 100))
    assert (lim.remaining, lim.reset_at) == (9, 110.0)


def test_a_spent_budget_sleeps_until_the_reset_then_assumes_the_full_limit() -> None:
    """With nothing left and nothing in flight, callers sleep until reset + jitter; then limit."""

    async def body() -> None:
        clock = Clock(now=95.0)
        lim = limiter(clock)
        lim.observe(headers(10, 0, 100))
        async with lim.slot():
            assert clock.now >= 100.0
            assert clock.sleeps == [5.01]
            assert lim.remaining == 9  # the full limit, one in flight
        assert lim.waits == 1

    run(body)


def test_many_callers_waiting_for_one_reset_count_as_one_wait() -> None:
    """Every caller waits for the reset, and the limiter reports one wait for that window."""

    async def body() -> None:
        clock = Clock(now=95.0)
        lim = limiter(clock)
        lim.observe(headers(10, 0, 100))

        async def one() -> float:
            async with lim.slot():
                return clock.now

        sent = await asyncio.gather(*(one() for _ in range(5)))
        assert min(sent) >= 100.0
        assert lim.waits == 1

    run(body)


def test_responses_from_the_old_window_do_not_shrink_the_new_one() -> None:
    """After the reset passed, a late response still naming the old reset is ignored."""
    clock = Clock(now=95.0)
    lim = limiter(clock)
    lim.observe(headers(10, 1, 100))
    clock.now = 100.5

    async def body() -> None:
        async with lim.slot():
            lim.observe(headers(10, 0, 100))
        assert lim.remaining == 10

    run(body)


def test_a_429_spends_the_window_whatever_remaining_says() -> None:
    """A 429 means this window is spent for us, even if X-RateLimit-Remaining is positive."""
    lim = limiter(Clock())
    lim.observe(headers(10, 4, 100), rate_limited=True)
    assert (lim.remaining, lim.reset_at) == (0, 100.0)


def test_header_names_are_case_insensitive_and_garbage_is_ignored() -> None:
    """Lower-case header names work; unparsable values are ignored, not fatal."""
    lim = limiter(Clock())
    lim.observe({"x-ratelimit-limit": "20", "x-ratelimit-remaining": "x", "x-ratelimit-reset": ""})
    assert (lim.limit, lim.remaining, lim.reset_at) == (20, None, None)
    lim.observe(
        {"x-ratelimit-limit": "20", "x-ratelimit-remaining": "7", "x-ratelimit-reset": "100"}
    )
    assert (lim.remaining, lim.reset_at) == (7, 100.0)


def test_without_rate_limit_headers_only_the_in_flight_cap_applies() -> None:
    """Responses without the headers leave no budget to pace by; max_in_flight still caps."""

    async def body() -> None:
        lim = limiter(Clock(), max_in_flight=3)
        async with lim.slot():
            lim.observe({})
        async with AsyncExitStack() as stack:
            for _ in range(3):
                await hold(lim, stack)
            extra = start_waiting(lim)
            await settle()
            assert not extra.is_set()
        await settle()
        assert extra.is_set()
        assert lim.remaining is None

    run(body)


def test_a_zero_limit_window_probes_once_per_window() -> None:
    """Even a window with no budget lets one probe through after its reset, to learn the next."""

    async def body() -> None:
        clock = Clock(now=99.0)
        lim = limiter(clock)
        lim.observe(headers(0, 0, 100))
        async with lim.slot():
            assert clock.now >= 100.0
            lim.observe(headers(0, 0, 101), rate_limited=True)
        async with lim.slot():
            assert clock.now >= 101.0
        assert lim.waits == 2

    run(body)
