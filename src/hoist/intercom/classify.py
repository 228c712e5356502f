"""The one place an Intercom response becomes an error (or not); see NOTES.md §3.

    2xx ........................ None
    401, 403 ................... FatalDestinationError: the token is wrong or lacks rights
    400 intercom_version_invalid FatalDestinationError: destination.api_version is refused
    429 ........................ RateLimitedError, with the reset time from X-RateLimit-Reset
    408, 5xx ................... RetriableError
    other 4xx (400, 404, 422) .. RecordRejectedError, with Intercom's code and message

Intercom says "other codes may be added in the future", so the HTTP status decides the class
and the `code` is carried along for reports; an unexpected body still gives a usable error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoist.errors import (
    FatalDestinationError,
    IntercomError,
    RateLimitedError,
    RecordRejectedError,
    RetriableError,
)

if TYPE_CHECKING:
    from hoist.intercom.transport import Reply

__all__ = ["VERSION_INVALID", "classify_response", "error_details"]

#: Intercom's code for an API version it does not serve, or that lacks the endpoint (spec
#: L13611; intercom-ruby PR #459). Every request carries the version, so no request can work.
VERSION_INVALID = "intercom_version_invalid"

#: Longest slice of a non-JSON body quoted in a message.
_SNIPPET = 200


def classify_response(response: Reply, *, api_version: str | None = None) -> IntercomError | None:
    """Return the error `response` stands for, or None for a 2xx.

    `api_version` is the `Intercom-Version` the request carried, named if Intercom refuses it.
    """
    status = response.status_code
    if 200 <= status < 300:
        return None
    code, message, request_id = error_details(response)
    fields: dict[str, Any] = {"status": status, "code": code, "request_id": request_id}
    if status in (401, 403):
        return FatalDestinationError(message, **fields)
    if code == VERSION_INVALID:
        return FatalDestinationError(_version_message(message, api_version), **fields)
    if status == 429:
        return RateLimitedError(message, reset_at=_reset_at(response), **fields)
    if status == 408 or status >= 500:
        return RetriableError(message, **fields)
    if 400 <= status < 500:
        return RecordRejectedError(message, **fields)
    # 1xx/3xx: the base URL does not lead to Intercom's API (e.g. a redirecting proxy).
    return FatalDestinationError(f"unexpected HTTP status from Intercom: {message}", **fields)


def error_details(response: Reply) -> tuple[str, str, str | None]:
    """Intercom's `(code, message, request_id)` from an `error.list` body, or stand-ins."""
    body = _json_or_none(response)
    fallback_code = f"http_{response.status_code}"
    if not isinstance(body, dict):
        snippet = response.text[:_SNIPPET].strip()
        message = response.reason_phrase or "error"
        return fallback_code, f"{message}: {snippet}" if snippet else message, None
    request_id = body.get("request_id")
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code") or fallback_code
    message = first.get("message") or response.reason_phrase or code
    return str(code), str(message), str(request_id) if request_id else None


def _version_message(message: str, sent: str | None) -> str:
    """Name the config key to fix, and the version that was sent."""
    version = f" {sent!r}" if sent else ""
    return (
        f"Intercom rejected API version{version} ({message}); set destination.api_version to a "
        "version Intercom serves, such as 2.16 (hoist's default), or remove the key"
    )


def _json_or_none(response: Reply) -> Any:
    try:
        return response.json()
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return None


def _reset_at(response: Reply) -> float | None:
    raw = response.headers.get("x-ratelimit-reset")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None
