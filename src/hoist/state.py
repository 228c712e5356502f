"""The state store: what Intercom confirmed per company, the run history and record errors.

One DuckDB file per activation, attached as ``state`` to an in-memory DuckDB connection that
also holds the run's scratch tables (``staged``, ``changes``), so scratch data never bloats the
file. A writer holds an exclusive lock file for the whole run; every commit is its own small
transaction appending to ``state.journal``, so a killed run leaves a readable file that holds
exactly what was confirmed. The journal is folded into ``state.companies`` once per run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa

from hoist.diff import STATE_TABLE, scalar, state_column
from hoist.errors import StateError, StateLockedError
from hoist.mapping import quote

__all__ = ["JOURNAL_TABLE", "Confirmation", "StateStore"]

#: Confirmed results appended while a run goes on; folded into the companies table after it.
JOURNAL_TABLE = "state.journal"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state.companies (company_id VARCHAR, intercom_id VARCHAR);
CREATE TABLE IF NOT EXISTS state.journal (seq BIGINT, company_id VARCHAR, intercom_id VARCHAR);
CREATE TABLE IF NOT EXISTS state.runs (
    run_id VARCHAR, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, status VARCHAR,
    insert_mode BOOLEAN, created BIGINT, updated BIGINT, unchanged BIGINT,
    not_in_intercom BIGINT, rejected BIGINT, failed BIGINT, api_calls BIGINT,
    duration_s DOUBLE, message VARCHAR);
CREATE TABLE IF NOT EXISTS state.record_errors (
    run_id VARCHAR, company_id VARCHAR, code VARCHAR, message VARCHAR);
"""

_RUN_COLUMNS = (
    "run_id",
    "started_at",
    "finished_at",
    "status",
    "insert_mode",
    "created",
    "updated",
    "unchanged",
    "not_in_intercom",
    "rejected",
    "failed",
    "api_calls",
    "duration_s",
    "message",
)


@dataclass(frozen=True)
class Confirmation:
    """Intercom confirmed (2xx) that `company_id` has id `intercom_id` and these values.

    `texts` maps attributes to the JSON text of the values Intercom accepted; attributes not
    in it keep what state had.
    """

    company_id: str
    intercom_id: str
    texts: dict[str, str]


class StateStore:
    """Open with `StateStore.open`; use as a context manager so the lock is always released."""

    def __init__(self, con: duckdb.DuckDBPyConnection, lock: IO[str] | None) -> None:
        self.con = con
        self._lock = lock
        self._next_seq = int(scalar(con, f"SELECT coalesce(max(seq), 0) + 1 FROM {JOURNAL_TABLE}"))

    @classmethod
    def open(
        cls, path: Path, *, read_only: bool = False, memory_limit: str = "512MB"
    ) -> StateStore:
        """Attach the state file at `path` (created for writers; read-only for plans)."""
        lock = None if read_only else _acquire_lock(path)
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
                mode = " (READ_ONLY)" if read_only else ""
                con.execute(f"ATTACH {_text(str(path))} AS state{mode}")
            if not read_only or not path.exists():
                con.execute(_SCHEMA)
        except duckdb.Error as exc:
            _release(lock)
            if "lock" in str(exc).lower():
                raise StateLockedError(
                    f"the state file {path} is in use by another hoist process"
                ) from exc
            raise StateError(f"cannot open the state file {path}: {exc}") from exc
        store = cls(con, lock)
        if not read_only:
            store.fold()  # what a killed run confirmed but never folded
        return store

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and release the lock."""
        with contextlib.suppress(duckdb.Error):
            self.con.close()
        _release(self._lock)
        self._lock = None

    def add_attribute_columns(self, attributes: Iterable[str]) -> None:
        """Give the state tables a column for every mapped attribute (writers only)."""
        for attribute in attributes:
            column = quote(state_column(attribute))
            for table in (STATE_TABLE, JOURNAL_TABLE):
                self.con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} VARCHAR")

    def commit(self, confirmations: Sequence[Confirmation], attributes: Sequence[str]) -> None:
        """Append confirmed results to the journal, durably, in one small transaction.

        Appending costs the same whatever the size of state (a MERGE into a table of ten
        million companies takes a quarter of a second); `fold` moves the journal into the
        companies table once per run.
        """
        if not confirmations:
            return
        first = self._next_seq
        self._next_seq += len(confirmations)
        batch = pa.table(
            {
                "seq": pa.array(range(first, self._next_seq), pa.int64()),
                "company_id": [c.company_id for c in confirmations],
                "intercom_id": [c.intercom_id for c in confirmations],
                **{
                    state_column(a): pa.array([c.texts.get(a) for c in confirmations], pa.string())
                    for a in attributes
                },
            }
        )
        self.con.register("confirmed_batch", batch)
        try:
            self.con.execute(f"INSERT INTO {JOURNAL_TABLE} BY NAME SELECT * FROM confirmed_batch")
        finally:
            self.con.unregister("confirmed_batch")

    def fold(self) -> None:
        """Move the journal into the companies table, in one transaction (writers only)."""
        if not self._journal_rows():
            return
        columns = ["intercom_id", *self._attribute_columns(JOURNAL_TABLE)]
        updates = ", ".join(
            f"{quote(c)} = coalesce(b.{quote(c)}, {STATE_TABLE}.{quote(c)})" for c in columns
        )
        names = ", ".join(quote(c) for c in ["company_id", *columns])
        values = ", ".join(f"b.{quote(c)}" for c in ["company_id", *columns])
        self.con.execute("BEGIN")
        self.con.execute(
            f"""
            MERGE INTO {STATE_TABLE} USING {self._journal_latest(columns)} AS b
            ON {STATE_TABLE}.company_id = b.company_id
            WHEN MATCHED THEN UPDATE SET {updates}
            WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})
            """
        )
        self.con.execute(f"DELETE FROM {JOURNAL_TABLE}")
        self.con.execute("COMMIT")

    def _journal_rows(self) -> int:
        return int(scalar(self.con, f"SELECT count(*) FROM {JOURNAL_TABLE}"))

    def _journal_latest(self, columns: Sequence[str]) -> str:
        """Per company, the latest journalled value of each column (NULL: not confirmed)."""
        latest = ", ".join(
            f"arg_max({quote(c)}, seq) FILTER (WHERE {quote(c)} IS NOT NULL) AS {quote(c)}"
            for c in columns
        )
        return f"(SELECT company_id, {latest} FROM {JOURNAL_TABLE} GROUP BY company_id)"

    def _attribute_columns(self, table: str) -> list[str]:
        catalog, name = table.split(".")
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_name = ? ORDER BY ordinal_position",
            [catalog, name],
        ).fetchall()
        return [row[0] for row in rows if row[0].startswith("a:")]

    def forget_intercom_ids(self, company_ids: Sequence[str]) -> None:
        """Drop companies Intercom no longer knows (404 by id), so they are resolved again."""
        if company_ids:
            self.con.execute(
                f"DELETE FROM {STATE_TABLE} WHERE company_id IN (SELECT unnest(?))",
                [list(company_ids)],
            )

    def record_run(
        self, values: dict[str, Any], errors: Sequence[tuple[str | None, str, str]]
    ) -> None:
        """Append a run to the history, with its record errors, in one transaction."""
        placeholders = ", ".join("?" for _ in _RUN_COLUMNS)
        self.con.execute("BEGIN")
        self.con.execute(
            f"INSERT INTO state.runs ({', '.join(_RUN_COLUMNS)}) VALUES ({placeholders})",
            [values.get(column) for column in _RUN_COLUMNS],
        )
        if errors:
            table = pa.table(
                {
                    "run_id": [values["run_id"]] * len(errors),
                    "company_id": pa.array([e[0] for e in errors], pa.string()),
                    "code": [e[1] for e in errors],
                    "message": [e[2] for e in errors],
                }
            )
            self.con.register("run_errors", table)
            self.con.execute("INSERT INTO state.record_errors SELECT * FROM run_errors")
            self.con.unregister("run_errors")
        self.con.execute("COMMIT")

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The run history, newest first."""
        cursor = self.con.execute(
            f"SELECT {', '.join(_RUN_COLUMNS)} FROM state.runs ORDER BY started_at DESC LIMIT ?",
            [limit],
        )
        return [dict(zip(_RUN_COLUMNS, row, strict=True)) for row in cursor.fetchall()]

    def state_relation(self, attributes: Sequence[str]) -> str:
        """SQL for what Intercom confirmed, with a column per attribute (NULL: never recorded).

        A run folds the journal before diffing; a plan cannot write, so it reads the journal
        left by a killed run on top of the companies table.
        """
        present = set(self._attribute_columns(STATE_TABLE))
        columns = [
            quote(column) if column in present else f"NULL::VARCHAR AS {quote(column)}"
            for column in (state_column(a) for a in attributes)
        ]
        listed = ", ".join(columns) or "NULL AS _none"
        companies = f"(SELECT company_id, intercom_id, {listed} FROM {STATE_TABLE})"
        if not self._journal_rows():
            return companies
        journalled = [c for c in map(state_column, attributes) if c in present]
        merged = ", ".join(
            f"coalesce(j.{quote(c)}, c.{quote(c)}) AS {quote(c)}"
            for c in ["intercom_id", *journalled]
        )
        others = [
            f"c.{quote(state_column(a))}" for a in attributes if state_column(a) not in present
        ]
        return (
            f"(SELECT coalesce(j.company_id, c.company_id) AS company_id, "
            f"{', '.join([merged, *others])} FROM {companies} c "
            f"FULL JOIN {self._journal_latest(['intercom_id', *journalled])} j "
            f"ON c.company_id = j.company_id)"
        )


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _acquire_lock(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path.with_name(path.name + ".lock"), "a+")  # noqa: SIM115 (held for the run)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StateLockedError(
            f"another run of this activation is in progress (pid {holder}); "
            f"wait for it to finish (lock: {path.name}.lock)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _release(lock: IO[str] | None) -> None:
    if lock is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()
