"""The scheduler loop, walked through time with a manual clock: due, missed, skipped, stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hoist.cron import parse_schedule
from hoist.schedule.clock import ManualClock
from hoist.schedule.scheduler import Job, Launch, Scheduler

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


class Runs:
    """A launch function whose runs take `duration` of the manual clock; records starts."""

    def __init__(
        self,
        clock: ManualClock,
        duration: timedelta = timedelta(seconds=1),
        durations: dict[str, timedelta] | None = None,
    ) -> None:
        self.clock = clock
        self.duration = duration
        self.durations = durations or {}
        self.started: list[tuple[str, datetime]] = []
        self.skipped: list[tuple[str, datetime]] = []
        self.finished: list[str] = []

    def launch(self) -> Launch:
        """The function the scheduler calls to start a run."""

        def start(job: Job) -> Coroutine[Any, Any, None]:
            return self._run(job)

        return start

    async def _run(self, job: Job) -> None:
        self.started.append((job.name, self.clock.now()))
        duration = self.durations.get(job.name, self.duration)
        await self.clock.sleep_until(self.clock.now() + duration)
        self.finished.append(job.name)

    def skip(self, job: Job, slot: datetime) -> None:
        """Record a skipped slot."""
        self.skipped.append((job.name, slot))

    def starts(self, name: str = "a") -> list[str]:
        """Start times of `name` as HH:MM."""
        return [f"{moment:%H:%M}" for who, moment in self.started if who == name]


def job(text: str, last_start: datetime | None, now: datetime = START, name: str = "a") -> Job:
    """A job for schedule `text` whose last run started at `last_start`."""
    return Job.starting(name, parse_schedule(text, "UTC"), last_start, now)


async def serve_for(scheduler: Scheduler, clock: ManualClock, span: timedelta) -> None:
    """Serve for `span` of manual time, then stop and wait for the loop to end."""
    stop = asyncio.Event()
    loop = asyncio.create_task(scheduler.serve(stop))
    await clock.advance(span)
    stop.set()
    await clock.advance(timedelta(hours=1))  # lets runs in progress finish
    await asyncio.wait_for(loop, timeout=5)


def test_an_activation_that_never_ran_runs_at_once_then_on_its_schedule() -> None:
    """No history: the first run starts immediately; later ones follow the interval."""

    async def scenario() -> Runs:
        clock = ManualClock(START)
        runs = Runs(clock)
        scheduler = Scheduler([job("every 15m", None)], runs.launch(), clock=clock)
        await serve_for(scheduler, clock, 50 * MINUTE)
        return runs

    assert asyncio.run(scenario()).starts() == ["09:00", "09:15", "09:30", "09:45"]


def test_slots_missed_while_down_run_once_at_start_up() -> None:
    """Five hourly slots passed while hoist was down: one run at start-up, then on the hour."""

    async def scenario() -> Runs:
        clock = ManualClock(START + 20 * MINUTE)  # 09:20
        runs = Runs(clock)
        stale = job("0 * * * *", START - timedelta(hours=5), now=clock.now())
        scheduler = Scheduler([stale], runs.launch(), clock=clock)
        await serve_for(scheduler, clock, 2 * 60 * MINUTE)
        return runs

    assert asyncio.run(scenario()).starts() == ["09:20", "10:00", "11:00"]


def test_a_recent_run_is_not_repeated_at_start_up() -> None:
    """The last run started after the latest slot: nothing is due until the next slot."""

    async def scenario() -> Runs:
        clock = ManualClock(START + 20 * MINUTE)
        runs = Runs(clock)
        recent = job("0 * * * *", START + 2 * MINUTE, now=clock.now())
        scheduler = Scheduler([recent], runs.launch(), clock=clock)
        await serve_for(scheduler, clock, 60 * MINUTE)
        return runs

    assert asyncio.run(scenario()).starts() == ["10:00"]


def test_a_slot_that_comes_while_the_run_still_goes_is_skipped() -> None:
    """Runs of 25 minutes on a 10-minute interval: the slots in between are skipped, not queued."""

    async def scenario() -> Runs:
        clock = ManualClock(START)
        runs = Runs(clock, duration=25 * MINUTE)
        scheduler = Scheduler(
            [job("every 10m", None)], runs.launch(), on_skip=runs.skip, clock=clock
        )
        await serve_for(scheduler, clock, 55 * MINUTE)
        return runs

    runs = asyncio.run(scenario())
    assert runs.starts() == ["09:00", "09:30"]
    assert [f"{slot:%H:%M}" for _, slot in runs.skipped] == ["09:10", "09:20", "09:40", "09:50"]


def test_activations_run_independently() -> None:
    """A long run of one activation never delays or skips another's."""

    async def scenario() -> Runs:
        clock = ManualClock(START)
        runs = Runs(clock, durations={"slow": 50 * MINUTE, "quick": MINUTE})
        jobs = [job("every 1h", None, name="slow"), job("*/20 * * * *", START, name="quick")]
        scheduler = Scheduler(jobs, runs.launch(), on_skip=runs.skip, clock=clock)
        await serve_for(scheduler, clock, 61 * MINUTE)
        return runs

    runs = asyncio.run(scenario())
    assert runs.starts("slow") == ["09:00", "10:00"]
    assert runs.starts("quick") == ["09:20", "09:40", "10:00"]
    assert runs.skipped == []


def test_stop_starts_nothing_new_and_waits_for_the_run_in_progress() -> None:
    """After stop, the loop returns only once the running activation finished; no run starts."""

    async def scenario() -> tuple[Runs, bool]:
        clock = ManualClock(START)
        runs = Runs(clock, duration=30 * MINUTE)
        scheduler = Scheduler([job("every 5m", None)], runs.launch(), clock=clock)
        stop = asyncio.Event()
        loop = asyncio.create_task(scheduler.serve(stop))
        await clock.advance(MINUTE)
        stop.set()
        await clock.advance(10 * MINUTE)
        still_waiting = not loop.done()
        await clock.advance(30 * MINUTE)
        await asyncio.wait_for(loop, timeout=5)
        return runs, still_waiting

    runs, still_waiting = asyncio.run(scenario())
    assert still_waiting
    assert runs.starts() == ["09:00"]
    assert runs.finished == ["a"]


def test_once_runs_only_what_is_due_and_waits_for_it() -> None:
    """`once` starts the due activations, waits for them, and leaves the others alone."""

    async def scenario() -> tuple[list[str], Runs]:
        clock = ManualClock(START + 5 * MINUTE)
        runs = Runs(clock)
        jobs = [
            job("0 * * * *", START - timedelta(hours=1), now=clock.now(), name="missed"),
            job("0 * * * *", START + MINUTE, now=clock.now(), name="recent"),
            job("every 1h", None, now=clock.now(), name="new"),
        ]
        scheduler = Scheduler(jobs, runs.launch(), clock=clock)
        once = asyncio.create_task(scheduler.once())
        await clock.advance(MINUTE)
        return await once, runs

    started, runs = asyncio.run(scenario())
    assert started == ["missed", "new"]
    assert sorted(runs.finished) == ["missed", "new"]


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        # Berlin falls back at 03:00 CEST on 2026-10-25: two runs read 02:00 on the wall clock.
        ("Europe/Berlin", datetime(2026, 10, 24, 23, 30, tzinfo=UTC), ["00:00", "01:00", "02:00"]),
        # New York springs forward at 02:00 EST on 2026-03-08: no hour is lost in real time.
        ("America/New_York", datetime(2026, 3, 8, 5, 30, tzinfo=UTC), ["06:00", "07:00", "08:00"]),
    ],
)
def test_an_hourly_schedule_runs_every_real_hour_across_dst(
    zone: str, start: datetime, expected: list[str]
) -> None:
    """Driven by the scheduler, an hourly cron in a DST zone starts once per real hour (UTC)."""

    async def scenario() -> Runs:
        clock = ManualClock(start)
        runs = Runs(clock)
        hourly = Job.starting("a", parse_schedule("0 * * * *", zone), start, start)
        scheduler = Scheduler([hourly], runs.launch(), clock=clock)
        await serve_for(scheduler, clock, 3 * 60 * MINUTE)
        return runs

    assert asyncio.run(scenario()).starts() == expected
