"""'Did you mean' hints for names a user mistyped (keys, source types, columns)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` did you mean 'x'?`` for the closest of `choices`, or an empty string."""
    options = list(choices)
    lowered = {choice.lower(): choice for choice in options}
    close = [lowered[value.lower()]] if value.lower() in lowered else []
    close = close or difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" did you mean {close[0]!r}?" if close else ""
