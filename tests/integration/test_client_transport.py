"""Both ways the client sends: aiohttp over real sockets, and an injected httpx transport."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest

from hoist.emulator.emulator import Emulator
from hoist.emulator.testing import EmulatorHandle, asgi_transport
from hoist.errors import RecordRejectedError, RetriableError
from hoist.intercom import IntercomClient, RetryPolicy
from hoist.intercom.transport import AiohttpSender, HttpxSender
from hoist.secret import Secret

TOKEN = "transport-token-77"
T = TypeVar("T")
Start = Callable[..., EmulatorHandle]


def run_with(
    call: Callable[[IntercomClient], Coroutine[Any, Any, T]], **options: Any
) -> tuple[T, IntercomClient]:
    """Run `call` with a client built from `options`; its result and the client."""

    async def go() -> tuple[T, IntercomClient]:
        async with IntercomClient(token=Secret(TOKEN), **options) as client:
            return await call(client), client

    return asyncio.run(go())


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_the_network_path_uses_aiohttp_and_the_injected_path_httpx(
    emulator: EmulatorHandle,
) -> None:
    """Without a transport the client sends over aiohttp; with one, through httpx over it."""
    _, network = run_with(lambda c: c.me(), base_url=emulator.base_url)
    _, injected = run_with(
        lambda c: c.me(), base_url="http://x.invalid", transport=asgi_transport()
    )
    assert isinstance(network._sender, AiohttpSender)
    assert isinstance(injected._sender, HttpxSender)


def test_upserts_over_aiohttp_land_with_every_field(emulator_factory: Start) -> None:
    """Upserts sent over real sockets reach the workspace with their fields and headers."""
    handle = emulator_factory(token=TOKEN)

    async def call(client: IntercomClient) -> list[dict[str, Any]]:
        bodies = [
            {"company_id": f"c{i}", "name": f"Name é {i}", "monthly_spend": i} for i in range(50)
        ]
        return await asyncio.gather(*(client.upsert_company(b) for b in bodies))

    answers, client = run_with(call, base_url=handle.base_url)
    held = {c["company_id"]: c for c in handle.emulator.companies()}
    assert [a["company_id"] for a in answers] == [f"c{i}" for i in range(50)]
    assert held["c7"]["name"] == "Name é 7"
    assert held["c7"]["monthly_spend"] == 7
    assert {r.intercom_version for r in handle.emulator.requests()} == {"2.16"}
    assert client.api_calls == 50


def test_a_query_string_is_encoded_over_aiohttp(emulator_factory: Start) -> None:
    """A company_id with reserved characters is found by the lookup, not mangled in the URL."""
    handle = emulator_factory(token=TOKEN)
    odd = "a&b=c d/é?#"

    async def call(client: IntercomClient) -> dict[str, Any] | None:
        await client.upsert_company({"company_id": odd})
        return await client.find_company(odd)

    found, _ = run_with(call, base_url=handle.base_url)
    assert found is not None
    assert found["company_id"] == odd


def test_a_refused_connection_is_retried_then_reported_without_the_token() -> None:
    """Nothing listening: each attempt fails as a network error, and the token is never shown."""
    retry = RetryPolicy(max_attempts=3)
    url = f"http://127.0.0.1:{closed_port()}"

    async def call(client: IntercomClient) -> RetriableError:
        with pytest.raises(RetriableError) as caught:
            await client.me()
        return caught.value

    error, client = run_with(call, base_url=url, retry=retry)
    assert error.code == "network_error"
    assert client.api_calls == 3
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error.__cause__)


def test_a_slow_answer_times_out_and_is_retried(emulator_factory: Start) -> None:
    """An answer slower than the timeout is a retriable timeout, tried max_attempts times."""
    handle = emulator_factory(token=TOKEN, latency_ms=400)
    retry = RetryPolicy(max_attempts=2)

    async def call(client: IntercomClient) -> RetriableError:
        with pytest.raises(RetriableError) as caught:
            await client.me()
        return caught.value

    error, client = run_with(call, base_url=handle.base_url, retry=retry, timeout_s=0.1)
    assert error.code == "timeout"
    assert client.api_calls == 2


def test_an_error_body_over_aiohttp_is_classified(emulator_factory: Start) -> None:
    """A 404 from Intercom over aiohttp becomes RecordRejectedError with Intercom's code."""
    handle = emulator_factory(token=TOKEN)

    async def call(client: IntercomClient) -> RecordRejectedError:
        with pytest.raises(RecordRejectedError) as caught:
            await client.update_company("no-such-id", {"name": "x"})
        return caught.value

    error, _ = run_with(call, base_url=handle.base_url)
    assert error.status == 404
    assert error.code == "company_not_found"


def test_the_injected_asgi_transport_carries_every_request() -> None:
    """With the emulator's ASGI transport no socket is opened and the workspace gets the write."""
    workspace = Emulator()

    async def call(client: IntercomClient) -> dict[str, Any]:
        return await client.upsert_company({"company_id": "in-process", "name": "ASGI"})

    answer, _ = run_with(
        call, base_url="http://unreachable.invalid", transport=asgi_transport(workspace)
    )
    assert answer["name"] == "ASGI"
    assert [c["company_id"] for c in workspace.companies()] == ["in-process"]


def test_an_injected_transport_failure_is_a_network_error() -> None:
    """An httpx transport error from an injected transport is retried as a network error."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def call(client: IntercomClient) -> RetriableError:
        with pytest.raises(RetriableError) as caught:
            await client.me()
        return caught.value

    error, client = run_with(
        call,
        base_url="http://x.invalid",
        transport=httpx.MockTransport(refuse),
        retry=RetryPolicy(max_attempts=2),
    )
    assert error.code == "network_error"
    assert client.api_calls == 2
