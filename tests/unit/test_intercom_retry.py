"""Retries: 429 waits for the server's reset, 5xx and network errors back off, others don't."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable
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
from hoist.intercom import IntercomClient, RetryPolicy, set_testing
from hoist.intercom.retry import backoff_delay, rate_limit_delay
from hoist.secret import Secret

TOKEN = "tok-sekrit-0123456789"
Handler = Callable[[httpx.Request], httpx.Response]


def reply(status: int = 200, body: Any = None, **headers: str) -> httpx.Response:
    """A response with Intercom's rate-limit headers (a generous budget unless overridden)."""
    base = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "999",
        "X-RateLimit-Reset": str(int(time.time()) + 10),
    }
    return httpx.Response(status, json=body or {"type": "company"}, headers=base | headers)


def error(status: int, code: str, **headers: str) -> httpx.Response:
    """An error.list response."""
    body = {"type": "error.list", "request_id": "r1", "errors": [{"code": code, "message": code}]}
    return reply(status, body, **headers)


def scripted(*steps: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with `steps` in order (the last one repeats), and its request log."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        step = steps[min(len(seen), len(steps) - 1)]
        seen.append(request)
        if isinstance(step, Exception):
            raise step
        return step

    return handle, seen


def client_for(handler: Handler, **kwargs: Any) -> IntercomClient:
    """A client whose network is `handler`."""
    return IntercomClient(
        base_url="https://api.intercom.io",
        token=Secret(TOKEN),
        transport=httpx.MockTransport(handler),
        **kwargs,
    )


def run(handler: Handler, call: Callable[[IntercomClient], Any], **kwargs: Any) -> Any:
    """Run `call(client)` to completion and return (result or exception, client)."""

    async def go() -> Any:
        async with client_for(handler, **kwargs) as client:
            try:
                return await call(client), client
            except IntercomError as exc:
                return exc, client

    return asyncio.run(go())


def upsert(client: IntercomClient) -> Any:
    return client.upsert_company({"company_id": "c1", "name": "Acme"})


def test_every_request_carries_auth_version_accept_and_user_agent() -> None:
    """Requests send the bearer token, the pinned Intercom-Version, JSON Accept and hoist's UA."""
    handler, seen = scripted(reply())
    run(handler, lambda c: c.me())
    headers = seen[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["intercom-version"] == "2.16"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"].startswith("hoist/")


def test_429_waits_until_the_servers_reset_then_succeeds() -> None:
    """After a 429 the retry is sent no earlier than X-RateLimit-Reset, and succeeds."""
    reset = time.time() + 0.4
    handler, _ = scripted(
        error(429, "rate_limit_exceeded", **{"X-RateLimit-Reset": f"{reset:.3f}"}),
        reply(body={"type": "company", "id": "1"}),
    )
    times: list[float] = []

    def timed(request: httpx.Request) -> httpx.Response:
        times.append(time.time())
        return handler(request)

    result, client = run(timed, upsert)
    assert result["id"] == "1"
    assert times[1] >= round(reset, 3)
    assert client.api_calls == 2


def test_429s_do_not_use_up_attempts_but_are_capped() -> None:
    """429s beyond max_rate_limit_waits raise RateLimitedError; max_attempts does not apply."""
    past = str(int(time.time()) - 1)
    handler, _ = scripted(error(429, "rate_limit_exceeded", **{"X-RateLimit-Reset": past}))
    policy = RetryPolicy(max_attempts=1, max_rate_limit_waits=3)
    result, client = run(handler, upsert, retry=policy)
    assert isinstance(result, RateLimitedError)
    assert client.api_calls == 4


def test_5xx_is_retried_then_succeeds() -> None:
    """503 and 500 are retried; the third try's company is returned, three calls counted."""
    handler, _ = scripted(
        error(503, "service_unavailable"), error(500, "server_error"), reply(body={"id": "9"})
    )
    result, client = run(handler, upsert)
    assert result == {"id": "9"}
    assert client.api_calls == 3


def test_408_is_retried() -> None:
    """A 408 request timeout is retried like a 5xx."""
    handler, _ = scripted(error(408, "request_timeout"), reply(body={"id": "9"}))
    result, client = run(handler, upsert)
    assert result == {"id": "9"}
    assert client.api_calls == 2


def test_exhausted_retries_raise_the_last_retriable_error() -> None:
    """After max_attempts failures the last RetriableError is raised, with its status and code."""
    handler, _ = scripted(error(502, "bad_gateway"), error(500, "server_error"))
    result, client = run(handler, upsert, retry=RetryPolicy(max_attempts=3))
    assert isinstance(result, RetriableError)
    assert (result.status, result.code) == (500, "server_error")
    assert client.api_calls == 3


@pytest.mark.parametrize("status", [400, 404, 422])
def test_record_errors_are_not_retried(status: int) -> None:
    """400/404/422 raise RecordRejectedError after a single call."""
    handler, _ = scripted(error(status, "parameter_invalid"))
    result, client = run(handler, upsert)
    assert isinstance(result, RecordRejectedError)
    assert result.code == "parameter_invalid"
    assert client.api_calls == 1


@pytest.mark.parametrize(("status", "code"), [(401, "unauthorized"), (403, "api_plan_restricted")])
def test_401_and_403_abort_without_retrying(status: int, code: str) -> None:
    """401/403 raise FatalDestinationError after a single call."""
    handler, _ = scripted(error(status, code))
    result, client = run(handler, lambda c: c.me())
    assert isinstance(result, FatalDestinationError)
    assert result.code == code
    assert client.api_calls == 1


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ConnectError("connection refused"), "network_error"),
        (httpx.RemoteProtocolError("server disconnected"), "network_error"),
        (httpx.ReadError("reset by peer"), "network_error"),
        (httpx.ReadTimeout("timed out"), "timeout"),
        (httpx.ConnectTimeout("timed out"), "timeout"),
    ],
)
def test_network_errors_become_retriable_errors(exc: Exception, code: str) -> None:
    """httpx errors are retried, then raised as RetriableError(status=None) from the original."""
    handler, _ = scripted(exc)
    result, client = run(handler, upsert, retry=RetryPolicy(max_attempts=2))
    assert isinstance(result, RetriableError)
    assert (result.status, result.code) == (None, code)
    assert result.__cause__ is exc
    assert client.api_calls == 2


def test_network_error_then_success() -> None:
    """A dropped connection followed by an answer gives the answer."""
    handler, _ = scripted(httpx.RemoteProtocolError("eof"), reply(body={"id": "3"}))
    result, _ = run(handler, upsert)
    assert result == {"id": "3"}


def test_a_garbled_2xx_body_is_retried() -> None:
    """A 200 whose body is not a JSON object is retried, then raised as invalid_response."""
    handler, _ = scripted(httpx.Response(200, text="<html>"))
    result, client = run(handler, upsert, retry=RetryPolicy(max_attempts=2))
    assert isinstance(result, RetriableError)
    assert result.code == "invalid_response"
    assert client.api_calls == 2


def test_unique_company_constraint_is_retried_once_as_an_update() -> None:
    """A create race (400 unique_company_constraint) is sent once more and the update returned."""
    handler, seen = scripted(error(400, "unique_company_constraint"), reply(body={"id": "5"}))
    result, _ = run(handler, upsert)
    assert result == {"id": "5"}
    assert [r.method for r in seen] == ["POST", "POST"]
    assert seen[0].content == seen[1].content


def test_unique_company_constraint_twice_is_rejected() -> None:
    """If the retry hits the constraint again the company is rejected after two calls."""
    handler, _ = scripted(error(400, "unique_company_constraint"))
    result, client = run(handler, upsert)
    assert isinstance(result, RecordRejectedError)
    assert result.code == "unique_company_constraint"
    assert client.api_calls == 2


@pytest.mark.parametrize(
    "step",
    [
        error(401, "unauthorized"),
        error(400, "parameter_invalid"),
        error(503, "service_unavailable"),
        error(429, "rate_limit_exceeded", **{"X-RateLimit-Reset": "1"}),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_the_token_never_appears_in_errors_or_the_client(step: Any) -> None:
    """No str, repr or traceback of a raised error, nor the client's repr, shows the token."""
    handler, _ = scripted(step)
    policy = RetryPolicy(max_attempts=1, max_rate_limit_waits=0)
    result, client = run(handler, upsert, retry=policy)
    assert isinstance(result, IntercomError)
    shown = [str(result), repr(result), repr(client), str(client)]
    shown += traceback.format_exception(result)
    assert not [text for text in shown if TOKEN in text]


def test_backoff_grows_exponentially_with_a_cap_outside_test_mode() -> None:
    """Outside test mode waits are base*2^n capped, plus up to jitter_s of jitter."""
    set_testing(False)
    policy = RetryPolicy(backoff_base_s=0.5, backoff_cap_s=3.0, jitter_s=1.0)
    delays = [backoff_delay(policy, n, rng=lambda: 0.5) for n in range(1, 6)]
    assert delays == [1.0, 1.5, 2.5, 3.5, 3.5]


def test_backoff_is_zero_in_test_mode() -> None:
    """In test mode a retry after a 5xx does not wait."""
    assert backoff_delay(RetryPolicy(), 5) == 0.0


def test_429_wait_is_reset_minus_now_plus_jitter() -> None:
    """A 429 waits for the server's reset plus jitter; in test mode the jitter is 0."""
    policy = RetryPolicy(jitter_s=1.0)
    assert rate_limit_delay(policy, reset_at=110.0, now=100.0, rng=lambda: 0.5) == 10.0
    set_testing(False)
    assert rate_limit_delay(policy, reset_at=110.0, now=100.0, rng=lambda: 0.5) == 10.5


def test_429_wait_has_a_floor_and_a_cap() -> None:
    """A reset already past still waits a little; a reset hours away waits at most a minute."""
    policy = RetryPolicy()
    assert 0 < rate_limit_delay(policy, reset_at=90.0, now=100.0) < 0.5
    assert rate_limit_delay(policy, reset_at=100_000.0, now=100.0) == 60.0
