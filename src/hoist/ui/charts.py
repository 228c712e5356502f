"""Charts of the run history as inline SVG, drawn on the server: no script, works offline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from markupsafe import Markup, escape

__all__ = ["line_chart"]

_WIDTH: Final = 640
_HEIGHT: Final = 180
_PAD: Final = 36
#: Colour of each series (colour-blind safe, Okabe-Ito).
_COLOURS: Final = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")


def line_chart(title: str, series: Mapping[str, Sequence[float]]) -> Markup:
    """One line per series over the runs (oldest left), with a legend and the maximum marked."""
    top = max((max(values, default=0) for values in series.values()), default=0) or 1
    runs = max((len(values) for values in series.values()), default=0)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - 8}" y2="{_HEIGHT - _PAD}" '
        'stroke="#999"/>',
        f'<text x="4" y="{_PAD - 8}" font-size="11">{_number(top)}</text>',
        f'<text x="4" y="{_HEIGHT - _PAD}" font-size="11">0</text>',
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
            f'<text x="{_PAD + index * 110}" y="{_HEIGHT - 8}" font-size="12" fill="{colour}">'
            f"■ {escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _point(index: int, value: float, runs: int, top: float) -> str:
    span = _WIDTH - _PAD - 16
    x = _PAD + (span * index / (runs - 1) if runs > 1 else span / 2)
    y = _HEIGHT - _PAD - (_HEIGHT - 2 * _PAD) * value / top
    return f"{x:.1f},{y:.1f}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:,.1f}"
