"""The contacts stage of a run: find each new pair's contact in Intercom, attach, remember.

After the companies are sent, every (company, contact) pair of the contacts model whose company
is delivered and which state does not remember is looked up with `POST /contacts/search`, up
to `SEARCH_IN_MAX` keys per `IN` filter, and each contact found is attached to the company by
its Intercom id. What happened to each pair is remembered in state, so later runs spend no call
on it: attached pairs for good, "not found" ones until `NOT_FOUND_RETRY` has passed (a contact
created moments ago may not be searchable yet, spec: "Contact Creation Delay"). Contacts are
never created. Pairs that left the model are detached only with `on_removal: detach`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hoist.config import ContactsConfig
from hoist.diff.changes import Confirmation, user_count_of
from hoist.errors import FatalDestinationError, IntercomError
from hoist.intercom import IntercomClient
from hoist.intercom.client import SEARCH_IN_MAX
from hoist.report import RecordIssue
from hoist.sql.contacts import ContactPairs, PendingPair, RemovedPair, planned_companies
from hoist.state import StateBackend

__all__ = [
    "NOT_FOUND_RETRY",
    "ContactsResult",
    "PlannedContacts",
    "attach_contacts",
    "planned_contacts",
]

#: A contact Intercom did not have is searched for again after this long.
NOT_FOUND_RETRY = timedelta(hours=24)


@dataclass
class ContactsResult:
    """What the contacts stage did: attachments, detachments, refusals, a fatal error."""

    attached: int = 0
    detached: int = 0
    failed: list[RecordIssue] = field(default_factory=list)
    fatal: FatalDestinationError | None = None
    #: Companies Intercom no longer has (attaching answered 404 company_not_found): the run
    #: forgets them and their pairs, so the next run creates them again instead of failing.
    gone: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedContacts:
    """What the contacts stage of a run would do, as a plan can tell without a call."""

    pairs: int = 0
    """Pairs a run would search for (of companies delivered or written by the run)."""
    searches: int = 0
    """`POST /contacts/search` calls that takes, at `SEARCH_IN_MAX` contacts each."""
    not_found: int = 0
    """Contacts of the model remembered as not found in Intercom."""

    @property
    def calls(self) -> int:
        """At most this many calls: the searches and one attach per pair."""
        return self.searches + self.pairs


def planned_contacts(
    pairs: ContactPairs, store: StateBackend, *, insert: bool, recheck: bool = False
) -> PlannedContacts:
    """What the contacts stage would do after this run's sends, without a call."""
    cutoff = datetime.now(UTC) - (timedelta(0) if recheck else NOT_FOUND_RETRY)
    companies = planned_companies(store.companies_relation(), insert=insert)
    pending = pairs.pending(companies, store.pairs_relation(), cutoff)
    return PlannedContacts(
        len(pending), len(_batches(pending)), pairs.not_found(store.pairs_relation())
    )


async def attach_contacts(
    config: ContactsConfig,
    client: IntercomClient,
    store: StateBackend,
    pairs: ContactPairs,
    concurrency: int,
    *,
    recheck: bool = False,
) -> ContactsResult:
    """Attach the pending pairs, detach the removed ones if asked; state records each result.

    With `recheck` (`--recheck-missing`, `--full-resync`), contacts not found earlier are
    searched again now, not only once `NOT_FOUND_RETRY` has passed.
    """
    stage = _Stage(config, client, store, asyncio.Semaphore(concurrency))
    now = datetime.now(UTC)
    cutoff = now if recheck else now - NOT_FOUND_RETRY
    pending = pairs.pending(store.companies_relation(), store.pairs_relation(), cutoff)
    await asyncio.gather(*(stage.attach_batch(batch) for batch in _batches(pending)))
    removed = pairs.removed(store.companies_relation(), store.pairs_relation())
    await stage.detach(removed)
    return stage.result


def _batches(pending: Sequence[PendingPair]) -> list[list[PendingPair]]:
    """Pairs grouped so each batch holds at most `SEARCH_IN_MAX` distinct contact keys."""
    batches: list[list[PendingPair]] = []
    keys: set[str] = set()
    for pair in pending:  # ordered by key, so one key's pairs stay together
        if pair.contact_key not in keys and len(keys) == SEARCH_IN_MAX:
            keys = set()
        if not keys:
            batches.append([])
        keys.add(pair.contact_key)
        batches[-1].append(pair)
    return batches


class _Stage:
    """The calls of one contacts stage, sharing a gate on requests in flight."""

    def __init__(
        self,
        config: ContactsConfig,
        client: IntercomClient,
        store: StateBackend,
        gate: asyncio.Semaphore,
    ) -> None:
        self.config = config
        self.client = client
        self.store = store
        self.gate = gate
        self.result = ContactsResult()

    async def attach_batch(self, batch: list[PendingPair]) -> None:
        """Search the batch's contacts at once, attach each found, record every pair."""
        keys = sorted({pair.contact_key for pair in batch})
        found = await self._search(batch, keys)
        if found is None:
            return
        now = datetime.now(UTC)
        rows: list[tuple[str, str, str | None, datetime]] = []
        jobs = []
        for pair in batch:
            contact_ids = found.get(pair.contact_key, [])
            if not contact_ids:
                rows.append((pair.company_id, pair.contact_key, None, now))
            jobs += [self._attach(pair, contact_id) for contact_id in contact_ids]
        done = await asyncio.gather(*jobs)
        confirmations = [c for c, _ in done if c is not None]
        rows += [row for _, row in done if row is not None]
        self.store.record_pairs(rows)
        self.store.commit(confirmations, [])

    async def _search(
        self, batch: list[PendingPair], keys: list[str]
    ) -> dict[str, list[str]] | None:
        """Contact ids by key; None when the search failed (every pair of the batch waits)."""
        try:
            async with self.gate:
                if self.result.fatal is not None:
                    return None  # checked inside the gate: calls queued behind a 401 stop
                contacts = await self.client.search_contacts(self.config.match, keys)
        except FatalDestinationError as exc:
            self.result.fatal = self.result.fatal or exc
            return None
        except IntercomError as exc:
            self.result.failed += [_failure(p.company_id, p.contact_key, exc) for p in batch]
            return None
        return _by_key(contacts, self.config.match, set(keys))

    async def _attach(
        self, pair: PendingPair, contact_id: str
    ) -> tuple[Confirmation | None, tuple[str, str, str | None, datetime] | None]:
        try:
            async with self.gate:
                if self.result.fatal is not None:
                    return None, None
                company = await self.client.attach_contact(contact_id, pair.company_intercom_id)
        except FatalDestinationError as exc:
            self.result.fatal = self.result.fatal or exc
            return None, None
        except IntercomError as exc:
            if exc.status == 404 and exc.code == "company_not_found":
                self.result.gone.append(pair.company_id)  # deleted in Intercom since
                return None, None
            self.result.failed.append(_failure(pair.company_id, pair.contact_key, exc))
            return None, None
        self.result.attached += 1
        confirmation = Confirmation(
            pair.company_id, pair.company_intercom_id, {}, user_count_of(company)
        )
        return confirmation, (pair.company_id, pair.contact_key, contact_id, datetime.now(UTC))

    async def detach(self, removed: list[RemovedPair]) -> None:
        """Forget pairs never found; detach attached ones only with `on_removal: detach`."""
        never_found = [(r.company_id, r.contact_key, None) for r in removed if r.contact_id is None]
        self.store.forget_pairs(never_found)
        if self.config.on_removal != "detach":
            return
        attached = [r for r in removed if r.contact_id is not None]
        done = await asyncio.gather(*(self._detach(r) for r in attached))
        self.store.forget_pairs([(r.company_id, r.contact_key, r.contact_id) for r in done if r])
        self.store.commit(
            [c for r in done if r is not None and (c := r.confirmation) is not None], []
        )

    async def _detach(self, pair: RemovedPair) -> _Detached | None:
        assert pair.contact_id is not None
        if pair.company_intercom_id is None:
            # State no longer knows the company: nothing to call, nothing to remember.
            return _Detached.of(pair, None)
        try:
            async with self.gate:
                if self.result.fatal is not None:
                    return None
                company = await self.client.detach_contact(
                    pair.contact_id, pair.company_intercom_id
                )
        except FatalDestinationError as exc:
            self.result.fatal = self.result.fatal or exc
            return None
        except IntercomError as exc:
            if exc.status == 404:
                return _Detached.of(pair, None)  # the contact or the link is gone already
            self.result.failed.append(_failure(pair.company_id, pair.contact_key, exc))
            return None
        self.result.detached += 1
        return _Detached.of(pair, company)


@dataclass(frozen=True)
class _Detached:
    """A removed pair that is no longer attached, and the company as Intercom returned it."""

    company_id: str
    contact_key: str
    contact_id: str
    confirmation: Confirmation | None

    @classmethod
    def of(cls, pair: RemovedPair, company: dict[str, Any] | None) -> _Detached:
        assert pair.contact_id is not None
        confirmation = None
        if company is not None and pair.company_intercom_id is not None:
            count = user_count_of(company)
            confirmation = Confirmation(pair.company_id, pair.company_intercom_id, {}, count)
        return cls(pair.company_id, pair.contact_key, pair.contact_id, confirmation)


def _by_key(contacts: list[dict[str, Any]], match: str, wanted: set[str]) -> dict[str, list[str]]:
    """Contact ids per key searched (emails compared case-insensitively, as state keys them)."""
    found: dict[str, list[str]] = {}
    for contact in contacts:
        value = contact.get(match)
        if not isinstance(value, str):
            continue
        key = value.lower() if match == "email" else value
        if key in wanted and str(contact["id"]) not in found.get(key, []):
            found.setdefault(key, []).append(str(contact["id"]))
    return found


def _failure(company_id: str, contact_key: str, exc: IntercomError) -> RecordIssue:
    code = exc.code or (f"http_{exc.status}" if exc.status else "error")
    return RecordIssue(company_id, code, f"contact {contact_key}: {exc.message}")
