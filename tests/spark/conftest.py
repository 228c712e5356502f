"""A real local Spark for the tests in this folder: the twins and the Spark Connect server.

Starting Spark costs a JVM and several seconds of CPU, so every test shares one session (the
``spark`` fixture of `tests/conftest.py`, which the conformance suite uses too), and the Spark
Connect server is started only by the tests that need one. Spark is kept small: ``local[2]``,
two shuffle partitions, no UI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hoist.sources.spark.catalog import WAREHOUSE_DIR, native_conf
from tests.harness.spark import SMALL_SPARK


@pytest.fixture(params=["local", "native"])
def twins(request: pytest.FixtureRequest, tmp_path: Path, spark: Any, emulator_factory: Any) -> Any:
    """The same activation over DuckDB (local state) and over the shared Spark session, each with
    an emulator; the Spark side keeps its state locally, then in Spark (a schema of its own)."""
    from tests.harness.activation import TOKEN, Activation
    from tests.harness.twins import SPARK_TABLE, Side, Twins

    sides = []
    for name, source in (
        ("duck", {"type": "duckdb", "path": "warehouse.duckdb"}),
        ("spark", {"type": "spark", "master": "local[2]"}),
    ):
        folder = tmp_path / name
        folder.mkdir()
        server = emulator_factory(token=TOKEN)
        side = Side(
            folder / "activation.yml",
            server.emulator,
            source,
            {"table": SPARK_TABLE},
            server.base_url,
        )
        if name == "spark" and request.param == "native":
            side.state = {"in_warehouse": True, "schema": f"hoist_{tmp_path.name}"[:60]}
        side.configure()
        sides.append(side)
    duck_warehouse = Activation(
        tmp_path / "duck", "", tmp_path / "duck" / "warehouse.duckdb", tmp_path / "unused.yml"
    )
    made = Twins(sides[0], sides[1], duck_warehouse, spark)
    made.write_rows([])
    return made


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark Connect server from the pyspark package, on 127.0.0.1; yields its sc:// URL."""
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    log = tmp_path_factory.mktemp("spark-connect") / "server.log"
    warehouse = log.parent / "spark-warehouse"
    small = {**SMALL_SPARK, WAREHOUSE_DIR: str(warehouse)}
    env = {**os.environ, "SPARK_HOME": str(home), "PYSPARK_PYTHON": sys.executable}
    command = [
        str(home / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master",
        "local[1]",
        "--conf=spark.ui.enabled=false",
        "--conf=spark.connect.grpc.binding.address=127.0.0.1",
        f"--conf=spark.connect.grpc.binding.port={port}",
        # A persistent catalog, as a cluster has, so native state can live on the server.
        *(f"--conf={k}={v}" for k, v in native_conf(small).items()),
    ]
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for_port(port, server, log)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300  # a JVM on two busy cores can take minutes to start
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the Spark Connect server exited early:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(1)
    pytest.fail(f"the Spark Connect server did not listen within 300 s:\n{log.read_text()[-3000:]}")
