"""The UI app in-process: httpx over ASGI, no sockets, for tests that need no browser."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp

from hoist.observe.health import Health
from hoist.ui.app import create_app
from hoist.ui.runs import Background, RunManager

#: Where the in-process UI pretends to listen (its Host header and the port it checks).
URL = "http://127.0.0.1:8600"


class AsgiClient:
    """A synchronous face for `httpx.AsyncClient` over the app (one event loop of its own)."""

    def __init__(self, app: ASGIApp, base_url: str) -> None:
        self._loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app)
        self._client = httpx.AsyncClient(transport=transport, base_url=base_url)
        self.cookies = self._client.cookies

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request and wait for the answer."""
        return self._loop.run_until_complete(self._client.request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET `path`."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST to `path`."""
        return self.request("POST", path, **kwargs)

    def close(self) -> None:
        """Close the client and its loop."""
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


@contextmanager
def in_process(
    root: Path,
    *,
    base_url: str = URL,
    host: str = "127.0.0.1",
    password: str | None = None,
    extra_hosts: tuple[str, ...] = (),
    health: Health | None = None,
) -> Iterator[AsgiClient]:
    """The UI app over `root`, reached in-process at `base_url` (its Host header); `health`
    answers /metrics, /healthz and /readyz."""
    background = Background()
    try:
        runs = RunManager(background, {})
        app = create_app(
            root, runs, password=password, host=host, allowed_hosts=extra_hosts, health=health
        )
        client = AsgiClient(app, base_url)
        try:
            yield client
        finally:
            client.close()
    finally:
        background.close()
