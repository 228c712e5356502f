"""Diff at scale: time from start to plan ready, and peak memory, for big DuckDB models.

For each size (default 1,000,000 and 10,000,000 companies, 10 mapped attributes): build the
model, seed state as a previous run would have left it, change 1% of the rows, then time
`hoist plan --json` in a child process and read its peak RSS. The emulator (no latency) answers
the one data-attributes call a plan makes. Run: python bench/diff_scale.py [--rows N ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import yaml

from hoist.config import load_activation
from hoist.diff import ChangeSet
from hoist.emulator.testing import running_emulator
from hoist.mapping import Field, build_fields
from hoist.sources import open_source
from hoist.sql.model import model_query
from hoist.state import StateStore

from _results import write_section

WORK = Path(__file__).resolve().parent / ".work" / "diff_scale"
TOKEN = "bench-token"
MAPPING = {
    "name": "name",
    "plan": "plan",
    "size": "size",
    "website": "website",
    "industry": "industry",
    "monthly_spend": "mrr",
    "remote_created_at": "signed_up_at",
}
CUSTOM = ["health_score", "seats", "is_enterprise"]


def build_model(warehouse: Path, rows: int) -> None:
    """A model of `rows` companies with varied types, generated inside DuckDB."""
    warehouse.unlink(missing_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute(
        f"""
        CREATE TABLE companies AS
        SELECT 'acct-' || i AS id, 'Company ' || i AS name,
               ['Starter', 'Pro', 'Enterprise'][1 + i % 3] AS plan, (i % 5000)::INTEGER AS size,
               'https://c' || i || '.example' AS website,
               ['Retail', 'Software'][1 + i % 2] AS industry,
               ((i * 7) % 100000 / 100)::DECIMAL(12, 2) AS mrr,
               TIMESTAMP '2020-01-01' + to_seconds(i % 100000000) AS signed_up_at,
               (i % 1000) / 10.0 AS health_score, (i % 300)::INTEGER AS seats,
               i % 2 = 0 AS is_enterprise
        FROM range({rows}) t(i)
        """
    )
    con.close()


def write_activation(folder: Path, base_url: str, memory_limit: str = "512MB") -> Path:
    """The activation file the benchmark plans."""
    document = {
        "name": "scale",
        "source": {"type": "duckdb", "path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": TOKEN, "base_url": base_url},
        "sync": {
            "insert": True,
            "company_id": "id",
            "mapping": MAPPING,
            "custom_attributes": CUSTOM,
        },
    }
    file = folder / "activation.yml"
    file.write_text(yaml.safe_dump(document))
    return file


def seed_state(file: Path) -> None:
    """Leave state as a previous run that confirmed every company would have."""
    config = load_activation(file)
    with open_source(config.source) as source, StateStore.open(config.state.path) as store:
        reader = source.read(model_query(config.model, source.dialect))
        types = {"health_score": "float", "seats": "integer", "is_enterprise": "boolean"}
        fields = build_fields(config.sync.fields(), reader.schema, types, file=str(file))
        store.add_attribute_columns([f.attribute for f in fields])
        ChangeSet.build(store.con, reader, fields, "id", store.relation(store_names(fields)))
        values = ", ".join(f'"v:{f.attribute}"' for f in fields)
        targets = ", ".join(f'"a:{f.attribute}"' for f in fields)
        # Columns named: state has more than these (user_count, since local state v4).
        store.con.execute(
            f"INSERT INTO state.companies (company_id, intercom_id, {targets}) "
            f"SELECT company_id, 'ic-' || company_id, {values} FROM changes"
        )


def store_names(fields: tuple[Field, ...]) -> list[str]:
    """The attributes state keeps a column for."""
    return [f.attribute for f in fields]


def change_one_percent(warehouse: Path) -> None:
    """Change one attribute of every hundredth company."""
    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE companies SET seats = seats + 1 WHERE hash(id) % 100 = 0")
    con.close()


def measure(rows: int, base_url: str, limits: list[str]) -> list[dict[str, Any]]:
    """Build, seed, change, then time `hoist plan` and read its peak RSS for each limit."""
    folder = WORK / str(rows)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    build_model(folder / "warehouse.duckdb", rows)
    seed_state(write_activation(folder, base_url))
    change_one_percent(folder / "warehouse.duckdb")
    results = [
        plan_once(write_activation(folder, base_url, limit), rows, limit) for limit in limits
    ]
    shutil.rmtree(folder, ignore_errors=True)
    return results


def plan_once(file: Path, rows: int, memory_limit: str) -> dict[str, Any]:
    """Time one `hoist plan` child process and read its peak RSS."""
    hoist = str(Path(sys.executable).parent / "hoist")
    out, err = file.with_suffix(".out"), file.with_suffix(".err")
    start = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen([hoist, "plan", str(file), "--json"], stdout=stdout, stderr=stderr)
        # wait4 gives this child's own peak RSS (RUSAGE_CHILDREN keeps the largest so far).
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"hoist plan failed: {err.read_text()}")
    report = json.loads(out.read_text())
    return {
        "rows": rows,
        "memory_limit": memory_limit,
        "seconds": seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "updated": report["updated"],
        "unchanged": report["unchanged"],
    }


def main() -> None:
    """Measure each size, print the figures and record them in bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--memory-limits", nargs="+", default=["512MB", "1GB"])
    args = parser.parse_args()
    results = []
    with running_emulator(token=TOKEN) as emulator:
        for rows in args.rows:
            for result in measure(rows, emulator.base_url, args.memory_limits):
                print(
                    f"{rows:>12,} rows, state.memory_limit {result['memory_limit']}: plan ready "
                    f"in {result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB, "
                    f"{result['updated']:,} to update, {result['unchanged']:,} unchanged"
                )
                results.append(result)
    table = [
        "| model rows | state.memory_limit | changed | time to plan ready | peak RSS |",
        "|---:|---:|---:|---:|---:|",
    ]
    table += [
        f"| {r['rows']:,} | {r['memory_limit']} | {r['updated']:,} | {r['seconds']:.1f} s "
        f"| {r['peak_rss_mb']:.0f} MB |"
        for r in results
    ]
    write_section(
        "diff_scale",
        "## Diff at scale (`bench/diff_scale.py`)\n\n"
        "DuckDB model, 10 mapped attributes, state from a previous run, 1% of rows changed; "
        "`hoist plan` in a child process, from start to plan ready, with that process's peak "
        "RSS (goal: under 60 s and 2 GB). `state.memory_limit` caps DuckDB's working memory "
        f"(default 512MB; beyond it DuckDB spills to disk). Machine: {os.cpu_count()} cores.\n\n"
        + "\n".join(table),
    )


if __name__ == "__main__":
    main()
