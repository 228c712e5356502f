"""One activation over each state backend, for the conformance suite (`tests/conformance/`).

Every backend gets the same e2e activation (`tests.harness.activation.Activation`), its own
emulator over real HTTP, and runs `hoist` in-process: local state in a DuckDB file beside the
activation, warehouse-native state in the DuckDB warehouse's or a Postgres database's ``hoist``
schema. A new backend is added here and passes the suite, or states its capability flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import yaml

from hoist.emulator import Emulator
from tests.harness.activation import Activation
from tests.harness.warehouses import NATIVE, PostgresActivation, with_state

#: The backends every conformance test runs against (Spark's native state: `tests/spark`).
BACKENDS = ("local", "duckdb-native", "postgres-native")


@dataclass
class Backend:
    """An activation on one state backend, and the emulator it syncs to."""

    name: str
    activation: Activation
    emulator: Emulator

    @property
    def native(self) -> bool:
        """Whether state lives in the warehouse."""
        return self.name.endswith("-native")

    def configure(self, **sync: Any) -> None:
        """Rewrite the activation file with `sync` overrides, keeping the state section."""
        self.activation.configure(**sync)
        if self.native and not isinstance(self.activation, PostgresActivation):
            with_state(self.activation, NATIVE)

    def add_contacts(self, users: list[tuple[str, str]]) -> None:
        """A ``users`` table of (account_id, email) pairs and the activation's contacts model."""
        self._write_users(users)
        document = yaml.safe_load(self.activation.file.read_text())
        document["contacts"] = {
            "model": {"table": "analytics.users"},
            "company_id": "account_id",
            "match": "email",
            "column": "email",
        }
        self.activation.file.write_text(yaml.safe_dump(document, sort_keys=False))

    def _write_users(self, users: list[tuple[str, str]]) -> None:
        if isinstance(self.activation, PostgresActivation):
            with psycopg.connect(self.activation.url, autocommit=True) as con:
                con.execute("DROP TABLE IF EXISTS analytics.users")
                con.execute("CREATE TABLE analytics.users (account_id text, email text)")
                with con.cursor() as cursor:
                    cursor.executemany("INSERT INTO analytics.users VALUES (%s, %s)", users)
            return
        with duckdb.connect(str(self.activation.warehouse)) as con:
            con.execute(
                "CREATE OR REPLACE TABLE analytics.users (account_id VARCHAR, email VARCHAR)"
            )
            con.executemany("INSERT INTO analytics.users VALUES (?, ?)", users)


def make_backend(
    name: str, folder: Path, base_url: str, emulator: Emulator, postgres_url: str | None
) -> Backend:
    """The e2e activation in `folder` on the backend `name`, no rows yet."""
    if name == "postgres-native":
        assert postgres_url is not None
        activation: Activation = PostgresActivation(
            folder=folder,
            base_url=base_url,
            warehouse=folder / "unused.duckdb",
            file=folder / "activation.yml",
            url=postgres_url,
            state=dict(NATIVE),
        )
    else:
        activation = Activation(
            folder=folder,
            base_url=base_url,
            warehouse=folder / "warehouse.duckdb",
            file=folder / "activation.yml",
        )
    backend = Backend(name, activation, emulator)
    backend.configure()
    activation.write_rows([])
    return backend
