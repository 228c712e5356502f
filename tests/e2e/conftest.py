"""End-to-end fixtures: an activation over a DuckDB warehouse in a temp folder, run through the
`hoist` command (tests/harness/activation.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness.activation import Activation, company_rows
from tests.harness.project import build_warehouse, write_project


@pytest.fixture
def activation(tmp_path: Path, emulator: Any) -> Activation:
    """An activation against a fresh emulator, with the default mapping and no rows yet."""
    made = Activation(
        folder=tmp_path,
        base_url=emulator.base_url,
        warehouse=tmp_path / "warehouse.duckdb",
        file=tmp_path / "activation.yml",
    )
    made.configure()
    made.write_rows([])
    return made


@pytest.fixture
def project(tmp_path: Path, emulator: Any) -> Path:
    """A project folder: 60 companies, the segment and both activations to one emulator."""
    build_warehouse(tmp_path / "warehouse.duckdb", company_rows(60))
    write_project(tmp_path, {"intercom": emulator.base_url})
    return tmp_path
