"""`hoist serve`: the scheduler wired to real runs, the run history and alert webhooks.

Every run, scheduled or started from the web UI (`Service.attempt`), goes the same way: run the
activation (a failure that stops it becomes a ``failed`` report, recorded in the history if the
engine could not record it), record the slots skipped while it ran, decide the alert event
against the last conclusive status, and send the alerts in the background so a slow webhook
never delays the next run. Nothing here raises out of a run: one broken activation never stops
the others.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from hoist import attempts
from hoist.config import ActivationConfig, AlertEvent
from hoist.cron import parse_schedule
from hoist.errors import HoistError, StateError, StateLockedError
from hoist.observe.metrics import OUTCOMES, Metrics
from hoist.report import RunReport
from hoist.schedule.alerts import CONCLUSIVE, alert_event, build_payload, redact, secrets_of
from hoist.schedule.clock import Clock, SystemClock
from hoist.schedule.run_history import LastRuns, read_last_runs, record_skipped
from hoist.schedule.scheduler import Job, Scheduler
from hoist.schedule.webhook import deliver

__all__ = ["RunActivation", "Service"]

log = logging.getLogger("hoist.schedule")

_SKIPPED = "skipped: the previous run was still going"

#: Runs one activation and returns its report; raises `HoistError` when the run cannot proceed.
RunActivation = Callable[[ActivationConfig], Awaitable[RunReport]]


class Service:
    """The scheduled activations of one `hoist serve` process."""

    def __init__(
        self,
        configs: Sequence[ActivationConfig],
        run: RunActivation,
        *,
        clock: Clock | None = None,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        #: Where runs and skipped slots are counted for /metrics (a registry nobody reads if None).
        self.metrics = metrics or Metrics()
        self.configs = {config.name: config for config in configs if config.schedule}
        self._run = run
        self._webhook_transport = webhook_transport
        self._last_status: dict[str, str | None] = {}
        self._skipped: dict[str, list[datetime]] = {}
        self._alerts: set[asyncio.Task[bool]] = set()
        #: The latest report of each activation run by this process.
        self.reports: dict[str, RunReport] = {}
        self.scheduler = Scheduler(
            [self._job(config) for config in self.configs.values()],
            self._launch,
            on_skip=lambda job, slot: self._skipped.setdefault(job.name, []).append(slot),
            clock=self.clock,
        )

    def _job(self, config: ActivationConfig) -> Job:
        assert config.schedule is not None
        try:
            last = read_last_runs(config)
        except StateError as exc:
            # Another process holds the state (a run by hand): treat the history as unknown;
            # the run due now finds the lock and is skipped if that run still goes.
            log.warning("%s: cannot read the run history yet: %s", config.name, exc)
            last = LastRuns()
        self._last_status[config.name] = last.conclusive
        schedule = parse_schedule(config.schedule, config.timezone)
        return Job.starting(config.name, schedule, last.started_at, self.clock.now())

    async def serve(self, stop: asyncio.Event, *, idle: bool = False) -> None:
        """Run the schedules until `stop` is set, then let running activations finish.

        With `idle`, serve even with nothing scheduled: `update` may bring schedules later.
        """
        if self.configs or idle:
            await self.scheduler.serve(stop)
        await self.drain_alerts()

    def update(self, configs: Sequence[ActivationConfig]) -> None:
        """Schedule `configs` from now on (the project's files changed).

        An activation whose schedule and time zone are unchanged keeps its due time (its next
        run uses the new definition); a new or changed schedule counts from the activation's
        last run, as at start-up; one no longer scheduled is dropped (a run in progress ends).
        """
        held = {job.name: job for job in self.scheduler.jobs}
        scheduled = {config.name: config for config in configs if config.schedule}
        jobs = []
        for name, config in scheduled.items():
            job, before = held.get(name), self.configs.get(name)
            if job is None or before is None or _timing(before) != _timing(config):
                fresh = self._job(config)
                fresh.task = job.task if job is not None else None  # one run at a time
                job = fresh
                log.info("%s: %s, next run %s", name, config.schedule, _when(job.due))
            jobs.append(job)
        for name in held.keys() - scheduled.keys():
            log.info("%s: no longer scheduled", name)
        self.configs = scheduled
        self.scheduler.replace(jobs)

    def next_runs(self) -> dict[str, datetime]:
        """When each activation this process schedules is next due (UTC)."""
        return {job.name: job.due for job in list(self.scheduler.jobs)}

    async def once(self) -> dict[str, RunReport | None]:
        """Run every activation due now, wait for them and their alerts.

        Returns each started activation's report (None: skipped, another run held its state).
        """
        started = await self.scheduler.once()
        await self.drain_alerts()
        return {name: self.reports.get(name) for name in started}

    async def drain_alerts(self) -> None:
        """Wait for alerts still being delivered (each gives up after its retries)."""
        await asyncio.gather(*self._alerts, return_exceptions=True)

    async def attempt(self, config: ActivationConfig, run: RunActivation) -> RunReport | None:
        """Run `config` now with `run` (the UI's Run now) the way a scheduled run goes: a failure
        that stops it is recorded, and its alert fires (failed, partial, or recovered after the
        last conclusive run in the history, whoever started that one).

        Returns the report (None: another process held the activation's state; skipped).
        """
        previous = await self._previous(config)
        report = await self._report(config, run)
        if report is not None:
            self._conclude(config, report, previous)
        return report

    async def _launch(self, job: Job) -> None:
        config = self.configs[job.name]
        report = await self._report(config, self._run)
        self._record_skips(config)
        if report is None:
            self.metrics.observe_skip(config.name)
            return
        self._conclude(config, report, self._last_status.get(config.name))

    def _conclude(self, config: ActivationConfig, report: RunReport, previous: str | None) -> None:
        """Count the run for /metrics, remember how it ended and send the alert its status
        raises, if any."""
        self.metrics.observe_run(report)
        self.reports[config.name] = report
        if report.status in CONCLUSIVE:
            self._last_status[config.name] = report.status
        event = alert_event(report.status, previous)
        if event is not None:
            self._alert(config, report, event)

    async def _previous(self, config: ActivationConfig) -> str | None:
        """The last conclusive status before a run starting now: from the history, since a
        run by hand may have come after this process's last; else (the history cannot be read
        now) the one this process saw."""
        try:
            recorded = (await asyncio.to_thread(read_last_runs, config)).conclusive
        except HoistError as exc:
            log.info(
                "%s: cannot read the run history: %s",
                config.name,
                redact(str(exc), secrets_of(config)),
            )
            recorded = None
        return recorded or self._last_status.get(config.name)

    async def _report(self, config: ActivationConfig, run: RunActivation) -> RunReport | None:
        """Run `config` with `run`; a failure that stops it becomes (and is recorded as) a report.

        None when another process (a `hoist run` by hand, an overlapping `serve --once`) holds
        the activation's state: the slot is skipped, which is neither a failure nor a success.
        """
        since = self.clock.now()
        log.info("%s: run started", config.name, extra=_fields(config, "run_started"))
        try:
            report = await run(config)
        except StateLockedError as exc:
            log.info("%s: skipped: %s", config.name, exc, extra=_fields(config, "run_skipped"))
            return None
        except HoistError as exc:
            # Recorded by the engine already (`hoist.attempts`): the alert names that run.
            report = attempts.report_of(exc) or await self._record(config, str(exc), since)
        except Exception as exc:  # a bug must not stop the other schedules
            log.exception("%s: the run crashed", config.name)
            message = f"internal error ({type(exc).__name__}); see the log"
            report = await self._record(config, message, since)
        message = f": {report.message}" if report.message else ""
        log.info(
            "%s: run %s %s%s",
            config.name,
            report.run_id,
            report.status,
            redact(message, secrets_of(config)),
            extra=_fields(config, "run_finished", report),
        )
        return report

    async def _record(self, config: ActivationConfig, message: str, since: datetime) -> RunReport:
        """A failed run with `message`, recorded as the engine records one (`hoist.attempts`)."""
        report = attempts.failed_report(config, message)
        await attempts.record_failure(config, report, since)
        return report

    def _record_skips(self, config: ActivationConfig) -> None:
        for slot in self._skipped.pop(config.name, []):
            self.metrics.observe_skip(config.name)
            self._guard(config, functools.partial(record_skipped, config, slot, _SKIPPED))

    def _alert(self, config: ActivationConfig, report: RunReport, event: AlertEvent) -> None:
        payload = build_payload(report, event, secrets_of(config))
        for alert in config.alerts:
            if event in alert.on:
                task = asyncio.create_task(
                    deliver(alert.webhook, payload, transport=self._webhook_transport)
                )
                self._alerts.add(task)
                task.add_done_callback(self._alerts.discard)

    def _guard(self, config: ActivationConfig, write: Callable[[], None]) -> None:
        """Write to the history; a state that cannot be written is logged, not raised."""
        try:
            write()
        except HoistError as exc:
            log.warning(
                "%s: could not update the run history: %s",
                config.name,
                redact(str(exc), secrets_of(config)),
            )


def _timing(config: ActivationConfig) -> tuple[str | None, str]:
    return config.schedule, config.timezone


def _when(due: datetime) -> str:
    return due.isoformat(" ", "seconds")


def _fields(
    config: ActivationConfig, event: str, report: RunReport | None = None
) -> dict[str, Any]:
    """The fields of a run's log line in `--log-format json` (`hoist.observe.jsonlog`)."""
    if report is None:
        return {"event": event, "activation": config.name}
    counts = {name: getattr(report, name) for name in (*OUTCOMES, "api_calls")}
    return {
        "event": event,
        "activation": config.name,
        "run_id": report.run_id,
        "status": report.status,
        "counts": {**counts, "duration_s": round(report.duration_s, 3)},
    }
