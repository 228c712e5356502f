"""`ChangeSet`: the staged model and the changes of one run, held in DuckDB scratch tables.

It is the only owner of the ``staged`` and ``changes`` tables: it stages the model's Arrow
stream, diffs it against a state relation, and answers everything a run asks of the result
(counts, rejections, pages of changes, company ids still to resolve) without SQL leaving this
package. Only changed rows ever leave DuckDB, a page at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import duckdb
import orjson
import pyarrow as pa
from sqlglot import exp

from hoist.company_attributes import update_takes
from hoist.diff import local as diff
from hoist.diff import removals
from hoist.diff.changes import Change, DiffCounts
from hoist.errors import SourceError
from hoist.mapping import Field
from hoist.report import RecordIssue
from hoist.sql.build import render, table

__all__ = ["ChangeSet"]

_MODEL_ROWS = "model_rows"
_FOUND_IDS = "found_ids"


class ChangeSet:
    """The changes one run must make, computed by `ChangeSet.build`."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        fields: Sequence[Field],
        counts: DiffCounts,
        state: exp.Expr | None = None,
    ) -> None:
        self._con = con
        self.fields = tuple(fields)
        self.counts = counts
        self._state = state

    @classmethod
    def build(
        cls,
        con: duckdb.DuckDBPyConnection,
        reader: pa.RecordBatchReader,
        fields: Sequence[Field],
        id_column: str,
        state: exp.Expr,
    ) -> ChangeSet:
        """Stage the model streamed by `reader` and diff it against the relation `state`."""
        con.register(_MODEL_ROWS, reader)
        try:
            _execute(con, diff.stage_statement(fields, id_column, table(_MODEL_ROWS)))
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            # The reader pulls from the warehouse while DuckDB stages, so a warehouse failure
            # surfaces here, inside DuckDB's scan of the reader.
            raise SourceError(f"reading the model failed: {exc}") from exc
        finally:
            con.unregister(_MODEL_ROWS)
        _execute(con, diff.touched_statement(fields, state))
        _execute(con, diff.changes_statement(fields, state))
        rows, rejected, changed, new = _rows(con, diff.counts_query())[0]
        counts = DiffCounts(rows=rows, rejected_rows=rejected, changed=changed, new=new)
        return cls(con, fields, counts, state)

    def rejections(self) -> list[RecordIssue]:
        """Every rejected company, and every value held back with the attribute it belongs to."""
        rows = _rows(self._con, diff.rejections_query(self.fields))
        return [RecordIssue(cid, code, text, attribute) for cid, code, text, attribute in rows]

    def count(
        self, *, known_only: bool = False, unresolved_only: bool = False, new_only: bool = False
    ) -> int:
        """How many changes there are: all, with an Intercom id, without one, new to state."""
        query = diff.count_query(
            known_only=known_only, unresolved_only=unresolved_only, new_only=new_only
        )
        return int(_rows(self._con, query)[0][0])

    def unresolved(self, missing: exp.Expr | None = None) -> list[tuple[str, int]]:
        """(company_id, row hash) of changes without an Intercom id, for update-only runs.

        With `missing`, companies not found before whose row has not changed are left out.
        """
        return [(row[0], int(row[1])) for row in _rows(self._con, diff.unresolved_query(missing))]

    def resolve(
        self,
        found: Sequence[tuple[str, str]],
        held: Sequence[Mapping[str, str]] | None = None,
    ) -> None:
        """Record the Intercom ids found for (company_id, intercom_id) pairs.

        `held` gives, per pair, the JSON text of each attribute Intercom showed a value for:
        where the model has null, the write then clears it (`diff.resolve_statement`).
        """
        if not found:
            return
        columns: dict[str, list[Any]] = {
            "company_id": [f[0] for f in found],
            "intercom_id": [f[1] for f in found],
        }
        fields = self.fields if held is not None else ()
        for field in fields:
            assert held is not None
            columns[diff.held_column(field.attribute)] = [h.get(field.attribute) for h in held]
        ids = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
        self._con.register(_FOUND_IDS, ids)
        try:
            _execute(self._con, diff.resolve_statement(table(_FOUND_IDS), fields))
        finally:
            self._con.unregister(_FOUND_IDS)

    def pages(self, *, known_only: bool = False, page_rows: int = 1000) -> Iterator[list[Change]]:
        """The changes in pages of `page_rows`; `known_only`: those with an Intercom id.

        Paging by sequence number keeps memory bounded and leaves the connection free between
        pages, so results can be committed while changes are still being read.
        """
        last = 0
        while True:
            query = diff.page_query(after=last, limit=page_rows, known_only=known_only)
            cursor = self._con.execute(render(query))
            names = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [self._change(dict(zip(names, row, strict=True))) for row in rows]

    def delivered(self, *, insert: bool) -> int:
        """How many companies hoist wrote, by state (the base of removal percentages)."""
        assert self._state is not None
        query = removals.delivered_query(self.fields, self._state, insert=insert)
        return int(_rows(self._con, query)[0][0])

    def plan_removals(self, policy: str, *, insert: bool) -> int:
        """Find the companies hoist wrote that left the model and `policy` acts on; count them.

        ``keep`` acts on none.
        """
        if policy == "keep":
            return 0
        assert self._state is not None
        statement = removals.removals_statement(self.fields, self._state, policy, insert=insert)
        _execute(self._con, statement)
        return int(_rows(self._con, removals.removals_count_query())[0][0])

    def removal_pages(self, policy: str, *, page_rows: int = 1000) -> Iterator[list[Change]]:
        """The planned removals as changes: nulls for `clear`, none for `delete`."""
        if policy == "keep":
            return
        last = 0
        while True:
            cursor = self._con.execute(
                render(removals.removal_page_query(after=last, limit=page_rows))
            )
            names = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [self._removal(dict(zip(names, row, strict=True)), policy) for row in rows]

    def _removal(self, row: dict[str, Any], policy: str) -> Change:
        old = {
            f.attribute: orjson.loads(row[diff.old_column(f.attribute)])
            for f in self.fields
            if row[diff.old_column(f.attribute)] is not None
        }
        clear = policy == "clear"
        # A clear goes by `PUT /companies/{id}`: what it cannot carry stays, and so in state.
        texts = {a: "null" for a, v in old.items() if v is not None and update_takes(a)}
        texts = texts if clear else {}
        return Change(
            company_id=row["company_id"],
            intercom_id=row["intercom_id"],
            new=False,
            texts=texts,
            old=old,
            removal="clear" if clear else "delete",
        )

    def sample(self, size: int, *, known_only: bool = False) -> list[Change]:
        """The first `size` changes, for plans."""
        for page in self.pages(known_only=known_only, page_rows=size):
            return page
        return []

    def _change(self, row: dict[str, Any]) -> Change:
        texts, old = {}, {}
        for field in self.fields:
            text = row[diff.value_column(field.attribute)]
            if text is not None:
                texts[field.attribute] = text
                previous = row[diff.old_column(field.attribute)]
                if previous is not None:
                    old[field.attribute] = orjson.loads(previous)
        return Change(
            company_id=row["company_id"],
            intercom_id=row["intercom_id"],
            new=bool(row["_new"]),
            texts=texts,
            old=old,
            fingerprint=row.get("_fp") or None,  # only the warehouse's diff lands one
        )


def _execute(con: duckdb.DuckDBPyConnection, statement: exp.Expr) -> None:
    con.execute(render(statement))


def _rows(con: duckdb.DuckDBPyConnection, query: exp.Expr) -> list[Any]:
    # Read to the end so the connection is free for the next statement.
    return con.execute(render(query)).fetchall()
