"""A run's counts as the pages show them: one row per outcome (each company has exactly one),
the same words as the CLI's report, a one-line summary, and what the other figures mean.

"33 updated, 777 not in Intercom: insert is off" says what happened; "810 companies could not
be synced" said something false. Removals are explained by the activation's policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["OUTCOMES", "CountRow", "outcome_rows", "removal_note", "summary"]

#: Each company of a run ends in exactly one of these (key, label), in the CLI's order.
OUTCOMES: Final = (
    ("created", "created"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("not_in_intercom", "not in Intercom"),
    ("rejected", "rejected"),
    ("failed", "failed"),
)
_WHY: Final = {
    "created": "new in Intercom",
    "updated": "changed values sent",
    "unchanged": "nothing to send",
    "rejected": "a value Intercom cannot take; nothing sent for these",
    "failed": "Intercom refused them; the next run tries again",
}
_POLICY: Final = {
    "keep": "on_removal is keep: they stay in Intercom as they are",
    "clear": "on_removal is clear: their mapped attributes are set to null once",
    "delete": "on_removal is delete: they are deleted from Intercom",
}


@dataclass(frozen=True)
class CountRow:
    """One outcome: its key (the `data-count` of the page), label, count and meaning."""

    key: str
    label: str
    value: int
    why: str


def _value(counts: Any, key: str) -> int:
    value = counts.get(key) if isinstance(counts, Mapping) else getattr(counts, key, 0)
    return int(value or 0)


def outcome_rows(counts: Any, insert: bool | None, *, dry_run: bool = False) -> list[CountRow]:
    """The outcome rows of a report or a history row (`counts`), with what each means."""
    rows = []
    for key, label in OUTCOMES:
        why = _WHY.get(key, "")
        if key == "not_in_intercom":
            why = "insert is off: not created, nothing sent" if insert is False else ""
        if dry_run and key in ("created", "updated", "failed"):
            label = {"created": "to create", "updated": "to update", "failed": "failed"}[key]
        rows.append(CountRow(key, label, _value(counts, key), why))
    return rows


def summary(counts: Any, insert: bool | None, *, dry_run: bool = False) -> str:
    """The outcomes that happened, in words: "33 updated, 777 not in Intercom: insert is off"
    (a plan's: "33 to update, ...")."""
    parts = []
    for row in outcome_rows(counts, insert, dry_run=dry_run):
        if row.value:
            parts.append(f"{row.value:,} {row.label}")
    if not parts:
        return "no company in the model"
    text = ", ".join(parts)
    if insert is False and _value(counts, "not_in_intercom"):
        text += ": insert is off"
    return text


def removal_note(counts: Any, on_removal: str | None) -> str | None:
    """Why companies left the model and what happened to them in Intercom (None: none did)."""
    removed = _value(counts, "removed")
    if not removed:
        return None
    policy = _POLICY.get(on_removal or "", "")
    return f"{removed:,} companies left the model since the last run" + (
        f"; {policy}" if policy else ""
    )
