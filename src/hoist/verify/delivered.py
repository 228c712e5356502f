"""What state says was delivered, copied into a scratch table that verify reads a page at a time.

Companies Intercom shows are marked as the scroll goes, so the ones it never showed are found
with one anti-join at the end rather than a set of every company_id in Python. The statements
live in `hoist.sql.verify`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.sql import render
from hoist.sql import verify as sql

__all__ = ["Delivered", "StateRow"]

_BATCH = "verify_batch"


@dataclass(frozen=True)
class StateRow:
    """One company as state remembers it: Intercom id and delivered JSON text per attribute."""

    company_id: str
    intercom_id: str | None
    texts: dict[str, str | None]


class Delivered:
    """State's delivered values for `attributes`, read from `relation` (`StateStore.relation`).

    With `keep_nulls` (``sync.nulls: keep``) a delivered null counts as never delivered: the
    model's null does not overwrite a value in Intercom, so a value there is not drift.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        relation: exp.Expr,
        attributes: Sequence[str],
        *,
        keep_nulls: bool = False,
    ) -> None:
        self.con = con
        self.attributes = tuple(attributes)
        self.keep_nulls = keep_nulls
        for statement in sql.create_statements(relation):
            con.execute(render(statement))

    def _rows(self, query: exp.Expr) -> list[StateRow]:
        rows = self.con.execute(render(query)).fetchall()
        return [
            StateRow(row[0], row[1], dict(zip(self.attributes, self._texts(row[2:]), strict=True)))
            for row in rows
        ]

    def _texts(self, texts: Sequence[str | None]) -> list[str | None]:
        if not self.keep_nulls:
            return list(texts)
        return [None if text == "null" else text for text in texts]

    def count(self) -> int:
        """How many companies state knows (with an Intercom id)."""
        rows = self.con.execute(render(sql.count_query())).fetchall()
        return int(rows[0][0])

    def for_companies(self, company_ids: Sequence[str]) -> list[StateRow]:
        """The state rows of `company_ids` (those state knows), and mark them seen."""
        self.con.register(_BATCH, pa.table({"company_id": pa.array(company_ids, pa.string())}))
        try:
            self.con.execute(render(sql.mark_seen_statement(_BATCH)))
            return self._rows(sql.rows_for_query(self.attributes, _BATCH))
        finally:
            self.con.unregister(_BATCH)

    def sample(self, n: int) -> list[StateRow]:
        """`n` companies chosen at random (all of them when state knows fewer)."""
        return self._rows(sql.sample_query(self.attributes, n))

    def unseen(self) -> list[StateRow]:
        """Companies state knows that no `for_companies` call asked for: gone from Intercom."""
        return self._rows(sql.unseen_query(self.attributes))
