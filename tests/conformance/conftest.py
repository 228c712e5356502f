"""The conformance suite's fixture: one activation per state backend (`tests.harness.backends`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness.backends import BACKENDS, Backend, make_backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path, emulator_factory: Any) -> Backend:
    """The e2e activation on one state backend, against its own fresh emulator, no rows yet."""
    server = emulator_factory()
    postgres = None
    if request.param == "postgres-native":
        postgres = request.getfixturevalue("postgres_database")
    return make_backend(request.param, tmp_path, server.base_url, server.emulator, postgres)
