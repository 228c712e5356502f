"""Runs started from the UI: the engine's `run_async`, in the loop the schedules run in.

`hoist serve` runs its schedules and the UI's runs in one background event loop, so runs to one
destination share its rate limiter, and the pages stay responsive while a run reads and diffs.
A run lives in the server, not in the page: reloading the page shows it still going. Stopping
sets the run's stop event; the engine stops sending and commits what Intercom confirmed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from hoist.config import ActivationConfig
from hoist.errors import HoistError
from hoist.intercom.limiter import RateLimiter
from hoist.report import RunReport
from hoist.schedule.serve import engine_runner
from hoist.schedule.service import Service
from hoist.secret import Secret

__all__ = ["Background", "LiveProgress", "LiveRun", "RunManager"]

log = logging.getLogger("hoist.ui")
T = TypeVar("T")
Limiters = dict[tuple[str, Secret], RateLimiter]


class Background:
    """An event loop in a thread of its own: where runs (scheduled or started here) execute."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="hoist-runs", daemon=True
        )
        self._thread.start()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `coroutine` in the loop; its future can be waited on from any thread."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def close(self) -> None:
        """Stop the loop once what it runs has returned."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class LiveProgress:
    """The engine's `Progress`, read by the run page: stage, sent, failed, rate, ETA."""

    def __init__(self) -> None:
        self.stage_text = "starting"
        self.total = self.sent = self.failed = 0
        self._since = time.monotonic()

    def stage(self, text: str) -> None:
        """Remember the stage the run is in."""
        self.stage_text = text

    def planned(self, total: int) -> None:
        """Sending begins: the clock for the rate starts now."""
        self.total = total
        self._since = time.monotonic()
        self.stage_text = f"sending {total:,} companies" if total else "nothing to send"

    def advance(self, *, sent: int = 0, failed: int = 0) -> None:
        """Count what Intercom confirmed or refused."""
        self.sent += sent
        self.failed += failed

    def close(self) -> None:
        """Nothing to release."""

    @property
    def rate(self) -> float:
        """Companies per second since sending began."""
        return (self.sent + self.failed) / max(time.monotonic() - self._since, 1e-3)

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the current rate (None before the rate is known)."""
        left = self.total - self.sent - self.failed
        return left / self.rate if self.rate > 0 and left > 0 else None


@dataclass
class LiveRun:
    """One run started from the UI; kept after it ends so the page can show its report."""

    activation: str
    progress: LiveProgress
    stop: asyncio.Event
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    report: RunReport | None = None
    error: str | None = None
    stopping: bool = False
    future: concurrent.futures.Future[None] | None = None
    insert: bool | None = None
    """The activation's insert mode, which the page's counts are explained by."""
    on_removal: str | None = None

    @property
    def running(self) -> bool:
        """Whether the run is still going."""
        return self.report is None and self.error is None

    @property
    def elapsed_s(self) -> float:
        """Seconds since the run started."""
        return (datetime.now(UTC) - self.started_at).total_seconds()


class RunManager:
    """Starts, stops and remembers the UI's runs, one at a time per activation.

    Each run goes through `service` (that of the schedules, in `hoist serve`), so it is recorded
    and alerts exactly as a scheduled run; without one, a service scheduling nothing.
    """

    def __init__(
        self, background: Background, limiters: Limiters, service: Service | None = None
    ) -> None:
        self._background = background
        self._limiters = limiters
        self._service = service or Service([], engine_runner(limiters=limiters))
        self._runs: dict[str, LiveRun] = {}

    def current(self, name: str) -> LiveRun | None:
        """The activation's latest run started here (running or finished)."""
        return self._runs.get(name)

    def start(self, config: ActivationConfig) -> LiveRun:
        """Start a run of `config`, unless one is going already (that one is returned)."""
        live = self._runs.get(config.name)
        if live is not None and live.running:
            return live
        live = LiveRun(config.name, LiveProgress(), asyncio.Event())
        live.insert, live.on_removal = config.sync.insert, config.sync.on_removal
        self._runs[config.name] = live
        live.future = self._background.submit(self._run(config, live))
        return live

    def stop(self, name: str) -> None:
        """Ask the activation's run to stop sending (what Intercom confirmed is committed)."""
        live = self._runs.get(name)
        if live is not None and live.running:
            live.stopping = True
            self._background.loop.call_soon_threadsafe(live.stop.set)

    def stop_all(self) -> None:
        """Stop every run and wait until each has committed and its alerts went out (the server
        is shutting down)."""
        for name in list(self._runs):
            self.stop(name)
        for live in list(self._runs.values()):
            if live.future is not None:
                live.future.result()
        self._background.submit(self._service.drain_alerts()).result()

    async def _run(self, config: ActivationConfig, live: LiveRun) -> None:
        """Run through the service (recorded, alerted); the page shows the report or the error."""
        report = None
        try:
            report = await self._service.attempt(config, functools.partial(self._engine, live=live))
        finally:  # the page must never wait for a run that is over
            if live.error is None:
                live.report = report
                if report is None:
                    live.error = "the run ended without a report; see the server's log"

    async def _engine(self, config: ActivationConfig, *, live: LiveRun) -> RunReport:
        """The engine's run, with the page's progress and Stop; what stops it is noted for the
        page, then raised for the service to record and alert."""
        from hoist.run_api import run_async

        key = (config.destination.url, config.destination.access_token)
        limiter = self._limiters.setdefault(key, RateLimiter())
        try:
            return await run_async(config, progress=live.progress, limiter=limiter, stop=live.stop)
        except HoistError as exc:
            live.error = str(exc)
            raise
        except Exception as exc:  # a bug: shown on the page, the server keeps serving
            live.error = f"internal error ({type(exc).__name__}); see the server's log"
            raise
