"""`hoist serve` with the web UI: uvicorn serves the pages in the main thread; the schedules and
the runs started from the UI share one event loop in a background thread (and so one rate
limiter per destination). On SIGTERM or Ctrl-C uvicorn stops serving, then every run is told to
stop and is waited for, so what Intercom confirmed is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import uvicorn

from hoist.config import ActivationConfig
from hoist.observe.health import Health
from hoist.observe.metrics import Metrics
from hoist.observe.opsserver import observing
from hoist.schedule.reload import serve_following
from hoist.schedule.serve import engine_runner
from hoist.schedule.service import Service
from hoist.ui.app import create_app
from hoist.ui.runs import Background, Limiters, RunManager
from hoist.ui.security import check_bind

__all__ = ["UiServer", "serve_ui"]

log = logging.getLogger("hoist.ui")


class UiServer:
    """The UI over the project in `root`, and the schedules of `configs`; with `follow_files`
    (every activation of the project was given), those of the project's files as they change."""

    def __init__(
        self,
        root: Path,
        configs: Sequence[ActivationConfig],
        *,
        host: str = "127.0.0.1",
        port: int = 8600,
        password: str | None = None,
        allowed_hosts: Sequence[str] = (),
        follow_files: bool = True,
    ) -> None:
        check_bind(host, password)
        self.stop = asyncio.Event()
        self.background = Background()
        limiters: Limiters = {}
        self.health = Health(Metrics(lambda: limiters))
        self.service = Service(
            configs, engine_runner(self.stop, limiters=limiters), metrics=self.health.metrics
        )
        self.health.configs = lambda: list(self.service.configs.values())
        # The UI's runs go through the schedules' service: recorded, alerted and counted alike.
        self.runs = RunManager(self.background, limiters, self.service)
        self._schedules = self.background.submit(self._serve_schedules(root, follow_files))
        self.app = create_app(
            root,
            self.runs,
            password=password,
            host=host,
            allowed_hosts=allowed_hosts,
            schedules=self.service.next_runs,
            health=self.health,
        )
        config = uvicorn.Config(self.app, host=host, port=port, lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)

    async def _serve_schedules(self, root: Path, follow_files: bool) -> None:
        """The schedules; with `follow_files`, those of the project's files as they change."""
        for job in self.service.scheduler.jobs:
            log.info(
                "%s: %s, next run %s", job.name, job.schedule, job.due.isoformat(" ", "seconds")
            )
        async with observing(self.health, self.stop):
            with self.health.scheduling():
                if follow_files:
                    await serve_following(self.service, root, self.stop)
                else:
                    await self.service.serve(self.stop)
                # Nothing scheduled: the loop still runs the UI's runs until the end.
                await self.stop.wait()

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose for port 0), once started."""
        sockets = self.server.servers[0].sockets if self.server.servers else []
        return int(sockets[0].getsockname()[1]) if sockets else self.server.config.port

    def run(self) -> None:
        """Serve until SIGTERM or Ctrl-C (or `server.should_exit`), then stop every run."""
        with _signals_end_serving():
            try:
                self.server.run()
            finally:
                self.shutdown()

    def shutdown(self) -> None:
        """Tell the schedules and runs to stop, and wait until they have committed."""
        self.background.loop.call_soon_threadsafe(self.stop.set)
        self.runs.stop_all()
        self._schedules.result()
        self.background.close()


@contextlib.contextmanager
def _signals_end_serving() -> Iterator[None]:
    """SIGTERM and Ctrl-C end serving, then the process exits normally (status 0).

    uvicorn catches them to stop serving and raises them again once stopped, for the handlers
    it found: these no-ops, so the runs are stopped and committed and the command returns.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {signum: signal.signal(signum, lambda *_: None) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def serve_ui(
    root: Path,
    configs: Sequence[ActivationConfig],
    *,
    host: str = "127.0.0.1",
    port: int = 8600,
    password: str | None = None,
    allowed_hosts: Sequence[str] = (),
    follow_files: bool = True,
) -> None:
    """Serve the UI and run the schedules until SIGTERM or Ctrl-C."""
    server = UiServer(
        root,
        configs,
        host=host,
        port=port,
        password=password,
        allowed_hosts=allowed_hosts,
        follow_files=follow_files,
    )
    print(f"hoist: the UI is on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    server.run()
