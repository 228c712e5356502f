"""Serving the emulator with uvicorn: blocking (`serve`, for the CLI) or in a thread (tests)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from hoist.emulator.config import EmulatorConfig
from hoist.emulator.emulator import Emulator
from hoist.emulator.intercom_routes import create_app

__all__ = ["BackgroundServer", "serve", "uvicorn_config"]


def uvicorn_config(emulator: Emulator, host: str, port: int) -> uvicorn.Config:
    """uvicorn settings for the emulator: quiet, no access log.

    `http` and `loop` stay "auto": uvicorn uses httptools and uvloop, both hoist dependencies
    (see bench/emulator_throughput.py), and falls back to h11/asyncio
    where they cannot be installed.
    """
    return uvicorn.Config(
        create_app(emulator),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    rate_limit: int | None = None,
    latency_ms: float = 0,
    fail_rate: float = 0,
    seed: int | None = None,
    app_id: str | None = None,
    region: str = "US",
) -> None:
    """Serve a fresh emulated workspace until interrupted (the `hoist emulator` command)."""
    config = EmulatorConfig(
        token=token,
        rate_limit=rate_limit,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        seed=seed,
        app_id=app_id,
        region=region,
    )
    uvicorn.Server(uvicorn_config(Emulator(config), host, port)).run()


class BackgroundServer:
    """uvicorn serving an `Emulator` from a daemon thread on a free 127.0.0.1 port."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        port = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn_config(emulator, "127.0.0.1", port))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self, timeout_s: float = 10.0) -> None:
        """Start serving and wait until uvicorn reports it is up."""
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask uvicorn to exit, wait for the thread, release the socket."""
        self._server.should_exit = True
        self._thread.join(timeout_s)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
