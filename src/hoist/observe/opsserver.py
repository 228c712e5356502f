"""`hoist serve --no-ui --metrics-port N`: `/metrics`, `/healthz` and `/readyz` alone.

The routes get the UI's guards: the host check (421 for a foreign Host), basic authentication
when a password is set, and no listening beyond loopback without one. The server runs in the
scheduler's event loop and leaves SIGTERM and Ctrl-C to `hoist serve`, which stops it after the
runs have committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
from collections.abc import AsyncIterator, Generator, Sequence
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware

from hoist.errors import ConfigError
from hoist.observe.health import Health
from hoist.observe.jsonlog import AccessLogMiddleware
from hoist.observe.lag import watch_lag
from hoist.observe.routes import routes

__all__ = ["OpsListen", "create_ops_app", "observing"]


@dataclass(frozen=True)
class OpsListen:
    """Where the ops routes listen with --no-ui (`port` None: nowhere), and their guards."""

    port: int | None = None
    host: str = "127.0.0.1"
    password: str | None = None
    allowed_hosts: Sequence[str] = field(default=())


def create_ops_app(health: Health, listen: OpsListen) -> Starlette:
    """The ops routes behind the UI's access log, host check and password."""
    # Imported here: hoist.ui imports hoist serve's modules, which import this one.
    from hoist.ui.guard import GuardMiddleware
    from hoist.ui.security import PasswordMiddleware

    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(
            GuardMiddleware,
            secret=secrets.token_bytes(32),
            bound=listen.host,
            extra_hosts=listen.allowed_hosts,
        ),
    ]
    if listen.password:
        middleware.append(Middleware(PasswordMiddleware, password=listen.password))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.health = health
    return app


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to `hoist serve` (it stops the runs first)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@contextlib.asynccontextmanager
async def observing(
    health: Health, stop: asyncio.Event, listen: OpsListen | None = None
) -> AsyncIterator[None]:
    """Watch the loop's lag and, when `listen` has a port, serve the ops routes, for the block."""
    server = None
    if listen is not None and listen.port is not None:
        from hoist.ui.security import check_bind

        check_bind(listen.host, listen.password)
        # Bound before any run starts: a port in use stops serve before it sends anything.
        bound = _listen_socket(listen.host, listen.port)
        config = uvicorn.Config(
            create_ops_app(health, listen),
            host=listen.host,
            port=listen.port,
            lifespan="off",
            log_level="warning",
        )
        server = _QuietServer(config)
    tasks = [asyncio.create_task(watch_lag(health.metrics, stop), name="hoist loop lag")]
    if server is not None:
        serving = server.serve(sockets=[bound])
        tasks.append(asyncio.create_task(serving, name="hoist metrics server"))
    try:
        yield
    finally:
        if server is not None:
            server.should_exit = True
        stop.set()  # also ends the lag watcher when the block ended on its own
        await asyncio.gather(*tasks, return_exceptions=True)


def _listen_socket(host: str, port: int) -> socket.socket:
    """A socket listening on `host`:`port`; `ConfigError` naming the option if it cannot."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose a free port with "
            "--metrics-port, or stop what listens there",
            key="--metrics-port",
        ) from None
