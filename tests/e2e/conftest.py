"""End-to-end fixtures: an activation over a DuckDB warehouse in a temp folder, run through the
`hoist` command (tests/harness/activation.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness.activation import Activation


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
