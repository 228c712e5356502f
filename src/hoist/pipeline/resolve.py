"""Update-only runs: find which changed companies already exist in Intercom.

State answers first (companies hoist has seen carry their Intercom id), and companies not found
before are not looked up again while their row stays the same (unless `recheck` is asked):
their lookup would only repeat the last answer.

The rest are found one by one (`GET /companies?company_id=`, one call each) or by scrolling
over every company (`GET /companies/scroll`, about 100 per call, NOTES §1.7). Which costs
less depends on how many companies the workspace holds, and Intercom does not say: the listing's
``total_count`` leaves out companies without contacts (NOTES §1.6, §1.10), so it is not used.
The rule instead bounds the cost without knowing it:

- two ids or fewer: look them up (a scroll costs at least two calls: a page and its end);
- more: scroll, but only while the pages read are fewer than the ids still unfound. When the
  scroll ends first, it was the cheaper way, and whatever it did not see is not in Intercom;
  when the ids still unfound become as few as the pages read, they are looked up one by one.
  So a small workspace costs about one call per 100 companies, and a huge one never more than
  twice the lookups.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from hoist.diff.changes import user_count_of
from hoist.diff.local_changeset import ChangeSet
from hoist.first_contact import held_texts
from hoist.intercom import IntercomClient

__all__ = ["Resolution", "resolve_existing"]

_LOOKUP_ONLY = 2
_LOOKUP_CONCURRENCY = 16


@dataclass(frozen=True)
class Resolution:
    """How existence was decided and what it found.

    `found` pairs company_ids with Intercom ids; `not_found` pairs the company_ids Intercom does
    not have with the hash of their row; `skipped` counts those known missing with an unchanged
    row, not looked up again. `user_counts` holds the `user_count` Intercom answered for each
    company_id found (None when it did not say).
    """

    strategy: str
    found: tuple[tuple[str, str], ...]
    not_found: tuple[tuple[str, int], ...] = ()
    skipped: int = 0
    user_counts: dict[str, int | None] = field(default_factory=dict)


async def resolve_existing(
    client: IntercomClient,
    changes: ChangeSet,
    *,
    missing: exp.Expr | None = None,
    recheck: bool = False,
) -> Resolution:
    """Give `changes` the Intercom ids of companies that exist in Intercom but not in state.

    `missing` is state's record of companies not found before; `recheck` looks them up anyway.
    The values each company was read with become what its write clears where the model has
    null (first contact, `hoist.first_contact`); no call is added for it. (Under
    ``sync.nulls: keep`` the changes carry no model null, so nothing is cleared.)
    """
    wanted = changes.unresolved(None if recheck else missing)
    skipped = changes.count(unresolved_only=True) - len(wanted)
    if not wanted:
        return Resolution("state", (), (), skipped)
    ids = [company_id for company_id, _ in wanted]
    if len(ids) <= _LOOKUP_ONLY:
        strategy, companies = "lookup", await _lookups(client, ids)
    else:
        strategy, companies = await _scroll_then_lookups(client, ids)
    found = [(str(c["company_id"]), str(c["id"])) for c in companies]
    attributes = [f.attribute for f in changes.fields]
    changes.resolve(found, [held_texts(c, attributes) for c in companies])
    seen = {company_id for company_id, _ in found}
    not_found = tuple(pair for pair in wanted if pair[0] not in seen)
    counts = {str(c["company_id"]): user_count_of(c) for c in companies}
    return Resolution(strategy, tuple(found), not_found, skipped, counts)


async def _scroll_then_lookups(
    client: IntercomClient, ids: list[str]
) -> tuple[str, list[dict[str, Any]]]:
    found, ended = await _scroll(client, set(ids))
    if ended:
        return "scroll", found
    seen = {c["company_id"] for c in found}
    rest = [company_id for company_id in ids if company_id not in seen]
    return "scroll+lookup", found + await _lookups(client, rest)


async def _scroll(client: IntercomClient, wanted: set[str]) -> tuple[list[dict[str, Any]], bool]:
    """Scroll while pages read < ids unfound; (companies found, whether the scroll ended)."""
    found: list[dict[str, Any]] = []
    pages = 0
    async with aclosing(client.scroll_companies()) as scroll:
        async for page in scroll:
            pages += 1
            found += [c for c in page if c.get("company_id") in wanted]
            unfound = len(wanted) - len(found)
            if unfound == 0:
                return found, True
            if pages >= unfound:
                return found, False
    return found, True


async def _lookups(client: IntercomClient, company_ids: list[str]) -> list[dict[str, Any]]:
    gate = asyncio.Semaphore(_LOOKUP_CONCURRENCY)

    async def one(company_id: str) -> dict[str, Any] | None:
        async with gate:
            company = await client.find_company(company_id)
        return {**company, "company_id": company_id} if company else None

    results = await asyncio.gather(*(one(company_id) for company_id in company_ids))
    return [company for company in results if company is not None]
