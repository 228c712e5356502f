"""The Intercom client against the emulator over real HTTP: endpoints, retries and pacing."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest

from hoist.emulator.testing import EmulatorHandle
from hoist.errors import FatalDestinationError
from hoist.intercom import IntercomClient
from hoist.secret import Secret

TOKEN = "emulator-token-42"
T = TypeVar("T")
Start = Callable[..., EmulatorHandle]


def with_client(
    handle: EmulatorHandle, call: Callable[[IntercomClient], Coroutine[Any, Any, T]]
) -> T:
    """Run `call` with a client of `handle`'s emulator and return what it returns."""

    async def go() -> T:
        async with IntercomClient(base_url=handle.base_url, token=Secret(TOKEN)) as client:
            return await call(client)

    return asyncio.run(go())


def test_upsert_creates_then_updates_one_company(emulator_factory: Start) -> None:
    """Two upserts of one company_id leave one company carrying the second call's values."""
    handle = emulator_factory(token=TOKEN)

    async def call(client: IntercomClient) -> tuple[dict[str, Any], dict[str, Any]]:
        created = await client.upsert_company({"company_id": "c1", "name": "Acme"})
        updated = await client.upsert_company({"company_id": "c1", "name": "Acme Inc"})
        return created, updated

    created, updated = with_client(handle, call)
    assert created["id"] == updated["id"]
    [company] = handle.emulator.companies()
    assert (company["company_id"], company["name"]) == ("c1", "Acme Inc")


def test_update_company_by_intercom_id(emulator_factory: Start) -> None:
    """`update_company` changes the company with that Intercom id."""
    handle = emulator_factory(token=TOKEN)
    seeded = handle.emulator.seed_company(company_id="c1", name="Old")
    with_client(handle, lambda c: c.update_company(seeded["id"], {"name": "New"}))
    assert handle.emulator.company_by_company_id("c1")["name"] == "New"  # type: ignore[index]


def test_every_call_pins_the_api_version(emulator_factory: Start) -> None:
    """The emulator sees Intercom-Version 2.16 on every call."""
    handle = emulator_factory(token=TOKEN)
    with_client(handle, lambda c: c.me())
    assert [r.intercom_version for r in handle.emulator.requests()] == ["2.16"]


def test_find_company_found_and_not_found(emulator_factory: Start) -> None:
    """`find_company` returns the company with that company_id, or None when there is none."""
    handle = emulator_factory(token=TOKEN)
    seeded = handle.emulator.seed_company(company_id="c1", name="Acme")

    async def call(client: IntercomClient) -> tuple[Any, Any]:
        return await client.find_company("c1"), await client.find_company("missing")

    found, missing = with_client(handle, call)
    assert found is not None
    assert found["id"] == seeded["id"]
    assert missing is None


def test_count_companies_counts_only_companies_with_contacts(emulator_factory: Start) -> None:
    """`count_companies` is the listing's total_count, which leaves out contactless companies."""
    handle = emulator_factory(token=TOKEN)
    for i in range(7):
        handle.emulator.seed_company(company_id=f"c{i}", user_count=i % 2)
    assert with_client(handle, lambda c: c.count_companies()) == 3


def test_scroll_returns_every_company_exactly_once(emulator_factory: Start) -> None:
    """Scrolling 250 companies yields each of them once, over several pages."""
    handle = emulator_factory(token=TOKEN)
    for i in range(250):
        handle.emulator.seed_company(company_id=f"c{i}")

    async def call(client: IntercomClient) -> list[list[dict[str, Any]]]:
        return [page async for page in client.scroll_companies()]

    pages = with_client(handle, call)
    ids = [c["company_id"] for page in pages for c in page]
    assert sorted(ids) == sorted(f"c{i}" for i in range(250))
    assert len(pages) >= 3


def test_data_attributes_list_and_create(emulator_factory: Start) -> None:
    """A created custom attribute is listed afterwards with its type."""
    handle = emulator_factory(token=TOKEN)

    async def call(client: IntercomClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        created = await client.create_data_attribute(name="tier", data_type="string")
        return created, await client.list_data_attributes()

    created, listed = with_client(handle, call)
    assert (created["name"], created["data_type"]) == ("tier", "string")
    tier = [a for a in listed if a["name"] == "tier"]
    assert tier
    assert tier[0]["custom"] is True
    assert any(a["name"] == "name" and not a["custom"] for a in listed)


def test_archived_attributes_are_listed_only_when_asked(emulator_factory: Start) -> None:
    """`list_data_attributes(include_archived=True)` also returns archived custom attributes."""
    handle = emulator_factory(token=TOKEN)

    async def call(client: IntercomClient) -> tuple[set[str], set[str]]:
        attr = await client.create_data_attribute(name="legacy", data_type="string")
        async with httpx.AsyncClient(base_url=handle.base_url) as raw:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            await raw.put(
                f"/data_attributes/{attr['id']}", json={"archived": True}, headers=headers
            )
        live = await client.list_data_attributes()
        every = await client.list_data_attributes(include_archived=True)
        return {a["name"] for a in live}, {a["name"] for a in every}

    live, every = with_client(handle, call)
    assert "legacy" not in live
    assert "legacy" in every


def test_delete_company_archives_it(emulator_factory: Start) -> None:
    """`delete_company` archives the company; deleting it again reports it already gone."""
    handle = emulator_factory(token=TOKEN)
    seeded = handle.emulator.seed_company(company_id="c1")

    async def call(client: IntercomClient) -> tuple[bool, bool]:
        return await client.delete_company(seeded["id"]), await client.delete_company(seeded["id"])

    assert with_client(handle, call) == (True, False)
    assert handle.emulator.company_by_company_id("c1") is None
    assert [c["company_id"] for c in handle.emulator.archived_companies()] == ["c1"]


def test_a_rejected_api_version_is_fatal_and_names_the_key(emulator_factory: Start) -> None:
    """A version Intercom refuses stops the run with an error naming destination.api_version."""
    handle = emulator_factory(token=TOKEN)

    async def go() -> None:
        async with IntercomClient(
            base_url=handle.base_url, token=Secret(TOKEN), api_version="2.99"
        ) as client:
            await client.me()

    with pytest.raises(FatalDestinationError) as caught:
        asyncio.run(go())
    assert caught.value.code == "intercom_version_invalid"
    assert "destination.api_version" in str(caught.value)
    assert "'2.99'" in str(caught.value)
    assert len(handle.emulator.requests()) == 1  # not retried


def test_a_wrong_token_is_fatal(emulator_factory: Start) -> None:
    """A token the workspace does not accept raises FatalDestinationError without the token."""
    handle = emulator_factory(token="the-real-one")
    with pytest.raises(FatalDestinationError) as caught:
        with_client(handle, lambda c: c.me())
    assert caught.value.code == "unauthorized"
    assert TOKEN not in str(caught.value)


def test_injected_server_errors_are_retried_until_every_write_lands(
    emulator_factory: Start,
) -> None:
    """With 30 % of writes failing with 5xx, every upsert still lands, with retries counted."""
    handle = emulator_factory(token=TOKEN, fail_rate=0.3, seed=7)

    async def call(client: IntercomClient) -> int:
        await asyncio.gather(*(client.upsert_company({"company_id": f"c{i}"}) for i in range(40)))
        return client.api_calls

    api_calls = with_client(handle, call)
    assert len(handle.emulator.companies()) == 40
    assert api_calls == len(handle.emulator.requests()) > 40


def test_concurrent_requests_are_paced_to_the_limit(emulator_factory: Start) -> None:
    """100 requests from 32 coroutines at 20 per 1 s window: (near) no 429s, no window left unused.

    Between the first window and the last, every window is used to its full budget: a client
    that waited longer than the reset, or sent less than the budget allows, leaves one short.
    Counted by the window the emulator charged each call to, not by a stopwatch or by when the
    answer left (under load a call charged late in one window can leave in the next).
    """
    handle = emulator_factory(token=TOKEN, rate_limit=20, window_s=1.0, latency_ms=5)
    gate = asyncio.Semaphore(32)

    async def one(client: IntercomClient, i: int) -> None:
        async with gate:
            await client.upsert_company({"company_id": f"c{i}"})

    async def call(client: IntercomClient) -> None:
        await asyncio.gather(*(one(client, i) for i in range(100)))

    with_client(handle, call)
    log = handle.emulator.requests()
    statuses = [r.status for r in log]
    assert len(handle.emulator.companies()) == 100
    assert statuses.count(429) <= 1
    per_window = Counter(r.window for r in log if r.status == 200 and r.window is not None)
    windows = sorted(per_window)
    assert windows == list(range(windows[0], windows[-1] + 1))  # no window skipped
    assert all(per_window[w] == 20 for w in windows[1:-1])


def test_after_a_429_the_next_request_waits_for_the_reset(emulator_factory: Start) -> None:
    """When another client spent the window, this client's retry comes after the reset."""
    handle = emulator_factory(token=TOKEN, rate_limit=2, window_s=1.0)
    time.sleep(1.02 - time.time() % 1)  # start early in a window so the budget is spent in it
    with httpx.Client(
        base_url=handle.base_url, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as other:
        for _ in range(2):
            other.get("/me")

    with_client(handle, lambda c: c.me())
    log = handle.emulator.requests()
    assert [r.status for r in log] == [200, 200, 429, 200]
    reset = math.floor(log[2].time) + 1
    assert log[3].time >= reset
