"""The scheduler loop: start each activation when it is due, one run per activation at a time.

Rules (issue 14):

- An activation is due at ``schedule.next_after(start of its last run)``. One that has never run
  is due at once, so a new activation syncs when `hoist serve` (or `--once`) first sees it.
- After hoist was down, every missed slot collapses into one run at start-up: the due time is in
  the past, it runs once, and the next due time is computed from *now*.
- A slot that comes while the previous run is still going is skipped (and reported to
  `on_skip`, which records it); the run in progress is never disturbed.
- `stop` ends the loop: no new runs start, and the loop returns once running ones have finished
  (they see the same `stop` and commit what Intercom confirmed before returning).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hoist.cron import Schedule
from hoist.schedule.clock import Clock, SystemClock

__all__ = ["Job", "Scheduler"]

log = logging.getLogger("hoist.schedule")
#: How long the loop sleeps with no job at all (`replace` or `stop` wakes it sooner).
_IDLE = timedelta(hours=1)


@dataclass(eq=False)
class Job:
    """One scheduled activation, known by `name`, and when it is next due."""

    name: str
    schedule: Schedule
    due: datetime
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        """Whether a run of this activation is in progress."""
        return self.task is not None and not self.task.done()

    @classmethod
    def starting(
        cls, name: str, schedule: Schedule, last_start: datetime | None, now: datetime
    ) -> Job:
        """The job as hoist starts: due after its last run's start, or now if it never ran."""
        due = now if last_start is None else schedule.next_after(last_start)
        return cls(name, schedule, due)


#: Runs one activation to the end (never raises: failures are reported and alerted inside).
Launch = Callable[[Job], Coroutine[Any, Any, None]]
#: Told about a slot skipped because the previous run was still going.
Skip = Callable[[Job, datetime], None]


class Scheduler:
    """Starts `jobs` when due through `launch`; see the module docstring for the rules."""

    def __init__(
        self,
        jobs: Sequence[Job],
        launch: Launch,
        *,
        on_skip: Skip | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.jobs = list(jobs)
        self._launch = launch
        self._on_skip = on_skip or (lambda job, slot: None)
        self.clock: Clock = clock or SystemClock()
        #: Runs of jobs `replace` dropped while they ran: still waited for by `drain`.
        self._retired: list[Job] = []
        self._wake: asyncio.Event | None = None

    async def serve(self, stop: asyncio.Event) -> None:
        """Start jobs as they fall due until `stop` is set; then wait for running ones.

        `replace` wakes the loop, so a new or changed job's due time counts at once; with no
        job at all, the loop waits for one (or for `stop`).
        """
        self._wake = wake = asyncio.Event()
        relay = asyncio.create_task(_relay(stop, wake))
        try:
            while not stop.is_set():
                wake.clear()
                self.tick()
                soonest = min((job.due for job in self.jobs), default=None)
                await self.clock.sleep_until(soonest or self.clock.now() + _IDLE, wake)
        finally:
            relay.cancel()
        await self.drain()

    def replace(self, jobs: Sequence[Job]) -> None:
        """Hold `jobs` from now on (the project's files changed); a run in progress of a job
        left out goes on to its end, and `drain` still waits for it."""
        kept = {id(job) for job in jobs}
        self._retired = [j for j in [*self._retired, *self.jobs] if j.running and id(j) not in kept]
        self.jobs = list(jobs)
        if self._wake is not None:
            self._wake.set()

    async def once(self) -> list[str]:
        """Start every job due now, wait for them all, and return their names."""
        started = [job.name for job in self.jobs if job.due <= self.clock.now()]
        self.tick()
        await self.drain()
        return started

    def tick(self) -> None:
        """Start (or skip, if still running) every job whose due time has come."""
        now = self.clock.now()
        for job in self.jobs:
            if job.due > now:
                continue
            if job.running:
                log.info(
                    "%s: skipped the run due at %s; the previous run is still going",
                    job.name,
                    job.due.isoformat(),
                    extra={"event": "slot_skipped", "activation": job.name},
                )
                self._on_skip(job, job.due)
            else:
                job.task = asyncio.create_task(self._launch(job), name=f"hoist run {job.name}")
            # Every slot up to now is spent, however many passed: one run (or skip) for them all.
            job.due = job.schedule.next_after(now)

    async def drain(self) -> None:
        """Wait for every run in progress to finish."""
        jobs = [*self.jobs, *self._retired]
        tasks = [job.task for job in jobs if job.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)


async def _relay(stop: asyncio.Event, wake: asyncio.Event) -> None:
    """Set `wake` when `stop` is set: the loop sleeps on `wake` alone."""
    await stop.wait()
    wake.set()
