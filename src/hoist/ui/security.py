"""Who may use the UI, and that each form was sent by a page of the UI.

- The UI listens on 127.0.0.1 unless told otherwise; listening anywhere else needs a password
  (`check_bind`), asked for with HTTP basic authentication (`PasswordMiddleware`).
- Every form carries a CSRF token that must equal the one in the browser's cookie (double
  submit; the cookie is ``SameSite=Strict``), so another site cannot post a form on the user's
  behalf: `checked_form` refuses a POST without it (403).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import secrets
from typing import Final

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hoist.errors import ConfigError

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "PasswordMiddleware",
    "check_bind",
    "checked_form",
    "csrf_token",
    "is_loopback",
]

CSRF_COOKIE: Final = "hoist_csrf"
CSRF_FIELD: Final = "csrf"
#: htmx sends the token in this header too (set on <body> with hx-headers).
CSRF_HEADER: Final = "x-csrf-token"


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_bind(host: str, password: str | None) -> None:
    """Refuse to serve beyond this machine without a password."""
    if not is_loopback(host) and not password:
        raise ConfigError(
            f"--host {host} makes the UI reachable from other machines; set a password with "
            "--password or HOIST_UI_PASSWORD (or keep the default --host 127.0.0.1)"
        )


def csrf_token(request: Request) -> str:
    """The browser's CSRF token (its cookie), or a new one the response must set."""
    token: str | None = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token matches the cookie's; else 403."""
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
    return form


class PasswordMiddleware:
    """HTTP basic authentication: any user name, the configured password."""

    def __init__(self, app: ASGIApp, password: str) -> None:
        self.app = app
        self._password = password.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._allowed(scope):
            await self.app(scope, receive, send)
            return
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

    def _allowed(self, scope: Scope) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            _, _, given = base64.b64decode(encoded, validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, self._password)
