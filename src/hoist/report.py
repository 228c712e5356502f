"""Run reports: the counts a user checks after a run or a plan, and how they are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "Outcome",
    "PlannedChange",
    "RecordIssue",
    "RunReport",
    "Status",
    "render_history",
    "render_report",
    "summarise",
]

#: "skipped" is only ever recorded by `hoist serve`: a scheduled slot that came while the
#: activation's previous run was still going.
Status = Literal["success", "partial", "failed", "interrupted", "skipped"]

#: How many record errors and planned changes the console shows before "... and N more".
CONSOLE_CAP = 10


@dataclass(frozen=True)
class RecordIssue:
    """Why one company, or one attribute of it, was not synced.

    `attribute` is set when only that attribute was held back (a value Intercom would refuse,
    or did refuse): the company's other attributes went through.
    """

    company_id: str | None
    code: str
    message: str
    attribute: str | None = None


@dataclass(frozen=True)
class PlannedChange:
    """What a run would do to one company: the operation and each attribute old -> new."""

    company_id: str
    operation: Literal["create", "update"]
    changes: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class RunReport:
    """The outcome of one run (or, with `dry_run`, of a plan)."""

    run_id: str
    activation: str
    status: Status
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_intercom: int = 0
    rejected: int = 0
    failed: int = 0
    removed: int = 0
    api_calls: int = 0
    #: Rows moved out of the source: the whole model with local state; with warehouse-native
    #: state only the changed and rejected rows.
    rows_fetched: int = 0
    duration_s: float = 0.0
    without_contacts: int = 0
    contacts_attached: int = 0
    contacts_not_found: int = 0
    errors: tuple[RecordIssue, ...] = ()
    attributes_created: tuple[str, ...] = ()
    custom_attributes_remaining: int | None = None
    sample: tuple[PlannedChange, ...] = field(default=())
    message: str | None = None
    contradictions: tuple[str, ...] = ()
    """What Intercom lacks although state says it was delivered (see `hoist verify`)."""
    estimated_calls: int | None = None
    """Plans: the calls the run would make (writes, lookups, attributes to create)."""
    estimated_seconds: float | None = None
    """Plans: how long those calls take at the workspace's current rate limit."""
    warnings: tuple[str, ...] = ()
    """What the run could not do as asked and why, each said once (not a failure)."""
    contacts_configured: bool = False
    """Whether the activation has a `contacts:` key (the console leaves out the hint to add one)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: every count, every error, and the sample of changes for plans."""
        data = asdict(self)
        del data["contacts_configured"]  # a console detail, not a fact of the run
        data["duration_s"] = round(self.duration_s, 3)
        data["errors"] = [asdict(e) for e in self.errors]
        data["attributes_created"] = list(self.attributes_created)
        data["sample"] = [asdict(s) for s in self.sample]
        data["contradictions"] = list(self.contradictions)
        data["warnings"] = list(self.warnings)
        return data


@dataclass(frozen=True)
class Outcome:
    """What a run did, or a plan would do, before it is counted into a `RunReport`.

    `written_new` and `written_known` count the companies Intercom confirmed (a plan: would be
    sent), split by whether this activation's state knew them before. `without_contacts`
    counts delivered companies whose last known `user_count` is 0; `contacts_attached` the
    contacts attached (a plan: the pairs it would search for), `contacts_not_found` the
    contacts Intercom did not have when last searched.
    """

    insert: bool
    unchanged: int
    written_new: int = 0
    written_known: int = 0
    not_in_intercom: int = 0
    rejected: tuple[RecordIssue, ...] = ()
    failed: tuple[RecordIssue, ...] = ()
    api_calls: int = 0
    rows_fetched: int = 0
    attributes_created: tuple[str, ...] = ()
    custom_attributes_remaining: int | None = None
    removed: int = 0
    sample: tuple[PlannedChange, ...] = ()
    interrupted: bool = False
    fatal: str | None = None
    contradictions: tuple[str, ...] = ()
    estimated_calls: int | None = None
    estimated_seconds: float | None = None
    without_contacts: int = 0
    contacts_attached: int = 0
    contacts_not_found: int = 0
    warnings: tuple[str, ...] = ()
    contacts_configured: bool = False
    #: How commands name the activation (its name in a project, else its file) in hints.
    target: str = ""


def _contradiction(target: str) -> str:
    """Why a run with contradictions is partial, and the commands (naming `target`) to fix it."""
    resync = f"`hoist run {target} --full-resync`"
    return (
        "Intercom lacks what state says was delivered (see contradictions); run "
        f"`hoist verify {target} --repair` to find and resend what is missing, or {resync}"
    )


#: The facts a report takes from the outcome as they are.
_AS_IS = (
    "unchanged",
    "not_in_intercom",
    "removed",
    "api_calls",
    "rows_fetched",
    "without_contacts",
    "contacts_attached",
    "contacts_not_found",
    "contacts_configured",
    "attributes_created",
    "custom_attributes_remaining",
    "sample",
    "contradictions",
    "estimated_calls",
    "estimated_seconds",
    "warnings",
)


def summarise(
    outcome: Outcome, *, run_id: str, activation: str, dry_run: bool, duration_s: float
) -> RunReport:
    """The report of `outcome`: the one place counts and status are decided.

    ``created`` counts companies new to state, written with insert mode on; with it off
    nothing is created, so a company new to state was found in Intercom and is an update
    (`POST /companies` does not say whether it created, see docs/design.md).
    """
    status, message = _status(outcome, outcome.target or activation)
    return RunReport(
        run_id=run_id,
        activation=activation,
        status=status,
        dry_run=dry_run,
        created=outcome.written_new if outcome.insert else 0,
        updated=outcome.written_known + (0 if outcome.insert else outcome.written_new),
        rejected=len(outcome.rejected),
        failed=len(outcome.failed),
        errors=outcome.rejected + outcome.failed,
        duration_s=duration_s,
        message=message,
        **{name: getattr(outcome, name) for name in _AS_IS},
    )


def _status(outcome: Outcome, target: str) -> tuple[Status, str | None]:
    """The run's status and message: the gravest of what happened wins."""
    if outcome.fatal is not None:
        return "failed", outcome.fatal
    if outcome.interrupted:
        return "interrupted", "stopped early (Ctrl-C); the next run sends the rest"
    if outcome.contradictions:
        # Intercom lacks what state calls delivered: this run cannot have fixed it all.
        return "partial", _contradiction(target)
    if outcome.rejected or outcome.failed:
        return "partial", None
    return "success", None


_ROWS = (
    ("created", "created"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("not_in_intercom", "not in Intercom"),
    ("rejected", "rejected"),
    ("failed", "failed"),
    ("removed", "removed"),
    ("api_calls", "API calls"),
    ("rows_fetched", "rows fetched"),
    ("without_contacts", "without contacts"),
)
#: The one line under the counts that says why `without_contacts` matters.
WITHOUT_CONTACTS_NOTE = (
    "{n:,} companies have no contact attached, so Intercom hides them from its interface and "
    "lists; the `contacts:` key attaches contacts"
)


#: Under `hoist runs`: what the contact columns count.
HISTORY_NOTE = (
    "no contact: delivered companies with no contact attached, which Intercom hides from its "
    "interface and lists; attached / unknown: contacts attached / not found in Intercom"
)


def render_report(report: RunReport) -> str:
    """The human summary printed by `hoist run` and `hoist plan`."""
    verb = "plan" if report.dry_run else "run"
    would = " (nothing was written)" if report.dry_run else ""
    lines = [
        f"hoist {verb} {report.activation}  [{report.run_id}]  "
        f"{report.status} in {report.duration_s:.1f} s{would}"
    ]
    lines += [f"  {label:<16}{getattr(report, name):>10,}" for name, label in _ROWS]
    if report.contacts_attached or report.contacts_not_found:
        # The names of the JSON keys, contacts_attached and contacts_not_found.
        label = "contacts to attach" if report.dry_run else "contacts attached"
        lines.append(f"  {label:<19}{report.contacts_attached:>7,}")
        lines.append(f"  {'contacts not found':<19}{report.contacts_not_found:>7,}")
    if report.without_contacts:
        note = WITHOUT_CONTACTS_NOTE.format(n=report.without_contacts)
        if report.contacts_configured:  # the hint would point to what is already there
            note = note.split("; the `contacts:` key")[0]
        lines.append("  " + note)
    if report.attributes_created:
        verb_attr = "to create" if report.dry_run else "created"
        lines.append(f"  custom attributes {verb_attr}: {', '.join(report.attributes_created)}")
    if report.estimated_calls is not None:
        lines.append(f"  {_estimate(report.estimated_calls, report.estimated_seconds)}")
    if report.custom_attributes_remaining is not None:
        lines.append(
            f"  custom attributes Intercom can still take: {report.custom_attributes_remaining}"
        )
    if report.message:
        lines.append(f"  {report.message}")
    lines += [f"  warning: {warning}" for warning in report.warnings]
    lines += _capped("contradictions:", [f"  {c}" for c in report.contradictions])
    lines += _capped(
        f"errors ({len(report.errors)}):",
        [_render_error(e) for e in report.errors],
    )
    lines += _sample(report.sample)
    return "\n".join(lines)


def _sample(sample: Sequence[PlannedChange]) -> list[str]:
    """The plan's sample, saying how many of it are shown (--json has it all)."""
    if not sample:
        return []
    shown = sample[:CONSOLE_CAP]
    more = f"; --json shows all {len(sample)}" if len(sample) > len(shown) else ""
    return [f"changes (a sample of {len(shown)}{more}):", *map(_render_change, shown)]


def _estimate(calls: int, seconds: float | None) -> str:
    if seconds is None:
        return f"cost: about {calls:,} API calls (rate limit not announced)"
    return f"cost: about {calls:,} API calls, {seconds:,.0f} s at the current rate limit"


def _render_error(error: RecordIssue) -> str:
    where = f"  [{error.attribute}]" if error.attribute else ""
    return f"  {error.company_id or '<no company_id>'}{where}  {error.code}  {error.message}"


def _capped(title: str, rows: Sequence[str]) -> list[str]:
    if not rows:
        return []
    shown = [title, *rows[:CONSOLE_CAP]]
    if len(rows) > CONSOLE_CAP:
        shown.append(f"  ... and {len(rows) - CONSOLE_CAP:,} more (see --json)")
    return shown


def _render_change(change: PlannedChange) -> str:
    parts = [
        f"{attribute}: {_short(diff.get('old'))} -> {_short(diff.get('new'))}"
        for attribute, diff in change.changes.items()
    ]
    return f"  {change.operation:<6} {change.company_id}  " + "; ".join(parts)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def render_history(runs: Sequence[dict[str, Any]]) -> str:
    """The run history as a table, newest first, and what its contact columns count."""
    if not runs:
        return "no runs yet"
    header = (
        f"{'run_id':<14}{'started':<22}{'status':<12}{'created':>9}{'updated':>9}"
        f"{'unchanged':>11}{'rejected':>10}{'failed':>8}{'calls':>8}{'fetched':>10}{'secs':>8}"
        f"{'no contact':>12}{'attached':>10}{'unknown':>9}"
    )
    rows = [
        f"{r['run_id']:<14}{r['started_at']:%Y-%m-%d %H:%M:%S}    {r['status']:<12}"
        f"{r['created']:>9}{r['updated']:>9}{r['unchanged']:>11}{r['rejected']:>10}"
        f"{r['failed']:>8}{r['api_calls']:>8}{_count(r.get('rows_fetched')):>10}"
        f"{r['duration_s']:>8.1f}"
        f"{_count(r.get('without_contacts')):>12}{_count(r.get('contacts_attached')):>10}"
        f"{_count(r.get('contacts_not_found')):>9}"
        for r in runs
    ]
    return "\n".join([header, *rows, HISTORY_NOTE])


def _count(value: int | None) -> str:
    # Runs recorded before state schema 4 have no contact counts.
    return "-" if value is None else f"{value:,}"
