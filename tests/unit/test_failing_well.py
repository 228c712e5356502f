"""Failing well, part by part: the executor never hangs on a failure, the client gives up on an
unreachable Intercom, `destination.give_up_after` reads durations, Postgres connections time out."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hoist.diff.changes import Change, Confirmation
from hoist.errors import ConfigError, RetriableError, SourceError, StateError, UnreachableError
from hoist.intercom.reachability import Reachability
from hoist.offload import in_daemon_thread
from hoist.pipeline.executor import Execution, execute
from hoist.sources.postgres.connector import _with_timeouts
from tests.harness.config import example, load


def changes(count: int) -> Iterator[list[Change]]:
    """`count` new companies to create, in pages of 50."""
    for first in range(0, count, 50):
        yield [
            Change(f"c{i}", None, new=True, texts={"name": f'"C{i}"'}, old={})
            for i in range(first, min(first + 50, count))
        ]


async def created(change: Change) -> dict[str, Any]:
    """Intercom's answer to a create: the company with an id."""
    await asyncio.sleep(0)
    return {"id": f"ic-{change.company_id}"}


def run(commit: Any, *, count: int = 2000, stop_after: float | None = None) -> Execution:
    """Execute `count` creates with `commit`; set the stop event after `stop_after` seconds."""

    async def main() -> Execution:
        stop = asyncio.Event()
        if stop_after is not None:
            asyncio.get_running_loop().call_later(stop_after, stop.set)
        return await asyncio.wait_for(
            execute(changes(count), created, commit, concurrency=4, stop=stop, grace_s=0.5),
            timeout=60,  # a hang fails the test instead of stalling the suite
        )

    return asyncio.run(main())


def test_a_failing_commit_stops_the_run_instead_of_hanging_it() -> None:
    """When a state commit raises, sending stops and the failure is returned, with the
    confirmations it could not record counted."""

    async def commit(batch: list[Confirmation]) -> None:
        raise SourceError("a statement failed in Postgres: server closed the connection")

    outcome = run(commit)

    assert isinstance(outcome.error, SourceError)
    assert outcome.unrecorded >= 1
    assert outcome.confirmed_new < 2000
    assert not outcome.interrupted


def test_a_commit_that_never_returns_lets_a_stopped_run_end() -> None:
    """A commit stuck in its thread (a frozen warehouse) does not keep a stopped run alive:
    it ends with a StateError saying the commit did not return."""
    stuck = threading.Event()

    async def commit(batch: list[Confirmation]) -> None:
        await in_daemon_thread(stuck.wait)

    try:
        outcome = run(commit, stop_after=0.3)
    finally:
        stuck.set()

    assert isinstance(outcome.error, StateError)
    assert "did not return" in str(outcome.error)
    assert outcome.unrecorded >= 1


def test_changes_that_cannot_be_read_stop_the_run() -> None:
    """An error while paging the changes stops the workers and is returned."""

    def broken() -> Iterator[list[Change]]:
        yield from changes(10)
        raise StateError("the changes could not be read")

    async def main() -> Execution:
        async def commit(batch: list[Confirmation]) -> None:
            return None

        return await asyncio.wait_for(
            execute(broken(), created, commit, concurrency=2, grace_s=0.5), timeout=60
        )

    outcome = asyncio.run(main())

    assert isinstance(outcome.error, StateError)


def test_the_daemon_thread_hands_back_the_result_and_the_exception() -> None:
    """`in_daemon_thread` returns what the call returns and raises what it raises."""

    def fails() -> None:
        raise SourceError("boom")

    async def main() -> int:
        with pytest.raises(SourceError, match="boom"):
            await in_daemon_thread(fails)
        return await in_daemon_thread(sum, [1, 2, 3])

    assert asyncio.run(main()) == 6


class Clock:
    """A settable Unix clock."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


def test_intercom_failing_for_give_up_after_gives_up_naming_the_outage() -> None:
    """Failures shorter than give_up_after are retried as usual; once the outage lasts that
    long the next failure is an UnreachableError naming its start and the last error."""
    clock = Clock()
    reach = Reachability(120.0, clock=clock)
    error = RetriableError("Cannot connect to host 127.0.0.1:9 [Connection refused]")

    assert reach.failed(error) is None
    clock.now += 119
    assert reach.failed(error) is None
    clock.now += 2
    given_up = reach.failed(error)

    assert isinstance(given_up, UnreachableError)
    assert "has not answered for 2 min 1 s (since 2025-06-15 15:06:40+00:00" in str(given_up)
    assert "destination.give_up_after is 2 min" in str(given_up)
    assert "Connection refused" in str(given_up)


def test_an_answer_ends_the_outage() -> None:
    """Any answer from Intercom (a record error or a 429 included) starts the count afresh."""
    clock = Clock()
    reach = Reachability(10.0, clock=clock)
    error = RetriableError("503 service_unavailable")
    reach.failed(error)
    clock.now += 9
    reach.answered()
    clock.now += 9

    assert reach.failed(error) is None


@pytest.mark.parametrize(
    ("written", "seconds"), [("2m", 120.0), ("90s", 90.0), (5, 5.0), ("1h", 3600.0)]
)
def test_give_up_after_reads_durations(tmp_path: Path, written: Any, seconds: float) -> None:
    """destination.give_up_after takes seconds or a duration with s, m or h; default 2 min."""
    data = example()
    assert load(tmp_path, data).destination.give_up_after == 120.0
    data["destination"]["give_up_after"] = written

    assert load(tmp_path, data).destination.give_up_after == seconds


@pytest.mark.parametrize("written", ["soon", 0, "-5s"])
def test_a_wrong_give_up_after_names_the_key_and_the_fix(tmp_path: Path, written: Any) -> None:
    """A give_up_after that is not a positive duration is a config error with an example."""
    data = example()
    data["destination"]["give_up_after"] = written

    with pytest.raises(ConfigError, match=r"destination\.give_up_after.*e\.g\. 30s, 2m or 1h"):
        load(tmp_path, data)


def test_postgres_connections_get_timeouts_unless_the_url_sets_them() -> None:
    """Every Postgres URL gets a connect timeout and TCP keepalives; the user's own win."""
    url = _with_timeouts("postgresql://u:p%40ss@db:5432/w?connect_timeout=3&sslmode=require")

    assert "connect_timeout=3" in url
    assert "sslmode=require" in url
    assert "keepalives_idle=30" in url
    assert url.startswith("postgresql://u:p%40ss@db:5432/w?")
    assert _with_timeouts("host=db dbname=w") == "host=db dbname=w"


def test_the_sources_page_names_native_tables_as_the_code_does() -> None:
    """An activation name with a dash gets tables `<name>_<hash>__journal`, as docs/sources.md
    says."""
    import re

    from hoist.sql.native_state import NativeTables

    name = NativeTables("hoist", "companies-to-intercom").name("journal")
    page = (Path(__file__).parents[2] / "docs" / "sources.md").read_text()

    assert re.fullmatch(r"companies_to_intercom_[0-9a-f]{8}__journal", name)
    assert "`companies_to_intercom_<hash>__journal`" in page


def test_the_deploy_doc_shows_a_password_encoded_as_hoist_reads_it() -> None:
    """docs/deploy.md's example of a percent-encoded password is what hoist decodes."""
    from urllib.parse import quote, unquote

    deploy = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text()

    assert "`p@ss%1` is written `p%40ss%251`" in deploy
    assert quote("p@ss%1", safe="") == "p%40ss%251"
    assert unquote("p%40ss%251") == "p@ss%1"


def test_a_slow_last_commit_of_a_run_that_was_not_stopped_is_waited_for() -> None:
    """A warehouse under load that takes longer than the stop grace for the run's last commit
    does not fail the run: every confirmation is recorded."""
    recorded: list[Confirmation] = []

    async def commit(batch: list[Confirmation]) -> None:
        if len(recorded) + len(batch) == 120:  # the last commit (100, then 20): slower than 0.5 s
            await asyncio.sleep(1.5)
        recorded.extend(batch)

    outcome = run(commit, count=120)

    assert outcome.error is None
    assert outcome.unrecorded == 0
    assert len(recorded) == 120


def test_a_stop_during_a_slow_last_commit_ends_the_run_after_the_grace() -> None:
    """Ctrl-C while the run's last commit hangs still ends the run, with a StateError saying
    the commit did not return within the grace."""
    stuck = threading.Event()
    commits = 0

    async def commit(batch: list[Confirmation]) -> None:
        nonlocal commits
        commits += 1
        if len(batch) < 100:  # the last, partial batch: stuck in its thread
            await in_daemon_thread(stuck.wait)

    try:
        outcome = run(commit, count=120, stop_after=1.0)
    finally:
        stuck.set()

    assert isinstance(outcome.error, StateError)
    assert "did not return within 0.5 s" in str(outcome.error)
    assert outcome.unrecorded == 20
