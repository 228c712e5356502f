"""The plan pipeline: everything a run does up to sending, with nothing written anywhere."""

from __future__ import annotations

from hoist.diff.changes import Change
from hoist.pipeline.contacts_stage import PlannedContacts, planned_contacts
from hoist.pipeline.resolve import resolve_existing
from hoist.pipeline.stages import RunContext, check_removals, prepared
from hoist.report import Outcome, PlannedChange, RunReport

__all__ = ["plan_run"]

_SAMPLE = 20
_NONE = PlannedContacts()
#: Intercom's rate limits are per 10-second window; `X-RateLimit-Limit` is per window (NOTES §4).
_WINDOW_S = 10.0


async def plan_run(ctx: RunContext) -> RunReport:
    """What a run of `ctx.config` would do: its counts and a sample of changes, old -> new.

    With insert mode off, the read-only existence lookups are made, so the counts are exact;
    their calls show in ``api_calls``. Contacts are not searched: ``contacts_attached`` counts
    the pairs a run would search for (of companies delivered before or by the run), and the
    estimate counts one search per `SEARCH_IN_MAX` contacts plus one attach per pair.
    """
    insert = ctx.config.sync.insert
    async with prepared(ctx, read_only=True) as (client, store, p):
        removals = check_removals(ctx, p)
        if not insert:
            await resolve_existing(
                client, p.changes, missing=store.missing(), recheck=ctx.recheck_missing
            )
        known_only = not insert
        written_new = p.changes.count(new_only=True, known_only=known_only)
        writes = p.changes.count(known_only=known_only)
        sample = p.changes.sample(_SAMPLE, known_only=known_only)
        contacts = _NONE
        if p.contacts:
            recheck = ctx.recheck_missing or ctx.full_resync
            contacts = planned_contacts(p.contacts, store, insert=insert, recheck=recheck)
        # The run repeats the plan's own calls (workspace, attributes, lookups), then writes.
        calls = client.api_calls + len(p.attributes.to_create) + writes + contacts.calls
        outcome = Outcome(
            insert=insert,
            unchanged=p.changes.counts.unchanged,
            written_new=written_new,
            written_known=writes - written_new,
            not_in_intercom=0 if insert else p.changes.count(unresolved_only=True),
            rejected=p.rejected,
            api_calls=client.api_calls,
            rows_fetched=p.rows_fetched,
            attributes_created=tuple(name for name, _ in p.attributes.to_create),
            custom_attributes_remaining=p.attributes.remaining,
            removed=removals,
            sample=tuple(_planned(change, insert) for change in sample),
            estimated_calls=calls,
            estimated_seconds=_duration(calls, client.limiter.limit),
            without_contacts=store.without_contacts(),
            contacts_attached=contacts.pairs,
            contacts_not_found=contacts.not_found,
            contacts_configured=ctx.config.contacts is not None,
        )
    return ctx.report(outcome, dry_run=True)


def _duration(calls: int, per_window: int | None) -> float | None:
    """Seconds `calls` take at `per_window` calls per 10-second window (NOTES §4)."""
    if not per_window:
        return None
    return calls / per_window * _WINDOW_S


def _planned(change: Change, insert: bool) -> PlannedChange:
    # With insert off nothing is created: a company new to state was found in Intercom.
    return PlannedChange(
        company_id=change.company_id,
        operation="create" if change.new and insert else "update",
        changes={a: {"old": change.old.get(a), "new": v} for a, v in change.values.items()},
    )
