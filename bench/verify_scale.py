"""`hoist verify` at scale: calls and wall time to read back 100,000 companies at 1,666 per 10 s.

Setup (not timed): a DuckDB model of N companies (default 100,000), an emulated workspace
holding exactly those companies, and state as a run that delivered them would have left it
(values normalised by the run's own diff; `hoist plan` must then see every company unchanged).
The emulator serves over real HTTP with a rate limit of 1,666 calls per 10-second window.

Measured, each as `hoist verify ... --json` in a child process, as a user runs it:
1. a full verify (the scroll) of an untouched workspace;
2. after 50 out-of-band edits and 30 deletes, a full verify, then `--repair`;
3. `--sample 1000` (lookups instead of the scroll).

Run: python bench/verify_scale.py [--companies N]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

from hoist.config import load_activation
from hoist.diff import ChangeSet
from hoist.emulator import Emulator, EmulatorConfig
from hoist.emulator.uvicorn_server import BackgroundServer
from hoist.emulator.workspace import Workspace
from hoist.intercom import WorkspaceIdentity
from hoist.mapping import build_fields
from hoist.pipeline.binding import record_workspace
from hoist.sources import open_source
from hoist.sql.model import model_query
from hoist.state import StateStore

from _results import write_section

WORK = Path(__file__).resolve().parent / ".work" / "verify_scale"
TOKEN = "bench-token"
RATE_LIMIT = 1666
TIERS = ["gold", "silver", "bronze"]


def build_model(warehouse: Path, rows: int) -> None:
    """A model of `rows` companies: name and size, plus custom seats and tier."""
    con = duckdb.connect(str(warehouse))
    con.execute(
        f"""
        CREATE TABLE companies AS
        SELECT 'acct-' || i AS id, 'Company ' || i AS name, (i % 5000)::INTEGER AS size,
               (i % 300)::INTEGER AS seats, {TIERS}[1 + i % 3] AS tier
        FROM range({rows}) t(i)
        """
    )
    con.close()


def write_activation(folder: Path, base_url: str) -> Path:
    """The activation file the benchmark verifies."""
    document = {
        "name": "verify",
        "source": {"type": "duckdb", "path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": TOKEN, "base_url": base_url},
        "sync": {
            "insert": True,
            "company_id": "id",
            "mapping": {"name": "name", "size": "size"},
            "custom_attributes": ["seats", "tier"],
        },
    }
    file = folder / "activation.yml"
    file.write_text(yaml.safe_dump(document))
    return file


def seed_workspace(emulator: Emulator, rows: int) -> None:
    """The companies a run would have created, straight into the emulated workspace."""
    now = emulator.now()
    for name, data_type in (("seats", "integer"), ("tier", "string")):
        body = {"name": name, "model": "company", "data_type": data_type}
        emulator.run(functools.partial(_create_attribute, body=body, now=now))
    for i in range(rows):
        emulator.seed_company(
            company_id=f"acct-{i}",
            name=f"Company {i}",
            size=i % 5000,
            custom_attributes={"seats": i % 300, "tier": TIERS[i % 3]},
        )


def _create_attribute(ws: Workspace, *, body: dict[str, Any], now: int) -> None:
    ws.attributes.create(body, now)


def seed_state(file: Path, emulator: Emulator) -> None:
    """State as a run that delivered every company would have left it, bound to the workspace."""
    config = load_activation(file)
    ids = emulator.run(lambda ws: dict(ws.by_company_id))
    with open_source(config.source) as source, StateStore.open(config.state.path) as store:
        reader = source.read(model_query(config.model, source.dialect))
        types = {"seats": "integer", "tier": "string"}
        fields = build_fields(config.sync.fields(), reader.schema, types, file=str(file))
        names = [f.attribute for f in fields]
        store.add_attribute_columns(names)
        ChangeSet.build(store.con, reader, fields, "id", store.relation(names))
        store.con.register("ids", pa.table({"cid": list(ids), "iid": list(ids.values())}))
        values = ", ".join(f'c."v:{name}"' for name in names)
        store.con.execute(
            f"INSERT INTO state.companies SELECT c.company_id, ids.iid, {values} "
            "FROM changes c JOIN ids ON c.company_id = ids.cid"
        )
        record_workspace(store, WorkspaceIdentity(emulator.app_id, emulator.config.region))


def hoist(file: Path, *args: str) -> tuple[dict[str, Any], float]:
    """`hoist <args> FILE --json` in a child process: the parsed report and the wall time."""
    command = [str(Path(sys.executable).parent / "hoist"), *args, str(file), "--json"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ))
    seconds = time.perf_counter() - start
    if not done.stdout:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report, seconds


def drift(emulator: Emulator, rows: int) -> None:
    """50 companies edited and 30 deleted out of band, spread over the workspace."""
    step = rows // 80
    for k in range(50):
        emulator.edit_company(f"acct-{k * step}", name="Edited in the UI")
    for k in range(50, 80):
        emulator.delete_company(f"acct-{k * step}")


def measure(rows: int) -> dict[str, Any]:
    """Set up, then time the verifies; returns every figure."""
    folder = WORK / str(rows)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    build_model(folder / "warehouse.duckdb", rows)
    emulator = Emulator(EmulatorConfig(token=TOKEN, rate_limit=RATE_LIMIT, window_s=10))
    seed_workspace(emulator, rows)
    with BackgroundServer(emulator) as server:
        file = write_activation(folder, server.base_url)
        seed_state(file, emulator)
        plan, _ = hoist(file, "plan")
        assert plan["unchanged"] == rows, plan
        clean, clean_s = hoist(file, "verify")
        drift(emulator, rows)
        found, found_s = hoist(file, "verify")
        repaired, repaired_s = hoist(file, "verify", "--repair")
        sample, sample_s = hoist(file, "verify", "--sample", "1000")
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "rows": rows,
        "clean": clean,
        "clean_s": clean_s,
        "found": found,
        "found_s": found_s,
        "repaired": repaired,
        "repaired_s": repaired_s,
        "sample": sample,
        "sample_s": sample_s,
    }


def row(label: str, report: dict[str, Any], seconds: float) -> str:
    """One table row: what a verify found, what it cost."""
    drifted = len({d["company_id"] for d in report["drifted"]})
    return (
        f"| {label} | {report['checked']:,} | {report['verified']:,} | "
        f"{drifted} / {len(report['missing'])} | {report['api_calls']:,} | "
        f"{report['writes']} | {seconds:.1f} s |"
    )


def table(r: dict[str, Any]) -> str:
    """The results as a Markdown section."""
    clean = r["clean"]
    floor = clean["api_calls"] / (RATE_LIMIT / 10)
    rows = "\n".join(
        [
            row("full (scroll), untouched", clean, r["clean_s"]),
            row("full, after 50 edits + 30 deletes", r["found"], r["found_s"]),
            row("full with `--repair`", r["repaired"], r["repaired_s"]),
            row("`--sample 1000` (lookups)", r["sample"], r["sample_s"]),
        ]
    )
    return f"""## `hoist verify` at scale (`bench/verify_scale.py`)

{r["rows"]:,} companies in the workspace and in state; emulator over real HTTP with a rate limit
of {RATE_LIMIT:,} calls per 10 s; `hoist verify FILE --json` in a child process (wall time
includes starting Python and reading state). Machine: 2 cores shared with other work.

| verify | checked | verified | drifted / missing | API calls | writes | wall time |
|---|---:|---:|---:|---:|---:|---:|
{rows}

The rate limit alone allows a full verify no faster than {floor:.1f} s ({clean["api_calls"]:,}
calls at {RATE_LIMIT / 10:.1f}/s): one `GET /me`, then one scroll page per 100 companies plus
the empty page that ends the scroll. The scroll is sequential (one per app, NOTES §1.7).
"""


def main() -> None:
    """Parse arguments, measure, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=100_000)
    args = parser.parse_args()
    markdown = table(measure(args.companies))
    print(markdown)
    write_section("verify", markdown)


if __name__ == "__main__":
    main()
