"""The stages a plan and a run share: read the model, check the mapping, diff against state."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx
import pyarrow as pa

from hoist.config import PROJECT_FILE, ActivationConfig
from hoist.diff.local_changeset import ChangeSet
from hoist.errors import ConfigError
from hoist.intercom import IntercomClient, WorkspaceIdentity
from hoist.intercom.limiter import RateLimiter
from hoist.mapping import Field, build_fields, missing_column
from hoist.pipeline.binding import check_workspace, recorded_workspace
from hoist.pipeline.custom_attributes import AttributePlan, fetch_attributes, plan_custom_attributes
from hoist.progress import NullProgress, Progress
from hoist.report import Outcome, RecordIssue, RunReport, summarise
from hoist.sources import Source, open_source
from hoist.sql.contacts import ContactPairs
from hoist.sql.model import model_query
from hoist.state import Diffed, DiffRequest, StateBackend, open_state

__all__ = ["Prepared", "RunContext", "check_removals", "prepared"]


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
    rejected: tuple[RecordIssue, ...]
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
) -> AsyncIterator[tuple[IntercomClient, StateBackend, Prepared]]:
    """Read the model, check the mapping against Intercom, open state and diff.

    The client's first call (`GET /me`) proves the token and names the workspace; config and
    schema problems surface before state is opened, locked or created; a state bound to another
    workspace stops the run before the diff (`WorkspaceMismatchError`).
    """
    config = ctx.config
    kind = open_state(config)
    with open_source(config.source, file=ctx.file, writable=kind.writable_source) as source:
        await kind.check_source(source, ctx.command_name)
        sql = model_query(
            config.model, source.dialect, file=ctx.file, source=source, dbt=config.source.dbt
        )
        # Off the loop: Ctrl-C still stops a run whose model query the warehouse never answers.
        model = await kind.read_model(source, sql)
        _check_identifier(ctx, model.schema)
        async with ctx.client() as client:
            workspace = await client.workspace()
            fields, attributes = await _fields(ctx, client, model.schema)
            opened = await kind.open(source, read_only=read_only, command=ctx.command_name)
            with opened as store:
                check_workspace(recorded_workspace(store), workspace, state_path=store.where)
                diffed = await store.call(
                    store.diff, source, model, _request(ctx, sql, fields), name="hoist-diff"
                )
                _announce(ctx, diffed)
                changes = diffed.changes
                rejected = tuple(changes.rejections())
                contacts = _stage_contacts(ctx, source, store)
                p = Prepared(
                    fields, attributes, changes, rejected, workspace, diffed.rows_fetched, contacts
                )
                yield client, store, p


def _request(ctx: RunContext, sql: str, fields: tuple[Field, ...]) -> DiffRequest:
    """What the diff compares, under the sync's rules."""
    sync = ctx.config.sync
    return DiffRequest(
        sql,
        fields,
        sync.company_id,
        on_removal=sync.on_removal,
        insert=sync.insert,
        full_resync=ctx.full_resync,
        recheck_missing=ctx.recheck_missing,
    )


def _stage_contacts(ctx: RunContext, source: Source, store: StateBackend) -> ContactPairs | None:
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
        store.scratch,
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


def _check_identifier(ctx: RunContext, schema: pa.Schema) -> None:
    column = ctx.config.sync.company_id
    if column not in schema.names:
        raise missing_column(column, schema, file=ctx.file, key="sync.company_id")


def _announce(ctx: RunContext, diffed: Diffed) -> None:
    counts = diffed.changes.counts
    ctx.progress.stage(
        f"{diffed.described} in {time.monotonic() - ctx.started:.1f} s: "
        f"{counts.new:,} new, {counts.changed - counts.new:,} changed, "
        f"{counts.unchanged:,} unchanged, {counts.rejected_rows:,} rejected"
    )
