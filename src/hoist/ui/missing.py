"""The companies an update-only activation did not find in Intercom, listed as errors are:
searchable and paged, so "777 not in Intercom" can be checked company by company."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Generic, TypeVar

from hoist.config import ActivationConfig
from hoist.sql.build import render
from hoist.state import StateStore

__all__ = ["PAGE_SIZE", "Page", "missing_companies", "paged"]

#: Rows of a list (errors, companies not in Intercom) shown on one page.
PAGE_SIZE: Final = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, its number (from 1) and how many pages there are."""

    rows: list[T]
    number: int
    pages: int
    total: int


def paged(items: list[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """Page `number` of `items` (clamped to the pages there are)."""
    pages = max((len(items) + size - 1) // size, 1)
    number = min(max(number, 1), pages)
    start = (number - 1) * size
    return Page(items[start : start + size], number, pages, len(items))


def missing_companies(config: ActivationConfig) -> list[str] | None:
    """The company_ids the latest lookups did not find in Intercom, sorted; None when state
    lives in the warehouse (not listed here: `hoist runs` counts them)."""
    if config.state.in_warehouse:
        return None
    if not Path(config.state.path).exists():
        return []
    with StateStore.open(config.state.path, read_only=True) as store:
        # The relation is hoist's own (a state table), rendered by hoist: no outside text.
        relation = render(store.missing())
        query = f"SELECT company_id FROM {relation} AS m ORDER BY company_id"
        rows = store.con.execute(query).fetchall()
    return [str(row[0]) for row in rows]
