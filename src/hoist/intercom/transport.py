"""How requests reach Intercom: aiohttp over the network, or an injected httpx transport.

Sending is most of a run's CPU, so the network path uses aiohttp: per request it needs about a
tenth of the CPU of httpx's default transport (issue 16; `bench/transports.py` compares them).
Tests and embedders may still inject any `httpx.AsyncBaseTransport` (the emulator's in-process
`httpx.ASGITransport`, an `httpx.MockTransport`); those requests go through httpx as before.

Either sender answers with a `Reply` (status, case-insensitive headers, body) and turns its
library's exceptions into `RetriableError`: this module is the one place they can occur.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import aiohttp
import httpx
import orjson

from hoist.errors import RetriableError

__all__ = ["AiohttpSender", "HttpxSender", "Reply", "Sender", "sender_for"]


class Reply(Protocol):
    """What the client reads from a response (`httpx.Response` is one)."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""

    @property
    def headers(self) -> Mapping[str, str]:
        """The headers, looked up case-insensitively."""

    @property
    def reason_phrase(self) -> str:
        """The status's reason phrase, e.g. "Not Found"."""

    @property
    def text(self) -> str:
        """The body as text."""

    def json(self) -> Any:
        """The body parsed as JSON; ValueError if it is not."""


class Sender(Protocol):
    """Sends one request; raises only `RetriableError` for timeouts and network failures."""

    async def send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> Reply:
        """Send `method path` with query `params` and JSON `body`; the response."""

    async def aclose(self) -> None:
        """Close the connections."""


class AiohttpReply:
    """A response read in full from aiohttp."""

    def __init__(self, status: int, reason: str | None, headers: Mapping[str, str], body: bytes):
        self.status_code = status
        self.reason_phrase = reason or ""
        self.headers = headers
        self._body = body

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (Intercom's only encoding), bad bytes replaced."""
        return self._body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return orjson.loads(self._body)


class AiohttpSender:
    """Sends over one aiohttp connection pool, opened on the first request.

    The pool is opened lazily because aiohttp wants a running event loop for it, while the
    client may be built outside one.
    """

    def __init__(
        self, base_url: str, headers: Mapping[str, str], max_connections: int, timeout_s: float
    ) -> None:
        self._base_url = base_url
        self._headers = dict(headers)
        self._max_connections = max_connections
        # Like httpx's timeout: connecting and each read may take timeout_s, the whole no limit.
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeout_s, sock_read=timeout_s
        )
        self._session: aiohttp.ClientSession | None = None

    async def send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> Reply:
        """Send one request and read its whole body."""
        session = self._session or self._open()
        try:
            # Never follow a redirect: it would carry the Authorization header elsewhere.
            async with session.request(
                method, self._base_url + path, params=params, json=body, allow_redirects=False
            ) as response:
                content = await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise RetriableError(f"{method} {path} timed out", code="timeout") from exc
        except aiohttp.ClientError as exc:
            raise _network_error(method, path, exc) from exc
        return AiohttpReply(response.status, response.reason, response.headers, content)

    async def aclose(self) -> None:
        """Close the pool, if it was ever opened."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        # Idle connections are dropped after 4 s, before servers that close them at 5 s (as
        # uvicorn does) can, so a request is not sent on a connection closing under it.
        connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=4.0)
        self._session = aiohttp.ClientSession(
            headers=self._headers,
            connector=connector,
            timeout=self._timeout,
            # orjson: compact bodies, and ~7x less CPU than the json module for a company's
            # body and response (bench/README.md, issue 16).
            json_serialize_bytes=orjson.dumps,
        )
        return self._session


class HttpxSender:
    """Sends through an `httpx.AsyncClient` over an injected transport."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        max_connections: int,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport,
    ) -> None:
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._http = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            timeout=timeout_s,
            limits=limits,
            headers=headers,
            follow_redirects=False,  # a redirect would carry the Authorization header elsewhere
        )

    async def send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> Reply:
        """Send one request through httpx."""
        try:
            return await self._http.request(method, path, params=params, json=body)
        except httpx.TimeoutException as exc:
            raise RetriableError(f"{method} {path} timed out", code="timeout") from exc
        except httpx.TransportError as exc:
            raise _network_error(method, path, exc) from exc

    async def aclose(self) -> None:
        """Close the httpx client (and so the transport)."""
        await self._http.aclose()


def sender_for(
    base_url: str,
    headers: Mapping[str, str],
    *,
    max_connections: int,
    timeout_s: float,
    transport: httpx.AsyncBaseTransport | None,
) -> Sender:
    """aiohttp for the network, httpx when a transport is injected."""
    if transport is None:
        return AiohttpSender(base_url, headers, max_connections, timeout_s)
    return HttpxSender(base_url, headers, max_connections, timeout_s, transport)


def _network_error(method: str, path: str, exc: Exception) -> RetriableError:
    """A network failure as people read it: "cannot connect to HOST: connection refused"."""
    connect = _connect_problem(exc)
    if connect is not None:
        return RetriableError(f"{method} {path}: {connect}", code="network_error")
    message = f"{method} {path} failed: {type(exc).__name__}: {exc}"
    return RetriableError(message, code="network_error")


def _connect_problem(exc: Exception) -> str | None:
    """ "cannot connect to HOST: REASON" when no connection could be opened, else None."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        host = f"{exc.host}:{exc.port}" if exc.port else exc.host
        reason = _reason(exc.os_error)
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            reason = "the name does not resolve"
        return f"cannot connect to {host}: {reason}"
    if isinstance(exc, httpx.ConnectError):
        url = exc.request.url
        text = str(exc)
        reason = "connection refused" if "refused" in text.lower() else text or "no answer"
        return f"cannot connect to {url.host}:{url.port or 443}: {reason}"
    return None


def _reason(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return (error.strerror or type(error).__name__).lower()
