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

from hoist.company_attributes import custom_name, is_custom
from hoist.diff.changes import Change, Confirmation, user_count_of
from hoist.errors import FatalDestinationError, IntercomError, RecordRejectedError, StateError
from hoist.report import RecordIssue

__all__ = ["STOP_GRACE_S", "Commit", "Execution", "execute", "request_body", "stop_on_signals"]

Send = Callable[[Change], Awaitable[dict[str, Any]]]
Commit = Callable[[list[Confirmation]], Awaitable[None]]
Tick = Callable[[int, int], None]  # (confirmed, failed) since the last tick

# Confirmed results wait at most this many (or this long) before their commit, so a killed
# run re-sends little beyond the requests that were in flight. A commit costs a few ms of CPU
# whatever its size: at Intercom's ~166 calls/s, 1 s keeps commits to under two a second.
_COMMIT_ROWS = 100
_COMMIT_SECONDS = 1.0
#: Once a run is stopped (Ctrl-C, SIGTERM, a failure), requests in flight get this long to
#: finish and be committed; then they are cancelled, and the next run sends them again.
STOP_GRACE_S = 5.0
# How long the last commit of a run that was not stopped may take. A warehouse under load
# commits slower than a stopped run's grace (the soak saw Postgres take over 5 s): failing
# such a run would resend its companies and alert for nothing. A frozen warehouse still ends
# the run (Postgres' statement timeout is 60 s), and a signal still cuts the wait to the grace.
FINAL_COMMIT_S = 120.0


@dataclass
class Execution:
    """What happened to the changes sent: confirmations, failures, stale Intercom ids."""

    confirmed_new: int = 0  # companies new to state that Intercom confirmed
    confirmed_known: int = 0
    recorded: int = 0  # companies whose changes were all never-set nulls: nothing to send
    removed: list[str] = field(default_factory=list)  # company_ids cleared or deleted
    failed: list[RecordIssue] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    interrupted: bool = False
    fatal: FatalDestinationError | None = None
    #: The failure that stopped the run: a state commit, the warehouse, anything but Intercom.
    error: BaseException | None = None
    #: Confirmations Intercom gave that state could not record: the next run resends them.
    unrecorded: int = 0

    def fail(self, exc: BaseException) -> None:
        """Remember the first failure that stopped the run."""
        if self.error is None and self.fatal is None:
            self.error = exc


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
    """Buffers confirmations and commits them in small transactions, one at a time.

    A commit that fails (the warehouse is gone) is remembered in `error`; its confirmations
    and any added later are not recorded, so the next run sends them again, which Intercom's
    upserts and updates by id make idempotent.
    """

    def __init__(self, commit: Commit) -> None:
        self._commit = commit
        self._pending: list[Confirmation] = []
        self._last = time.monotonic()
        self._lock = asyncio.Lock()
        self.error: BaseException | None = None
        self.unrecorded = 0

    async def add(self, confirmation: Confirmation) -> None:
        """Buffer one confirmation; commit the buffer when it is big or old enough."""
        self._pending.append(confirmation)
        if len(self._pending) >= _COMMIT_ROWS or time.monotonic() - self._last > _COMMIT_SECONDS:
            await self.flush()

    async def flush(self) -> None:
        """Commit what is buffered (raises what the commit raised, once)."""
        async with self._lock:
            batch, self._pending = self._pending, []
            self._last = time.monotonic()
            if not batch:
                return
            if self.error is not None:
                self.unrecorded += len(batch)
                return
            try:
                await self._commit(batch)
            except BaseException as exc:
                self.unrecorded += len(batch)
                self.error = exc
                raise


async def execute(
    pages: Iterator[list[Change]],
    send: Send,
    commit: Commit,
    *,
    concurrency: int,
    stop: asyncio.Event | None = None,
    tick: Tick | None = None,
    grace_s: float = STOP_GRACE_S,
) -> Execution:
    """Send every change with at most `concurrency` requests in flight.

    Stops feeding new changes when `stop` is set (Ctrl-C) and gives in-flight requests
    `grace_s` to finish before they are cancelled. A fatal destination error (401/403, an
    unreachable Intercom) stops everything the same way and is returned in `fatal`; a failure
    of anything else (a commit, the warehouse) in `error`. Either way what was confirmed and
    could be committed has been committed by the time this returns: it never hangs on a
    stopped worker, a full queue or a commit that does not return.
    """
    outcome = Execution()
    committer = _Committer(commit)
    queue: asyncio.Queue[Change | None] = asyncio.Queue(maxsize=concurrency * 4)
    stop = stop or asyncio.Event()
    halt = asyncio.Event()  # stop, or a failure: everything winds down
    tick = tick or (lambda confirmed, failed: None)
    run = _Run(queue, send, committer, outcome, halt, tick)
    workers = [asyncio.create_task(run.worker()) for _ in range(concurrency)]
    helpers = [
        asyncio.create_task(_feed(pages, queue, halt, len(workers), outcome)),
        asyncio.create_task(_flush_periodically(committer, outcome, halt)),
        asyncio.create_task(_relay(stop, halt)),
    ]
    try:
        await _wait_for(workers, halt, grace_s)
    finally:
        for task in [*workers, *helpers]:
            task.cancel()
        await asyncio.gather(*workers, *helpers, return_exceptions=True)
        await _final_flush(committer, outcome, stop, grace_s, halted=halt.is_set())
    outcome.unrecorded = committer.unrecorded
    outcome.interrupted = stop.is_set() and outcome.fatal is None and outcome.error is None
    return outcome


async def _wait_for(workers: list[asyncio.Task[None]], halt: asyncio.Event, grace: float) -> None:
    """Until every worker is done; once halted, at most `grace` more for requests in flight."""
    halted = asyncio.create_task(halt.wait())
    pending: set[asyncio.Task[Any]] = set(workers)
    try:
        while pending and not halt.is_set():
            _, pending = await asyncio.wait({*pending, halted}, return_when=asyncio.FIRST_COMPLETED)
            pending.discard(halted)
        if pending:
            await asyncio.wait(pending, timeout=grace)
    finally:
        halted.cancel()


async def _final_flush(
    committer: _Committer, outcome: Execution, stop: asyncio.Event, grace: float, *, halted: bool
) -> None:
    """Commit what is left, unless a commit failed or does not return in time: `grace` once
    the run is halted, else `FINAL_COMMIT_S` (cut to `grace` if a stop comes meanwhile)."""
    flush = asyncio.ensure_future(committer.flush())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        first = grace if halted else FINAL_COMMIT_S
        await asyncio.wait({flush, stopped}, timeout=first, return_when=asyncio.FIRST_COMPLETED)
        if not flush.done() and stopped.done() and not halted:
            await asyncio.wait({flush}, timeout=grace)
    finally:
        stopped.cancel()
        flush.cancel()  # a no-op once done; else the committer records the cancelled commit
        (result,) = await asyncio.gather(flush, return_exceptions=True)
    if isinstance(result, Exception):
        outcome.fail(result)
    error = committer.error
    if isinstance(error, Exception):
        outcome.fail(error)
    elif error is not None:  # cancelled: the warehouse never answered the commit
        waited = grace if halted or stop.is_set() else FINAL_COMMIT_S
        outcome.fail(StateError(f"the state commit did not return within {waited:g} s"))


async def _relay(stop: asyncio.Event, halt: asyncio.Event) -> None:
    await stop.wait()
    halt.set()


async def _flush_periodically(
    committer: _Committer, outcome: Execution, halt: asyncio.Event
) -> None:
    # Results can sit idle while workers wait for a rate-limit window; commit them anyway.
    while True:
        await asyncio.sleep(_COMMIT_SECONDS)
        try:
            await committer.flush()
        except Exception as exc:
            outcome.fail(exc)
            halt.set()
            return


async def _feed(
    pages: Iterator[list[Change]],
    queue: asyncio.Queue[Change | None],
    halt: asyncio.Event,
    workers: int,
    outcome: Execution,
) -> None:
    """Queue every change, then one end marker per worker; give up as soon as `halt` is set."""
    try:
        for page in pages:
            for change in page:
                if halt.is_set() or not await _put(queue, change, halt):
                    return
        for _ in range(workers):
            if not await _put(queue, None, halt):
                return
    except Exception as exc:  # reading the changes failed: stop the run, do not hang it
        outcome.fail(exc)
        halt.set()


async def _put(
    queue: asyncio.Queue[Change | None], item: Change | None, halt: asyncio.Event
) -> bool:
    """Put `item`, waiting for room unless `halt` is set first; whether it was put."""
    if not queue.full():
        queue.put_nowait(item)
        return True
    return await _unless_halted(queue.put(item), halt)


async def _get(queue: asyncio.Queue[Change | None], halt: asyncio.Event) -> Change | None:
    """The next change, or None at the end or once `halt` is set."""
    if halt.is_set():
        return None
    if not queue.empty():
        return queue.get_nowait()
    getter = asyncio.ensure_future(queue.get())
    if not await _unless_halted(getter, halt):
        return None
    return getter.result()


async def _unless_halted(awaitable: Awaitable[Any], halt: asyncio.Event) -> bool:
    """Await `awaitable` unless `halt` is set first (then cancel it); whether it completed."""
    task = asyncio.ensure_future(awaitable)
    halted = asyncio.ensure_future(halt.wait())
    try:
        await asyncio.wait([task, halted], return_when=asyncio.FIRST_COMPLETED)
    finally:
        halted.cancel()
    if task.done() and not task.cancelled():
        task.result()
        return True
    task.cancel()
    return False


class _Run:
    """What every worker of one execution shares."""

    def __init__(
        self,
        queue: asyncio.Queue[Change | None],
        send: Send,
        committer: _Committer,
        outcome: Execution,
        halt: asyncio.Event,
        tick: Tick,
    ) -> None:
        self.queue = queue
        self.send = send
        self.committer = committer
        self.outcome = outcome
        self.halt = halt
        self.tick = tick

    async def worker(self) -> None:
        """Send changes until the queue ends or the run halts; any failure halts the run."""
        try:
            while (change := await _get(self.queue, self.halt)) is not None:
                await self._handle(change)
        except FatalDestinationError as exc:
            self.outcome.fatal = self.outcome.fatal or exc
            self.halt.set()
        except Exception as exc:  # a commit, the warehouse, a bug: the run stops, never hangs
            self.outcome.fail(exc)
            self.halt.set()

    async def _handle(self, change: Change) -> None:
        outcome = self.outcome
        if _nothing_to_send(change):
            # Only never-set nulls changed: state records them; Intercom needs no call.
            assert change.intercom_id is not None
            confirmation = Confirmation(
                change.company_id, change.intercom_id, change.texts, fingerprint=change.fingerprint
            )
            outcome.recorded += 1
            self.tick(1, 0)
            await self.committer.add(confirmation)
            return
        try:
            company = await self.send(change)
        except FatalDestinationError:
            raise
        except IntercomError as exc:
            outcome.failed.append(_record_issue(change, exc))
            self.tick(0, 1)
            if isinstance(exc, RecordRejectedError) and exc.status == 404 and change.intercom_id:
                outcome.stale.append(change.company_id)
            return
        self.tick(1, 0)
        if change.removal is not None:
            outcome.removed.append(change.company_id)
            if change.removal == "clear":  # a deleted company is forgotten after the run
                await self.committer.add(_confirmation(change, company))
            return
        if change.new:
            outcome.confirmed_new += 1
        else:
            outcome.confirmed_known += 1
        await self.committer.add(_confirmation(change, company))


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


def _record_issue(change: Change, exc: IntercomError) -> RecordIssue:
    code = exc.code or (f"http_{exc.status}" if exc.status else "error")
    return RecordIssue(change.company_id, code, exc.message)


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
