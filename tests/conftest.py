"""Fixtures shared by every test folder. Keep each fixture small; add new ones below."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from hoist.emulator.testing import EmulatorHandle, running_emulator
from hoist.intercom.retry import is_testing, set_testing


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
