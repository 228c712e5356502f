"""Two overlapping first creates of one company_id, over real HTTP with latency."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from hoist.emulator.testing import EmulatorHandle


async def _two_creates(base_url: str, gap_s: float) -> list[httpx.Response]:
    headers = {"Authorization": "Bearer t"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        first = asyncio.create_task(
            client.post("/companies", json={"company_id": "dup", "name": "1"})
        )
        await asyncio.sleep(gap_s)
        second = asyncio.create_task(
            client.post("/companies", json={"company_id": "dup", "name": "2"})
        )
        return [await first, await second]


def test_overlapping_first_creates_give_unique_company_constraint(
    emulator_factory: Callable[..., EmulatorHandle],
) -> None:
    """While one first create is in progress, a second one for the same company_id gets 400."""
    handle = emulator_factory(latency_ms=300)
    first, second = asyncio.run(_two_creates(handle.base_url, 0.1))
    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["errors"][0] == {
        "code": "unique_company_constraint",
        "message": "Company already exists.",
    }
    assert [c["name"] for c in handle.emulator.companies()] == ["1"]


def test_retry_after_the_race_becomes_an_update(
    emulator_factory: Callable[..., EmulatorHandle],
) -> None:
    """Once the first create has landed, the same upsert succeeds as an update."""
    handle = emulator_factory(latency_ms=200)
    asyncio.run(_two_creates(handle.base_url, 0.05))
    retry = httpx.post(
        f"{handle.base_url}/companies",
        json={"company_id": "dup", "name": "2"},
        headers={"Authorization": "Bearer t"},
    )
    assert retry.status_code == 200
    assert len(handle.emulator.companies()) == 1
    assert handle.emulator.companies()[0]["name"] == "2"
