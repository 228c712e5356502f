"""The executor: sends the plan to Intercom concurrently and commits what Intercom confirms.

Workers take changes from a bounded queue fed page by page from DuckDB, so memory does not grow
with the plan. Each company appears once in a plan, so no two requests for one company_id are
ever in flight. Confirmed results are committed in small batches while the run goes on; a
killed run therefore loses at most the requests in flight, which the next run sends again.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hoist.changes import Change, Confirmation, user_count_of
from hoist.company_attributes import custom_name, is_custom
from hoist.errors import FatalDestinationError, IntercomError, RecordRejectedError
from hoist.report import RecordError

__all__ = ["Execution", "execute", "request_body", "stop_on_signals"]

Send = Callable[[Change], Awaitable[dict[str, Any]]]
Commit = Callable[[list[Confirmation]], None]
Tick = Callable[[int, int], None]  # (confirmed, failed) since the last tick

# Confirmed results wait at most this many (or this long) before their commit, so a killed
# run re-sends little beyond the requests that were in flight. A commit costs a few ms of CPU
# whatever its size: at Intercom's ~166 calls/s, 1 s keeps commits to under two a second.
_COMMIT_ROWS = 100
_COMMIT_SECONDS = 1.0


@dataclass
class Execution:
    """What happened to the changes sent: confirmations, failures, stale Intercom ids."""

    confirmed_new: int = 0  # companies new to state that Intercom confirmed
    confirmed_known: int = 0
    recorded: int = 0  # companies whose changes were all never-set nulls: nothing to send
    removed: list[str] = field(default_factory=list)  # company_ids cleared or deleted
    failed: list[RecordError] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    interrupted: bool = False
    fatal: FatalDestinationError | None = None


def request_body(change: Change) -> dict[str, Any]:
    """The JSON body carrying exactly the change's attributes (custom ones nested).

    A null is sent only to clear a value Intercom holds (one state has delivered); for a value
    never set no key is sent at all. Intercom staff describe a null as setting the attribute to
    "unknown" (intercom-ruby issue 223), and older API versions rejected nulls on custom
    attributes (intercom-ruby 564, intercom-node 215). State still records the null as
    delivered, so it is not considered again.
    """
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for attribute, value in change.values.items():
        if value is None and attribute not in change.old:
            continue  # never set: nothing to clear
        if is_custom(attribute):
            custom[custom_name(attribute)] = value
        else:
            body[attribute] = value
    if custom:
        body["custom_attributes"] = custom
    return body


class _Committer:
    """Buffers confirmations and commits them in small transactions."""

    def __init__(self, commit: Commit) -> None:
        self._commit = commit
        self._pending: list[Confirmation] = []
        self._last = time.monotonic()

    def add(self, confirmation: Confirmation) -> None:
        self._pending.append(confirmation)
        if len(self._pending) >= _COMMIT_ROWS or time.monotonic() - self._last > _COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._commit(self._pending)
            self._pending = []
        self._last = time.monotonic()


async def execute(
    pages: Iterator[list[Change]],
    send: Send,
    commit: Commit,
    *,
    concurrency: int,
    stop: asyncio.Event | None = None,
    tick: Tick | None = None,
) -> Execution:
    """Send every change with at most `concurrency` requests in flight.

    Stops feeding new changes when `stop` is set (Ctrl-C) and lets in-flight requests finish.
    A fatal destination error (401/403) stops everything the same way and is returned in
    `fatal`, after what was already confirmed has been committed.
    """
    outcome = Execution()
    committer = _Committer(commit)
    queue: asyncio.Queue[Change | None] = asyncio.Queue(maxsize=concurrency * 4)
    stop = stop or asyncio.Event()
    tick = tick or (lambda confirmed, failed: None)
    workers = [
        asyncio.create_task(_worker(queue, send, committer, outcome, stop, tick))
        for _ in range(concurrency)
    ]
    flusher = asyncio.create_task(_flush_periodically(committer))
    try:
        await _feed(pages, queue, stop)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for task in [*workers, flusher]:
            task.cancel()
        await asyncio.gather(*workers, flusher, return_exceptions=True)
        committer.flush()
    outcome.interrupted = stop.is_set() and outcome.fatal is None
    return outcome


async def _flush_periodically(committer: _Committer) -> None:
    # Results can sit idle while workers wait for a rate-limit window; commit them anyway.
    while True:
        await asyncio.sleep(_COMMIT_SECONDS)
        committer.flush()


async def _feed(
    pages: Iterator[list[Change]],
    queue: asyncio.Queue[Change | None],
    stop: asyncio.Event,
) -> None:
    for page in pages:
        for change in page:
            if stop.is_set():
                return
            await queue.put(change)


async def _worker(
    queue: asyncio.Queue[Change | None],
    send: Send,
    committer: _Committer,
    outcome: Execution,
    stop: asyncio.Event,
    tick: Tick,
) -> None:
    while (change := await queue.get()) is not None:
        if stop.is_set():
            continue  # drain without sending: Ctrl-C stops new requests
        if _nothing_to_send(change):
            # Only never-set nulls changed: state records them; Intercom needs no call.
            assert change.intercom_id is not None
            committer.add(
                Confirmation(
                    change.company_id,
                    change.intercom_id,
                    change.texts,
                    fingerprint=change.fingerprint,
                )
            )
            outcome.recorded += 1
            tick(1, 0)
            continue
        try:
            company = await send(change)
        except FatalDestinationError as exc:
            # Keep draining the queue so the feeder never blocks; the run re-raises this.
            outcome.fatal = outcome.fatal or exc
            stop.set()
            continue
        except IntercomError as exc:
            outcome.failed.append(_record_error(change, exc))
            tick(0, 1)
            if isinstance(exc, RecordRejectedError) and exc.status == 404 and change.intercom_id:
                outcome.stale.append(change.company_id)
            continue
        tick(1, 0)
        if change.removal is not None:
            outcome.removed.append(change.company_id)
            if change.removal == "clear":  # a deleted company is forgotten after the run
                committer.add(_confirmation(change, company))
            continue
        committer.add(_confirmation(change, company))
        if change.new:
            outcome.confirmed_new += 1
        else:
            outcome.confirmed_known += 1


def _nothing_to_send(change: Change) -> bool:
    """A company Intercom already has whose changes are all never-set nulls."""
    return change.removal is None and change.intercom_id is not None and not request_body(change)


def _confirmation(change: Change, company: dict[str, Any]) -> Confirmation:
    """What Intercom's answer confirms, with the `user_count` it carries (no extra call)."""
    fingerprint = change.fingerprint if change.removal is None else None
    return Confirmation(
        change.company_id,
        str(company["id"]),
        change.texts,
        user_count_of(company),
        fingerprint,
    )


def _record_error(change: Change, exc: IntercomError) -> RecordError:
    code = exc.code or (f"http_{exc.status}" if exc.status else "error")
    return RecordError(change.company_id, code, exc.message)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[asyncio.Event]:
    """An event set by Ctrl-C (SIGINT) or SIGTERM: stop sending, finish in flight, commit."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    try:
        yield stop
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
