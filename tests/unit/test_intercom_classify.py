"""`classify_response`: every Intercom answer maps to what the run should do next."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hoist.errors import (
    FatalDestinationError,
    IntercomError,
    RateLimitedError,
    RecordRejectedError,
    RetriableError,
)
from hoist.intercom import classify_response


def envelope(code: str, message: str | None, request_id: str | None = "req-1") -> dict[str, Any]:
    """Intercom's `error.list` body (NOTES.md §3)."""
    return {
        "type": "error.list",
        "request_id": request_id,
        "errors": [{"code": code, "message": message}],
    }


def answer(status: int, body: Any = None, **headers: str) -> httpx.Response:
    """A response as httpx would hand it to the client."""
    request = httpx.Request("POST", "https://api.intercom.io/companies")
    if isinstance(body, (dict, list)):
        return httpx.Response(status, json=body, headers=headers, request=request)
    return httpx.Response(status, text=body or "", headers=headers, request=request)


TABLE = [
    (400, "bad_request", "bad 'test' parameter", RecordRejectedError),
    (400, "parameter_invalid", "Data Type isn't an option.", RecordRejectedError),
    (400, "unique_company_constraint", "Company already exists.", RecordRejectedError),
    (400, "scroll_exists", "scroll already exists for this app", RecordRejectedError),
    (401, "unauthorized", "Access Token Invalid", FatalDestinationError),
    (401, "token_revoked", "Token revoked", FatalDestinationError),
    (403, "api_plan_restricted", "Plan does not allow", FatalDestinationError),
    (404, "company_not_found", "Company Not Found", RecordRejectedError),
    (404, "not_found", "Scroll expired", RecordRejectedError),
    (406, "unsupported", "Accept header", RecordRejectedError),
    (408, "request_timeout", "Request timed out", RetriableError),
    (409, "conflict", "Multiple existing users", RecordRejectedError),
    (422, "data_invalid", "has a dependant object", RecordRejectedError),
    (422, "parameter_invalid", "model=conversation is no longer supported", RecordRejectedError),
    (429, "rate_limit_exceeded", "Exceeded rate limit of 167 in 10_seconds", RateLimitedError),
    (500, "server_error", "Please restart the scroll operation.", RetriableError),
    (502, "bad_gateway", "Bad gateway", RetriableError),
    (503, "service_unavailable", "retry later", RetriableError),
    (400, "a_code_invented_next_year", "new", RecordRejectedError),
    (500, "a_code_invented_next_year", "new", RetriableError),
]


@pytest.mark.parametrize(("status", "code", "message", "kind"), TABLE)
def test_status_and_code_give_the_error_class(
    status: int, code: str, message: str, kind: type[IntercomError]
) -> None:
    """Each status/code pair gives its class, with Intercom's code, message and request id."""
    error = classify_response(answer(status, envelope(code, message)))
    assert type(error) is kind
    assert (error.status, error.code, error.message) == (status, code, message)
    assert error.request_id == "req-1"


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_success_is_not_an_error(status: int) -> None:
    """A 2xx is no error at all."""
    assert classify_response(answer(status, {"type": "company"})) is None


def test_429_carries_the_reset_time_from_the_header() -> None:
    """A 429 says when the window resets, read from X-RateLimit-Reset."""
    response = answer(
        429, envelope("rate_limit_exceeded", "slow down"), **{"X-RateLimit-Reset": "1750000010"}
    )
    error = classify_response(response)
    assert isinstance(error, RateLimitedError)
    assert error.reset_at == 1750000010.0


def test_429_without_a_reset_header_has_no_reset_time() -> None:
    """A 429 without (or with a garbled) X-RateLimit-Reset still classifies, reset unknown."""
    error = classify_response(answer(429, "", **{"X-RateLimit-Reset": "soon"}))
    assert isinstance(error, RateLimitedError)
    assert error.reset_at is None


@pytest.mark.parametrize(
    ("status", "kind"),
    [(502, RetriableError), (400, RecordRejectedError), (403, FatalDestinationError)],
)
def test_a_non_json_body_still_gives_a_sensible_error(
    status: int, kind: type[IntercomError]
) -> None:
    """An HTML error page gives code http_<status> and a message quoting the reason."""
    error = classify_response(answer(status, "<html>Bad Gateway</html>"))
    assert type(error) is kind
    assert error.code == f"http_{status}"
    assert error.request_id is None
    assert "<html>Bad Gateway</html>" in error.message


def test_an_envelope_without_errors_falls_back_to_the_status() -> None:
    """A JSON body that is not an error.list still gives code http_<status>."""
    error = classify_response(answer(422, {"type": "error.list", "errors": []}))
    assert isinstance(error, RecordRejectedError)
    assert error.code == "http_422"


def test_a_null_message_falls_back_to_the_reason_phrase() -> None:
    """`message: null` (allowed by the spec) gives the HTTP reason phrase instead."""
    error = classify_response(answer(404, envelope("not_found", None)))
    assert error is not None
    assert error.message == "Not Found"


def test_an_unexpected_redirect_stops_the_run() -> None:
    """A 3xx means the base URL is not Intercom's API: fatal, not retried."""
    error = classify_response(answer(302, ""))
    assert isinstance(error, FatalDestinationError)
    assert error.code == "http_302"


def test_a_refused_api_version_names_the_config_key_and_the_version_sent() -> None:
    """A refused version error names the version sent and the key that fixes it."""
    body = envelope("intercom_version_invalid", "Requested resource is not available")
    error = classify_response(answer(400, body), api_version="9.9")
    assert isinstance(error, FatalDestinationError)
    assert "'9.9'" in str(error)
    assert "destination.api_version" in str(error)
