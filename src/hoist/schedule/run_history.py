"""What the scheduler reads from, and adds to, an activation's run history in state.

The run history is the one record of what happened: `hoist serve` reads it at start-up (when
did the last run start, how did the last conclusive one end) so schedules and `recovered` alerts
carry across restarts, and adds the runs only it knows about: slots skipped because the previous
run was still going, and runs that failed before the engine could record them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from hoist.config import ActivationConfig
from hoist.report import RunReport
from hoist.schedule.alerts import CONCLUSIVE
from hoist.state import opened_state

__all__ = ["LastRuns", "ensure_recorded", "read_last_runs", "record_skipped"]

# Enough history to find the last conclusive run behind a row of skipped or interrupted ones.
_LOOK_BACK = 200


@dataclass(frozen=True)
class LastRuns:
    """The latest run (or skipped slot): its start and status; and the latest conclusive status."""

    started_at: datetime | None = None
    status: str | None = None
    conclusive: str | None = None


def read_last_runs(config: ActivationConfig) -> LastRuns:
    """The activation's `LastRuns` from its state (empty if it never ran)."""
    with opened_state(config, read_only=True) as store:
        runs = store.runs(_LOOK_BACK)
    if not runs:
        return LastRuns()
    conclusive = next((run["status"] for run in runs if run["status"] in CONCLUSIVE), None)
    return LastRuns(runs[0]["started_at"], runs[0]["status"], conclusive)


def record_skipped(config: ActivationConfig, slot: datetime, reason: str) -> None:
    """Add a skipped run at `slot` to the history, with `reason` as its message."""
    report = RunReport(
        run_id=uuid.uuid4().hex[:12], activation=config.name, status="skipped", message=reason
    )
    with opened_state(config, read_only=False) as store:
        store.record_run(report, started_at=slot, finished_at=slot, insert=config.sync.insert)


def ensure_recorded(config: ActivationConfig, report: RunReport, since: datetime) -> None:
    """Add `report` (a run that raised) unless the engine recorded a run started since `since`."""
    with opened_state(config, read_only=False) as store:
        latest = store.runs(1)
        if latest and latest[0]["started_at"] >= since:
            return
        store.record_run(
            report, started_at=since, finished_at=datetime.now(UTC), insert=config.sync.insert
        )
