"""Read companies back from Intercom and compare them with what state says was delivered.

Two ways to read: the scroll (every company, about one call per 100, NOTES §1.7) or a random
sample of state's companies looked up one by one (`GET /companies?company_id=`, one call each).
Either way each company found is compared attribute by attribute (`compare_company`) and a
company state knows that Intercom does not show is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hoist.compare import Drift, compare_company
from hoist.intercom import IntercomClient
from hoist.verify.delivered import Delivered, StateRow

__all__ = ["Findings", "by_lookup", "by_scroll", "missing_ids"]

_LOOKUP_CONCURRENCY = 16
#: Companies read back per state query (20 scroll pages): DuckDB's cost per query, not per
#: row, dominates at 100 rows.
_BATCH = 2_000


@dataclass
class Findings:
    """What the read-back found: drifts per company, missing companies, Intercom's ids."""

    checked: int = 0
    drifted: list[Drift] = field(default_factory=list)
    missing: list[StateRow] = field(default_factory=list)
    held_ids: dict[str, str] = field(default_factory=dict)  # drifted company_id -> Intercom id
    drifted_rows: dict[str, StateRow] = field(default_factory=dict)  # by company_id

    @property
    def verified(self) -> int:
        """Companies found in Intercom holding exactly what state delivered."""
        drifted = {d.company_id for d in self.drifted}
        return self.checked - len(self.missing) - len(drifted)

    def compare(self, row: StateRow, company: dict[str, Any]) -> None:
        """Compare one company read back with its state row."""
        drifts = compare_company(row.company_id, row.texts, company, intercom_id=row.intercom_id)
        if drifts:
            self.drifted += drifts
            self.held_ids[row.company_id] = str(company["id"])
            self.drifted_rows[row.company_id] = row


async def by_scroll(client: IntercomClient, delivered: Delivered) -> Findings:
    """Every company through the scroll; state's companies it never shows are missing.

    Pages are compared in batches of `_BATCH` companies, one state query per batch; a batch
    takes well under a second, far from the scroll's 60-second idle expiry.
    """
    findings = Findings(checked=delivered.count())
    if not findings.checked:
        return findings  # state delivered nothing: no need to read the workspace
    pending: dict[str, dict[str, Any]] = {}
    async for page in client.scroll_companies():
        pending.update((str(c["company_id"]), c) for c in page if c.get("company_id"))
        if len(pending) >= _BATCH:
            _compare_batch(findings, delivered, pending)
            pending = {}
    _compare_batch(findings, delivered, pending)
    findings.missing = delivered.unseen()
    return findings


def _compare_batch(
    findings: Findings, delivered: Delivered, companies: dict[str, dict[str, Any]]
) -> None:
    for row in delivered.for_companies(list(companies)):
        findings.compare(row, companies[row.company_id])


async def by_lookup(client: IntercomClient, delivered: Delivered, sample: int) -> Findings:
    """`sample` random companies of state, each looked up by its company_id."""
    rows = delivered.sample(sample)
    gate = asyncio.Semaphore(_LOOKUP_CONCURRENCY)

    async def one(row: StateRow) -> dict[str, Any] | None:
        async with gate:
            return await client.find_company(row.company_id)

    found = await asyncio.gather(*(one(row) for row in rows))
    findings = Findings(checked=len(rows))
    for row, company in zip(rows, found, strict=True):
        if company is None:
            findings.missing.append(row)
        else:
            findings.compare(row, company)
    findings.drifted.sort(key=lambda d: d.company_id)
    findings.missing.sort(key=lambda r: r.company_id)
    return findings


def missing_ids(rows: Sequence[StateRow]) -> tuple[str, ...]:
    """The company_ids of missing rows, in order."""
    return tuple(row.company_id for row in rows)
