"""The event loop's lag: how late a timer fires. A loop kept busy (a long synchronous call, a
CPU-bound diff run in the loop) wakes its timers late, and every run and page waits as long."""

from __future__ import annotations

import asyncio
import time
from typing import Final

from hoist.observe.metrics import Metrics

__all__ = ["watch_lag"]

#: How often the loop is probed; the gauge shows the worst lag of the last `_WINDOW_S`.
_PROBE_S: Final = 0.5
_WINDOW_S: Final = 10.0


async def watch_lag(metrics: Metrics, stop: asyncio.Event) -> None:
    """Probe the running loop until `stop` is set; `metrics.loop_lag` shows the recent worst."""
    samples: list[tuple[float, float]] = []
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(_PROBE_S)
        now = time.monotonic()
        samples.append((now, max(now - before - _PROBE_S, 0.0)))
        samples = [(at, lag) for at, lag in samples if now - at <= _WINDOW_S]
        metrics.loop_lag.set(max(lag for _, lag in samples))
