"""Fixtures shared by every test folder. Keep each fixture small; add new ones below."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from hoist.emulator.testing import EmulatorHandle, running_emulator
from hoist.intercom.retry import is_testing, set_testing
from tests.harness.postgres_server import PostgresServer, execute, quoted, running_postgres
from tests.harness.receiver import WebhookReceiver, running_receiver

# Hypothesis profiles, registered once for the whole suite. Tests that need more (or fewer)
# examples say so with @settings(max_examples=...); the profile decides the rest. No deadline:
# the machine is shared and timings are not what the tests assert. HYPOTHESIS_PROFILE=thorough
# (ten times the examples of a test without its own count) for a longer hunt.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("thorough", settings.get_profile("default"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: The tiers of the suite, one marker each (`make test-fast`, `test-warehouses`, `test-spark`,
#: `test-ui`): a test's folder decides, or the fixture that makes it slow.
_TIER_FOLDERS = {
    "spark": "spark",
    "ui": "ui",
    "warehouses": "warehouses",
    "dbtproject": "warehouses",
    "conformance": "warehouses",
}
_TIER_FIXTURES = {
    "spark": "spark",
    "connect_server": "spark",
    "browser": "ui",
    "page": "ui",
    "postgres_server": "warehouses",
}
#: Under `make test` (pytest-xdist, two workers) the tests that use the Spark Connect server are
#: one xdist group, so one worker starts it (a JVM that takes a minute). The other Spark tests
#: spread over both workers, each holding its own local session: one worker running the whole
#: tier was slower (measured), the kill -9 test alone starting two JVMs. The tests on the dbt
#: project built once per session are one group too: each worker would otherwise run
#: `dbt build` (about 17 s of CPU) for its share of them.
_GROUPS = {"connect_server": "spark-connect", "built_duckdb": "dbt-duckdb"}
_TESTS = Path(__file__).resolve().parent


def _tier(item: pytest.Item) -> str:
    """The tier of a test: its own ``spark`` mark or its fixtures first (a Spark test in another
    folder is still Spark), then its folder; the rest is fast."""
    if item.get_closest_marker("spark") is not None:  # e.g. the conformance suite's Spark
        return "spark"
    fixtures = set(getattr(item, "fixturenames", ()))
    for fixture, tier in _TIER_FIXTURES.items():
        if fixture in fixtures:
            return tier
    folder = Path(str(item.path)).resolve().relative_to(_TESTS).parts[0]
    return _TIER_FOLDERS.get(folder, "fast")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its tier (and its xdist group), and start with the longest: the
    slow Spark tests, then the rest of the Spark tier, then everything in collection order."""
    rank: dict[str, int] = {}
    for item in items:
        tier = _tier(item)
        item.add_marker(tier)
        fixtures = set(getattr(item, "fixturenames", ()))
        for fixture, group in _GROUPS.items():
            if fixture in fixtures:
                item.add_marker(pytest.mark.xdist_group(group))
        # Through Spark Connect every statement is a gRPC call to a server JVM sharing two
        # busy cores with the local session: more than the suite's 300 s per test, at times.
        if "connect_server" in fixtures and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(900))
        # A property test runs the same code hundreds of times: tracing it for coverage costs
        # about a quarter of its CPU (measured) and adds no line the first examples did not.
        # pytest-cov pauses coverage for tests marked no_cover; the other tests measure it.
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.no_cover)
        slow = item.get_closest_marker("slow") is not None or "connect_server" in fixtures
        rank[item.nodeid] = (0 if slow else 1) if tier == "spark" else 2
    items.sort(key=lambda item: rank[item.nodeid])  # stable: the rest keep their order


@pytest.fixture(autouse=True)
def retry_testing_mode() -> Iterator[None]:
    """In-process retries back off for 0 s (429 resets are still honoured); restored after."""
    before = is_testing()
    set_testing(True)
    yield
    set_testing(before)


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    """A default-config emulator served over real HTTP; `.base_url` and `.emulator`."""
    with running_emulator() as handle:
        yield handle


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., EmulatorHandle]]:
    """Start emulators with custom config, e.g. `emulator_factory(rate_limit=3, window_s=1)`."""
    with ExitStack() as stack:

        def start(**config: Any) -> EmulatorHandle:
            return stack.enter_context(running_emulator(**config))

        yield start


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL 15 server for the whole session, stopped at the end even on failure."""
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of the session's server (database ``postgres``, password included)."""
    return postgres_server.url()


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database on the session's server, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = postgres_server.url()
    execute(admin, f"CREATE DATABASE {quoted(name)}")
    yield postgres_server.url(name)
    execute(admin, f"DROP DATABASE {quoted(name)} WITH (FORCE)")


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A real local HTTP server recording alert webhook bodies; `.url`, `.bodies`, `.events()`."""
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The one local Spark session of the test run (the Spark tests and the conformance suite):
    a persistent catalog (Hive, Derby) as hoist starts one for native state, its tables in a
    temp warehouse dir."""
    # Imported here: pyspark costs every other tier's start-up a second.
    from hoist.sources.spark.catalog import WAREHOUSE_DIR, native_conf
    from hoist.sources.spark.connector import start_session
    from tests.harness.spark import SMALL_SPARK

    warehouse = tmp_path_factory.mktemp("spark") / "spark-warehouse"
    conf = native_conf({**SMALL_SPARK, WAREHOUSE_DIR: str(warehouse)})
    session = start_session("local[2]", conf)
    yield session
    session.stop()
