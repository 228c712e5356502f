"""Who may use the UI, and that each form was sent by a page of the UI.

- The UI listens on 127.0.0.1 unless told otherwise; listening anywhere else needs a password
  (`check_bind`), asked for with HTTP basic authentication (`PasswordMiddleware`). Failed logins
  are logged and, past a few, answered more and more slowly per client.
- Every form carries a CSRF token the server issued: an HMAC, under a secret of this process, of
  the browser's session cookie. Another page (even one on another port of 127.0.0.1, which
  shares the cookies) can set the cookie but cannot sign it, so a token it invents is refused
  (403). `guard.GuardMiddleware` checks it before the app reads a form; `checked_form` again.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import re
import secrets
from typing import Final

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hoist.errors import ConfigError
from hoist.loopback import is_loopback

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "PasswordMiddleware",
    "check_bind",
    "checked_form",
    "csrf_token",
    "is_loopback",
    "login_delay",
    "session_of",
    "sign",
    "valid_token",
]

log = logging.getLogger("hoist.ui")

#: The browser's session: a random id; the CSRF token is its signature.
SESSION_COOKIE: Final = "hoist_session"
CSRF_FIELD: Final = "csrf"
#: htmx sends the token in this header too (set on <body> with hx-headers).
CSRF_HEADER: Final = "x-csrf-token"
_SESSION = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def check_bind(host: str, password: str | None) -> None:
    """Refuse to serve beyond this machine without a password."""
    if not is_loopback(host) and not password:
        raise ConfigError(
            f"--host {host} makes the UI reachable from other machines; set a password with "
            "--password or HOIST_UI_PASSWORD (or keep the default --host 127.0.0.1)"
        )


def sign(secret: bytes, session: str) -> str:
    """The CSRF token of `session`: its HMAC-SHA256 under the process's `secret`."""
    digest = hmac.new(secret, session.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def valid_token(secret: bytes, session: str | None, token: object) -> bool:
    """Whether `token` is the one this server issued for `session`."""
    if not session or not _SESSION.fullmatch(session) or not isinstance(token, str):
        return False
    return hmac.compare_digest(sign(secret, session), token)


def session_of(request: Request) -> str:
    """The browser's session id (its cookie), or a new one the response must set."""
    session = request.cookies.get(SESSION_COOKIE)
    if session is not None and _SESSION.fullmatch(session):
        return session
    fresh: str | None = getattr(request.state, "new_session", None)
    if fresh is None:
        fresh = request.state.new_session = secrets.token_urlsafe(32)
    return fresh


def csrf_token(request: Request) -> str:
    """The CSRF token the pages of this browser's session carry."""
    secret: bytes = request.app.state.csrf_secret
    return sign(secret, session_of(request))


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its token is the one issued for the browser's session; else 403."""
    secret: bytes = request.app.state.csrf_secret
    session = request.cookies.get(SESSION_COOKIE)
    if valid_token(secret, session, request.headers.get(CSRF_HEADER)):
        return await request.form()
    form = await request.form()
    if not valid_token(secret, session, form.get(CSRF_FIELD)):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
    return form


#: Wrong passwords a client may send at full speed; after that each answer waits longer.
FREE_FAILURES: Final = 5
_MAX_DELAY_S: Final = 30.0


def login_delay(failures: int) -> float:
    """Seconds to wait before answering a client's `failures`-th wrong password in a row:
    nothing for the first `FREE_FAILURES`, then half a second doubling up to 30 s."""
    if failures <= FREE_FAILURES:
        return 0.0
    doublings = min(failures - FREE_FAILURES - 1, 16)  # no float overflow however many
    return min(0.5 * float(2**doublings), _MAX_DELAY_S)


class PasswordMiddleware:
    """HTTP basic authentication: any user name, the configured password.

    Each failure is logged with the client's address; past `FREE_FAILURES` in a row from one
    address, the 401 is delayed (`login_delay`), so guessing stays slow.
    """

    def __init__(self, app: ASGIApp, password: str) -> None:
        self.app = app
        self._password = password.encode()
        self._failures: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        given = self._given(scope)
        if given is not None and hmac.compare_digest(given, self._password):
            self._failures.pop(client, None)
            await self.app(scope, receive, send)
            return
        if given is not None:  # a browser's first request carries no password: not a failure
            await self._failed(client)
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"www-authenticate", b'Basic realm="hoist", charset="UTF-8"'),
                    (b"content-type", b"text/plain; charset=utf-8"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"the hoist UI needs its password"})

    async def _failed(self, client: str) -> None:
        failures = self._failures[client] = self._failures.get(client, 0) + 1
        delay = login_delay(failures)
        log.warning(
            "wrong password for the UI from %s (%d in a row); answering in %.1f s",
            client,
            failures,
            delay,
        )
        if len(self._failures) > 10_000:  # a flood of addresses must not grow memory forever
            self._failures.clear()
        await asyncio.sleep(delay)

    @staticmethod
    def _given(scope: Scope) -> bytes | None:
        """The password the request carries, or None when it carries no basic credentials."""
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return None
        try:
            _, _, given = base64.b64decode(encoded, validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return b""
        return given
