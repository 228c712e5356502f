"""What state says was delivered, copied into a scratch table that verify reads a page at a time.

The copy (``verify_delivered``) holds one row per company state knows: its Intercom id and the
JSON text of each mapped attribute (NULL: never delivered). Companies Intercom shows are marked
in ``verify_seen`` as the scroll goes, so the ones it never showed are found with one anti-join
at the end rather than a set of every company_id in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from hoist.diff import state_column

__all__ = ["Delivered", "StateRow"]

_DELIVERED = "verify_delivered"
_SEEN = "verify_seen"
_BATCH = "verify_batch"


@dataclass(frozen=True)
class StateRow:
    """One company as state remembers it: Intercom id and delivered JSON text per attribute."""

    company_id: str
    intercom_id: str | None
    texts: dict[str, str | None]


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _sql(template: str, **parts: exp.Expr) -> str:
    """A DuckDB statement from a constant template whose ``$name`` slots take expression nodes."""
    parsed = sqlglot.parse_one(template, read="duckdb")
    return exp.replace_placeholders(parsed, **parts).sql("duckdb")


class Delivered:
    """State's delivered values for `attributes`, read from `relation` (see `StateStore`)."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, relation: exp.Expr, attributes: Sequence[str]
    ) -> None:
        self.con = con
        self.attributes = tuple(attributes)
        con.execute(
            _sql(
                "CREATE OR REPLACE TEMP TABLE $t AS SELECT * FROM $relation AS r "
                "WHERE intercom_id IS NOT NULL",
                t=exp.to_table(_DELIVERED),
                relation=relation,
            )
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_SEEN} (company_id VARCHAR)")

    def _select(self) -> exp.Select:
        columns = [_ident(c) for c in ["company_id", "intercom_id"]]
        columns += [_ident(state_column(a)) for a in self.attributes]
        return exp.select(*[exp.column(c, table=_ident("d")) for c in columns]).from_(
            exp.to_table(_DELIVERED).as_("d")
        )

    def _rows(self, query: exp.Expr) -> list[StateRow]:
        rows = self.con.execute(query.sql("duckdb")).fetchall()
        return [
            StateRow(row[0], row[1], dict(zip(self.attributes, row[2:], strict=True)))
            for row in rows
        ]

    def count(self) -> int:
        """How many companies state knows (with an Intercom id)."""
        rows = self.con.execute(f"SELECT count(*) FROM {_DELIVERED}").fetchall()
        return int(rows[0][0])

    def for_companies(self, company_ids: Sequence[str]) -> list[StateRow]:
        """The state rows of `company_ids` (those state knows), and mark them seen."""
        self.con.register(_BATCH, pa.table({"company_id": pa.array(company_ids, pa.string())}))
        try:
            self.con.execute(f"INSERT INTO {_SEEN} SELECT company_id FROM {_BATCH}")
            query = self._select().join(
                exp.to_table(_BATCH).as_("b"), on="d.company_id = b.company_id"
            )
            return self._rows(query)
        finally:
            self.con.unregister(_BATCH)

    def sample(self, n: int) -> list[StateRow]:
        """`n` companies chosen at random (all of them when state knows fewer)."""
        query = self._select().order_by(exp.func("random")).limit(n)
        return self._rows(query)

    def unseen(self) -> list[StateRow]:
        """Companies state knows that no `for_companies` call asked for: gone from Intercom."""
        seen = exp.select("company_id").from_(_SEEN)
        query = self._select().where(exp.not_(exp.column("company_id", table="d").isin(query=seen)))
        return self._rows(query.order_by(exp.column("company_id", table="d")))
