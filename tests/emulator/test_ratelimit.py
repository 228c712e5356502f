"""Fixed-window rate limiting with X-RateLimit-* headers."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from hoist.emulator import Emulator
from hoist.emulator.config import UNLIMITED
from hoist.emulator.testing import EmulatorHandle, FakeClock

MakeClient = Callable[..., tuple[httpx.Client, Emulator]]


def test_headers_count_down_within_a_window(make_client: MakeClient, clock: FakeClock) -> None:
    """Each call spends one from the window; Reset is the Unix second the window ends."""
    client, _ = make_client(rate_limit=3, window_s=1)
    clock.now = 1_750_000_000.25
    headers = [client.get("/me").headers for _ in range(3)]
    assert [h["x-ratelimit-remaining"] for h in headers] == ["2", "1", "0"]
    assert {h["x-ratelimit-limit"] for h in headers} == {"3"}
    assert {h["x-ratelimit-reset"] for h in headers} == {"1750000001"}


def test_over_the_limit_is_429_until_the_window_resets(
    make_client: MakeClient, clock: FakeClock
) -> None:
    """Past the limit calls get 429 rate_limit_exceeded; the next window has a full budget."""
    client, emu = make_client(rate_limit=2, window_s=1)
    client.get("/me")
    client.get("/me")
    rejected = client.post("/companies", json={"company_id": "c1"})
    assert rejected.status_code == 429
    assert rejected.json()["errors"][0] == {
        "code": "rate_limit_exceeded",
        "message": "Exceeded rate limit of 2 in 1_seconds",
    }
    assert rejected.headers["x-ratelimit-remaining"] == "0"
    assert emu.companies() == []
    clock.advance(1)
    assert client.get("/me").headers["x-ratelimit-remaining"] == "1"


def test_unlimited_still_sends_headers(client: httpx.Client) -> None:
    """Without a configured limit the headers are still sent, with a very large limit."""
    headers = client.get("/me").headers
    assert headers["x-ratelimit-limit"] == str(UNLIMITED)


def test_limit_can_be_changed_at_runtime(make_client: MakeClient) -> None:
    """`configure(rate_limit=...)` takes effect on the next call."""
    client, emu = make_client()
    emu.configure(rate_limit=1)
    assert client.get("/me").status_code == 200
    assert client.get("/me").status_code == 429


def test_429_over_real_http(emulator_factory: Callable[..., EmulatorHandle]) -> None:
    """Over real HTTP a burst beyond the limit is answered with 429 and the headers."""
    handle = emulator_factory(rate_limit=3, window_s=1)
    with httpx.Client(base_url=handle.base_url, headers={"Authorization": "Bearer t"}) as client:
        statuses = [client.get("/me").status_code for _ in range(4)]
    # A burst can straddle a window boundary, so at most the last call may still pass.
    assert statuses[:3] == [200, 200, 200] or 429 in statuses
    assert statuses.count(429) <= 1
