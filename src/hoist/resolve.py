"""Update-only runs: find which changed companies already exist in Intercom.

State answers first (companies hoist has seen carry their Intercom id). The rest are looked up
either one by one (`GET /companies?company_id=`, one call each) or with one scroll over all of
Intercom's companies (`GET /companies/scroll`, 100 per page, NOTES §1.7), whichever costs fewer
calls. The scroll's size is learnt from one `GET /companies?per_page=1` (its ``total_count``).
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from hoist.intercom import IntercomClient
from hoist.sql.changeset import ChangeSet

__all__ = ["Resolution", "resolve_existing"]

_SCROLL_PAGE = 100
_LOOKUP_CONCURRENCY = 16


@dataclass(frozen=True)
class Resolution:
    """How existence was decided: the strategy, and the (company_id, intercom id) pairs found."""

    strategy: str
    found: tuple[tuple[str, str], ...]


async def resolve_existing(client: IntercomClient, changes: ChangeSet) -> Resolution:
    """Give `changes` the Intercom ids of companies that exist in Intercom but not in state."""
    unknown = changes.unresolved()
    if not unknown:
        return Resolution("state", ())
    strategy = await _choose(client, len(unknown))
    if strategy == "scroll":
        found = await _scroll(client, set(unknown))
    else:
        found = await _lookups(client, unknown)
    changes.resolve(found)
    return Resolution(strategy, tuple(found))


async def _choose(client: IntercomClient, unknown: int) -> str:
    # Learning the scroll's size costs one call, so it only pays when lookups cost more.
    if unknown <= 2:
        return "lookup"
    total = await client.count_companies()
    if total is None:
        return "lookup"
    scroll_calls = math.ceil(total / _SCROLL_PAGE) + 1  # the last, empty page ends the scroll
    return "scroll" if scroll_calls < unknown else "lookup"


async def _lookups(client: IntercomClient, company_ids: list[str]) -> list[tuple[str, str]]:
    gate = asyncio.Semaphore(_LOOKUP_CONCURRENCY)

    async def one(company_id: str) -> tuple[str, str] | None:
        async with gate:
            company = await client.find_company(company_id)
        return (company_id, str(company["id"])) if company else None

    results = await asyncio.gather(*(one(company_id) for company_id in company_ids))
    return [pair for pair in results if pair is not None]


async def _scroll(client: IntercomClient, wanted: set[str]) -> list[tuple[str, str]]:
    found = []
    async for page in client.scroll_companies():
        found += [(c["company_id"], str(c["id"])) for c in page if c.get("company_id") in wanted]
    return found
