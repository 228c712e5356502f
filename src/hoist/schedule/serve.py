"""The entry point of `hoist serve`: load activations, run their schedules, stop on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from hoist.config import ActivationConfig
from hoist.errors import ConfigError
from hoist.intercom.limiter import RateLimiter
from hoist.observe.health import Health
from hoist.observe.metrics import Metrics
from hoist.observe.opsserver import OpsListen, observing
from hoist.report import RunReport
from hoist.schedule.service import RunActivation, Service
from hoist.secret import Secret

__all__ = ["engine_runner", "serve"]

log = logging.getLogger("hoist.schedule")


def engine_runner(
    stop: asyncio.Event | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    limiters: dict[tuple[str, Secret], RateLimiter] | None = None,
) -> RunActivation:
    """Runs activations with the engine in this event loop, one rate limiter per destination.

    Intercom limits calls per app, i.e. per access token (NOTES.md §4): activations with the same
    API URL and token share one `RateLimiter`, so together they keep to the limit. `stop` (set
    on SIGTERM) makes running activations stop sending and commit what Intercom confirmed.
    `limiters` is shared with other runners of the process (the web UI's runs).
    """
    from hoist.run_api import run_async

    limiters = {} if limiters is None else limiters

    async def run(config: ActivationConfig) -> RunReport:
        destination = (config.destination.url, config.destination.access_token)
        limiter = limiters.setdefault(destination, RateLimiter())
        return await run_async(config, transport=transport, limiter=limiter, stop=stop)

    return run


def serve(
    configs: Sequence[ActivationConfig],
    *,
    once: bool = False,
    follow: Path | None = None,
    listen: OpsListen | None = None,
) -> dict[str, RunReport | None]:
    """Run the activations' schedules until SIGTERM or Ctrl-C; with `once`, only what is due.

    With `follow` (the project's folder), the schedules follow its files as they change
    (`hoist.schedule.reload`). `listen` with a port also serves /metrics, /healthz and /readyz
    there (`hoist.observe`). Returns the report of each activation started by `once` (None:
    skipped because another process held its state); an empty dict after a stopped `serve`.
    """
    _check(configs)
    return asyncio.run(_serve(configs, once=once, follow=follow, listen=listen))


def _check(configs: Sequence[ActivationConfig]) -> None:
    """Refuse activations serve cannot tell apart, or a set with nothing to schedule."""
    seen: dict[str, ActivationConfig] = {}
    for config in configs:
        if config.name in seen:
            raise ConfigError(
                f"another activation ({seen[config.name].file}) has this name; give each its own",
                file=str(config.file),
                key="name",
            )
        seen[config.name] = config
    if configs and not any(config.schedule for config in configs):
        raise ConfigError(
            'no activation has a schedule; add e.g. schedule: "0 * * * *" or every 15m',
            file=str(configs[0].file),
            key="schedule",
        )


async def _serve(
    configs: Sequence[ActivationConfig],
    *,
    once: bool,
    follow: Path | None = None,
    listen: OpsListen | None = None,
) -> dict[str, RunReport | None]:
    from hoist.schedule.reload import serve_following

    with _stop_on_signals() as stop:
        limiters: dict[tuple[str, Secret], RateLimiter] = {}
        metrics = Metrics(lambda: limiters)
        service = Service(configs, engine_runner(stop, limiters=limiters), metrics=metrics)
        _log_plan(service, configs)
        if once:
            return await service.once()
        health = Health(metrics, lambda: list(service.configs.values()))
        async with observing(health, stop, listen):
            with health.scheduling():
                if follow is None:
                    await service.serve(stop)
                else:
                    await serve_following(service, follow, stop)
    return {}


def _log_plan(service: Service, configs: Sequence[ActivationConfig]) -> None:
    for config in configs:
        if config.schedule is None:
            log.info("%s: no schedule key; not scheduled", config.name)
    now = service.clock.now()
    for job in service.scheduler.jobs:
        # A slot missed while hoist was down is due now, not at its time in the past.
        when = "now" if job.due <= now else job.due.isoformat(" ", "seconds")
        log.info("%s: %s, next run %s", job.name, job.schedule, when)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[asyncio.Event]:
    """An event set by SIGTERM or Ctrl-C: start nothing new, let running activations commit.

    Running activations get the same event (`engine_runner`), so they stop sending at once.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stopping(signum: signal.Signals) -> None:
        log.info("%s: stopping once running activations have committed", signum.name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping, signum)
    try:
        yield stop
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
