"""Charts of the run history as inline SVG, drawn on the server: no script, works offline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from markupsafe import Markup, escape

__all__ = ["line_chart"]

_WIDTH: Final = 640
_HEIGHT: Final = 180
_PAD: Final = 36
#: Horizontal room of each series' legend entry: six outcomes fit across.
_LEGEND: Final = 100
#: Colour of each series (colour-blind safe, Okabe-Ito).
_COLOURS: Final = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")


def line_chart(
    title: str, series: Mapping[str, Sequence[float]], times: Sequence[datetime] = ()
) -> Markup:
    """One line per series over the runs (oldest left), with its title, a legend, the maximum
    marked and, given the runs' start `times`, the first and last run's time under the axis."""
    top = max((max(values, default=0) for values in series.values()), default=0) or 1
    runs = max((len(values) for values in series.values()), default=0)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="{_PAD}" y="14" font-size="13" font-weight="600">{escape(title)}</text>',
        f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - 8}" y2="{_HEIGHT - _PAD}" '
        'stroke="#999"/>',
        f'<text x="4" y="{_PAD - 8}" font-size="11">{_number(top)}</text>',
        f'<text x="4" y="{_HEIGHT - _PAD}" font-size="11">0</text>',
        *_time_axis(times),
    ]
    for index, (name, values) in enumerate(series.items()):
        colour = _COLOURS[index % len(_COLOURS)]
        points = " ".join(_point(i, v, runs, top) for i, v in enumerate(values))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        parts += [
            f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{colour}"/>'
            for p in points.split()
        ]
        parts.append(
            f'<text x="{_PAD + index * _LEGEND}" y="{_HEIGHT - 4}" font-size="12" fill="{colour}">'
            f"■ {escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _time_axis(times: Sequence[datetime]) -> list[str]:
    """The first and the last run's start under the axis (UTC), when there are runs."""
    if not times:
        return []
    y = _HEIGHT - _PAD + 14
    first = f'<text x="{_PAD}" y="{y}" font-size="11" class="time">{_when(times[0])}</text>'
    if len(times) == 1:
        return [first]
    last = (
        f'<text x="{_WIDTH - 8}" y="{y}" font-size="11" text-anchor="end" class="time">'
        f"{_when(times[-1])}</text>"
    )
    return [first, last]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _point(index: int, value: float, runs: int, top: float) -> str:
    span = _WIDTH - _PAD - 16
    x = _PAD + (span * index / (runs - 1) if runs > 1 else span / 2)
    y = _HEIGHT - _PAD - (_HEIGHT - 2 * _PAD) * value / top
    return f"{x:.1f},{y:.1f}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:,.1f}"
