"""The stages a plan and a run share: read the model, check the mapping, diff against state."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial

import duckdb
import httpx
import pyarrow as pa
from sqlglot import exp

from hoist.binding import check_workspace, recorded_workspace
from hoist.config import ActivationConfig
from hoist.custom_attributes import AttributePlan, fetch_attributes, plan_custom_attributes
from hoist.errors import ConfigError, StateError
from hoist.intercom import IntercomClient, WorkspaceIdentity
from hoist.intercom.limiter import RateLimiter
from hoist.mapping import Field, build_fields, missing_column
from hoist.offload import in_daemon_thread
from hoist.progress import NullProgress, Progress
from hoist.project._files import PROJECT_FILE
from hoist.report import Outcome, RecordError, RunReport, summarise
from hoist.sources import Source, open_source
from hoist.sql import fingerprint, native_diff
from hoist.sql.build import render
from hoist.sql.changeset import ChangeSet
from hoist.sql.contacts import ContactPairs
from hoist.sql.model import model_query
from hoist.sql.native_changeset import NativeChangeSet
from hoist.state import StateStore
from hoist.state.native import NativeStateStore, Warehouse, holds_native_state

#: Either state store: the local file (default) or the warehouse's tables.
AnyStore = StateStore | NativeStateStore

__all__ = ["AnyStore", "Prepared", "RunContext", "check_removals", "prepared"]


@dataclass
class RunContext:
    """What every stage of one run needs: the config, the run's id and clock, progress."""

    config: ActivationConfig
    transport: httpx.AsyncBaseTransport | None = None
    progress: Progress = field(default_factory=NullProgress)
    full_resync: bool = False
    """Diff against nothing delivered: send every mapped attribute of every company."""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: float = field(default_factory=time.monotonic)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    recheck_missing: bool = False
    """Look up again companies an update-only run did not find, even if their row is the same."""
    #: Shared by runs that send to the same destination at once (`hoist serve`): one budget.
    limiter: RateLimiter | None = None
    #: Set by the caller to stop sending (`hoist serve` on SIGTERM); None: on SIGINT/SIGTERM.
    stop: asyncio.Event | None = None

    @property
    def file(self) -> str:
        """The activation file, as named in configuration errors."""
        return str(self.config.file)

    @property
    def command_name(self) -> str:
        """How `hoist` commands name this activation: its name in a project, else its file."""
        file = self.config.file
        folder = file.parent.parent if file.parent.name == "activations" else file.parent
        in_project = (folder / PROJECT_FILE).is_file()
        return self.config.name if in_project else str(file)

    def client(self) -> IntercomClient:
        """A client for the activation's destination."""
        destination = self.config.destination
        return IntercomClient(
            base_url=destination.url,
            token=destination.access_token,
            api_version=destination.api_version,
            transport=self.transport,
            limiter=self.limiter,
            give_up_after_s=destination.give_up_after,
        )

    def report(self, outcome: Outcome, *, dry_run: bool) -> RunReport:
        """The run's report of `outcome`."""
        return summarise(
            outcome,
            run_id=self.run_id,
            activation=self.config.name,
            dry_run=dry_run,
            duration_s=time.monotonic() - self.started,
        )


@dataclass(frozen=True)
class Prepared:
    """A run after the diff: the fields, the custom attributes to create, the changes."""

    fields: tuple[Field, ...]
    attributes: AttributePlan
    changes: ChangeSet
    rejected: tuple[RecordError, ...]
    workspace: WorkspaceIdentity
    #: Rows moved out of the source: the model (local state), or changed + rejected (native).
    rows_fetched: int
    contacts: ContactPairs | None = None

    @property
    def attribute_names(self) -> list[str]:
        """The mapped attributes, as state names them."""
        return [f.attribute for f in self.fields]


@asynccontextmanager
async def prepared(
    ctx: RunContext, *, read_only: bool
) -> AsyncIterator[tuple[IntercomClient, AnyStore, Prepared]]:
    """Read the model, check the mapping against Intercom, open state and diff.

    The client's first call (`GET /me`) proves the token and names the workspace; config and
    schema problems surface before state is opened, locked or created; a state bound to another
    workspace stops the run before the diff (`WorkspaceMismatchError`).
    """
    if ctx.config.state.in_warehouse:
        async with _prepared_in_warehouse(ctx, read_only=read_only) as ready:
            yield ready
        return
    config = ctx.config
    with open_source(config.source, file=ctx.file) as source:
        if not config.state.path.exists():
            await _check_not_switched_back(ctx, source)
        query = model_query(
            config.model, source.dialect, file=ctx.file, source=source, dbt=config.source.dbt
        )
        # Off the loop: Ctrl-C still stops a run whose model query the warehouse never answers.
        reader = await in_daemon_thread(source.read, query, name="hoist-model-query")
        _check_identifier(ctx, reader.schema)
        async with ctx.client() as client:
            workspace = await client.workspace()
            fields, attributes = await _fields(ctx, client, reader.schema)
            state = config.state
            with StateStore.open(
                state.path, read_only=read_only, memory_limit=state.memory_limit
            ) as store:
                check_workspace(recorded_workspace(store), workspace, state_path=state.path)
                diffed = _diff(ctx, store, reader, fields, attributes, workspace)
                yield client, store, replace(diffed, contacts=_stage_contacts(ctx, source, store))


def _stage_contacts(ctx: RunContext, source: Source, store: StateStore) -> ContactPairs | None:
    """Read the contacts model, if the activation has one, through the same source."""
    contacts = ctx.config.contacts
    if contacts is None:
        return None
    sql = model_query(
        contacts.model,
        source.dialect,
        file=ctx.file,
        source=source,
        key="contacts.model",
        dbt=ctx.config.source.dbt,
    )
    reader = source.read(sql)
    for column, key in ((contacts.company_id, "company_id"), (contacts.column, "column")):
        if column not in reader.schema.names:
            raise missing_column(column, reader.schema, file=ctx.file, key=f"contacts.{key}")
    return ContactPairs.stage(
        store.con,
        reader,
        company_column=contacts.company_id,
        key_column=contacts.column,
        match=contacts.match,
    )


def check_removals(ctx: RunContext, p: Prepared) -> int:
    """Plan the removal policy's work; refuse more removals than `sync.max_removals` allows.

    A model that suddenly shrinks (an empty table, a broken filter) must not wipe the
    workspace: above the limit the run stops before anything is removed or sent.
    """
    sync = ctx.config.sync
    count = p.changes.plan_removals(sync.on_removal, insert=sync.insert)
    if not count:
        return 0
    delivered = p.changes.delivered(insert=sync.insert)
    limit = sync.removal_limit(delivered)
    if count > limit:
        raise ConfigError(
            f"{count:,} of the {delivered:,} companies hoist delivered are gone from the model, "
            f"and sync.on_removal: {sync.on_removal} would remove them in Intercom; that is more "
            f"than sync.max_removals allows ({sync.max_removals}: {limit:,}), so nothing was "
            "sent. If the model is wrong, fix it; if the removals are intended, raise "
            "sync.max_removals for this run",
            file=ctx.file,
            key="sync.max_removals",
        )
    return count


@asynccontextmanager
async def _prepared_in_warehouse(
    ctx: RunContext, *, read_only: bool
) -> AsyncIterator[tuple[IntercomClient, AnyStore, Prepared]]:
    """The same, with state in the warehouse: only changed, rejected and removed rows leave it."""
    config = ctx.config
    with open_source(config.source, file=ctx.file, writable=True) as source:
        if not isinstance(source, Warehouse):
            raise ConfigError(
                f"state.in_warehouse is not available for source type {config.source.type!r}; "
                "remove it to keep state in a local file",
                file=ctx.file,
                key="state.in_warehouse",
            )
        # A contacts model with native state is refused when the activation loads (config).
        sql = model_query(
            config.model, source.dialect, file=ctx.file, source=source, dbt=config.source.dbt
        )
        # Every warehouse statement before sending runs off the loop, so that Ctrl-C still stops
        # a run whose warehouse never answers (the statement is left to the process's end).
        schema_sql = render(native_diff.schema_query(sql, source.dialect), source.dialect)
        schema = (await in_daemon_thread(source.read, schema_sql, name="hoist-model-query")).schema
        _check_identifier(ctx, schema)
        async with ctx.client() as client:
            workspace = await client.workspace()
            fields, attributes = await _fields(ctx, client, schema)
            state = config.state
            opened = await in_daemon_thread(
                partial(
                    NativeStateStore.open,
                    source,
                    state.schema_name,
                    config.name,
                    read_only=read_only,
                    lock_path=state.path,
                ),
                name="hoist-state-open",
            )
            with opened as store, _scratch(state.memory_limit) as con:
                where = f"the state in schema {state.schema_name!r} of the warehouse"
                _check_not_switched(ctx, store)
                check_workspace(recorded_workspace(store), workspace, state_path=where)
                model = native_diff.model_relation(sql, source.dialect)
                changes = await in_daemon_thread(
                    NativeChangeSet.diff_in_warehouse,
                    con,
                    source,
                    _native_spec(ctx, store, fields, model),
                    name="hoist-diff",
                )
                _announce(ctx, changes)
                rejected = tuple(changes.rejections())
                p = Prepared(fields, attributes, changes, rejected, workspace, changes.rows_fetched)
                yield client, store, p


def _check_not_switched(ctx: RunContext, store: NativeStateStore) -> None:
    """Refuse to start warehouse-native state from nothing while a local state file holds what
    earlier runs delivered: that would silently send every company again."""
    local = ctx.config.state.path
    if not local.is_file() or not store.is_empty():
        return
    raise StateError(
        f"state.in_warehouse is on, but the warehouse holds no state for this activation while "
        f"the local state file {local} holds what earlier runs delivered; a run would send "
        f"every company again. To start the warehouse's state over, run `hoist run "
        f"{ctx.command_name} --reset-state` (the local file is moved aside, not deleted); to "
        "keep the local state, remove state.in_warehouse"
    )


async def _check_not_switched_back(ctx: RunContext, source: Source) -> None:
    """Refuse to start local state from nothing while the warehouse holds this activation's
    native state (state.in_warehouse was turned off): that would send every company again."""
    state = ctx.config.state
    held = await in_daemon_thread(
        holds_native_state, source, state.schema_name, ctx.config.name, name="hoist-state-check"
    )
    if not held:
        return
    raise StateError(
        f"state.in_warehouse is off, but schema {state.schema_name!r} of the warehouse holds "
        f"this activation's state and there is no local state file {state.path}; a run would "
        f"send every company again. To start local state over, run `hoist run "
        f"{ctx.command_name} --reset-state` (the warehouse's tables are moved aside, not "
        "deleted); to keep the warehouse's state, set state.in_warehouse: true again"
    )


def _native_spec(
    ctx: RunContext, store: NativeStateStore, fields: tuple[Field, ...], model: exp.Expr
) -> native_diff.DiffSpec:
    """What the warehouse's diff compares, under the same rules as the local diff."""
    sync = ctx.config.sync
    names = [f.attribute for f in fields]
    if ctx.full_resync:
        relation = store.blank_relation(names, keep_ids=sync.insert)
    else:
        relation = store.relation(names)
    missing = None if sync.insert or ctx.recheck_missing else store.missing_relation()
    dialect = store.warehouse.dialect
    return native_diff.DiffSpec(
        fields,
        sync.company_id,
        model,
        relation,
        on_removal=sync.on_removal,
        insert=sync.insert,
        missing=missing,
        fingerprint=fingerprint.expression(fields, sync.company_id, dialect, "m"),
        dialect=dialect,
    )


async def _fields(
    ctx: RunContext, client: IntercomClient, schema: pa.Schema
) -> tuple[tuple[Field, ...], AttributePlan]:
    config = ctx.config
    existing = await fetch_attributes(client)
    attributes = plan_custom_attributes(config.sync, schema, existing, file=ctx.file)
    fields = build_fields(config.sync.fields(), schema, attributes.types, file=ctx.file)
    if config.sync.nulls == "keep":
        fields = tuple(replace(f, keep_null=True) for f in fields)
    return fields, attributes


@contextmanager
def _scratch(memory_limit: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB for the changes the warehouse sent (small: changed rows only)."""
    con = duckdb.connect(":memory:", config={"memory_limit": memory_limit})
    try:
        yield con
    finally:
        con.close()


def _check_identifier(ctx: RunContext, schema: pa.Schema) -> None:
    column = ctx.config.sync.company_id
    if column not in schema.names:
        raise missing_column(column, schema, file=ctx.file, key="sync.company_id")


def _diff(
    ctx: RunContext,
    store: StateStore,
    reader: pa.RecordBatchReader,
    fields: tuple[Field, ...],
    attributes: AttributePlan,
    workspace: WorkspaceIdentity,
) -> Prepared:
    names = [f.attribute for f in fields]
    if ctx.full_resync:
        # Update-only runs also look every company up again: state's ids are not trusted either.
        relation = store.blank_relation(names, keep_ids=ctx.config.sync.insert)
    else:
        relation = store.relation(names)
    changes = ChangeSet.build(store.con, reader, fields, ctx.config.sync.company_id, relation)
    _announce(ctx, changes)
    rejected = tuple(changes.rejections())
    # Local state reads the whole model out of the source, bad rows included.
    return Prepared(fields, attributes, changes, rejected, workspace, changes.counts.rows)


def _announce(ctx: RunContext, changes: ChangeSet) -> None:
    counts = changes.counts
    # Native state: the warehouse diffed the model; only the changed rows were fetched.
    read = (
        f"diffed {counts.rows:,} rows in the warehouse ({changes.rows_fetched:,} fetched)"
        if isinstance(changes, NativeChangeSet)
        else f"read {counts.rows:,} rows"
    )
    ctx.progress.stage(
        f"{read} in {time.monotonic() - ctx.started:.1f} s: "
        f"{counts.new:,} new, {counts.changed - counts.new:,} changed, "
        f"{counts.unchanged:,} unchanged, {counts.rejected_rows:,} rejected"
    )
