"""The state backend contract: what every kind of state offers a run, a plan, verify and serve.

Two kinds of state implement it: the local DuckDB file (`hoist.state.store.StateStore`, the
default) and warehouse-native state (`hoist.state.native.NativeStateStore`, on DuckDB, Postgres
and Spark). Code outside `hoist.state` holds a `StateBackend` and never asks which kind it is:
`hoist.state.open_state` picks one from the activation's config.

Relations come in two places. ``relation``, ``blank_relation`` and ``missing_relation`` are SQL
in the engine the diff runs in (the local scratch DuckDB for local state, the warehouse for
native state). ``scratch`` is the run's local DuckDB connection: the diff lands its changes
there, and ``missing``, ``delivered_relation``, ``companies_relation`` and ``pairs_relation``
are relations in it, whichever kind of state holds the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.diff.changes import Confirmation
from hoist.diff.local_changeset import ChangeSet
from hoist.mapping import Field
from hoist.report import RunReport
from hoist.sql.build import render, table, template

__all__ = ["Capabilities", "DiffRequest", "Diffed", "PairRow", "StateBackend", "land"]

T = TypeVar("T")

#: A contact pair as state remembers it: (company_id, contact key, contact id or None, checked).
PairRow = tuple[str, str, str | None, datetime]


@dataclass(frozen=True)
class Capabilities:
    """What an engine truly cannot do; every other feature is the same on every backend."""

    #: The engine deletes rows (Spark's Parquet tables cannot): folded journal rows are pruned
    #: rather than kept beside the snapshot.
    deletes: bool = True


@dataclass(frozen=True)
class DiffRequest:
    """What one diff compares: the model (its query) against state, under the sync's rules."""

    model_sql: str
    fields: tuple[Field, ...]
    id_column: str
    on_removal: str
    insert: bool
    #: Diff against nothing delivered (``--full-resync``).
    full_resync: bool = False
    #: Look up again the companies last not found, even if their row is unchanged.
    recheck_missing: bool = False


@dataclass(frozen=True)
class Diffed:
    """A diff's result: the changes, how many rows left the source, and what was read."""

    changes: ChangeSet
    #: Rows moved out of the source: the model (local state), or changed + rejected (native).
    rows_fetched: int
    #: How the run's progress line describes the read ("read 10 rows", "diffed ...").
    described: str


class StateBackend(Protocol):
    """One activation's opened state: read by the diff, written only with confirmed results."""

    capabilities: Capabilities

    @property
    def scratch(self) -> duckdb.DuckDBPyConnection:
        """The run's local DuckDB: the changes, and the relations in it (see the module)."""
        ...

    @property
    def where(self) -> Path | str:
        """Where state is, for messages: the state file or a description of the tables."""
        ...

    def __enter__(self) -> StateBackend: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def close(self) -> None:
        """Release the lock and what the backend opened."""
        ...

    async def call(self, call: Callable[..., T], *args: Any, name: str) -> T:
        """`call(*args)` where a state call belongs: off the event loop for a warehouse (it may
        stop answering; Ctrl-C must still stop the run), on it for a local file (which cannot
        hang, and whose connection also pages the changes)."""
        ...

    # -- the diff ----------------------------------------------------------------------------

    def diff(self, source: Any, model: Any, request: DiffRequest) -> Diffed:
        """Diff the model (`model`: what `StateKind.read_model` returned) against state."""
        ...

    def relation(self, attributes: Sequence[str]) -> exp.Expr:
        """What Intercom confirmed, a column per attribute (in the diff's engine)."""
        ...

    def blank_relation(self, attributes: Sequence[str], *, keep_ids: bool) -> exp.Expr:
        """The companies state knows, as if nothing had been delivered (a full resync)."""
        ...

    def delivered_count(self, attribute: str) -> int:
        """How many companies state says hold a delivered value of `attribute`."""
        ...

    def delivered_relation(self, attributes: Sequence[str]) -> exp.Expr:
        """In `scratch`: the companies with an Intercom id and their delivered texts."""
        ...

    def companies_relation(self) -> exp.Expr:
        """In `scratch`: (company_id, intercom_id) of every company state knows."""
        ...

    def holds_deliveries(self) -> bool:
        """Whether state records companies earlier runs delivered (or Intercom confirmed).

        The run history does not count: failed attempts are recorded without delivering
        anything, and must not make switching `state.in_warehouse` ask for --reset-state.
        """
        ...

    # -- companies not found (update-only runs) ----------------------------------------------

    def missing(self) -> exp.Expr:
        """In `scratch`: (company_id, row_hash) of the run's companies last not found."""
        ...

    def missing_ids(self) -> list[str]:
        """The company_ids the latest lookups did not find in Intercom, sorted."""
        ...

    def remember_missing(self, missing: Sequence[tuple[str, int]]) -> None:
        """Record companies Intercom does not have, with the hash of their row."""
        ...

    def forget_missing(self, company_ids: Sequence[str]) -> None:
        """Companies found in Intercom after all are no longer remembered as missing."""
        ...

    # -- confirmed results -------------------------------------------------------------------

    def add_attribute_columns(self, attributes: Sequence[str]) -> None:
        """Make room for every mapped attribute (writers only)."""
        ...

    def commit(self, confirmations: Sequence[Confirmation], attributes: Sequence[str]) -> None:
        """Record confirmed results durably."""
        ...

    def fold(self) -> Any:
        """Fold (compact) what was committed, where that is worth it."""
        ...

    def forget_intercom_ids(self, company_ids: Sequence[str]) -> None:
        """Forget companies Intercom no longer knows, so they are resolved again."""
        ...

    def without_contacts(self) -> int:
        """How many delivered companies Intercom last said have no contact attached."""
        ...

    # -- settings (the workspace binding) ----------------------------------------------------

    def meta_values(self, keys: Sequence[str]) -> dict[str, str]:
        """The values recorded under `keys` (absent keys left out)."""
        ...

    def set_meta_values(self, values: dict[str, str]) -> None:
        """Record `values` (writers only)."""
        ...

    # -- contact pairs -----------------------------------------------------------------------

    def pairs_relation(self) -> exp.Expr:
        """In `scratch`: the contact pairs state remembers (``PairRow`` columns)."""
        ...

    def record_pairs(self, rows: Sequence[PairRow]) -> None:
        """Remember pairs; a pair's earlier "not found" gives way to what `rows` say."""
        ...

    def forget_pairs(self, rows: Sequence[tuple[str, str, str | None]]) -> None:
        """Forget (company_id, contact key, contact id or None) pairs."""
        ...

    def forget_pairs_of(self, company_ids: Sequence[str]) -> None:
        """Forget every pair of `company_ids`."""
        ...

    # -- the history -------------------------------------------------------------------------

    def record_run(
        self, report: RunReport, *, started_at: datetime, finished_at: datetime, insert: bool
    ) -> None:
        """Append a run to the history, with its record errors."""
        ...

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The run history, newest first (times in UTC)."""
        ...

    def record_errors(self, run_id: str) -> list[dict[str, Any]]:
        """The record errors of one run: company_id, code and message of each."""
        ...


def land(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> exp.Expr:
    """Copy `rows` into the temporary table `name` of `con`; return a relation over it."""
    con.register("landing_rows", rows)
    try:
        con.execute(
            render(
                template(
                    "CREATE OR REPLACE TEMP TABLE $t AS SELECT * FROM landing_rows", t=table(name)
                )
            )
        )
    finally:
        con.unregister("landing_rows")
    return exp.select("*").from_(table(name)).subquery()
