"""The local state store: one DuckDB file per activation, attached to an in-memory DuckDB.

The in-memory connection also holds the run's scratch tables (``staged``, ``changes``,
see `hoist.diff.local_changeset`), so scratch data never bloats the file. A writer holds an
exclusive lock for the whole run; every commit is its own small transaction appending to the
journal, so a killed run leaves a readable file that holds exactly what was confirmed. The journal
is folded into the companies table once per run, and on the next open after a kill.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.config import DEFAULT_MEMORY_LIMIT
from hoist.diff.changes import Confirmation
from hoist.diff.local import state_column
from hoist.diff.local_changeset import ChangeSet
from hoist.errors import StateError, StateLockedError
from hoist.report import RunReport
from hoist.sql.build import literal, render, template
from hoist.sql.state import RUN_COLUMNS, StateTables
from hoist.state.contract import Capabilities, Diffed, DiffRequest
from hoist.state.lock import acquire_lock, release_lock
from hoist.state.migrations import SCHEMA_VERSION, check_readable, migrate, read_version
from hoist.state.modes import private_file

__all__ = ["StateStore"]

T = TypeVar("T")

_TABLES = StateTables("state")
_BATCH = "confirmed_batch"
_ERRORS = "run_errors"
_GONE = "gone_ids"
_MISSING = "missing_ids"
_PAIRS = "pairs_batch"


class StateStore:
    """Open with `StateStore.open`; use as a context manager so the lock is always released.

    A `hoist.state.contract.StateBackend`: its scratch connection is the state's own.
    """

    capabilities = Capabilities()

    def __init__(self, con: duckdb.DuckDBPyConnection, lock: IO[str] | None) -> None:
        self.con = con
        self._lock = lock
        self._path: Path | None = None
        self._where: Path = Path()
        self._next_seq = int(self._value(_TABLES.next_seq_query()))

    @property
    def scratch(self) -> duckdb.DuckDBPyConnection:
        """The in-memory DuckDB the state file is attached to: the diff's scratch tables too."""
        return self.con

    @property
    def where(self) -> Path:
        """The state file."""
        return self._where

    @classmethod
    def open(
        cls, path: Path, *, read_only: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT
    ) -> StateStore:
        """Attach the state file at `path`: created and migrated for writers, read-only for plans.

        An older state is migrated forward; a newer or damaged one is a `StateError` (starting
        over would re-send every company).
        """
        lock = None if read_only else acquire_lock(path)
        try:
            con = _connect(path, read_only=read_only, memory_limit=memory_limit)
            version = read_version(con, _TABLES, str(path))
            if read_only:
                check_readable(version, str(path))
                if version is None:
                    _create_tables(con)
            elif version != SCHEMA_VERSION:
                migrate(con, _TABLES, version, str(path))
        except BaseException:
            release_lock(lock)
            raise
        store = cls(con, lock)
        if not read_only:
            private_file(path)
            store.fold()  # what a killed run confirmed but never folded
        store._path = None if read_only else path
        store._where = path
        return store

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and release the lock."""
        with contextlib.suppress(duckdb.Error):
            self.con.close()
        if self._path is not None:
            private_file(self._path)  # DuckDB may have made a new write-ahead log meanwhile
        release_lock(self._lock)
        self._lock = None

    async def call(self, call: Callable[..., T], *args: Any, name: str) -> T:
        """`call(*args)` on the loop: a local file cannot hang, and its connection also pages
        the changes, so it stays in this thread."""
        del name
        return call(*args)

    def diff(self, source: object, model: Any, request: DiffRequest) -> Diffed:
        """Diff the model rows `model.reader` streams against state, in the scratch DuckDB."""
        del source
        names = [f.attribute for f in request.fields]
        if request.full_resync:
            # Update-only runs also look every company up again: state's ids are not trusted.
            relation = self.blank_relation(names, keep_ids=request.insert)
        else:
            relation = self.relation(names)
        changes = ChangeSet.build(
            self.con, model.reader, request.fields, request.id_column, relation
        )
        # Local state reads the whole model out of the source, bad rows included.
        rows = changes.counts.rows
        return Diffed(changes, rows, f"read {rows:,} rows")

    def delivered_relation(self, attributes: Sequence[str]) -> exp.Expr:
        """The companies with an Intercom id and their delivered texts (the state itself)."""
        return self.relation(attributes)

    def companies_relation(self) -> exp.Expr:
        """(company_id, intercom_id) of every company state knows."""
        return self.relation([])

    def holds_deliveries(self) -> bool:
        """Whether a company is recorded (folded, or in the journal a killed run left); the
        run history does not count."""
        return bool(self._value(_TABLES.deliveries_query()))

    def add_attribute_columns(self, attributes: Iterable[str]) -> None:
        """Give the state tables a column for every mapped attribute (writers only)."""
        for attribute in attributes:
            for statement in _TABLES.add_column_statements(attribute):
                self._run(statement)

    def commit(self, confirmations: Sequence[Confirmation], attributes: Sequence[str]) -> None:
        """Append confirmed results to the journal, durably, in one small transaction."""
        if not confirmations:
            return
        first = self._next_seq
        self._next_seq += len(confirmations)
        batch = pa.table(
            {
                "seq": pa.array(range(first, self._next_seq), pa.int64()),
                "company_id": [c.company_id for c in confirmations],
                "intercom_id": [c.intercom_id for c in confirmations],
                "user_count": pa.array([c.user_count for c in confirmations], pa.int64()),
                **{
                    state_column(a): pa.array([c.texts.get(a) for c in confirmations], pa.string())
                    for a in attributes
                },
            }
        )
        with self._registered(_BATCH, batch):
            self._run(_TABLES.journal_insert(batch.column_names, _BATCH))

    def fold(self) -> None:
        """Move the journal into the companies table, in one transaction (writers only)."""
        if not self._value(_TABLES.journal_count_query()):
            return
        columns = ["intercom_id", "user_count", *self._attribute_columns("journal")]
        self.con.execute("BEGIN")
        for statement in _TABLES.fold_statements(columns):
            self._run(statement)
        self.con.execute("COMMIT")

    def forget_intercom_ids(self, company_ids: Sequence[str]) -> None:
        """Drop companies Intercom no longer knows (404 by id), so they are resolved again."""
        if company_ids:
            with self._registered(_GONE, pa.table({"company_id": list(company_ids)})):
                self._run(_TABLES.forget_statement(_GONE))

    def missing(self) -> exp.Expr:
        """(company_id, row_hash) of companies not found in Intercom when last looked up.

        A plan over a state from before version 3 sees none.
        """
        present = {row[0] for row in self.con.execute(render(_TABLES.tables_query())).fetchall()}
        if "missing" in present:
            return _TABLES.table("missing")
        return template(
            "(SELECT CAST(NULL AS VARCHAR) AS company_id, CAST(NULL AS UBIGINT) AS row_hash "
            "WHERE FALSE)"
        )

    def missing_ids(self) -> list[str]:
        """The company_ids the latest lookups did not find in Intercom, sorted."""
        query = template("SELECT company_id FROM $m AS m ORDER BY company_id", m=self.missing())
        return [str(row[0]) for row in self.con.execute(render(query)).fetchall()]

    def remember_missing(self, missing: Sequence[tuple[str, int]]) -> None:
        """Record companies Intercom does not have, with the hash of their row (writers)."""
        if missing:
            rows = pa.table(
                {
                    "company_id": [m[0] for m in missing],
                    "row_hash": pa.array([m[1] for m in missing], pa.uint64()),
                }
            )
            with self._registered(_MISSING, rows):
                for statement in _TABLES.remember_missing_statements(_MISSING):
                    self._run(statement)

    def forget_missing(self, company_ids: Sequence[str]) -> None:
        """Companies found in Intercom after all are no longer remembered as missing."""
        if company_ids:
            with self._registered(_MISSING, pa.table({"company_id": list(company_ids)})):
                self._run(_TABLES.forget_missing_statement(_MISSING))

    def relation(self, attributes: Sequence[str]) -> exp.Expr:
        """What Intercom confirmed, with a column per attribute (NULL: never recorded).

        A run folds the journal before diffing; a plan cannot write, so it reads the journal
        left by a killed run on top of the companies table.
        """
        present = set(self._attribute_columns("companies"))
        with_journal = bool(self._value(_TABLES.journal_count_query()))
        return _TABLES.relation(attributes, present, with_journal=with_journal)

    def meta_values(self, keys: Sequence[str]) -> dict[str, str]:
        """The values recorded under `keys` in the state's ``meta`` table (absent keys left out)."""
        rows = self.con.execute(render(_TABLES.meta_query(keys))).fetchall()
        return {str(key): str(value) for key, value in rows}

    def set_meta_values(self, values: dict[str, str]) -> None:
        """Record `values` in ``meta``, in one transaction (writers only)."""
        self.con.execute("BEGIN")
        for key, value in values.items():
            for statement in _TABLES.set_meta_statements(key, value):
                self._run(statement)
        self.con.execute("COMMIT")

    def blank_relation(self, attributes: Sequence[str], *, keep_ids: bool) -> exp.Expr:
        """The companies state knows, as if nothing had been delivered (a full resync).

        Every attribute is NULL, so the diff sends every mapped value of every company; the
        Intercom ids stay only with `keep_ids`.
        """
        return _TABLES.blank_relation(attributes, self.relation(attributes), keep_ids=keep_ids)

    def delivered_count(self, attribute: str) -> int:
        """How many companies state says hold a delivered value of `attribute`."""
        if state_column(attribute) not in self._attribute_columns("companies"):
            return 0
        return int(self._value(_TABLES.delivered_count_query(attribute)))

    def record_pairs(self, rows: Sequence[tuple[str, str, str | None, datetime]]) -> None:
        """Remember (company_id, contact key, contact id or None, checked at) in one transaction."""
        if not rows:
            return
        company_ids, keys, contact_ids, checked = zip(*rows, strict=True)
        batch = pa.table(
            {
                "company_id": pa.array(company_ids, pa.string()),
                "contact_key": pa.array(keys, pa.string()),
                "contact_id": pa.array(contact_ids, pa.string()),
                "checked_at": pa.array(checked, pa.timestamp("us", "UTC")),
            }
        )
        with self._registered(_PAIRS, batch):
            self.con.execute("BEGIN")
            for statement in _TABLES.record_pairs_statements(_PAIRS):
                self._run(statement)
            self.con.execute("COMMIT")

    def forget_pairs(self, rows: Sequence[tuple[str, str, str | None]]) -> None:
        """Forget (company_id, contact key, contact id or None) pairs."""
        if rows:
            names = ["company_id", "contact_key", "contact_id"]
            batch = pa.table(
                {n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)}
            )
            with self._registered(_PAIRS, batch):
                self._run(_TABLES.forget_pairs_statement(_PAIRS))

    def forget_pairs_of(self, company_ids: Sequence[str]) -> None:
        """Forget every pair of `company_ids` (gone from Intercom, with their contacts)."""
        if company_ids:
            batch = pa.table({"company_id": pa.array(list(company_ids), pa.string())})
            with self._registered(_PAIRS, batch):
                self._run(_TABLES.forget_pairs_of_statement(_PAIRS))

    def without_contacts(self) -> int:
        """How many delivered companies Intercom last said have no contact attached.

        A plan over a state from before schema 4 knows no user_count yet: 0.
        """
        if "user_count" not in self._columns("companies"):
            return 0
        with_journal = bool(self._value(_TABLES.journal_count_query()))
        return int(self._value(_TABLES.without_contacts_query(with_journal=with_journal)))

    def pairs_relation(self) -> exp.Expr:
        """The contact pairs state remembers (none in a plan over a state before schema 4)."""
        return _TABLES.pairs_relation(present=bool(self._columns("contact_pairs")))

    def record_run(
        self, report: RunReport, *, started_at: datetime, finished_at: datetime, insert: bool
    ) -> None:
        """Append a run to the history, with its record errors, in one transaction."""
        values: dict[str, Any] = {
            **report.to_json(),
            "started_at": started_at,
            "finished_at": finished_at,
            "insert_mode": insert,
        }
        errors = pa.table(
            {
                "run_id": [report.run_id] * len(report.errors),
                "company_id": pa.array([e.company_id for e in report.errors], pa.string()),
                "code": pa.array([e.code for e in report.errors], pa.string()),
                "message": pa.array([e.message for e in report.errors], pa.string()),
            }
        )
        self.con.execute("BEGIN")
        self.con.execute(render(_TABLES.run_insert()), [values.get(c) for c, _ in RUN_COLUMNS])
        if report.errors:
            with self._registered(_ERRORS, errors):
                self._run(_TABLES.errors_insert(_ERRORS))
        self.con.execute("COMMIT")

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The run history, newest first."""
        present = set(self._columns("runs"))
        rows = self.con.execute(render(_TABLES.runs_query(limit, present))).fetchall()
        names = [name for name, _ in RUN_COLUMNS]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def record_errors(self, run_id: str) -> list[dict[str, Any]]:
        """The record errors of one run: company_id, code and message of each."""
        rows = self.con.execute(render(_TABLES.errors_query(run_id))).fetchall()
        return [dict(zip(("company_id", "code", "message"), row, strict=True)) for row in rows]

    def _attribute_columns(self, table: str) -> list[str]:
        return [name for name in self._columns(table) if name.startswith("a:")]

    def _columns(self, table: str) -> list[str]:
        rows = self.con.execute(render(_TABLES.columns_query(table))).fetchall()
        return [row[0] for row in rows]

    def _run(self, statement: exp.Expr) -> None:
        self.con.execute(render(statement))

    def _value(self, query: exp.Expr) -> Any:
        rows = self.con.execute(render(query)).fetchall()
        return rows[0][0] if rows else None

    @contextlib.contextmanager
    def _registered(self, name: str, data: pa.Table) -> Any:
        self.con.register(name, data)
        try:
            yield
        finally:
            self.con.unregister(name)


def _connect(path: Path, *, read_only: bool, memory_limit: str) -> duckdb.DuckDBPyConnection:
    try:
        # Scratch tables spill beside the state file rather than in the working directory.
        con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": memory_limit,
                "preserve_insertion_order": "false",
                "temp_directory": str(path.with_name(path.name + ".tmp")),
            },
        )
        if read_only and not path.exists():
            con.execute("ATTACH ':memory:' AS state")
        else:
            attach = "ATTACH $p AS state (READ_ONLY)" if read_only else "ATTACH $p AS state"
            con.execute(render(template(attach, p=literal(str(path)))))
    except duckdb.Error as exc:
        text = str(exc).lower()
        # Another process holds the file ("lock"), or a run in this one does (`hoist serve`:
        # DuckDB attaches one file once per process, "unique file handle conflict").
        if "lock" in text or "file handle conflict" in text:
            raise StateLockedError(f"the state file {path} is in use by another hoist run") from exc
        raise StateError(
            f"cannot open the state file {path} ({exc}); if it is damaged, restore it from a "
            "backup: hoist never starts over on its own, which would re-send every company"
        ) from exc
    return con


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in _TABLES.create_statements():
        con.execute(render(statement))
