"""Warehouse-native state: what Intercom confirmed, kept in a schema of the source warehouse.

The same facts as the local state file (per company its Intercom id and the last confirmed
text of each attribute, the run history, the record errors), in tables the warehouse itself
diffs against, so only changed rows leave it. Built for engines without cheap row updates or
MERGE: confirmations are appended to a journal in batches as they arrive, and a compaction
rebuilds the snapshot with CREATE TABLE AS (see `hoist.sql.native_state`).

Crash safety is the local state's: only confirmed results are appended; a run killed at any
point leaves the journal holding what was confirmed, which every later read overlays on the
snapshot; a compaction killed before its meta row is written left the old generation current
(its half-built table is dropped and rebuilt next time), one killed after it left the new one.
On engines without DELETE the compaction also starts the new generation's journal before that
commit point (`_rotate`), so a crash either side of it leaves a snapshot and the journal
written after it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar, runtime_checkable

import duckdb
import pyarrow as pa
from sqlglot import exp

from hoist.config import DEFAULT_MEMORY_LIMIT, ActivationConfig
from hoist.diff import fingerprint
from hoist.diff.changes import Confirmation
from hoist.diff.fingerprint import FINGERPRINT_COLUMN
from hoist.diff.in_warehouse import MISSING_SEEN, DiffSpec, model_relation, portable
from hoist.diff.in_warehouse_changeset import NativeChangeSet
from hoist.diff.local import state_column
from hoist.errors import ConfigError, SourceError, StateError
from hoist.offload import in_daemon_thread
from hoist.report import RunReport
from hoist.sql.build import column, render, table, template
from hoist.sql.native_state import (
    ERROR_COLUMNS,
    NATIVE_VERSION,
    RUN_COLUMNS,
    USER_COUNT,
    NativeTables,
)
from hoist.sql.state import PAIR_COLUMNS, StateTables
from hoist.state.contract import Capabilities, Diffed, DiffRequest, PairRow, land
from hoist.state.lock import acquire_lock, release_lock
from hoist.state.pairs import replay_pairs

__all__ = [
    "Catalog",
    "NativeStateStore",
    "Warehouse",
    "holds_native_deliveries",
    "holds_native_state",
    "native_store",
]

T = TypeVar("T")

#: The local state's statements that apply to any relation (a full resync's blank state).
_LOCAL = StateTables()

#: The tables a compaction makes per generation (``snapshot_<g>``, ``journal_<g>``).
_GENERATIONS = ("snapshot", "journal")

#: Compact when the journal holds at least this share of the snapshot's companies.
_COMPACT_SHARE = 0.05


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


class NativeStateStore:
    """Open with `NativeStateStore.open`; one per run of one activation."""

    def __init__(
        self,
        warehouse: Warehouse,
        tables: NativeTables,
        *,
        read_only: bool,
        lock: IO[str] | None = None,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
    ) -> None:
        self.warehouse = warehouse
        self.tables = tables
        self.read_only = read_only
        self.capabilities = Capabilities(deletes=getattr(warehouse, "can_delete", True))
        self._lock = lock
        #: The run's local scratch DuckDB: small, holds changed rows only.
        self._scratch = duckdb.connect(":memory:", config={"memory_limit": memory_limit})
        self._attributes: list[str] = []
        self._exists = self._table_names()
        self._meta = self._read_meta()
        self._journal = self._current_journal()
        self._journal_rows, self._last_seq = self._journal_tail()

    @classmethod
    def open(
        cls,
        warehouse: Warehouse,
        schema: str,
        activation: str,
        *,
        read_only: bool = False,
        lock_path: Path | None = None,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
    ) -> NativeStateStore:
        """Open (writers: create) the activation's state tables in `schema`.

        A plan (`read_only`) creates the schema on first use and nothing else; tables it does
        not find read as empty. Writers hold the local lock file at `lock_path` for the run.
        """
        lock = None if read_only or lock_path is None else acquire_lock(lock_path)
        try:
            tables = NativeTables(schema, activation)
            warehouse.execute(_render(tables.create_schema(), warehouse.dialect))
            if not read_only:
                for statement in tables.create_statements():
                    warehouse.execute(_render(statement, warehouse.dialect))
            return cls(warehouse, tables, read_only=read_only, lock=lock, memory_limit=memory_limit)
        except BaseException:
            release_lock(lock)
            raise

    def __enter__(self) -> NativeStateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the lock and the scratch (the warehouse connection belongs to the source)."""
        with contextlib.suppress(duckdb.Error):
            self._scratch.close()
        release_lock(self._lock)
        self._lock = None

    async def call(self, call: Callable[..., T], *args: Any, name: str) -> T:
        """`call(*args)` in a daemon thread: a warehouse that stops answering blocks neither
        the signals nor the end of the run."""
        return await in_daemon_thread(call, *args, name=name)

    @property
    def scratch(self) -> duckdb.DuckDBPyConnection:
        """The run's local DuckDB for the changes the warehouse sent."""
        return self._scratch

    @property
    def where(self) -> str:
        """A description of where the tables are, for messages."""
        return f"the state in schema {self.tables.schema!r} of the warehouse"

    def diff(self, source: Any, model: Any, request: DiffRequest) -> Diffed:
        """Diff in the warehouse (`source`, the one state is kept in) under the same rules as
        the local diff; land what it sends in scratch."""
        dialect = self.warehouse.dialect
        names = [f.attribute for f in request.fields]
        if request.full_resync:
            relation = self.blank_relation(names, keep_ids=request.insert)
        else:
            relation = self.relation(names)
        skip_missing = request.insert or request.recheck_missing
        spec = DiffSpec(
            request.fields,
            request.id_column,
            model_relation(model.sql, dialect),
            relation,
            on_removal=request.on_removal,
            insert=request.insert,
            missing=None if skip_missing else self.missing_relation(),
            fingerprint=fingerprint.expression(request.fields, request.id_column, dialect, "m"),
            dialect=dialect,
        )
        changes = NativeChangeSet.diff_in_warehouse(self._scratch, source, spec)
        counts = changes.counts
        described = (
            f"diffed {counts.rows:,} rows in the warehouse ({changes.rows_fetched:,} fetched)"
        )
        return Diffed(changes, changes.rows_fetched, described)

    # -- reading ---------------------------------------------------------------------------

    def relation(self, attributes: Sequence[str]) -> exp.Expr:
        """SQL (in the warehouse) for what Intercom confirmed, a column per attribute."""
        return self._relation(attributes)

    def _relation(self, attributes: Sequence[str], extra: Sequence[str] = ()) -> exp.Expr:
        if self.tables.name(self._journal) not in self._exists:
            return _empty([*attributes], extra)
        generation = self._meta.generation
        if generation is not None and not self._journal_rows:
            # The common case after a clean run: no journal to overlay, no window to compute.
            present = self._columns(f"snapshot_{generation}")
            return self.tables.snapshot_relation(attributes, generation, present, extra)
        return self.tables.relation(
            attributes,
            generation=generation,
            snapshot_columns=self._columns(f"snapshot_{generation}") if generation else set(),
            journal_columns=self._columns(self._journal),
            after=self._meta.folded_seq,
            journal=self._journal,
            extra=extra,
        )

    def blank_relation(self, attributes: Sequence[str], *, keep_ids: bool) -> exp.Expr:
        """The companies state knows, as if nothing had been delivered (a full resync)."""
        blank = _LOCAL.blank_relation(attributes, self.relation(attributes), keep_ids=keep_ids)
        query = exp.select(
            "*",
            exp.cast(exp.null(), "VARCHAR").as_(exp.to_identifier(FINGERPRINT_COLUMN, quoted=True)),
        )
        return exp.Subquery(
            this=query.from_(
                exp.Subquery(
                    this=_unwrapped(blank), alias=exp.TableAlias(this=exp.to_identifier("b"))
                )
            )
        )

    def delivered_count(self, attribute: str) -> int:
        """How many companies state says hold a delivered value of `attribute`."""
        relation = self.relation([attribute])
        query = template(
            "SELECT count(*) FROM $r AS r WHERE $c <> 'null'",
            r=relation,
            c=column(state_column(attribute)),
        )
        return int(self._query(query).column(0)[0].as_py())

    def delivered_relation(self, attributes: Sequence[str]) -> exp.Expr:
        """The companies with an Intercom id and their delivered texts, landed in scratch."""
        query = template(
            "SELECT * FROM $r AS r WHERE r.intercom_id IS NOT NULL", r=self.relation(attributes)
        )
        return land(self._scratch, "state_delivered", self._query(query))

    def companies_relation(self) -> exp.Expr:
        """(company_id, intercom_id) of every company state knows, landed in scratch."""
        query = template("SELECT company_id, intercom_id FROM $r AS r", r=self.relation([]))
        return land(self._scratch, "state_companies", self._query(query))

    def missing_relation(self) -> exp.Expr | None:
        """(company_id, row_hash) in the warehouse of companies last not found (None: none)."""
        if self.tables.name("missing") not in self._exists:
            return None
        return self.tables.missing_relation()

    def missing_ids(self) -> list[str]:
        """The company_ids the latest lookups did not find in Intercom, sorted."""
        relation = self.missing_relation()
        if relation is None:
            return []
        query = template("SELECT company_id FROM $m AS m ORDER BY company_id", m=relation)
        return [str(cid) for cid in self._query(query).column(0).to_pylist()]

    def missing(self) -> exp.Expr:
        """The same for the run's changed companies, landed locally by the diff."""
        return table(MISSING_SEEN)

    def remember_missing(self, missing: Sequence[tuple[str, int]]) -> None:
        """Record companies Intercom does not have, with the hash of their row (writers)."""
        rows: dict[str, list[Any]] = {
            "company_id": [m[0] for m in missing],
            "row_hash": [str(m[1]) for m in missing],
            "_found": [False] * len(missing),
        }
        self._append_numbered("missing", rows)

    def forget_missing(self, company_ids: Sequence[str]) -> None:
        """Companies found in Intercom after all are no longer remembered as missing."""
        rows: dict[str, list[Any]] = {
            "company_id": list(company_ids),
            "row_hash": [None] * len(company_ids),
            "_found": [True] * len(company_ids),
        }
        self._append_numbered("missing", rows)

    def without_contacts(self) -> int:
        """How many delivered companies Intercom last said have no contact attached."""
        if USER_COUNT not in self._columns(self._journal):
            return 0  # a state from before user_count was recorded
        relation = self._relation([], extra=[USER_COUNT])
        query = self.tables.without_contacts_query(relation)
        return int(self._query(query).column(0)[0].as_py())

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

    def holds_deliveries(self) -> bool:
        """Whether a company is recorded: a snapshot, or journal rows after it. The run
        history (failed attempts included) does not count."""
        return self._meta.generation is not None or self._journal_rows > 0

    def meta_values(self, keys: Sequence[str]) -> dict[str, str]:
        """The newest values recorded under `keys` in the settings (absent keys left out)."""
        if self.tables.name("settings") not in self._exists:
            return {}
        rows = self._query(self.tables.settings_query()).to_pylist()
        return {str(r["key"]): str(r["value"]) for r in rows if r["key"] in keys}

    def set_meta_values(self, values: dict[str, str]) -> None:
        """Record `values` in the settings, in one append (writers only)."""
        rows: dict[str, list[Any]] = {"key": list(values), "value": list(values.values())}
        self._append_numbered("settings", rows)

    def move_aside(self, stamp: str) -> list[str]:
        """Rename the activation's tables to ``<name>__replaced_<stamp>__...`` (never drop them);
        return the new names. The next run starts a new state (`--reset-state`)."""
        moved = []
        generation = self._meta.generation
        names = self.tables.names()
        if generation is not None:
            names.append(self.tables.name(f"snapshot_{generation}"))
        if self._journal != "journal":
            names.append(self.tables.name(self._journal))
        prefix = self.tables.name("")
        for name in names:
            if name in self._exists:
                new = f"{prefix}replaced_{stamp}__{name.removeprefix(prefix)}"
                self._execute(self.tables.rename(name, new))
                moved.append(new)
        return moved

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The run history, newest first (times in UTC, as the local state gives them)."""
        if self.tables.name("runs") not in self._exists:
            return []
        rows: list[dict[str, Any]] = self._query(self.tables.runs_query(limit)).to_pylist()
        for row in rows:
            for key in ("started_at", "finished_at"):
                if isinstance(row[key], datetime) and row[key].tzinfo is None:
                    row[key] = row[key].replace(tzinfo=UTC)
        return rows

    def record_errors(self, run_id: str) -> list[dict[str, Any]]:
        """The record errors of one run: company_id, code and message of each."""
        if self.tables.name("record_errors") not in self._exists:
            return []
        rows: list[dict[str, Any]] = self._query(self.tables.errors_query(run_id)).to_pylist()
        return rows

    # -- writing ---------------------------------------------------------------------------

    def add_attribute_columns(self, attributes: Sequence[str]) -> None:
        """Give the journal a column for every mapped attribute it lacks (and the fingerprint,
        which journals written before it existed lack)."""
        self._attributes = list(attributes)
        present = self._columns(self._journal)
        for name in [*map(state_column, attributes), FINGERPRINT_COLUMN, USER_COUNT]:
            if name not in present:
                self._execute(self.tables.add_column(name, self._journal))
        meta = self._meta
        if meta.generation is not None and meta.version < NATIVE_VERSION:
            # Stamp the current generation with this version, so older hoists refuse to write.
            self._execute(self.tables.meta_insert(meta.generation, meta.folded_seq))
            self._meta = _Meta(meta.generation, meta.folded_seq)

    def commit(self, confirmations: Sequence[Confirmation], attributes: Sequence[str]) -> None:
        """Append confirmed results to the journal in one bulk append."""
        if not confirmations:
            return
        first = self._last_seq + 1
        rows = {
            "seq": pa.array(range(first, first + len(confirmations)), pa.int64()),
            "company_id": pa.array([c.company_id for c in confirmations], pa.string()),
            "intercom_id": pa.array([c.intercom_id for c in confirmations], pa.string()),
            "_forget": pa.array([False] * len(confirmations), pa.bool_()),
            # '' (not NULL): this confirmation voids an older fingerprint it cannot vouch for.
            FINGERPRINT_COLUMN: pa.array([c.fingerprint or "" for c in confirmations], pa.string()),
            USER_COUNT: pa.array([_text(c.user_count) for c in confirmations], pa.string()),
            **{
                state_column(a): pa.array([c.texts.get(a) for c in confirmations], pa.string())
                for a in attributes
            },
        }
        self._append("journal", pa.table(rows))

    def forget_intercom_ids(self, company_ids: Sequence[str]) -> None:
        """Forget companies Intercom no longer knows (404 by id), so they are resolved again."""
        if not company_ids:
            return
        first = self._last_seq + 1
        rows = {
            "seq": pa.array(range(first, first + len(company_ids)), pa.int64()),
            "company_id": pa.array(list(company_ids), pa.string()),
            "intercom_id": pa.array([None] * len(company_ids), pa.string()),
            "_forget": pa.array([True] * len(company_ids), pa.bool_()),
        }
        self._append("journal", pa.table(rows))

    def fold(self, *, force: bool = False) -> bool:
        """Compact the journal into a new snapshot when it has grown (or `force`).

        The snapshot holds the attributes given to `add_attribute_columns`. Returns whether it
        compacted. Each step is safe to interrupt (see the module doc).
        """
        if self.read_only or not self._journal_rows:
            return False
        # Every attribute state holds, not only those of this run: a compaction must never
        # drop the values of an attribute (verify --repair maps none of its own).
        held = {c[2:] for c in self._columns(self._journal) if c.startswith("a:")}
        mapped = {name.lower() for name in self._attributes}  # Spark's catalog lower-cases
        attributes = [*self._attributes, *sorted(h for h in held if h.lower() not in mapped)]
        if not force and not self._worth_compacting():
            return False
        old = self._meta.generation
        new = (old or 0) + 1
        through = self._last_seq
        self._execute(self.tables.drop_snapshot(new))  # a half-built one from a crash
        journal_columns = self._columns(self._journal)
        relation = self.tables.relation(
            attributes,
            generation=old,
            snapshot_columns=self._columns(f"snapshot_{old}") if old else set(),
            journal_columns=journal_columns,
            after=self._meta.folded_seq,
            through=through,
            journal=self._journal,
            extra=[USER_COUNT] if USER_COUNT in journal_columns else [],
        )
        self._execute(self.tables.create_snapshot(new, relation))
        rotate = not getattr(self.warehouse, "can_delete", True)  # Parquet tables (Spark)
        if rotate:
            self._execute(self.tables.drop_table(f"journal_{new}"))  # a crash's, uncommitted
            self._execute(self.tables.create_empty_like(f"journal_{new}", self._journal))
        self._execute(self.tables.meta_insert(new, through))  # the commit point
        self._meta = _Meta(new, through)
        self._journal_rows = 0
        self._exists.add(self.tables.name(f"snapshot_{new}"))
        if old is not None:
            self._execute(self.tables.drop_snapshot(old))
            self._forget_table(f"snapshot_{old}")
        if rotate:
            self._retire_journal(f"journal_{new}")
        else:
            self._execute(self.tables.prune_journal(through))
        return True

    def _retire_journal(self, fresh: str) -> None:
        """Make `fresh` the journal and drop the folded one (its rows are in the snapshot). The
        first journal is recreated empty: its name marks where the activation's state lives."""
        folded, self._journal = self._journal, fresh
        self._exists.add(self.tables.name(fresh))
        self._execute(self.tables.drop_table(folded))
        self._forget_table(folded)
        if folded == "journal":
            self._execute(self.tables.create_statements()[0])
            self._exists.add(self.tables.name(folded))
        self._drop_leftovers()

    def _drop_leftovers(self) -> None:
        """Drop the snapshots and journals of older generations that a crash after their
        compaction's commit point left behind."""
        generation = self._meta.generation
        current = {self.tables.name(f"{kind}_{generation}").lower() for kind in _GENERATIONS}
        stem_name = self.tables.name("").lower()
        pattern = re.compile(re.escape(stem_name) + "(" + "|".join(_GENERATIONS) + r")_[0-9]+")
        for name in sorted(self._exists):
            if pattern.fullmatch(name.lower()) and name.lower() not in current:
                self._execute(self.tables.drop_table(name[len(stem_name) :]))
                self._exists.discard(name)

    def _forget_table(self, name: str) -> None:
        """`name` (an activation's table) was dropped."""
        for listed in (self.tables.name(name), self.tables.name(name).lower()):
            self._exists.discard(listed)

    def record_run(
        self, report: RunReport, *, started_at: datetime, finished_at: datetime, insert: bool
    ) -> None:
        """Append a run to the history, then its record errors."""
        values: dict[str, Any] = {
            **report.to_json(),
            "started_at": _naive_utc(started_at),
            "finished_at": _naive_utc(finished_at),
            "insert_mode": insert,
        }
        run = {name: [values.get(name)] for name, _ in RUN_COLUMNS}
        self._append("runs", pa.table(run, schema=_arrow_schema(RUN_COLUMNS)))
        if report.errors:
            errors = {
                "run_id": [report.run_id] * len(report.errors),
                "company_id": [e.company_id for e in report.errors],
                "code": [e.code for e in report.errors],
                "message": [e.message for e in report.errors],
            }
            self._append("record_errors", pa.table(errors, schema=_arrow_schema(ERROR_COLUMNS)))

    # -- helpers ---------------------------------------------------------------------------

    def _worth_compacting(self) -> bool:
        generation = self._meta.generation
        if generation is None:
            return True
        snapshot = self._query(self.tables.snapshot_rows_query(generation)).column(0)[0].as_py()
        return bool(self._journal_rows >= _COMPACT_SHARE * int(snapshot or 0))

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


@contextlib.contextmanager
def native_store(
    config: ActivationConfig, *, read_only: bool, lock: bool = True
) -> Iterator[NativeStateStore]:
    """The activation's warehouse-native state, through a connection to its source.

    Writers (not `read_only`) hold the run lock unless `lock` is False (the caller holds it).
    """
    from hoist.sources import open_source  # the sources import the config, not state

    state = config.state
    with open_source(config.source, file=str(config.file), writable=True) as source:
        if not isinstance(source, Warehouse):
            raise ConfigError(
                f"state.in_warehouse is not available for source type {config.source.type!r}; "
                "remove it to keep state in a local file",
                file=str(config.file),
                key="state.in_warehouse",
            )
        lock_path = state.path if lock else None
        with NativeStateStore.open(
            source,
            state.schema_name,
            config.name,
            read_only=read_only,
            lock_path=lock_path,
            memory_limit=state.memory_limit,
        ) as store:
            yield store


def holds_native_state(source: object, schema: str, activation: str) -> bool:
    """Whether `source` holds warehouse-native state of `activation` in `schema`.

    Only reads (no schema or table is created), so a run with local state can ask before it
    starts from nothing; a warehouse that cannot say (no such schema) holds none.
    """
    if not isinstance(source, Warehouse):
        return False
    tables = NativeTables(schema, activation)
    try:
        if isinstance(source, Catalog):
            names = source.table_names(schema)
        else:
            found = source.query(_render(tables.tables_query(), source.dialect)).column(0)
            names = [str(name) for name in found.to_pylist()]
    except SourceError:
        return False
    return tables.name("journal").lower() in {name.lower() for name in names}


def holds_native_deliveries(source: object, schema: str, activation: str) -> bool:
    """Whether `source` holds warehouse-native state of `activation` in `schema` that records
    companies earlier runs delivered; a run history alone (failed attempts) does not count.

    Only reads, like `holds_native_state`.
    """
    if not isinstance(source, Warehouse) or not holds_native_state(source, schema, activation):
        return False
    store = NativeStateStore(source, NativeTables(schema, activation), read_only=True)
    try:
        return store.holds_deliveries()
    finally:
        store.close()
