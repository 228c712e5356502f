"""The companies an update-only activation did not find in Intercom, listed as errors are:
searchable and paged, so "777 not in Intercom" can be checked company by company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from hoist.config import ActivationConfig
from hoist.state import read_state

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


def missing_companies(config: ActivationConfig) -> list[str]:
    """The company_ids the latest lookups did not find in Intercom, sorted, read from the
    activation's state whichever kind it is (none before its first run)."""
    return read_state(config, lambda store: store.missing_ids())
