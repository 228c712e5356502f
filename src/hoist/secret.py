"""Strings that never print: tokens and passwords live in these from the moment they are read."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["Secret", "SecretUrl", "mask_url", "redact"]

# user:password@ in any URL, and query parameters that usually carry credentials.
_USERINFO = re.compile(r"(?<=://)([^/@\s:]*):([^/@\s]*)@")
_QUERY_SECRET = re.compile(
    r"(?i)([?&](?:access_token|token|key|api_key|apikey|secret|password|sig|signature)=)[^&\s]+"
)
# An Authorization header (or its value) echoed back: "Bearer <token>".
_AUTHORIZATION = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/=:-]{8,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each secret, ``Bearer …`` value, URL password and URL credential parameter
    replaced by ``***``.

    The one scrubber for text that comes from outside (Intercom's errors, drivers' messages)
    before it is printed, stored in state, rendered or sent to a webhook.
    """
    for value in sorted({s for s in secrets if s.strip()}, key=len, reverse=True):
        # Whole words only, as in config errors: a short secret never mangles "token".
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", "***", text)
    text = _AUTHORIZATION.sub(lambda m: f"{m.group(1)} ***", text)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}:***@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}***", text)


class Secret:
    """Holds a secret value; `str`, `repr` and formatting show only ``'***'``.

    Call `reveal()` at the one place the value is needed (the Authorization header).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the token to disk or across processes; refuse instead.
        raise TypeError("a Secret cannot be pickled")


#: Query parameters whose values are credentials in some drivers' URLs.
_SECRET_PARAMS = ("password", "passwd", "pwd", "token", "secret", "key", "credential")


def mask_url(url: str) -> str:
    """`url` with its password, and any credential-like query parameter, replaced by ``***``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "***"  # unparseable: it may hold anything
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:***@{hostinfo}"
    query = "&".join(_masked_param(pair) for pair in parts.query.split("&")) if parts.query else ""
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # nothing to mask: keep it exactly as written
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _masked_param(pair: str) -> str:
    name, sep, _ = pair.partition("=")
    secret = sep and any(word in name.lower() for word in _SECRET_PARAMS)
    return f"{name}=***" if secret else pair


class SecretUrl(Secret):
    """A connection URL that holds a password: it prints with the password masked.

    `str` shows ``postgresql://user:***@host:5432/db`` (useful in messages: which server, which
    user); `reveal()` gives the URL to the driver; `redact(text)` masks the password (raw and
    percent-decoded) wherever a driver's message repeats it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"SecretUrl({mask_url(self._value)!r})"

    def __str__(self) -> str:
        return mask_url(self._value)

    def redact(self, text: str) -> str:
        """`text` with the URL and every form of its credentials replaced by masked ones."""
        text = text.replace(self._value, mask_url(self._value))
        for value in sorted(_credentials(self._value), key=len, reverse=True):
            text = text.replace(value, "***")
        return text


def _credentials(url: str) -> set[str]:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return set()
    found = {password, unquote(password)} if password else set()
    for pair in parts.query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and any(word in name.lower() for word in _SECRET_PARAMS):
            found |= {value, unquote(value)}
    return {value for value in found if value}
