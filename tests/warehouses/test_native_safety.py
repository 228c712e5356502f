"""Warehouse-native state is crash-safe, and a plan writes nothing but the schema."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from typing import Any

import duckdb
import pytest

from tests.harness.activation import Activation, company_rows, expected_companies, held_companies
from tests.harness.cli import HOIST
from tests.harness.postgres_server import execute
from tests.harness.warehouses import NATIVE, PostgresActivation, Twin, with_state


def start_run(activation: Activation, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `hoist run --json` in the background."""
    return subprocess.Popen(
        [HOIST, "run", "--json", str(activation.file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "E2E_INTERCOM_TOKEN": activation.token, **env},
    )


def converge(activation: Activation, env: dict[str, str], rows: int) -> dict[str, Any]:
    """Rerun until a run finds every company delivered; its report."""
    for _ in range(5):
        report: dict[str, Any] = json.loads(start_run(activation, env).communicate()[0])
        if report["status"] == "success" and report["unchanged"] == rows:
            return report
    pytest.fail(f"runs never converged; last report: {report}")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3])
def test_kill_9_during_a_duckdb_native_run_then_rerun_converges(
    tmp_path: Any, emulator_factory: Any, seed: int
) -> None:
    """Native runs on DuckDB killed with SIGKILL, then rerun, leave Intercom equal to the model."""
    server = emulator_factory(fail_rate=0.02, seed=seed, latency_ms=2)
    warehouse, file = tmp_path / "warehouse.duckdb", tmp_path / "activation.yml"
    activation = Activation(tmp_path, server.base_url, warehouse, file)
    activation.configure(mapping={"name": "account_name"}, custom_attributes=["seats"])
    with_state(activation, NATIVE)
    rows = company_rows(3000)
    activation.write_rows(rows)
    rng = random.Random(seed)
    for _ in range(3):
        process = start_run(activation, {})
        time.sleep(rng.uniform(0.5, 4.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate()

    converge(activation, {}, 3000)

    assert held_companies(server.emulator) == expected_companies(rows)


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_9_during_a_postgres_native_run_then_rerun_converges(
    postgres_activation: PostgresActivation, emulator_factory: Any
) -> None:
    """Native runs in Postgres killed with SIGKILL, then rerun, leave Intercom as the model."""
    server = emulator_factory(fail_rate=0.02, seed=7, latency_ms=2)
    postgres_activation.base_url = server.base_url
    postgres_activation.state = NATIVE
    postgres_activation.configure(mapping={"name": "account_name"}, custom_attributes=["seats"])
    rows = company_rows(3000)
    postgres_activation.write_rows(rows)
    env = {"E2E_PGPASSWORD": postgres_activation.password}
    for delay in (1.0, 2.5):
        process = start_run(postgres_activation, env)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate()

    converge(postgres_activation, env, 3000)

    assert held_companies(server.emulator) == expected_companies(rows)


def hoist_tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the hoist schema with all its rows (sorted)."""
    names = execute(
        url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'hoist'"
    )
    return {
        name: sorted(execute(url, f'SELECT * FROM hoist."{name}"'), key=repr) for (name,) in names
    }


@pytest.mark.postgres
def test_a_plan_writes_nothing_but_the_schema_on_first_use(
    postgres_activation: PostgresActivation,
) -> None:
    """A first plan creates the empty hoist schema only; later plans change no table."""
    postgres_activation.state = NATIVE
    postgres_activation.configure()
    postgres_activation.write_rows(company_rows(20))

    first = postgres_activation.run_json("plan")

    assert (first["_exit"], first["created"], first["rows_fetched"]) == (0, 20, 20)
    assert hoist_tables(postgres_activation.url) == {}
    postgres_activation.run_json()
    rows = company_rows(20)
    rows[3]["account_name"] = "changed"
    postgres_activation.write_rows(rows)
    before = hoist_tables(postgres_activation.url)

    second = postgres_activation.run_json("plan")

    assert (second["updated"], second["rows_fetched"]) == (1, 1)
    assert hoist_tables(postgres_activation.url) == before
    history = postgres_activation.hoist("runs", "--json")
    assert [run["rows_fetched"] for run in json.loads(history.stdout)] == [20]


def test_a_duckdb_native_plan_leaves_the_warehouse_file_unchanged(duckdb_native: Twin) -> None:
    """After a native run on DuckDB, a plan leaves every hoist table as it was."""
    duckdb_native.activation.write_rows(company_rows(10))
    duckdb_native.activation.run_json()

    def tables() -> list[tuple[Any, ...]]:
        with duckdb.connect(str(duckdb_native.activation.warehouse), read_only=True) as con:
            names = con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'hoist'"
            ).fetchall()
            return [
                (n, sorted(map(repr, con.execute(f'SELECT * FROM hoist."{n}"').fetchall())))
                for (n,) in sorted(names)
            ]

    before = tables()
    plan = duckdb_native.activation.run_json("plan")

    assert (plan["_exit"], plan["unchanged"], plan["rows_fetched"]) == (0, 10, 0)
    assert tables() == before
