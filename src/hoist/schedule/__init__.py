"""Schedules and alerts: activations that run by themselves (`hoist serve`) and say when they fail.

- `spec`: the `schedule` key (cron in a time zone, or an interval) and next fire times;
- `scheduler`: the loop: one run per activation at a time, missed runs once at start-up;
- `alerts` and `webhook`: which event a run raises, the payload, delivery with retries;
- `history`: what the scheduler reads from and adds to the run history;
- `service` and `serve`: `hoist serve` itself; `status`: what the web UI shows.

Names are imported on first use: the config schema imports `spec`, and the rest imports config.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CronSchedule",
    "IntervalSchedule",
    "Schedule",
    "ScheduleError",
    "parse_schedule",
]

_HOMES = {
    "CronSchedule": "hoist.cron",
    "IntervalSchedule": "hoist.cron",
    "Schedule": "hoist.cron",
    "ScheduleError": "hoist.cron",
    "parse_schedule": "hoist.cron",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'hoist.schedule' has no attribute {name!r}")
