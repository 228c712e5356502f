"""The window of ``within_last N unit``: from now minus the span up to now, months by calendar."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import TypeVar

from hoist.config import Span

__all__ = ["window_start"]

_Moment = TypeVar("_Moment", date, datetime)
_FIXED = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}


def window_start(now: _Moment, span: Span) -> _Moment:
    """`now` minus `span`; a month back from 31 March is the last day of February."""
    if span.unit == "months":
        return _months_back(now, span.count)
    if isinstance(now, datetime):
        return now - timedelta(seconds=_FIXED[span.unit] * span.count)
    return now - timedelta(days=_FIXED[span.unit] * span.count // 86400)


def _months_back(moment: _Moment, months: int) -> _Moment:
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
