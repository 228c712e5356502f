"""In-process emulator clients for the emulator's own tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from hoist.emulator import Emulator, EmulatorConfig
from hoist.emulator.testing import FakeClock, asgi_transport

TOKEN = "test-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Intercom-Version": "2.16"}


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock starting on a whole 10-second boundary."""
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[Callable[..., tuple[httpx.Client, Emulator]]]:
    """Build (sync client, emulator) pairs over `httpx.ASGITransport`, driven by `clock`."""
    clients: list[httpx.Client] = []

    def make(**config: Any) -> tuple[httpx.Client, Emulator]:
        emu = Emulator(EmulatorConfig(**config), clock=clock)
        transport = _SyncASGI(emu)
        client = httpx.Client(transport=transport, base_url="http://emulator", headers=HEADERS)
        clients.append(client)
        return client, emu

    yield make
    for client in clients:
        client.close()


class _SyncASGI(httpx.BaseTransport):
    """Runs the async ASGI transport from sync tests, one event loop per request."""

    def __init__(self, emu: Emulator) -> None:
        self._inner = asgi_transport(emu)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        async def call() -> httpx.Response:
            body = request.read()
            req = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(req)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run(call())


@pytest.fixture
def client(make_client: Callable[..., tuple[httpx.Client, Emulator]]) -> httpx.Client:
    """A client of a default emulator (any token accepted)."""
    return make_client()[0]


@pytest.fixture
def pair(
    make_client: Callable[..., tuple[httpx.Client, Emulator]],
) -> tuple[httpx.Client, Emulator]:
    """A (client, emulator) pair with default config."""
    return make_client()
