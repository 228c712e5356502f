"""Fault injection: seeded 500/503 on writes, before anything is applied; and latency."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from hoist.emulator import Emulator

MakeClient = Callable[..., tuple[httpx.Client, Emulator]]


def statuses(client: httpx.Client, n: int) -> list[int]:
    """Upsert `n` distinct companies and return the statuses."""
    return [client.post("/companies", json={"company_id": f"c{i}"}).status_code for i in range(n)]


def test_same_seed_gives_same_failures(make_client: MakeClient) -> None:
    """Two emulators with one seed fail exactly the same writes."""
    first = statuses(make_client(fail_rate=0.5, seed=7)[0], 30)
    second = statuses(make_client(fail_rate=0.5, seed=7)[0], 30)
    assert first == second
    assert {500, 503} <= set(first) | {500, 503}
    assert 200 in first
    assert any(s in (500, 503) for s in first)


def test_failed_writes_are_not_applied(make_client: MakeClient) -> None:
    """A write that failed with 5xx left no trace, so retrying it is safe."""
    client, emu = make_client(fail_rate=0.5, seed=3)
    codes = statuses(client, 30)
    created = {c["company_id"] for c in emu.companies()}
    assert created == {f"c{i}" for i, code in enumerate(codes) if code == 200}


def test_failures_use_intercom_error_codes(make_client: MakeClient) -> None:
    """Injected failures carry server_error (500) or service_unavailable (503)."""
    client, _ = make_client(fail_rate=1.0, seed=1)
    response = client.post("/companies", json={"company_id": "c1"})
    expected = {500: "server_error", 503: "service_unavailable"}[response.status_code]
    assert response.json()["errors"][0]["code"] == expected


def test_reads_never_fail(make_client: MakeClient) -> None:
    """Reads are not subject to fault injection."""
    client, _ = make_client(fail_rate=1.0, seed=1)
    assert {client.get("/me").status_code for _ in range(10)} == {200}


def test_latency_delays_each_call(make_client: MakeClient) -> None:
    """`latency_ms` is added to every call."""
    client, _ = make_client(latency_ms=50)
    started = time.perf_counter()
    client.get("/me")
    assert time.perf_counter() - started >= 0.05
