"""What every request to the UI must pass before a page is built (after jupyter_server's
`check_host` / `check_origin` / `check_xsrf_cookie` and starlette's `TrustedHostMiddleware`).

1. Its ``Host`` is one of the server's own names (else 421): on loopback 127.0.0.1, localhost
   and [::1] with the port listened on; elsewhere the bound name; and any ``--allowed-host``.
   A page of a foreign name that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
2. A request that changes something (any method but GET, HEAD and OPTIONS) comes from a page
   of the UI: its ``Origin`` names the same host, or, without Origin (or with "null"), the
   browser says ``Sec-Fetch-Site: same-origin`` (else 403).
3. Its body is at most `MAX_BODY` bytes (else 413), read only once 1 and 2 hold, and it carries
   the CSRF token issued for the browser's session (else 403) before the app parses it.
4. Every answer carries a Content-Security-Policy without inline script, no framing, no MIME
   sniffing and no Referer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hoist.loopback import LOOPBACK_NAMES, is_loopback
from hoist.ui.security import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, valid_token

__all__ = ["HEADERS", "MAX_BODY", "GuardMiddleware", "allowed_hosts"]

#: The largest request body the UI reads: its forms are a few kilobytes.
MAX_BODY: Final = 1024 * 1024
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
#: No inline script or style anywhere: htmx is configured for it in base.html.
_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HEADERS: Final = (
    (b"content-security-policy", _CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


def allowed_hosts(bound: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` values the server answers: its own names with `port`, and `extra` names
    (given with --allowed-host, e.g. the name of a TLS proxy in front) on any port."""
    names = LOOPBACK_NAMES if is_loopback(bound) else (_bracketed(bound),)
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:  # browsers leave the default port out
        hosts |= set(names)
    return frozenset({host.lower() for host in hosts} | {name.lower() for name in extra})


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _hostname(host: str) -> str:
    """``name`` of ``name:port`` (and ``[::1]`` of ``[::1]:port``)."""
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


class GuardMiddleware:
    """Host, origin, body size and CSRF checks, and the security headers, for the UI app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: bytes,
        bound: str = "127.0.0.1",
        extra_hosts: Iterable[str] = (),
    ) -> None:
        self.app = app
        self._secret = secret
        self._bound = bound
        self._extra = frozenset(name.lower() for name in extra_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        headers = Headers(scope=scope)
        problem = self._host_problem(scope, headers)
        if problem:
            await _refuse(send, 421, problem)
            return
        if scope["method"] in _SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        status, problem = self._origin_problem(headers)
        if problem:
            await _refuse(send, status, problem)
            return
        body = await _read_body(headers, receive)
        if body is None:
            await _refuse(send, 413, f"the request is larger than {MAX_BODY:,} bytes")
            return
        if not self._token_sent(headers, body):
            await _refuse(send, 403, "missing or wrong CSRF token; reload the page and try again")
            return
        await self.app(scope, _replay(body, receive), send)

    def _host_problem(self, scope: Scope, headers: Headers) -> str | None:
        host = headers.get("host", "").lower()
        port = int((scope.get("server") or ("", 80))[1] or 80)
        allowed = allowed_hosts(self._bound, port)
        if host in allowed or (self._extra and _hostname(host) in self._extra):
            return None
        return (
            f"this server answers only to {', '.join(sorted(allowed))}; open the UI by one of "
            "these names, or start hoist serve with --allowed-host NAME for the name in front"
        )

    def _origin_problem(self, headers: Headers) -> tuple[int, str | None]:
        origin = headers.get("origin")
        if origin is None or origin == "null":
            # Browsers send "null" for a form posted by a page whose Referrer-Policy is
            # no-referrer (as the UI's are); their Sec-Fetch-Site, which no page can set, tells.
            if headers.get("sec-fetch-site") == "same-origin":
                return 200, None
            return 403, "a form must be sent by a page of the UI (no Origin header)"
        parts = urlsplit(origin)
        if parts.scheme in ("http", "https") and parts.netloc.lower() == headers["host"].lower():
            return 200, None
        return 403, "a form must be sent by a page of the UI, not by another site"

    def _token_sent(self, headers: Headers, body: bytes) -> bool:
        session = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        if valid_token(self._secret, session, headers.get(CSRF_HEADER)):
            return True
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return False  # the UI's forms are never multipart
        fields = parse_qs(body.decode("latin-1"), max_num_fields=100_000)
        return any(valid_token(self._secret, session, t) for t in fields.get(CSRF_FIELD, [])[:1])


async def _read_body(headers: Headers, receive: Receive) -> bytes | None:
    """The whole body, or None once it is larger than `MAX_BODY` (then not read further)."""
    try:
        if int(headers.get("content-length", "0")) > MAX_BODY:
            return None
    except ValueError:
        return None
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app the body already read, then listens to the client."""
    sent = False

    async def replaying() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replaying


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *HEADERS]
        await send(message)

    return sending


async def _refuse(send: Send, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})
