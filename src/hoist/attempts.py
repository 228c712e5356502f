"""Every attempt is a run: one that stops before it could record itself (the token refused, the
host unreachable, a SQL or config error found while running) is recorded in the activation's run
history as ``failed``, with its error scrubbed of secrets, whoever started it: `hoist run`, the
web UI or a schedule, and whichever kind of state the activation keeps. So `hoist runs`, the UI's
history and the alerts see every attempt.

One path for all three: the engine's `run` and `run_async` go through `recorded`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime
from functools import partial

from hoist.config import ActivationConfig
from hoist.errors import HoistError, StateLockedError
from hoist.offload import in_daemon_thread
from hoist.report import RunReport
from hoist.secret import redact

__all__ = [
    "RECORD_WITHIN_S",
    "failed_report",
    "now",
    "record_failure",
    "recorded",
    "report_of",
]

log = logging.getLogger("hoist.run")
_REPORT = "hoist_failed_run"

#: Longest the record of a failed run may take. Warehouse-native state is recorded in the
#: warehouse, which may be what failed (stopped, frozen): the run must still end promptly.
RECORD_WITHIN_S = 5.0


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
        await record_failure(config, report, since)
        # The caller reports the same run (its id) as the history holds: see `report_of`.
        setattr(exc, _REPORT, report)
        raise


def report_of(exc: HoistError) -> RunReport | None:
    """The failed run `recorded` made of `exc` (and recorded), if it went through `recorded`."""
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


async def record_failure(config: ActivationConfig, report: RunReport, since: datetime) -> None:
    """Add `report` to the history unless a run started since `since` is there already.

    Into whichever state the activation keeps, created if need be: a state that holds only a
    run history changes nothing the next run decides (the switch guards ask for deliveries,
    see `hoist.state.opening`). A history that cannot be written within `RECORD_WITHIN_S` (a
    warehouse that stopped answering) or at all is logged, not raised: the caller still shows
    the run's own error, promptly.
    """
    from hoist.schedule.run_history import ensure_recorded

    # A daemon thread: one stuck on a frozen warehouse never keeps the process alive.
    writing = in_daemon_thread(
        partial(ensure_recorded, config, report, since), name="hoist-record-failure"
    )
    try:
        await asyncio.wait_for(writing, RECORD_WITHIN_S)
    except TimeoutError:
        log.warning(
            "%s: could not record the failed run: its state did not answer within %g s",
            config.name,
            RECORD_WITHIN_S,
        )
    except Exception as exc:  # whatever stops the record, the run's own error is what counts
        text = str(exc) if isinstance(exc, HoistError) else f"{type(exc).__name__}: {exc}"
        log.warning(
            "%s: could not record the failed run: %s",
            config.name,
            redact(text, _secrets(config)),
        )


def now() -> datetime:
    """The time a run starts, as the history stores it."""
    return datetime.now(UTC)


def _secrets(config: ActivationConfig) -> list[str]:
    from hoist.schedule.alerts import secrets_of

    return secrets_of(config)
