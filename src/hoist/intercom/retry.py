"""When and how long to wait before trying an Intercom call again.

Two kinds of wait, following NOTES.md §3 and §4 and STYLE.md rule 4:

- a 429 waits until the server's `X-RateLimit-Reset` (its clock, not ours) plus jitter, and does
  not use up an attempt, only one of `max_rate_limit_waits`;
- 5xx, 408, timeouts and dropped connections back off exponentially, capped, with jitter.

`set_testing()` switches every backoff to 0 s so tests never patch `sleep` (like
hynek/stamina's test mode). A 429 still waits for its reset in test mode: tests run against an
emulator with a 1-second window, and not waiting would only provoke more 429s.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from hoist.errors import RateLimitedError, RetriableError

__all__ = [
    "RetryPolicy",
    "backoff_delay",
    "call_with_retries",
    "is_testing",
    "rate_limit_delay",
    "set_testing",
]

T = TypeVar("T")

#: Shortest wait after a 429, so a reset that is "now" on a coarse clock is really past.
_RESET_FLOOR_S = 0.05
#: Longest wait after a 429: Intercom's windows are 10 s, so a reset further out means the
#: clocks disagree; waiting a minute and asking again is safer than sleeping for hours.
_RESET_CAP_S = 60.0

_testing = False


def set_testing(testing: bool = True) -> None:
    """Turn test mode on or off: backoff waits become 0 s and 429 waits lose their jitter."""
    global _testing
    _testing = testing


def is_testing() -> bool:
    """Whether test mode is on."""
    return _testing


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently the client retries a retriable failure."""

    max_attempts: int = 6
    """Attempts per call for 5xx/408/network failures (the first try included)."""
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 30.0
    max_rate_limit_waits: int = 50
    """429s tolerated per call; they do not count toward `max_attempts`."""
    jitter_s: float = 1.0


def backoff_delay(
    policy: RetryPolicy, failures: int, rng: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after the `failures`-th failure: base * 2^(n-1), capped, plus jitter."""
    if _testing:
        return 0.0
    delay = min(policy.backoff_base_s * 2.0 ** (failures - 1), policy.backoff_cap_s)
    return delay + rng() * policy.jitter_s


def rate_limit_delay(
    policy: RetryPolicy,
    reset_at: float | None,
    now: float,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after a 429: until the server's reset, plus jitter, at least a floor."""
    if reset_at is None:  # no header: nothing to read, so back off as for a 5xx
        return backoff_delay(policy, 1, rng)
    jitter = 0.0 if _testing else rng() * policy.jitter_s
    wait = min(max(reset_at - now, 0.0), _RESET_CAP_S)
    return max(wait + jitter, _RESET_FLOOR_S)


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Await `attempt()` until it succeeds, retrying `RetriableError` as `policy` allows.

    Any other exception (record rejected, fatal) propagates at once. When retries run out the
    last `RetriableError` is raised unchanged.
    """
    failures = 0
    rate_limit_waits = 0
    while True:
        try:
            return await attempt()
        except RateLimitedError as exc:
            rate_limit_waits += 1
            if rate_limit_waits > policy.max_rate_limit_waits:
                raise
            await sleep(rate_limit_delay(policy, exc.reset_at, clock()))
        except RetriableError:
            failures += 1
            if failures >= policy.max_attempts:
                raise
            await sleep(backoff_delay(policy, failures))
