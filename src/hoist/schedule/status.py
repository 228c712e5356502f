"""Each activation's schedule, next run and last status: what the web UI shows.

`schedule_status` answers from the activations' files and run histories alone, so any process
can call it; while `hoist serve` runs an activation its state is locked, and that activation's
history reads as unknown (None) until the run ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from hoist.config import ActivationConfig
from hoist.cron import parse_schedule
from hoist.errors import StateError
from hoist.schedule.run_history import read_last_runs
from hoist.schedule.scheduler import Job

__all__ = ["ScheduleStatus", "schedule_status"]


@dataclass(frozen=True)
class ScheduleStatus:
    """One activation as the UI lists it."""

    activation: str
    schedule: str | None
    """The `schedule` key as written; None when the activation is run by hand only."""
    timezone: str
    next_run: datetime | None
    """When `hoist serve` starts it next (UTC; `now` if due); None: no schedule, or unknown."""
    last_status: str | None
    """The latest run's status (success, partial, failed, interrupted, skipped); None: never."""
    last_run_at: datetime | None


def schedule_status(
    configs: Sequence[ActivationConfig], *, now: datetime | None = None
) -> list[ScheduleStatus]:
    """(schedule, next run, last status) for each activation, in the order given."""
    now = now or datetime.now(UTC)
    return [_status(config, now) for config in configs]


def _status(config: ActivationConfig, now: datetime) -> ScheduleStatus:
    try:
        last = read_last_runs(config)
    except StateError:
        # Locked by a run in progress (or unreadable): unknown until the run ends.
        return ScheduleStatus(config.name, config.schedule, config.timezone, None, None, None)
    next_run = None
    if config.schedule is not None:
        schedule = parse_schedule(config.schedule, config.timezone)
        next_run = max(Job.starting(config.name, schedule, last.started_at, now).due, now)
    return ScheduleStatus(
        activation=config.name,
        schedule=config.schedule,
        timezone=config.timezone,
        next_run=next_run,
        last_status=last.status,
        last_run_at=last.started_at,
    )
