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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import duckdb
from sqlglot import exp

from hoist.config import DEFAULT_MEMORY_LIMIT, ActivationConfig
from hoist.diff import fingerprint
from hoist.diff.fingerprint import FINGERPRINT_COLUMN
from hoist.diff.in_warehouse import MISSING_SEEN, DiffSpec, model_relation
from hoist.diff.in_warehouse_changeset import NativeChangeSet
from hoist.diff.local import state_column
from hoist.errors import ConfigError, SourceError
from hoist.offload import in_daemon_thread
from hoist.sql.build import column, table, template
from hoist.sql.native_state import (
    USER_COUNT,
    NativeTables,
)
from hoist.sql.state import StateTables
from hoist.state.contract import Capabilities, Diffed, DiffRequest, land
from hoist.state.lock import acquire_lock, release_lock
from hoist.state.native_base import (
    Catalog,
    Warehouse,
    _empty,
    _render,
    _unwrapped,
)
from hoist.state.native_history import NativeHistory
from hoist.state.native_journal import NativeJournal
from hoist.state.native_pairs import NativePairs

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


class NativeStateStore(NativeJournal, NativeHistory, NativePairs):
    """Open with `NativeStateStore.open`; one per run of one activation.

    Opening, diffing and reading here; the journal and its compaction (`native_journal`), the
    run history (`native_history`) and contact pairs (`native_pairs`) in their own modules.
    """

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
