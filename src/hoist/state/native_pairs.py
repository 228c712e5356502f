"""Native state's contact pairs: an append-only log of pair events, replayed when read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from sqlglot import exp

from hoist.sql.state import PAIR_COLUMNS
from hoist.state.contract import PairRow, land
from hoist.state.native_base import NativeBase, _naive_utc
from hoist.state.pairs import replay_pairs

__all__ = ["NativePairs"]


class NativePairs(NativeBase):
    """The contacts model's pairs state remembers."""

    def pairs_relation(self) -> exp.Expr:
        """The contact pairs state remembers, replayed from their events into scratch."""
        events: list[dict[str, Any]] = []
        if self.tables.name("contact_pairs") in self._exists:
            events = self._query(self.tables.pair_events_query()).to_pylist()
        pairs = replay_pairs(events)
        kinds = {"checked_at": pa.timestamp("us", "UTC")}
        rows = pa.table(
            {
                name: pa.array([p[i] for p in pairs], kinds.get(name, pa.string()))
                for i, (name, _) in enumerate(PAIR_COLUMNS)
            }
        )
        return land(self._scratch, "state_pairs", rows)

    def record_pairs(self, rows: Sequence[PairRow]) -> None:
        """Remember pairs: one ``record`` event each, in one append."""
        self._pair_events("record", [(c, k, i, _naive_utc(t)) for c, k, i, t in rows])

    def forget_pairs(self, rows: Sequence[tuple[str, str, str | None]]) -> None:
        """Forget (company_id, contact key, contact id or None) pairs: a ``forget`` each."""
        self._pair_events("forget", [(c, k, i, None) for c, k, i in rows])

    def forget_pairs_of(self, company_ids: Sequence[str]) -> None:
        """Forget every pair of `company_ids`: one ``forget_company`` event each."""
        self._pair_events("forget_company", [(c, None, None, None) for c in company_ids])

    def _pair_events(self, op: str, rows: Sequence[tuple[Any, Any, Any, Any]]) -> None:
        if not rows:
            return
        names = ("company_id", "contact_key", "contact_id", "checked_at")
        columns: dict[str, list[Any]] = {n: [r[i] for r in rows] for i, n in enumerate(names)}
        self._append_numbered("contact_pairs", {**columns, "_op": [op] * len(rows)})
