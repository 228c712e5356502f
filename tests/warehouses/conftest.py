"""Activations over a real warehouse: the e2e `Activation`, with its model in DuckDB or Postgres."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness.activation import Activation
from tests.harness.warehouses import NATIVE, PostgresActivation, Twin, with_state


@pytest.fixture
def postgres_activation(
    tmp_path: Path, emulator: Any, postgres_database: str
) -> PostgresActivation:
    """An activation over a fresh Postgres database, against a fresh emulator, no rows yet."""
    made = PostgresActivation(
        folder=tmp_path,
        base_url=emulator.base_url,
        warehouse=tmp_path / "unused.duckdb",
        file=tmp_path / "activation.yml",
        url=postgres_database,
    )
    made.configure()
    made.write_rows([])
    return made


@pytest.fixture
def duckdb_twin(tmp_path: Path, emulator_factory: Any) -> Twin:
    """The e2e activation over a DuckDB file, against its own fresh emulator, no rows yet."""
    server = emulator_factory()
    folder = tmp_path / "duckdb"
    folder.mkdir()
    made = Activation(
        folder=folder,
        base_url=server.base_url,
        warehouse=folder / "warehouse.duckdb",
        file=folder / "activation.yml",
    )
    made.configure()
    made.write_rows([])
    return Twin(made, server.emulator)


@pytest.fixture
def duckdb_native(tmp_path: Path, emulator_factory: Any) -> Twin:
    """The e2e activation over a DuckDB file with its state in that file's `hoist` schema."""
    server = emulator_factory()
    folder = tmp_path / "native"
    folder.mkdir()
    made = Activation(
        folder=folder,
        base_url=server.base_url,
        warehouse=folder / "warehouse.duckdb",
        file=folder / "activation.yml",
    )
    made.configure()
    with_state(made, NATIVE)
    made.write_rows([])
    return Twin(made, server.emulator)
