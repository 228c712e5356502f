"""The apply pipeline: send the plan to Intercom, record what it confirmed, report the run."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain

from hoist.company_attributes import CUSTOM_PREFIX
from hoist.diff.changes import Confirmation
from hoist.errors import FatalDestinationError
from hoist.intercom import IntercomClient
from hoist.pipeline.contacts_stage import ContactsResult, attach_contacts
from hoist.pipeline.custom_attributes import create_missing
from hoist.pipeline.delivery import BoundState, CompanyWriter, deliver
from hoist.pipeline.executor import Execution, stop_on_signals
from hoist.pipeline.resolve import resolve_existing
from hoist.pipeline.stages import Prepared, RunContext, check_removals, prepared
from hoist.report import Outcome, RunReport
from hoist.state import StateBackend

__all__ = ["apply_run"]

#: Requests in flight at once; the rate limiter, not this, sets the pace. 64 (the client's
#: connection pool) reaches Intercom's ~166 calls/s even at ~380 ms per call, where 16 would
#: cap a run at 42-160 calls/s for ordinary latencies of 100-380 ms (issue 16).
DEFAULT_CONCURRENCY = 64


async def apply_run(ctx: RunContext, *, concurrency: int = DEFAULT_CONCURRENCY) -> RunReport:
    """Send Intercom what changed since the last run; record and return the run's report.

    A fatal destination error (401/403) is raised after what Intercom confirmed before it has
    been committed and the run recorded.
    """
    async with prepared(ctx, read_only=False) as (client, store, p):
        check_removals(ctx, p)  # before anything is written
        done = await _apply(ctx, client, BoundState(store, p.workspace), p, concurrency)
        report = ctx.report(_outcome(ctx, client, store, p, done), dry_run=False)
        store.record_run(
            report,
            started_at=ctx.started_at,
            finished_at=datetime.now(UTC),
            insert=ctx.config.sync.insert,
        )
    if done.fatal is not None:
        raise done.fatal
    return report


@dataclass
class _Applied:
    """What applying the plan did, before it is counted into the run's `Outcome`."""

    sent: _Sent
    contacts: ContactsResult
    created_attributes: tuple[str, ...]
    not_found: int
    contradictions: list[str]

    @property
    def fatal(self) -> FatalDestinationError | None:
        """The destination error that stopped the run (401/403), if any."""
        return self.sent.execution.fatal or self.contacts.fatal


async def _apply(
    ctx: RunContext, client: IntercomClient, bound: BoundState, p: Prepared, concurrency: int
) -> _Applied:
    """Create attributes, resolve, send, fold, forget what Intercom lost, attach contacts."""
    store = bound.store
    contradictions = _attributes_lost(store, p)
    created_attributes = await create_missing(client, p.attributes)
    if created_attributes:
        bound.record()
    store.add_attribute_columns(p.attribute_names)
    not_found = await _resolve(ctx, client, bound, p)
    sent = await _send(ctx, client, bound, p, concurrency)  # folds, forgets stale ids
    execution, recreated = sent.execution, sent.recreated
    # A full resync sends every value: a company created again lacks none of them.
    contradictions += _companies_lost(execution.stale, [] if ctx.full_resync else recreated)
    # Deleted companies leave state: if they come back to the model, they are created anew.
    store.forget_intercom_ids(_deleted(ctx, execution))
    # Their contacts were detached with them (NOTES §1.5): those pairs are attached anew.
    store.forget_pairs_of([*execution.stale, *recreated, *_deleted(ctx, execution)])
    contacts = await _contacts(ctx, client, bound, p, execution, concurrency)
    contradictions += _contacts_lost(store, contacts.gone)
    store.fold()
    return _Applied(sent, contacts, created_attributes, not_found, contradictions)


def _outcome(
    ctx: RunContext, client: IntercomClient, store: StateBackend, p: Prepared, done: _Applied
) -> Outcome:
    """The run's outcome, built once from the plan and what applying it did."""
    execution, contacts, fatal = done.sent.execution, done.contacts, done.fatal
    return Outcome(
        insert=ctx.config.sync.insert,
        # Companies whose only changes were never-set nulls: recorded, nothing sent.
        unchanged=p.changes.counts.unchanged + execution.recorded,
        written_new=execution.confirmed_new,
        written_known=execution.confirmed_known,
        not_in_intercom=done.not_found,
        removed=len(execution.removed),
        rejected=p.rejected,
        failed=(*execution.failed, *contacts.failed),
        api_calls=client.api_calls,
        rows_fetched=p.rows_fetched,
        attributes_created=done.created_attributes,
        custom_attributes_remaining=p.attributes.remaining,
        interrupted=execution.interrupted,
        fatal=str(fatal) if fatal else None,
        contradictions=tuple(done.contradictions),
        without_contacts=store.without_contacts(),
        contacts_attached=contacts.attached,
        contacts_not_found=_contacts_not_found(store, p),
        warnings=done.sent.warnings(),
        contacts_configured=ctx.config.contacts is not None,
        target=ctx.command_name,
    )


def _attributes_lost(store: StateBackend, p: Prepared) -> list[str]:
    """Custom attributes the run must create although state says values of them went out."""
    lost = []
    for name, _ in p.attributes.to_create:
        delivered = store.delivered_count(f"{CUSTOM_PREFIX}{name}")
        if delivered:
            lost.append(
                f"custom attribute {name!r} is missing in Intercom, yet state says {delivered:,} "
                "companies were sent a value of it"
            )
    return lost


def _companies_lost(stale: list[str], recreated: list[str]) -> list[str]:
    """Companies state knew that Intercom no longer had (a 404, or a new id on upsert)."""
    lost = [f"company {cid} is gone from Intercom (404 for its known id)" for cid in stale]
    lost += [
        f"company {cid} had to be created again in Intercom (it answered with a new id), so it "
        "lacks the values this run did not change"
        for cid in recreated
    ]
    return lost


def _contacts_lost(store: StateBackend, gone: list[str]) -> list[str]:
    """Forget companies a contact could not be attached to because Intercom no longer has
    them, with their pairs: the next run creates them and attaches their contacts again."""
    gone = sorted(set(gone))
    store.forget_intercom_ids(gone)
    store.forget_pairs_of(gone)
    return [
        f"company {cid} is gone from Intercom (attaching a contact answered company_not_found); "
        "state forgot it, so the next run sends it again with its contacts"
        for cid in gone
    ]


async def _contacts(
    ctx: RunContext,
    client: IntercomClient,
    bound: BoundState,
    p: Prepared,
    execution: Execution,
    concurrency: int,
) -> ContactsResult:
    """Attach the contacts model's pairs, unless the run was stopped or has none."""
    config = ctx.config.contacts
    if config is None or p.contacts is None or execution.fatal or execution.interrupted:
        return ContactsResult()
    recheck = ctx.recheck_missing or ctx.full_resync
    result = await attach_contacts(
        config, client, bound.store, p.contacts, concurrency, recheck=recheck
    )
    if result.attached or result.detached:
        bound.record()
    ctx.progress.stage(f"attached {result.attached:,} contacts, detached {result.detached:,}")
    return result


def _contacts_not_found(store: StateBackend, p: Prepared) -> int:
    """Contacts Intercom did not have when last searched."""
    if p.contacts is None:
        return 0
    return p.contacts.not_found(store.pairs_relation())


async def _resolve(ctx: RunContext, client: IntercomClient, bound: BoundState, p: Prepared) -> int:
    """Update-only runs: find the companies Intercom has; return how many it does not."""
    if ctx.config.sync.insert:
        return 0
    resolution = await resolve_existing(
        client, p.changes, missing=bound.store.missing(), recheck=ctx.recheck_missing
    )
    ctx.progress.stage(
        f"found {len(resolution.found):,} existing companies by {resolution.strategy}; "
        f"{len(resolution.not_found):,} not in Intercom, {resolution.skipped:,} not looked up "
        "again (unchanged since they were not found)"
    )
    counts = resolution.user_counts
    found = [Confirmation(cid, iid, {}, counts.get(cid)) for cid, iid in resolution.found]
    bound.commit(found, p.attribute_names)
    bound.store.forget_missing([cid for cid, _ in resolution.found])
    bound.store.remember_missing(resolution.not_found)
    return p.changes.count(unresolved_only=True)


@dataclass
class _Sent:
    """What sending did: the execution, and what the writer noted on the way."""

    execution: Execution
    writer: CompanyWriter

    @property
    def recreated(self) -> list[str]:
        """Companies answered under a new id (deleted in Intercom since state knew them)."""
        return self.writer.recreated

    def warnings(self) -> tuple[str, ...]:
        """One line per attribute a clear had to leave."""
        return self.writer.warnings()


async def _send(
    ctx: RunContext, client: IntercomClient, bound: BoundState, p: Prepared, concurrency: int
) -> _Sent:
    """Deliver the changes and removals; state is folded and stale ids forgotten after."""
    insert = ctx.config.sync.insert
    writer = CompanyWriter(client, insert=insert)
    known_only = not insert
    ctx.progress.planned(p.changes.count(known_only=known_only))
    try:
        with _stop_event(ctx) as stop:
            execution = await deliver(
                chain(
                    p.changes.pages(known_only=known_only),
                    p.changes.removal_pages(ctx.config.sync.on_removal),
                ),
                writer,
                bound,
                p.attribute_names,
                concurrency=concurrency,
                stop=stop,
                tick=lambda sent, failed: ctx.progress.advance(sent=sent, failed=failed),
            )
    finally:
        ctx.progress.close()
    return _Sent(execution, writer)


def _deleted(ctx: RunContext, execution: Execution) -> list[str]:
    return execution.removed if ctx.config.sync.on_removal == "delete" else []


def _stop_event(ctx: RunContext) -> contextlib.AbstractContextManager[asyncio.Event]:
    """The caller's stop event if it gave one (and owns the signals), else Ctrl-C/SIGTERM's."""
    if ctx.stop is not None:
        return contextlib.nullcontext(ctx.stop)
    return stop_on_signals()
