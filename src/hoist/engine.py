"""One run of an activation: read -> diff -> plan -> execute -> commit -> report.

`run` writes to Intercom and state; `plan` computes the same counts and a sample of changes
without writing anything anywhere. Both return a `RunReport`; errors that stop a run before it
can proceed are raised (see `hoist.errors`), with nothing marked as synced.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pyarrow as pa

from hoist.config import ActivationConfig, load_activation
from hoist.custom_attributes import AttributePlan, create_missing, plan_custom_attributes
from hoist.diff import (
    Change,
    DiffCounts,
    compute_changes,
    iter_changes,
    rejections,
    scalar,
    stage_model,
)
from hoist.errors import ConfigError, FatalDestinationError, SourceError
from hoist.executor import Execution, execute, request_body, stop_on_signals
from hoist.intercom import IntercomClient
from hoist.mapping import Field, build_fields
from hoist.models import model_query
from hoist.progress import NullProgress, Progress
from hoist.report import PlannedChange, RecordError, RunReport, Status
from hoist.resolve import resolve_existing
from hoist.sources import open_source
from hoist.state import Confirmation, StateStore

__all__ = ["plan", "run", "runs"]

_SAMPLE = 20
_CONCURRENCY = 16


def run(
    activation: ActivationConfig | str | Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    concurrency: int = _CONCURRENCY,
    progress: Progress | None = None,
) -> RunReport:
    """Run the activation: send Intercom what changed since the last successful run."""
    config = _config(activation)
    job = _Run(config, transport, dry_run=False, concurrency=concurrency, progress=progress)
    return asyncio.run(job.go())


def plan(
    activation: ActivationConfig | str | Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Compute what a run would do, writing nothing to Intercom or state."""
    config = _config(activation)
    job = _Run(config, transport, dry_run=True, concurrency=1, progress=progress)
    return asyncio.run(job.go())


def runs(activation: ActivationConfig | str | Path, *, limit: int = 20) -> list[dict[str, Any]]:
    """The activation's run history, newest first."""
    config = _config(activation)
    with StateStore.open(config.state.path, read_only=True) as store:
        return store.runs(limit)


def _config(activation: ActivationConfig | str | Path) -> ActivationConfig:
    if isinstance(activation, ActivationConfig):
        return activation
    return load_activation(activation)


@dataclass
class _Prepared:
    fields: tuple[Field, ...]
    attributes: AttributePlan
    counts: DiffCounts
    rejected: list[RecordError]


class _Run:
    """The state of one run while it goes through its stages."""

    def __init__(
        self,
        config: ActivationConfig,
        transport: httpx.AsyncBaseTransport | None,
        *,
        dry_run: bool,
        concurrency: int,
        progress: Progress | None,
    ) -> None:
        self.progress = progress or NullProgress()
        self.config = config
        self.transport = transport
        self.dry_run = dry_run
        self.concurrency = concurrency
        self.run_id = uuid.uuid4().hex[:12]
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.file = str(config.file)

    async def go(self) -> RunReport:
        sync = self.config.sync
        with open_source(self.config.source) as source:
            reader = source.read(model_query(self.config.model, source.dialect))
            self._check_identifier(reader.schema)
            async with self._client() as client:
                # The first call also proves the token; config and schema problems surface
                # here too, all before state is opened, locked or created.
                existing = await client.list_data_attributes()
                attributes = plan_custom_attributes(sync, reader.schema, existing, file=self.file)
                fields = build_fields(
                    sync.fields(), reader.schema, attributes.types, file=self.file
                )
                state = self.config.state
                with StateStore.open(
                    state.path, read_only=self.dry_run, memory_limit=state.memory_limit
                ) as store:
                    prepared = self._prepare(store, reader, fields, attributes)
                    if self.dry_run:
                        return await self._plan(client, store, prepared)
                    return await self._execute(client, store, prepared)

    def _client(self) -> IntercomClient:
        destination = self.config.destination
        return IntercomClient(
            base_url=destination.url,
            token=destination.access_token,
            api_version=destination.api_version,
            transport=self.transport,
        )

    def _check_identifier(self, schema: pa.Schema) -> None:
        column = self.config.sync.company_id
        if column not in schema.names:
            raise ConfigError(
                f"column {column!r} is not in the model; it has: {', '.join(schema.names)}",
                file=self.file,
                key="sync.company_id",
            )

    def _prepare(
        self,
        store: StateStore,
        reader: pa.RecordBatchReader,
        fields: tuple[Field, ...],
        attributes: AttributePlan,
    ) -> _Prepared:
        try:
            stage_model(store.con, reader, fields, self.config.sync.company_id)
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            # The reader pulls from the warehouse while DuckDB stages, so a warehouse failure
            # surfaces here, inside DuckDB's scan of the reader.
            raise SourceError(f"reading the model failed: {exc}") from exc
        relation = store.state_relation([f.attribute for f in fields])
        counts = compute_changes(store.con, fields, relation)
        rejected = rejections(store.con)
        self.progress.stage(
            f"read {counts.rows:,} rows in {time.monotonic() - self.started:.1f} s: "
            f"{counts.new:,} new, {counts.changed - counts.new:,} changed, "
            f"{counts.unchanged:,} unchanged, {counts.rejected_rows:,} rejected"
        )
        return _Prepared(fields, attributes, counts, rejected)

    async def _plan(self, client: IntercomClient, store: StateStore, p: _Prepared) -> RunReport:
        not_found = 0
        if not self.config.sync.insert:
            await resolve_existing(client, store.con)
            not_found = _count(store, "intercom_id IS NULL")
        sample = [
            _planned(c) for c in _first(iter_changes(store.con, p.fields, where=self._sendable()))
        ]
        return self._report(
            p,
            created=p.counts.new if self.config.sync.insert else 0,
            updated=p.counts.changed - (p.counts.new if self.config.sync.insert else not_found),
            not_in_intercom=not_found,
            api_calls=client.api_calls,
            attributes_created=tuple(name for name, _ in p.attributes.to_create),
            sample=tuple(sample),
        )

    async def _execute(self, client: IntercomClient, store: StateStore, p: _Prepared) -> RunReport:
        attributes = [f.attribute for f in p.fields]
        created_attributes = await create_missing(client, p.attributes)
        store.add_attribute_columns(attributes)
        not_found = 0
        if not self.config.sync.insert:
            resolution = await resolve_existing(client, store.con)
            self.progress.stage(
                f"found {len(resolution.found):,} existing companies by {resolution.strategy}"
            )
            store.commit([Confirmation(cid, iid, {}) for cid, iid in resolution.found], attributes)
            not_found = _count(store, "intercom_id IS NULL")
        execution = await self._send(client, store, p.fields, attributes)
        store.fold()
        store.forget_intercom_ids(execution.stale)
        insert = self.config.sync.insert
        # Companies new to state are created with insert on; with it off they existed already.
        report = self._report(
            p,
            created=execution.created if insert else 0,
            updated=execution.updated + (0 if insert else execution.created),
            not_in_intercom=not_found,
            failed=execution.failed,
            api_calls=client.api_calls,
            attributes_created=created_attributes,
            interrupted=execution.interrupted,
            fatal=execution.fatal,
        )
        self._record(store, report)
        if execution.fatal is not None:
            raise execution.fatal
        return report

    async def _send(
        self,
        client: IntercomClient,
        store: StateStore,
        fields: tuple[Field, ...],
        attributes: list[str],
    ) -> Execution:
        insert = self.config.sync.insert

        async def send(change: Change) -> dict[str, Any]:
            body = request_body(change)
            if insert:
                return await client.upsert_company({"company_id": change.company_id, **body})
            assert change.intercom_id is not None
            return await client.update_company(change.intercom_id, body)

        pages = iter_changes(store.con, fields, where=self._sendable())
        self.progress.planned(_count(store, self._sendable()))
        try:
            with stop_on_signals() as stop:
                return await execute(
                    pages,
                    send,
                    lambda batch: store.commit(batch, attributes),
                    concurrency=self.concurrency,
                    stop=stop,
                    tick=lambda sent, failed: self.progress.advance(sent=sent, failed=failed),
                )
        finally:
            self.progress.close()

    def _sendable(self) -> str:
        return "TRUE" if self.config.sync.insert else "intercom_id IS NOT NULL"

    def _report(
        self,
        p: _Prepared,
        *,
        created: int,
        updated: int,
        not_in_intercom: int,
        api_calls: int,
        failed: list[RecordError] | None = None,
        attributes_created: tuple[str, ...] = (),
        sample: tuple[PlannedChange, ...] = (),
        interrupted: bool = False,
        fatal: FatalDestinationError | None = None,
    ) -> RunReport:
        failed = failed or []
        problems = len(p.rejected) + len(failed)
        status: Status = "interrupted" if interrupted else ("partial" if problems else "success")
        message = "stopped early (Ctrl-C); the next run sends the rest" if interrupted else None
        if fatal is not None:
            status, message = "failed", str(fatal)
        return RunReport(
            run_id=self.run_id,
            activation=self.config.name,
            status=status,
            dry_run=self.dry_run,
            created=created,
            updated=updated,
            unchanged=p.counts.unchanged,
            not_in_intercom=not_in_intercom,
            rejected=len(p.rejected),
            failed=len(failed),
            api_calls=api_calls,
            duration_s=time.monotonic() - self.started,
            errors=tuple(p.rejected + failed),
            attributes_created=attributes_created,
            sample=sample,
            message=message,
        )

    def _record(self, store: StateStore, report: RunReport) -> None:
        values = {
            **{k: v for k, v in report.to_json().items() if k not in ("errors", "sample")},
            "started_at": self.started_at,
            "finished_at": datetime.now(UTC),
            "insert_mode": self.config.sync.insert,
        }
        errors = [(e.company_id, e.code, e.message) for e in report.errors]
        store.record_run(values, errors)


def _count(store: StateStore, where: str) -> int:
    return int(scalar(store.con, f"SELECT count(*) FROM changes WHERE {where}"))


def _first(pages: Iterator[list[Change]]) -> list[Change]:
    for page in pages:
        return page[:_SAMPLE]
    return []


def _planned(change: Change) -> PlannedChange:
    return PlannedChange(
        company_id=change.company_id,
        operation="create" if change.new else "update",
        changes={a: {"old": change.old.get(a), "new": v} for a, v in change.values.items()},
    )
