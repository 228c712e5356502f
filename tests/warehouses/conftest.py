"""Activations over a real warehouse: the e2e `Activation`, with its model in DuckDB or Postgres."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import psycopg
import pytest
import yaml
from psycopg import sql

from hoist.emulator import Emulator
from tests.e2e.conftest import COLUMNS, HOIST, Activation

#: The state section of warehouse-native activations.
NATIVE: dict[str, Any] = {"in_warehouse": True, "schema": "hoist"}

#: The e2e model's DuckDB column types, spelled for Postgres.
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "DECIMAL(12, 2)": "numeric(12, 2)",
    "INTEGER": "integer",
    "TIMESTAMP": "timestamp",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
}


@dataclass
class PostgresActivation(Activation):
    """The e2e activation with its model in a Postgres database; the password comes from env."""

    url: str = ""
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def password(self) -> str:
        """The database password, percent-encoded as it sits in the URL."""
        return quote(unquote(urlsplit(self.url).password or ""), safe="")

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the model table with `rows` (missing columns are null)."""
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS analytics")
            con.execute("DROP TABLE IF EXISTS analytics.companies")
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(POSTGRES_TYPES[kind]))
                for name, kind in COLUMNS.items()
            )
            con.execute(sql.SQL("CREATE TABLE analytics.companies ({})").format(columns))
            if rows:
                marks = sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS))
                insert = sql.SQL("INSERT INTO analytics.companies VALUES ({})").format(marks)
                with con.cursor() as cursor:
                    cursor.executemany(insert, [[row.get(n) for n in COLUMNS] for row in rows])

    def configure(self, **sync: Any) -> None:
        """Write the activation file with the Postgres source (and `state`, if set)."""
        super().configure(**sync)
        document = yaml.safe_load(self.file.read_text())
        parts = urlsplit(self.url)
        url = f"postgresql://{parts.username}:${{E2E_PGPASSWORD}}@{parts.hostname}:{parts.port}"
        document["source"] = {"type": "postgres", "url": f"{url}{parts.path}"}
        if self.state:
            document["state"] = self.state
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))

    def hoist(self, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run the real `hoist` command with the database password in the environment."""
        env = {**os.environ, "E2E_INTERCOM_TOKEN": token or self.token}
        env["E2E_PGPASSWORD"] = self.password
        return subprocess.run(
            [HOIST, *args, str(self.file)], capture_output=True, text=True, env=env, timeout=120
        )


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


@dataclass
class Twin:
    """An activation and the emulator it syncs to."""

    activation: Activation
    emulator: Emulator


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


def with_state(activation: Activation, state: dict[str, Any]) -> None:
    """Rewrite `activation`'s file with this `state` section (after `configure`)."""
    document = yaml.safe_load(activation.file.read_text())
    document["state"] = state
    activation.file.write_text(yaml.safe_dump(document, sort_keys=False))


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
