"""The `schedule` key: cron in a time zone and intervals, with a controllable clock (datetimes)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoist.cron import (
    CronSchedule,
    IntervalSchedule,
    ScheduleError,
    parse_schedule,
    parse_timezone,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def fires(text: str, start: datetime, count: int, timezone: str = "UTC") -> list[datetime]:
    """The next `count` fire times after `start`, each computed from the previous one."""
    schedule = parse_schedule(text, timezone)
    out: list[datetime] = []
    moment = start
    for _ in range(count):
        moment = schedule.next_after(moment)
        out.append(moment)
    return out


def local(moments: list[datetime], zone: ZoneInfo) -> list[str]:
    """Fire times as local wall-clock text with the UTC offset."""
    return [m.astimezone(zone).strftime("%m-%d %H:%M%z") for m in moments]


def test_hourly_cron_fires_on_the_hour_in_utc() -> None:
    """ "0 * * * *" fires at minute 0 of every hour, strictly after the given moment."""
    assert fires("0 * * * *", utc(2026, 5, 1, 10, 0), 3) == [
        utc(2026, 5, 1, 11),
        utc(2026, 5, 1, 12),
        utc(2026, 5, 1, 13),
    ]


def test_a_daily_time_is_read_in_the_timezone() -> None:
    """ "30 2 * * *" in Europe/Berlin is 02:30 Berlin time, 00:30 UTC in summer."""
    assert fires("30 2 * * *", utc(2026, 7, 1, 12), 1, "Europe/Berlin") == [utc(2026, 7, 2, 0, 30)]


def test_berlin_spring_forward_runs_the_skipped_time_once_when_the_hour_resumes() -> None:
    """On 2026-03-29 02:00-03:00 does not exist in Berlin: the 02:30 job runs at 03:00, once."""
    out = fires("30 2 * * *", utc(2026, 3, 27, 12), 3, "Europe/Berlin")
    assert local(out, BERLIN) == ["03-28 02:30+0100", "03-29 03:00+0200", "03-30 02:30+0200"]


def test_berlin_fall_back_runs_a_time_in_the_repeated_hour_once() -> None:
    """On 2026-10-25 02:30 happens twice in Berlin: the daily 02:30 job runs once that day."""
    out = fires("30 2 * * *", utc(2026, 10, 23, 12), 3, "Europe/Berlin")
    assert local(out, BERLIN) == ["10-24 02:30+0200", "10-25 02:30+0200", "10-26 02:30+0100"]


def test_hourly_in_berlin_follows_real_time_through_the_fall_back() -> None:
    """Hourly jobs fire every real hour across the fall-back: the repeated 02:00 fires twice."""
    out = fires("0 * * * *", utc(2026, 10, 24, 23, 30), 4, "Europe/Berlin")
    assert [b - a for a, b in itertools.pairwise(out)] == [timedelta(hours=1)] * 3
    assert local(out, BERLIN) == [
        "10-25 02:00+0200",
        "10-25 02:00+0100",
        "10-25 03:00+0100",
        "10-25 04:00+0100",
    ]


def test_new_york_spring_forward_keeps_an_hourly_job_hourly() -> None:
    """On 2026-03-08 New York skips 02:00-03:00: an hourly job goes 01:00 EST -> 03:00 EDT."""
    out = fires("0 * * * *", utc(2026, 3, 8, 5, 30), 3, "America/New_York")
    assert local(out, NEW_YORK) == ["03-08 01:00-0500", "03-08 03:00-0400", "03-08 04:00-0400"]
    assert out[1] - out[0] == timedelta(hours=1)


def test_new_york_fall_back_runs_a_daily_job_once() -> None:
    """On 2026-11-01 01:30 happens twice in New York; "30 1 * * *" still runs once that day."""
    out = fires("30 1 * * *", utc(2026, 10, 31, 12), 2, "America/New_York")
    assert local(out, NEW_YORK) == ["11-01 01:30-0400", "11-02 01:30-0500"]


def test_restarting_inside_the_repeated_hour_does_not_run_the_daily_job_again() -> None:
    """A next fire time is always later than the moment asked about, even inside a fold."""
    schedule = parse_schedule("30 2 * * *", "Europe/Berlin")
    second_two_am = utc(2026, 10, 25, 1, 0)  # 02:00 CET, after 02:30 CEST already fired
    assert local([schedule.next_after(second_two_am)], BERLIN) == ["10-26 02:30+0100"]


def test_month_end_days_skip_months_that_lack_them() -> None:
    """ "0 0 31 * *" fires only in months with a 31st: January, March, May."""
    out = fires("0 0 31 * *", utc(2026, 1, 1), 3)
    assert out == [utc(2026, 1, 31), utc(2026, 3, 31), utc(2026, 5, 31)]


def test_the_last_day_of_the_month_handles_february_and_leap_years() -> None:
    """ "0 6 L * *" fires on the last day of each month, 29 February in a leap year."""
    out = fires("0 6 L * *", utc(2028, 1, 15), 3)
    assert out == [utc(2028, 1, 31, 6), utc(2028, 2, 29, 6), utc(2028, 3, 31, 6)]


def test_a_month_end_in_local_time_can_be_the_first_in_utc() -> None:
    """Midnight on the last day in New York is 04:00 or 05:00 UTC of that day, not the next."""
    out = fires("0 0 L * *", utc(2026, 2, 1), 2, "America/New_York")
    assert local(out, NEW_YORK) == ["02-28 00:00-0500", "03-31 00:00-0400"]


@pytest.mark.parametrize(
    ("text", "every"),
    [
        ("every 30s", timedelta(seconds=30)),
        ("every 15m", timedelta(minutes=15)),
        ("every 6h", timedelta(hours=6)),
        ("every 1d", timedelta(days=1)),
        ("EVERY 2S", timedelta(seconds=2)),
    ],
)
def test_intervals_add_real_time(text: str, every: timedelta) -> None:
    """ "every N<unit>" is due N units of real time after the moment given."""
    schedule = parse_schedule(text)
    assert isinstance(schedule, IntervalSchedule)
    assert schedule.next_after(utc(2026, 3, 29, 0, 30)) == utc(2026, 3, 29, 0, 30) + every


def test_intervals_ignore_dst() -> None:
    """An interval across the Berlin spring-forward stays the same length in real time."""
    out = fires("every 1h", utc(2026, 3, 28, 23, 30), 3, "Europe/Berlin")
    assert [b - a for a, b in itertools.pairwise(out)] == [timedelta(hours=1)] * 2


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0 * * *", "5-field cron expression"),
        ("0 0 * * * *", "it has 6 fields"),
        ("61 * * * *", "bad minute field"),
        ("0 25 * * *", "bad hour field"),
        ("0 0 30 2 *", "bad day-of-month field"),
        ("every", "every <number><unit>"),
        ("every 0m", "every <number><unit>"),
        ("every 5 weeks", "every <number><unit>"),
        ("hourly", "e.g."),
    ],
)
def test_bad_schedules_say_what_to_write(text: str, says: str) -> None:
    """An unusable schedule raises ScheduleError quoting it and showing a valid example."""
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    assert says in str(caught.value)
    assert repr(text.strip()) in str(caught.value)


def test_an_unknown_timezone_suggests_the_closest() -> None:
    """A misspelt time zone names the zone that was probably meant."""
    with pytest.raises(ScheduleError, match="did you mean 'Europe/Berlin'"):
        parse_timezone("Europe/Berln")


def test_cron_text_is_normalised() -> None:
    """Extra spaces in a cron expression do not matter; its text is shown normalised."""
    schedule = parse_schedule("  0   *  * * *  ")
    assert isinstance(schedule, CronSchedule)
    assert str(schedule) == "0 * * * *"


def test_naive_datetimes_are_refused() -> None:
    """Schedules compute with aware datetimes only: a naive one would be read in local time."""
    with pytest.raises(ValueError, match="aware"):
        parse_schedule("0 * * * *").next_after(datetime(2026, 1, 1))


EXPRESSIONS = ["0 * * * *", "*/15 * * * *", "30 2 * * *", "0 0 L * *", "5 4 * * SUN", "0 9 1 * *"]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


@given(
    expression=st.sampled_from(EXPRESSIONS),
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
)
def test_the_next_fire_is_later_and_nothing_in_between_fires(
    expression: str, zone: str, moment: datetime
) -> None:
    """next_after(t) is after t, and asking from any moment before it gives the same answer."""
    schedule = parse_schedule(expression, zone)
    fire = schedule.next_after(moment)
    assert fire > moment
    assert fire - moment <= timedelta(days=40)
    halfway = moment + (fire - moment) / 2
    assert schedule.next_after(halfway) == fire
    assert schedule.next_after(fire - timedelta(seconds=1)) == fire
