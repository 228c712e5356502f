"""Delivery: how changes reach Intercom and what it confirmed reaches state, for a run and for
`hoist verify --repair` alike.

`CompanyWriter` sends one change the way a run does (an upsert by company_id in insert mode,
with first contact's clears; an update by Intercom's id otherwise; a removal's clear or delete).
`deliver` sends pages of changes through the executor (paced by the client's limiter,
concurrent, stopped by Ctrl-C/SIGTERM), commits every confirmation through `BoundState`, which
binds state to the workspace with its first confirmed write, and then folds state and forgets
the companies Intercom no longer has. Only what Intercom confirmed is ever committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

from hoist.company_attributes import for_update, not_clearable
from hoist.diff.changes import Change, Confirmation
from hoist.errors import HoistError, SourceError, StateError
from hoist.first_contact import clearing
from hoist.intercom import IntercomClient, WorkspaceIdentity
from hoist.pipeline.binding import record_workspace
from hoist.pipeline.executor import Commit, Execution, Tick, execute, request_body
from hoist.state import StateBackend

__all__ = ["BoundState", "CompanyWriter", "deliver", "stop_if_broken"]


class BoundState:
    """State bound to the run's workspace with the first confirmed write (see
    hoist.pipeline.binding); `on_commit` sees every batch committed (repair lists them)."""

    def __init__(
        self,
        store: StateBackend,
        workspace: WorkspaceIdentity,
        on_commit: Callable[[list[Confirmation]], None] | None = None,
    ) -> None:
        self.store = store
        self.workspace = workspace
        self._on_commit = on_commit
        self._done = False

    def record(self) -> None:
        """Record the workspace in state, once."""
        if not self._done:
            record_workspace(self.store, self.workspace)
            self._done = True

    def commit(self, batch: list[Confirmation], attributes: list[str]) -> None:
        """Commit confirmed results, binding state first if they are its first."""
        if batch:
            self.record()
        self.store.commit(batch, attributes)
        if self._on_commit is not None:
            self._on_commit(batch)

    def committer(self, attributes: list[str]) -> Commit:
        """The executor's commit, where state calls belong (`StateBackend.call`: off the loop
        for a warehouse that may stop answering)."""

        async def commit(batch: list[Confirmation]) -> None:
            await self.store.call(self.commit, batch, attributes, name="hoist-state-commit")

        return commit


class CompanyWriter:
    """Writes one change to Intercom; notes companies answered under a new id and clears the
    update route could not carry."""

    def __init__(self, client: IntercomClient, *, insert: bool) -> None:
        self.client = client
        self.insert = insert
        #: Companies an upsert answered under another id than state knew (deleted since).
        self.recreated: list[str] = []
        #: Attribute -> companies whose clear `PUT /companies/{id}` could not carry.
        self.kept: dict[str, int] = {}

    async def __call__(self, change: Change) -> dict[str, Any]:
        """Send `change`; Intercom's answer (the company) confirms it."""
        client, body = self.client, request_body(change)
        if change.removal == "delete":
            assert change.intercom_id is not None
            await client.delete_company(change.intercom_id)  # already gone is as good
            return {"id": change.intercom_id}
        if not self.insert or change.removal is not None:
            assert change.intercom_id is not None
            if change.removal == "clear":
                self._keep(not_clearable(a for a, v in change.old.items() if v is not None))
            return await client.update_company(change.intercom_id, for_update(body))
        company = await client.upsert_company(
            {"company_id": change.company_id, **request_body(change)}
        )
        if change.intercom_id is not None and str(company.get("id")) != change.intercom_id:
            self.recreated.append(change.company_id)  # deleted in Intercom since state knew it
        return await self._clear_held(change, company)

    def _keep(self, attributes: list[str]) -> None:
        """Count companies whose clear of `attributes` the update route cannot carry."""
        for attribute in attributes:
            self.kept[attribute] = self.kept.get(attribute, 0) + 1

    def warnings(self) -> tuple[str, ...]:
        """One line per attribute a clear had to leave."""
        return tuple(
            f"{attribute} cannot be cleared: PUT /companies/{{id}} does not take it, so "
            f"{count:,} cleared companies keep their {attribute} (state records it as held)"
            for attribute, count in sorted(self.kept.items())
        )

    async def _clear_held(self, change: Change, company: dict[str, Any]) -> dict[str, Any]:
        """First contact in insert mode: clear what the upsert's answer shows where the model
        has null (one more upsert, carrying only those nulls; none when Intercom holds nothing)."""
        follow_up = clearing(change, company)
        if follow_up is None:
            return company
        # The upsert route, as every insert-mode write: it takes every mapped attribute
        # (remote_created_at too, which `PUT /companies/{id}` would refuse).
        body = {"company_id": change.company_id, **request_body(follow_up)}
        return await self.client.upsert_company(body)


async def deliver(
    pages: Iterator[list[Change]],
    writer: CompanyWriter,
    bound: BoundState,
    attributes: list[str],
    *,
    concurrency: int,
    stop: asyncio.Event,
    tick: Tick | None = None,
) -> Execution:
    """Send every change, commit what Intercom confirms, fold state, forget what it lost.

    A failure of state or the warehouse is raised (`stop_if_broken`) and state is touched no
    more; a fatal destination error is left in the execution for the caller to raise once it
    has recorded what it must.
    """
    execution = await execute(
        pages, writer, bound.committer(attributes), concurrency=concurrency, stop=stop, tick=tick
    )
    stop_if_broken(execution)  # the warehouse or state failed: touch neither again
    bound.store.fold()
    bound.store.forget_intercom_ids(execution.stale)
    return execution


def stop_if_broken(execution: Execution) -> None:
    """Raise the failure that stopped sending (a commit, the warehouse), saying what it cost.

    Confirmations state could not record are not kept anywhere: the next run sends them again,
    which changes nothing in Intercom (upserts by company_id and updates by id are idempotent).
    """
    error = execution.error
    if error is None:
        return
    lost = ""
    if execution.unrecorded:
        lost = (
            f"; {execution.unrecorded:,} companies Intercom confirmed could not be recorded in "
            "state, so the next run sends them again (idempotent)"
        )
    if isinstance(error, HoistError) and not lost:
        raise error
    if isinstance(error, SourceError):
        raise SourceError(f"{error}{lost}") from error
    if isinstance(error, HoistError):
        raise StateError(f"{error}{lost}") from error
    raise StateError(
        f"the run stopped on an internal error ({type(error).__name__}){lost}"
    ) from error
