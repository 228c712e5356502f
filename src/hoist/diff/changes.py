"""What a diff produces and a run consumes: the counts, and one change per company to write.

Plain frozen data with no I/O, so the executor, the reports and the tests can use it freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson

__all__ = ["Change", "Confirmation", "DiffCounts", "user_count_of"]


@dataclass(frozen=True)
class DiffCounts:
    """How the model's rows split: valid rows, rows rejected, companies to write."""

    rows: int
    rejected_rows: int
    changed: int
    new: int

    @property
    def unchanged(self) -> int:
        """Valid companies whose mapped values Intercom already holds."""
        return self.rows - self.rejected_rows - self.changed


@dataclass(frozen=True)
class Change:
    """One company to write: the attributes that changed, their new and previous values.

    `texts` holds the JSON text of each new value, exactly as state will remember it once
    Intercom confirms; `old` holds the previous values (absent when never delivered).
    """

    company_id: str
    intercom_id: str | None
    new: bool
    texts: dict[str, str]
    old: dict[str, Any]
    removal: Literal["clear", "delete"] | None = None
    """Set when the company left the model: clear its attributes, or delete (archive) it."""
    fingerprint: str | None = None
    """The fingerprint of the model row (warehouse-native state, `hoist.diff.fingerprint`):
    once Intercom confirms the change, state holds every value of that row."""

    @property
    def values(self) -> dict[str, Any]:
        """The new values as Python objects, by attribute."""
        return {attribute: orjson.loads(text) for attribute, text in self.texts.items()}


@dataclass(frozen=True)
class Confirmation:
    """Intercom confirmed (2xx) that `company_id` has id `intercom_id` and these values.

    `texts` maps attributes to the JSON text of the values Intercom accepted; attributes not
    in it keep what state had. `user_count` is the number of contacts Intercom said the company
    has (None: the answer did not say; state keeps the last known value).
    """

    company_id: str
    intercom_id: str
    texts: dict[str, str]
    user_count: int | None = None
    #: The fingerprint of the model row whose values state now holds whole (None: unknown,
    #: state must not skip the row next time).
    fingerprint: str | None = None


def user_count_of(company: dict[str, Any]) -> int | None:
    """The `user_count` of a company object Intercom returned, if it carries a usable one."""
    count = company.get("user_count")
    return count if isinstance(count, int) and not isinstance(count, bool) else None
