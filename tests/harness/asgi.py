"""A synchronous httpx transport over an ASGI app: pages and APIs tested in-process."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class SyncASGI(httpx.BaseTransport):
    """Calls an ASGI app in this process from sync tests (no socket), one event loop per
    request, as `httpx.ASGITransport` does for async clients."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` to the app and read the whole answer."""

        async def call() -> httpx.Response:
            body = request.read()
            sent = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(sent)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run(call())
