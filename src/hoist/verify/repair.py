"""`hoist verify --repair`: send exactly the drifted attributes, re-create what went missing.

A repair is a small plan of the same `Change`s a run sends, so it is delivered as a run's are
(`hoist.pipeline.delivery`: the same writes, paced, concurrent, Ctrl-C safe, rejections
collected) and state advances only for what Intercom confirms:

- a drifted company gets one write carrying only its drifted attributes, with the JSON text
  state holds (so state's text stays byte-identical and the next run sees no change);
- a company Intercom holds under another id needs no write: the id it answered with is recorded;
- a missing company is re-created with every delivered value when insert mode is on; with it
  off hoist never creates, so it is reported and forgotten by state (the next run looks it up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hoist.compare import ID_ATTRIBUTE, Drift
from hoist.diff.changes import Change, Confirmation
from hoist.intercom import IntercomClient, WorkspaceIdentity
from hoist.pipeline.delivery import BoundState, CompanyWriter, deliver
from hoist.pipeline.executor import stop_on_signals
from hoist.report import RecordIssue
from hoist.state import StateBackend
from hoist.verify.check import Findings
from hoist.verify.delivered import StateRow

__all__ = ["Repair", "plan_repair", "repair"]

_NOT_CREATED = (
    "gone from Intercom; insert mode is off, so hoist does not re-create it (state forgets "
    "it, and the next run reports it as not in Intercom)"
)


@dataclass
class Repair:
    """What a repair sends and records: writes, id-only fixes, and companies it must skip."""

    changes: list[Change] = field(default_factory=list)
    relinked: list[Confirmation] = field(default_factory=list)
    skipped: list[RecordIssue] = field(default_factory=list)


def plan_repair(findings: Findings, *, insert: bool) -> Repair:
    """The writes that make Intercom hold again what state says was delivered."""
    plan = Repair()
    by_company: dict[str, list[Drift]] = {}
    for drift in findings.drifted:
        by_company.setdefault(drift.company_id, []).append(drift)
    for company_id, drifts in by_company.items():
        row, held_id = findings.drifted_rows[company_id], findings.held_ids[company_id]
        change = _rewrite(row, held_id, drifts)
        if change is not None:
            plan.changes.append(change)
        else:
            plan.relinked.append(Confirmation(company_id, held_id, {}))
    for row in findings.missing:
        if insert:
            # Nulls too: whether Intercom revives an archived company or creates a new one is
            # undocumented; with every delivered value sent, both end equal to state.
            texts = {a: t for a, t in row.texts.items() if t is not None}
            plan.changes.append(Change(row.company_id, None, True, texts, {}))
        else:
            plan.skipped.append(RecordIssue(row.company_id, "not_in_intercom", _NOT_CREATED))
    return plan


def _rewrite(row: StateRow, held_id: str, drifts: list[Drift]) -> Change | None:
    """The write of a drifted company's delivered texts; None when only its id drifted."""
    texts: dict[str, str] = {}
    old: dict[str, Any] = {}
    for drift in drifts:
        text = row.texts.get(drift.attribute)
        if drift.attribute != ID_ATTRIBUTE and text is not None:
            texts[drift.attribute], old[drift.attribute] = text, drift.intercom
    return Change(row.company_id, held_id, False, texts, old) if texts else None


@dataclass
class RepairOutcome:
    """Which companies Intercom confirmed repaired, which were not, and how many writes."""

    repaired: list[str]
    not_repaired: list[RecordIssue]
    writes: int


async def repair(
    client: IntercomClient,
    store: StateBackend,
    workspace: WorkspaceIdentity,
    plan: Repair,
    *,
    insert: bool,
    attributes: list[str],
    concurrency: int,
) -> RepairOutcome:
    """Send the plan the way a run sends (`hoist.pipeline.delivery`): commit what Intercom
    confirms, binding state to the workspace with the first; forget companies it no longer has.
    """
    confirmed: list[str] = []
    bound = BoundState(
        store, workspace, lambda batch: confirmed.extend(c.company_id for c in batch)
    )
    before = client.api_calls
    store.add_attribute_columns(attributes)
    bound.commit(plan.relinked, attributes)
    with stop_on_signals() as stop:
        writer = CompanyWriter(client, insert=insert)
        execution = await deliver(
            iter([plan.changes]), writer, bound, attributes, concurrency=concurrency, stop=stop
        )
    store.forget_intercom_ids([e.company_id for e in plan.skipped if e.company_id])
    if execution.fatal is not None:
        raise execution.fatal
    settled = {e.company_id for e in execution.failed} | set(confirmed)
    unsent = [
        RecordIssue(c.company_id, "interrupted", "stopped (Ctrl-C) before it was sent")
        for c in plan.changes
        if c.company_id not in settled
    ]
    return RepairOutcome(
        repaired=sorted(set(confirmed)),
        not_repaired=[*plan.skipped, *execution.failed, *unsent],
        writes=client.api_calls - before,
    )
