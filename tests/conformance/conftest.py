"""The conformance suite's fixture: one activation per state backend (`tests.harness.backends`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness.backends import Backend, backends_for, make_backend


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test body on every backend with the traits it `needs`; Spark's in its tier."""
    if "backend" in metafunc.fixturenames:
        params = [
            pytest.param(name, marks=[pytest.mark.spark] if name.startswith("spark") else [])
            for name in backends_for(metafunc.function)
        ]
        metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Path, emulator_factory: Any) -> Backend:
    """The e2e activation on one state backend, against its own fresh emulator, no rows yet."""
    server = emulator_factory()
    postgres = spark = None
    if request.param == "postgres-native":
        postgres = request.getfixturevalue("postgres_database")
    if request.param == "spark-native":
        spark = request.getfixturevalue("spark")
    return make_backend(
        request.param, tmp_path, server.base_url, server.emulator, postgres, spark=spark
    )
