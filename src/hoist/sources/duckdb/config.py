"""The `source:` of a DuckDB database file, the embedded default warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from hoist.sources.shared_config import FROZEN, DbtProject, dbt_field

__all__ = ["DuckDBSourceConfig"]


class DuckDBSourceConfig(BaseModel):
    """A DuckDB database file; relative paths are resolved against the activation's folder."""

    model_config = FROZEN

    type: Literal["duckdb"] = "duckdb"
    path: Path
    dbt: DbtProject | None = dbt_field()
    #: Folders a model may read files from (DuckDB's allowed_directories); none by default.
    allowed_paths: tuple[Path, ...] = ()
