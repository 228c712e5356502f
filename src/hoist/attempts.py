"""Every attempt is a run: one that stops before it could record itself (the token refused, the
host unreachable, a SQL or config error found while running) is recorded in the activation's run
history as ``failed``, with its error scrubbed of secrets, whoever started it: `hoist run`, the
web UI or a schedule. So `hoist runs`, the UI's history and the alerts see every attempt (see
`record_failure` for the state it is recorded in).

One path for all three: the engine's `run` and `run_async` go through `recorded`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime

from hoist.config import ActivationConfig
from hoist.errors import HoistError, StateLockedError
from hoist.report import RunReport
from hoist.secret import redact
from hoist.state import open_state

__all__ = [
    "failed_report",
    "has_local_state",
    "now",
    "record_failure",
    "recorded",
    "report_of",
]

log = logging.getLogger("hoist.run")
_REPORT = "hoist_failed_run"


async def recorded(
    config: ActivationConfig, attempt: Awaitable[RunReport], since: datetime
) -> RunReport:
    """Await `attempt` (a run started at `since`); a `HoistError` that stops it is recorded as a
    failed run (unless the run recorded itself), then raised again for the caller to show.

    A run refused because another holds the activation's state is not an attempt: nothing is
    recorded for it (the run holding the state records its own).
    """
    try:
        return await attempt
    except StateLockedError:
        raise
    except HoistError as exc:
        report = failed_report(config, str(exc))
        record_failure(config, report, since)
        # The caller reports the same run (its id) as the history holds: see `report_of`.
        setattr(exc, _REPORT, report)
        raise


def report_of(exc: HoistError) -> RunReport | None:
    """The failed run `recorded` made of `exc`, if it went through `recorded`."""
    report = getattr(exc, _REPORT, None)
    return report if isinstance(report, RunReport) else None


def failed_report(config: ActivationConfig, message: str) -> RunReport:
    """A failed run of `config` with `message`, scrubbed of the activation's secrets."""
    return RunReport(
        run_id=uuid.uuid4().hex[:12],
        activation=config.name,
        status="failed",
        message=redact(message, _secrets(config)),
    )


def record_failure(config: ActivationConfig, report: RunReport, since: datetime) -> None:
    """Add `report` to the history unless a run started since `since` is there already.

    Only into a local state that exists: creating state for an attempt that did nothing would
    change what the next run decides (a state file where there was none makes turning
    `state.in_warehouse` on or off ask for --reset-state), and warehouse-native state is not
    opened again after a failure that may be the warehouse's (`hoist serve` records those). A
    history that cannot be written is logged, not raised: the caller still shows the error.
    """
    from hoist.schedule.history import ensure_recorded

    if not has_local_state(config):
        return
    try:
        ensure_recorded(config, report, since)
    except HoistError as exc:
        log.warning(
            "%s: could not record the failed run: %s",
            config.name,
            redact(str(exc), _secrets(config)),
        )


def has_local_state(config: ActivationConfig) -> bool:
    """Whether the activation keeps its state in a local file that exists: the only local state
    a failed attempt is recorded in (see `record_failure`)."""
    return open_state(config).records_failures()


def now() -> datetime:
    """The time a run starts, as the history stores it."""
    return datetime.now(UTC)


def _secrets(config: ActivationConfig) -> list[str]:
    from hoist.schedule.alerts import secrets_of

    return secrets_of(config)
