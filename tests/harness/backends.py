"""One activation over each state backend, for the conformance suite (`tests/conformance/`).

Every backend gets the same e2e activation (`tests.harness.activation.Activation`), its own
emulator over real HTTP, and runs `hoist` in-process: local state in a DuckDB file beside the
activation, warehouse-native state in the DuckDB warehouse's or a Postgres database's ``hoist``
schema, or in a database of the tests' shared local Spark session (the ``spark`` tier). A new
backend is added here and passes the suite, or states its capability flags (`Traits`); a test
body that needs a trait says so with `needs`, and runs on every backend that has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import psycopg
import yaml

from hoist.emulator import Emulator
from tests.harness.activation import COLUMNS, Activation
from tests.harness.spark import write_table
from tests.harness.warehouses import NATIVE, PostgresActivation, with_state

#: The backends every conformance test runs against (``spark-native``: in the spark tier).
BACKENDS = ("local", "duckdb-native", "postgres-native", "spark-native")


@dataclass(frozen=True)
class Traits:
    """What a backend's test setup can do, where one cannot do what a test body needs."""

    #: A `hoist` started in another process reads and writes the same state as the runs in the
    #: test's own process. Not so for Spark: the tests' shared session holds its catalog's
    #: embedded Derby metastore, which admits one JVM at a time (a deployment's metastore
    #: service or Unity Catalog has no such limit). `tests/spark/test_crash.py` kills Spark
    #: runs with SIGKILL in processes of their own, with native state, and reruns them.
    other_processes_see_state: bool = True


TRAITS: dict[str, Traits] = {
    name: Traits(other_processes_see_state=name != "spark-native") for name in BACKENDS
}

F = TypeVar("F", bound=Callable[..., Any])


def needs(*traits: str) -> Callable[[F], F]:
    """Run the decorated conformance test only on the backends with every one of `traits`."""

    def mark(test: F) -> F:
        test.needs = traits  # type: ignore[attr-defined]  # read by tests/conformance/conftest
        return test

    return mark


def backends_for(test: Callable[..., Any]) -> list[str]:
    """The backends `test` runs on: those with every trait it `needs`."""
    wanted = getattr(test, "needs", ())
    return [name for name in BACKENDS if all(getattr(TRAITS[name], t) for t in wanted)]


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
        if self.native and type(self.activation) is Activation:
            with_state(self.activation, NATIVE)

    def add_contacts(self, users: list[tuple[str, str]]) -> None:
        """A ``users`` table of (account_id, email) pairs and the activation's contacts model."""
        self._write_users(users)
        document = yaml.safe_load(self.activation.file.read_text())
        users_table = "analytics.users"
        if isinstance(self.activation, SparkActivation):
            users_table = f"{self.activation.database}.users"
        document["contacts"] = {
            "model": {"table": users_table},
            "company_id": "account_id",
            "match": "email",
            "column": "email",
        }
        self.activation.file.write_text(yaml.safe_dump(document, sort_keys=False))

    def _write_users(self, users: list[tuple[str, str]]) -> None:
        if isinstance(self.activation, SparkActivation):
            self.activation.write_users(users)
            return
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


#: The e2e model's columns in Spark's types.
_SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT"}
SPARK_DDL = ", ".join(f"{name} {_SPARK_TYPES.get(kind, kind)}" for name, kind in COLUMNS.items())


@dataclass
class SparkActivation(Activation):
    """The e2e activation with its model and its native state in the tests' Spark session,
    in a database of its own (`database`, and `database`_state for hoist's tables)."""

    session: Any = None
    database: str = ""

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the model table with `rows` (missing columns are null)."""
        self.session.sql(f"CREATE DATABASE IF NOT EXISTS {self.database}")
        typed = [{**row, "mrr": _decimal(row.get("mrr"))} for row in rows]
        write_table(self.session, f"{self.database}.companies", typed, SPARK_DDL)

    def write_users(self, users: list[tuple[str, str]]) -> None:
        """A ``users`` table of (account_id, email) pairs beside the model."""
        rows = [{"account_id": account, "email": email} for account, email in users]
        ddl = "account_id STRING, email STRING"
        write_table(self.session, f"{self.database}.users", rows, ddl)

    def configure(self, **sync: Any) -> None:
        """Write the activation file with the Spark source (the session hoist joins), the
        model table and native state in the session's catalog."""
        super().configure(**sync)
        document = yaml.safe_load(self.file.read_text())
        document["source"] = {"type": "spark", "master": "local[2]"}
        document["model"] = {"table": f"{self.database}.companies"}
        document["state"] = {"in_warehouse": True, "schema": f"{self.database}_state"}
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def make_backend(
    name: str,
    folder: Path,
    base_url: str,
    emulator: Emulator,
    postgres_url: str | None = None,
    spark: Any = None,
) -> Backend:
    """The e2e activation in `folder` on the backend `name`, no rows yet."""
    if name == "spark-native":
        assert spark is not None
        activation: Activation = SparkActivation(
            folder=folder,
            base_url=base_url,
            warehouse=folder / "unused.duckdb",
            file=folder / "activation.yml",
            session=spark,
            database=f"c_{folder.name}"[:40].lower(),
        )
    elif name == "postgres-native":
        assert postgres_url is not None
        activation = PostgresActivation(
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
