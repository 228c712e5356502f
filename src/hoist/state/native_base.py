"""What every part of warehouse-native state shares: the warehouse protocols, the activation's
tables and what is known of them, and the few calls that read and append them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.diff.fingerprint import FINGERPRINT_COLUMN
from hoist.diff.in_warehouse import portable
from hoist.diff.local import state_column
from hoist.errors import StateError
from hoist.sql.build import render
from hoist.sql.native_state import (
    NATIVE_VERSION,
    NativeTables,
)

__all__ = ["Catalog", "NativeBase", "Warehouse"]


@runtime_checkable
class Warehouse(Protocol):
    """What native state needs from a source: statements, small queries, bulk appends."""

    dialect: str

    def execute(self, sql: str) -> None:
        """Run one statement and commit it."""
        ...

    def query(self, sql: str) -> pa.Table:
        """Run a query whose result is small and return it whole."""
        ...

    def append(self, schema: str, table: str, rows: pa.Table) -> None:
        """Append `rows` to `schema`.`table` (columns matched by name) and commit."""
        ...


@runtime_checkable
class Catalog(Protocol):
    """A warehouse without information_schema (Spark) lists tables and columns itself."""

    def table_names(self, schema: str) -> list[str]:
        """The tables of `schema`."""
        ...

    def column_names(self, schema: str, table: str) -> list[str]:
        """The columns of `schema`.`table` (none when it does not exist)."""
        ...


class _Caseless(set[str]):
    """Names from a case-insensitive catalog (Spark's; Hive stores them lower-cased)."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(name.lower() for name in names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def add(self, name: str) -> None:
        """Remember `name` (in any case)."""
        super().add(name.lower())


@dataclass
class _Meta:
    generation: int | None  # None: no snapshot yet
    folded_seq: int
    version: int = NATIVE_VERSION


class NativeBase:
    """The warehouse, the activation's tables and what is known of them (set by
    `NativeStateStore.__init__`); reading and appending the tables."""

    warehouse: Warehouse
    tables: NativeTables
    read_only: bool
    _scratch: duckdb.DuckDBPyConnection
    _attributes: list[str]
    _exists: set[str]
    _meta: _Meta
    _journal: str
    _journal_rows: int
    _last_seq: int

    def _forget_table(self, name: str) -> None:
        """`name` (an activation's table) was dropped."""
        for listed in (self.tables.name(name), self.tables.name(name).lower()):
            self._exists.discard(listed)

    def _append_numbered(self, name: str, columns: dict[str, list[Any]]) -> None:
        """Append rows to an append-only table after its highest ``seq``."""
        count = len(next(iter(columns.values())))
        if not count:
            return
        first = int(self._query(self.tables.max_seq_query(name)).column(0)[0].as_py()) + 1
        kinds = {"_found": pa.bool_(), "checked_at": pa.timestamp("us")}
        rows = {
            "seq": pa.array(range(first, first + count), pa.int64()),
            **{k: pa.array(v, kinds.get(k, pa.string())) for k, v in columns.items()},
        }
        self._append(name, pa.table(rows))

    def _append(self, name: str, rows: pa.Table) -> None:
        if self.read_only:
            raise StateError("a plan never writes state")
        target = self._journal if name == "journal" else name
        self.warehouse.append(self.tables.schema, self.tables.name(target), rows)
        if name == "journal":
            self._last_seq += rows.num_rows
            self._journal_rows += rows.num_rows

    def _table_names(self) -> set[str]:
        if isinstance(self.warehouse, Catalog):
            return _Caseless(self.warehouse.table_names(self.tables.schema))
        result = self._query(self.tables.tables_query())
        return {str(name) for name in result.column(0).to_pylist()}

    def _columns(self, name: str) -> set[str]:
        if isinstance(self.warehouse, Catalog):
            listed = self.warehouse.column_names(self.tables.schema, self.tables.name(name))
            return _Caseless(listed)
        result = self._query(self.tables.columns_query(name))
        return {str(c) for c in result.column(0).to_pylist()}

    def _read_meta(self) -> _Meta:
        if self.tables.name("meta") not in self._exists:
            return _Meta(None, 0)
        rows = self._query(self.tables.meta_query()).to_pylist()
        if not rows:
            return _Meta(None, 0)
        if int(rows[0]["schema_version"]) > NATIVE_VERSION:
            raise StateError(
                f"the state in {self.tables.schema} was written by a newer hoist "
                f"(schema version {rows[0]['schema_version']}); upgrade hoist"
            )
        meta = rows[0]
        return _Meta(int(meta["generation"]), int(meta["folded_seq"]), int(meta["schema_version"]))

    def _current_journal(self) -> str:
        """The journal the current generation reads: its own (``journal_<g>``, made by a
        compaction on an engine without DELETE) or the first one."""
        generation = self._meta.generation
        own = f"journal_{generation}"
        if generation is not None and self.tables.name(own) in self._exists:
            return own
        return "journal"

    def _journal_tail(self) -> tuple[int, int]:
        if self.tables.name(self._journal) not in self._exists:
            return 0, self._meta.folded_seq
        query = self.tables.journal_tail_query(self._meta.folded_seq, self._journal)
        row = self._query(query).to_pylist()[0]
        count, last = row.values()
        return int(count), int(last)

    def _execute(self, statement: exp.Expr) -> None:
        self.warehouse.execute(_render(statement, self.warehouse.dialect))

    def _query(self, query: exp.Expr) -> pa.Table:
        return self.warehouse.query(_render(query, self.warehouse.dialect))


def _render(statement: exp.Expr, dialect: str) -> str:
    return render(portable(statement, dialect), dialect)


def _unwrapped(relation: exp.Expr) -> exp.Expr:
    return relation.this if isinstance(relation, exp.Subquery) else relation


def _empty(attributes: Sequence[str], extra: Sequence[str] = ()) -> exp.Expr:
    """A relation with the state's columns and no row (no state tables yet)."""
    names = [
        "company_id",
        "intercom_id",
        *map(state_column, attributes),
        FINGERPRINT_COLUMN,
        *extra,
    ]
    columns = [
        exp.cast(exp.null(), "VARCHAR").as_(exp.to_identifier(n, quoted=True)) for n in names
    ]
    return exp.select(*columns).where(exp.false()).subquery()


def _arrow_schema(columns: Sequence[tuple[str, str]]) -> pa.Schema:
    kinds = {
        "VARCHAR": pa.string(),
        "TIMESTAMP": pa.timestamp("us"),
        "BOOLEAN": pa.bool_(),
        "BIGINT": pa.int64(),
        "DOUBLE": pa.float64(),
    }
    return pa.schema([(name, kinds[kind]) for name, kind in columns])


def _text(count: int | None) -> str | None:
    """`user_count` as the journal keeps it (text, overlaid like an attribute)."""
    return None if count is None else str(count)


def _naive_utc(moment: datetime) -> datetime:
    # Warehouses disagree on zoned timestamps; the history stores UTC without a zone.
    offset = moment.utcoffset()
    return (moment - offset).replace(tzinfo=None) if offset is not None else moment
