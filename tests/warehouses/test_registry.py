"""Connectors load by name; a missing driver names the extra to install; nothing loads early."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from typing import Any

import pytest

from hoist.config import (
    BigQuerySourceConfig,
    DatabricksSourceConfig,
    RedshiftSourceConfig,
    SnowflakeSourceConfig,
)
from hoist.errors import ConfigError
from hoist.secret import SecretUrl
from hoist.sources import open_source

#: Warehouses whose drivers this machine does not install, with a config for each.
OFFLINE: dict[str, Any] = {
    "snowflake": SnowflakeSourceConfig(type="snowflake", url=SecretUrl("snowflake://u:p@acct/db")),
    "bigquery": BigQuerySourceConfig(type="bigquery", project="p"),
    "redshift": RedshiftSourceConfig(type="redshift", url=SecretUrl("redshift://u:p@h:5439/db")),
    "databricks": DatabricksSourceConfig(
        type="databricks", url=SecretUrl("databricks://token:t@h")
    ),
}
DRIVERS = {
    "snowflake": "adbc_driver_snowflake",
    "bigquery": "adbc_driver_bigquery",
    "redshift": "redshift_connector",
    "databricks": "databricks",
}


@pytest.mark.parametrize("kind", sorted(OFFLINE))
def test_a_missing_driver_names_the_extra_to_install(kind: str) -> None:
    """Opening a warehouse whose driver is absent says `pip install "hoist[<type>]"`."""
    if importlib.util.find_spec(DRIVERS[kind]) is not None:
        pytest.skip(f"{DRIVERS[kind]} is installed here")

    with pytest.raises(ConfigError) as caught:
        open_source(OFFLINE[kind])

    assert f'pip install "hoist[{kind}]"' in str(caught.value)
    assert "source.type" in str(caught.value)


def test_importing_hoist_imports_no_warehouse_driver() -> None:
    """Importing hoist, its config and its source registry loads no database driver."""
    drivers = ["duckdb", "adbc_driver_postgresql", "adbc_driver_manager", "sqlalchemy", "psycopg"]
    code = (
        "import sys, hoist, hoist.sources, hoist.config;"
        f"loaded = [d for d in {drivers!r} if d in sys.modules];"
        "assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
