"""A token revoked mid-run: the run stops at once, and state holds exactly what Intercom took."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pytest

import hoist
from hoist.config import parse_activation
from hoist.state import StateStore

TOKEN = "valid-until-revoked"


def test_a_401_mid_run_stops_and_marks_only_confirmed_companies(
    tmp_path: Path, emulator_factory: Any
) -> None:
    """After a 401, no more writes go out; state lists exactly the companies Intercom holds."""
    server = emulator_factory(token=TOKEN, latency_ms=20)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute(
        "CREATE TABLE companies AS SELECT 'c' || i AS id, 'n' || i AS name FROM range(400) t(i)"
    )
    con.close()
    config = parse_activation(
        {
            "name": "revoked",
            "source": {"path": "warehouse.duckdb"},
            "model": {"table": "companies"},
            "destination": {"access_token": TOKEN, "base_url": server.base_url},
            "sync": {"company_id": "id", "mapping": {"name": "name"}},
        },
        file=tmp_path / "activation.yml",
        environ={},
    )
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(hoist.run, config)
        deadline = time.monotonic() + 60
        while server.emulator.request_count("POST", "/companies") < 50:
            assert time.monotonic() < deadline, "the run never started sending"
            time.sleep(0.01)
        server.emulator.configure(token="a-new-token")
        with pytest.raises(hoist.FatalDestinationError, match="401"):
            running.result(timeout=60)

    held = {c["company_id"] for c in server.emulator.companies()}
    assert 0 < len(held) < 400
    with StateStore.open(config.state.path, read_only=True) as store:
        rows = store.con.execute("SELECT company_id FROM state.companies").fetchall()
        synced = {row[0] for row in rows}
        [last] = store.runs(limit=1)
    assert synced == held
    assert last["status"] == "failed"
    assert last["created"] == len(held)
