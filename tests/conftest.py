"""Fixtures shared by every test folder. Keep each fixture small; add new ones below."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from hoist.emulator.testing import EmulatorHandle, running_emulator
from hoist.intercom.retry import is_testing, set_testing
from tests.postgres_server import PostgresServer, execute, quoted, running_postgres
from tests.receiver import WebhookReceiver, running_receiver


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
