"""A `ChangeSet` computed by the warehouse: only changed, rejected and removed rows leave it.

The warehouse runs `native_diff.diff_query` against the native state relation; its (small)
result lands in local DuckDB scratch tables shaped exactly as the local diff leaves them, so
everything after the diff (existence checks, paging, samples, counts, removals) is the same
code in both state modes.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Protocol

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.diff import in_warehouse as native_diff
from hoist.diff import local as diff
from hoist.diff import removals
from hoist.diff.changes import DiffCounts
from hoist.diff.local_changeset import ChangeSet
from hoist.errors import SourceError
from hoist.report import RecordIssue
from hoist.sql.build import render, table, template

__all__ = ["NativeChangeSet", "Readable"]

_FETCHED = "fetched"
_LANDED = "fetched_rows"


class Readable(Protocol):
    """A source: a dialect, a streaming query, a small one and a statement."""

    dialect: str

    def read(self, sql: str, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run `sql` and stream its rows."""
        ...

    def query(self, sql: str) -> pa.Table:
        """Run a query whose result is small and return it whole."""
        ...

    def execute(self, sql: str) -> None:
        """Run one statement."""
        ...


class NativeChangeSet(ChangeSet):
    """The changes of one run, diffed in the warehouse and landed in local scratch tables."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: native_diff.DiffSpec,
        counts: DiffCounts,
        warehouse: Readable,
        rows_fetched: int,
    ) -> None:
        super().__init__(con, spec.fields, counts, spec.state)
        self._spec = spec
        self._warehouse = warehouse
        #: Rows that left the warehouse: changed, rejected and removed companies.
        self.rows_fetched = rows_fetched

    @classmethod
    def diff_in_warehouse(
        cls, con: duckdb.DuckDBPyConnection, warehouse: Readable, spec: native_diff.DiffSpec
    ) -> NativeChangeSet:
        """Run the diff of `spec` in `warehouse` and land what it sends in `con`."""
        dialect = warehouse.dialect
        if not native_diff.in_stages(dialect):
            query = native_diff.portable(native_diff.diff_query(spec), dialect)
            _land(con, warehouse, render(query, dialect))
        else:
            with contextlib.ExitStack() as kept:
                keys = None
                if spec.fingerprint is not None:
                    narrow = native_diff.pending_keys_query(spec)
                    keys = kept.enter_context(_materialised(warehouse, narrow))
                staged = native_diff.staged_query(spec, keys=keys)
                name = kept.enter_context(_materialised(warehouse, staged))
                query = native_diff.diff_query(spec, staged=name)
                _land(con, warehouse, render(native_diff.portable(query, dialect), dialect))
        for statement in native_diff.landing_statements(spec.fields, _LANDED):
            con.execute(render(statement))
        rows, rejected, changed, new, fetched = con.execute(
            render(native_diff.landed_counts_query(_LANDED))
        ).fetchall()[0]
        counts = DiffCounts(rows=int(rows), rejected_rows=int(rejected), changed=changed, new=new)
        con.execute(render(template("DROP TABLE $t", t=table(_LANDED))))
        return cls(con, spec, counts, warehouse, int(fetched))

    def rejections(self) -> list[RecordIssue]:
        """Every rejection the warehouse sent, in the local diff's order."""
        query = diff.rejections_query(source=table(native_diff.REJECTIONS))
        rows = self._con.execute(render(query)).fetchall()
        return [RecordIssue(cid, code, text, attribute) for cid, code, text, attribute in rows]

    def delivered(self, *, insert: bool) -> int:
        """How many companies hoist wrote, by state: counted by the warehouse."""
        query = removals.delivered_query(self.fields, self._spec.state, insert=insert)
        dialect = self._warehouse.dialect
        result = self._warehouse.query(render(native_diff.portable(query, dialect), dialect))
        return int(result.column(0)[0].as_py())

    def plan_removals(self, policy: str, *, insert: bool) -> int:
        """How many companies the removal policy acts on (the warehouse selected them)."""
        if policy == "keep":
            return 0
        assert (policy, insert) == (self._spec.on_removal, self._spec.insert)
        query = removals.removals_count_query()
        return int(self._con.execute(render(query)).fetchall()[0][0])

    def missing_seen(self) -> exp.Expr:
        """(company_id, row_hash) of changed companies last not found in Intercom."""
        return table(native_diff.MISSING_SEEN)


def _land(con: duckdb.DuckDBPyConnection, warehouse: Readable, sql: str) -> None:
    """Stream the rows of `sql` from `warehouse` into the local table ``fetched_rows``."""
    reader = warehouse.read(sql)
    con.register(_FETCHED, reader)
    try:
        con.execute(
            render(
                template(
                    "CREATE OR REPLACE TEMP TABLE $t AS SELECT * FROM $f",
                    t=table(_LANDED),
                    f=table(_FETCHED),
                )
            )
        )
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        # The warehouse streams while DuckDB lands the rows, so its errors surface here.
        raise SourceError(f"the diff failed in the warehouse: {exc}") from exc
    finally:
        con.unregister(_FETCHED)


@contextlib.contextmanager
def _materialised(warehouse: Readable, query: exp.Expr) -> Iterator[str]:
    """The rows of `query` computed once in `warehouse`, as a relation named for the block
    (`native_diff.materialisation`), dropped after it, whatever happens in the block."""
    dialect = warehouse.dialect
    portable = native_diff.portable(query, dialect)
    name = f"hoist_diff_{uuid.uuid4().hex}"
    kept = native_diff.materialisation(name, portable, dialect)
    warehouse.execute(render(kept.create, dialect))
    try:
        yield name
    finally:
        for statement in kept.drop:
            warehouse.execute(render(statement, dialect))
