"""The client's contact calls against the emulator: batched search, pages, attach, detach."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from hoist.emulator import Emulator
from hoist.emulator.testing import asgi_transport
from hoist.errors import RecordRejectedError
from hoist.intercom import IntercomClient
from hoist.intercom.client import SEARCH_IN_MAX
from hoist.secret import Secret

T = TypeVar("T")


def with_client(emu: Emulator, call: Callable[[IntercomClient], Coroutine[Any, Any, T]]) -> T:
    """Run `call` with a client of the in-process emulator `emu`."""

    async def go() -> T:
        transport = asgi_transport(emu)
        async with IntercomClient(
            base_url="http://emulator", token=Secret("t"), transport=transport
        ) as client:
            return await call(client)

    return asyncio.run(go())


def test_search_follows_every_page(emulator: Any) -> None:
    """70 leads sharing one email come back in full, over two pages of 50."""
    emu: Emulator = emulator.emulator
    for _ in range(70):
        emu.seed_contact(email="shared@x.io", role="lead")
    emu.seed_contact(email="other@x.io")
    found = with_client(emu, lambda c: c.search_contacts("email", ["shared@x.io"]))
    assert len({c["id"] for c in found}) == 70
    assert emu.request_count("POST", "/contacts/search") == 2


def test_search_refuses_more_values_than_one_in_filter_holds() -> None:
    """More than SEARCH_IN_MAX values is the caller's mistake: a ValueError, no call."""
    emu = Emulator()
    values = [f"{i}@x.io" for i in range(SEARCH_IN_MAX + 1)]
    with pytest.raises(ValueError, match="at most 15"):
        with_client(emu, lambda c: c.search_contacts("email", values))
    assert emu.requests() == []


def test_attach_then_detach_returns_the_company_with_its_count() -> None:
    """Attach answers the company with user_count 1, detach with 0; a second detach is a 404."""
    emu = Emulator()
    company = emu.seed_company(company_id="c1")["id"]
    contact = emu.seed_contact(external_id="u1")["id"]

    async def call(client: IntercomClient) -> tuple[int, int]:
        attached = await client.attach_contact(contact, company)
        detached = await client.detach_contact(contact, company)
        with pytest.raises(RecordRejectedError):
            await client.detach_contact(contact, company)
        return attached["user_count"], detached["user_count"]

    assert with_client(emu, call) == (1, 0)
