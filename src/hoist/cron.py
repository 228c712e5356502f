"""The `schedule` key: a 5-field cron expression in a time zone, or an interval ("every 15m").

Both kinds answer one question, `next_after(moment)`: the first time strictly after `moment`
at which the activation is due. Cron expressions are evaluated by cronsim in the activation's
`timezone` with Debian cron's daylight-saving rules: a job at a fixed time that falls in the
skipped hour runs when the hour resumes (02:30 on a spring-forward night runs at 03:00), a fixed
time in the repeated hour runs once, and jobs with a `*` in the minute or hour field follow real
elapsed time. Intervals count real elapsed seconds and ignore time zones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cronsim import CronSim, CronSimError

from hoist.suggest import did_you_mean

__all__ = [
    "CronSchedule",
    "IntervalSchedule",
    "Schedule",
    "ScheduleError",
    "parse_schedule",
    "parse_timezone",
]

_INTERVAL = re.compile(r"every\s+(\d+)\s*([smhd])", re.IGNORECASE)
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EXAMPLES = '"0 * * * *" (hourly), "30 2 * * *" (02:30 daily) or "every 15m"'


class ScheduleError(ValueError):
    """A `schedule` or `timezone` value that cannot be used; the message says the fix."""


@dataclass(frozen=True)
class CronSchedule:
    """A 5-field cron expression evaluated in `zone`."""

    expression: str
    zone: ZoneInfo

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment` (aware), in UTC."""
        moment = _aware(moment)
        for fire in CronSim(self.expression, moment.astimezone(self.zone)):
            # Restarting from a time in the repeated hour can yield that hour's earlier
            # reading (cronsim walks wall-clock time); only later instants count.
            if fire.astimezone(UTC) > moment:
                return fire.astimezone(UTC)
        raise ScheduleError(f"{self.expression!r} never fires")

    def __str__(self) -> str:
        return self.expression


@dataclass(frozen=True)
class IntervalSchedule:
    """A fixed interval of real time between the start of one run and the next."""

    every: timedelta
    text: str

    def next_after(self, moment: datetime) -> datetime:
        """`moment` plus the interval, in UTC."""
        return _aware(moment).astimezone(UTC) + self.every

    def __str__(self) -> str:
        return self.text


Schedule = CronSchedule | IntervalSchedule


def parse_schedule(text: str, timezone: str = "UTC") -> Schedule:
    """The schedule `text` means, cron expressions read in `timezone`; `ScheduleError` if bad."""
    text = text.strip()
    if text.lower().startswith("every"):
        return _interval(text)
    fields = text.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"{text!r} is neither a 5-field cron expression (minute hour day month weekday; "
            f"it has {len(fields)} fields) nor an interval; use e.g. {_EXAMPLES}"
        )
    zone = parse_timezone(timezone)
    try:
        CronSim(text, datetime(2000, 1, 1, tzinfo=zone))
    except CronSimError as exc:
        raise ScheduleError(
            f"{text!r} is not a valid cron expression ({str(exc).lower()} field); use e.g. "
            f"{_EXAMPLES}"
        ) from None
    return CronSchedule(" ".join(fields), zone)


def _interval(text: str) -> IntervalSchedule:
    match = _INTERVAL.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise ScheduleError(
            f"{text!r} is not an interval; write every <number><unit> with unit s, m, h or d, "
            'e.g. "every 30s", "every 15m", "every 6h"'
        )
    count, unit = int(match.group(1)), match.group(2).lower()
    return IntervalSchedule(timedelta(seconds=count * _UNITS[unit]), f"every {count}{unit}")


def parse_timezone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (e.g. Europe/Berlin); `ScheduleError` with a suggestion."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    hint = did_you_mean(name, _zones())
    raise ScheduleError(
        f"unknown time zone {name!r};{hint} use an IANA name such as UTC, Europe/Berlin or "
        "America/New_York"
    )


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("schedules compute with aware datetimes; pass tzinfo=UTC")
    return moment
