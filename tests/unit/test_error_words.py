"""Intercom's refusals and network failures read as people say them."""

from __future__ import annotations

import httpx

from hoist.errors import FatalDestinationError
from hoist.intercom.transport import _network_error


def test_a_refused_token_and_a_refused_access_name_what_intercom_refused() -> None:
    """A 401 reads "Intercom refused the token (401 ...)", a 403 "Intercom refused access with
    this token (403 ...)", each with Intercom's code and words."""
    token = FatalDestinationError("Access Token Invalid", status=401, code="unauthorized")
    plan = FatalDestinationError("Plan does not allow", status=403, code="api_plan_restricted")
    assert str(token) == "Intercom refused the token (401 unauthorized): Access Token Invalid"
    assert str(plan) == (
        "Intercom refused access with this token (403 api_plan_restricted): Plan does not allow"
    )


def test_a_refused_connection_reads_cannot_connect_to_host() -> None:
    """httpx's ConnectError for a closed port reads "cannot connect to HOST:PORT: connection
    refused", without the library's class name."""
    request = httpx.Request("GET", "http://127.0.0.1:9/me")
    error = _network_error(
        "GET", "/me", httpx.ConnectError("[Errno 111] Connection refused", request=request)
    )
    assert str(error) == "GET /me: cannot connect to 127.0.0.1:9: connection refused"
    other = _network_error("GET", "/me", httpx.ReadError("reset", request=request))
    assert "ReadError" in str(other)
