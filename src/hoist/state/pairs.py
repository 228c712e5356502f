"""Contact pairs from an append-only event log: how warehouse-native state keeps them.

Engines without cheap row deletes (Spark's Parquet tables) cannot keep the local state's
``contact_pairs`` table as it is edited, so native state appends what happened to each pair and
replays the events, oldest first, with the same rules the local statements apply
(`hoist.sql.state.StateTables.record_pairs_statements` and the two forgets).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["replay_pairs"]

_Key = tuple[str, str, str | None]


def replay_pairs(
    events: Iterable[Mapping[str, Any]],
) -> list[tuple[str, str, str | None, datetime]]:
    """The pairs left after `events` (dicts with company_id, contact_key, contact_id,
    checked_at and ``_op``), sorted by company and key."""
    pairs: dict[_Key, datetime] = {}
    for event in events:
        company, key, contact = event["company_id"], event["contact_key"], event["contact_id"]
        op = event["_op"]
        if op == "record":
            # A pair's earlier "not found" gives way to what the newer event says.
            pairs.pop((company, key, None), None)
            pairs[(company, key, contact)] = _utc(event["checked_at"])
        elif op == "forget":
            pairs.pop((company, key, contact), None)
        elif op == "forget_company":
            for gone in [k for k in pairs if k[0] == company]:
                del pairs[gone]
    return sorted(
        ((c, k, i, checked) for (c, k, i), checked in pairs.items()),
        key=lambda row: (row[0], row[1], row[2] or ""),
    )


def _utc(moment: datetime) -> datetime:
    """The warehouse keeps UTC without a zone: give it back its zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
