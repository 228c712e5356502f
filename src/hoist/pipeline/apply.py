"""The apply pipeline: send the plan to Intercom, record what it confirmed, report the run."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from hoist.changes import Change, Confirmation
from hoist.custom_attributes import create_missing
from hoist.executor import Execution, execute, request_body, stop_on_signals
from hoist.intercom import IntercomClient
from hoist.pipeline.stages import Prepared, RunContext, check_removals, prepared
from hoist.report import Outcome, RunReport
from hoist.resolve import resolve_existing
from hoist.state import StateStore

__all__ = ["apply_run"]

#: Requests in flight at once; the rate limiter, not this, sets the pace.
DEFAULT_CONCURRENCY = 16


async def apply_run(ctx: RunContext, *, concurrency: int = DEFAULT_CONCURRENCY) -> RunReport:
    """Send Intercom what changed since the last run; record and return the run's report.

    A fatal destination error (401/403) is raised after what Intercom confirmed before it has
    been committed and the run recorded.
    """
    async with prepared(ctx, read_only=False) as (client, store, p):
        check_removals(ctx, p)  # before anything is written
        created_attributes = await create_missing(client, p.attributes)
        store.add_attribute_columns(p.attribute_names)
        not_found = await _resolve(ctx, client, store, p)
        execution = await _send(ctx, client, store, p, concurrency)
        store.fold()
        store.forget_intercom_ids(execution.stale)
        # Deleted companies leave state: if they come back to the model, they are created anew.
        store.forget_intercom_ids(_deleted(ctx, execution))
        outcome = Outcome(
            insert=ctx.config.sync.insert,
            # Companies whose only changes were never-set nulls: recorded, nothing sent.
            unchanged=p.changes.counts.unchanged + execution.recorded,
            written_new=execution.confirmed_new,
            written_known=execution.confirmed_known,
            not_in_intercom=not_found,
            removed=len(execution.removed),
            rejected=p.rejected,
            failed=tuple(execution.failed),
            api_calls=client.api_calls,
            attributes_created=created_attributes,
            custom_attributes_remaining=p.attributes.remaining,
            interrupted=execution.interrupted,
            fatal=str(execution.fatal) if execution.fatal else None,
        )
        report = ctx.report(outcome, dry_run=False)
        store.record_run(
            report,
            started_at=ctx.started_at,
            finished_at=datetime.now(UTC),
            insert=ctx.config.sync.insert,
        )
    if execution.fatal is not None:
        raise execution.fatal
    return report


async def _resolve(ctx: RunContext, client: IntercomClient, store: StateStore, p: Prepared) -> int:
    """Update-only runs: find the companies Intercom has; return how many it does not."""
    if ctx.config.sync.insert:
        return 0
    resolution = await resolve_existing(
        client, p.changes, missing=store.missing(), recheck=ctx.recheck_missing
    )
    ctx.progress.stage(
        f"found {len(resolution.found):,} existing companies by {resolution.strategy}; "
        f"{len(resolution.not_found):,} not in Intercom, {resolution.skipped:,} not looked up "
        "again (unchanged since they were not found)"
    )
    found = [Confirmation(cid, iid, {}) for cid, iid in resolution.found]
    store.commit(found, p.attribute_names)
    store.forget_missing([cid for cid, _ in resolution.found])
    store.remember_missing(resolution.not_found)
    return p.changes.count(unresolved_only=True)


async def _send(
    ctx: RunContext, client: IntercomClient, store: StateStore, p: Prepared, concurrency: int
) -> Execution:
    insert = ctx.config.sync.insert
    attributes = p.attribute_names

    async def send(change: Change) -> dict[str, Any]:
        body = request_body(change)
        if change.removal == "delete":
            assert change.intercom_id is not None
            await client.delete_company(change.intercom_id)  # already gone is as good
            return {"id": change.intercom_id}
        if insert and change.removal is None:
            return await client.upsert_company({"company_id": change.company_id, **body})
        assert change.intercom_id is not None
        return await client.update_company(change.intercom_id, body)

    known_only = not insert
    ctx.progress.planned(p.changes.count(known_only=known_only))
    try:
        with _stop_event(ctx) as stop:
            return await execute(
                chain(
                    p.changes.pages(known_only=known_only),
                    p.changes.removal_pages(ctx.config.sync.on_removal),
                ),
                send,
                lambda batch: store.commit(batch, attributes),
                concurrency=concurrency,
                stop=stop,
                tick=lambda sent, failed: ctx.progress.advance(sent=sent, failed=failed),
            )
    finally:
        ctx.progress.close()


def _deleted(ctx: RunContext, execution: Execution) -> list[str]:
    return execution.removed if ctx.config.sync.on_removal == "delete" else []


def _stop_event(ctx: RunContext) -> contextlib.AbstractContextManager[asyncio.Event]:
    """The caller's stop event if it gave one (and owns the signals), else Ctrl-C/SIGTERM's."""
    if ctx.stop is not None:
        return contextlib.nullcontext(ctx.stop)
    return stop_on_signals()
