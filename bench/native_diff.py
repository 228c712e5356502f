"""Warehouse-native vs local diff on Postgres: plan time, rows fetched and peak RSS.

For each size: a Postgres model (10 mapped attributes, as in diff_scale.py) in a throwaway
Postgres 15, state seeded as a previous run that confirmed every company would have left it
(locally: the state file; natively: the journal compacted into a snapshot in the `hoist`
schema), 1% of the rows changed, then `hoist plan --json` timed in a child process with its
peak RSS. Goals: native fetches at most 1.1 x the changed rows and plans 1,000,000 rows in
under 15 s; 10,000,000 rows native in under 60 s with peak RSS under 500 MB.

Run: python bench/native_diff.py [--rows 1000000 10000000] [--local-up-to 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import psutil
import yaml
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.harness.postgres_server

from diff_scale import CUSTOM, MAPPING, seed_state
from hoist.config import load_activation
from hoist.diff import fingerprint
from hoist.diff import in_warehouse as native_diff
from hoist.emulator.testing import running_emulator
from hoist.mapping import build_fields
from hoist.sources import open_source
from hoist.sql.build import column, identifier, render, template
from hoist.state.native import NativeStateStore, Warehouse
from tests.harness.postgres_server import execute, running_postgres

from _results import write_section

WORK = Path(__file__).resolve().parent / ".work" / "native_diff"
TOKEN = "bench-token"
#: Server settings for a dedicated warehouse of a few GB (the defaults suit a laptop's 128 MB).
SERVER = {"shared_buffers": "1GB", "work_mem": "256MB", "max_parallel_workers_per_gather": "2"}
TYPES = {"health_score": "float", "seats": "integer", "is_enterprise": "boolean"}
MODEL = """
CREATE TABLE companies AS
SELECT 'acct-' || i AS id, 'Company ' || i AS name,
       (ARRAY['Starter', 'Pro', 'Enterprise'])[1 + i % 3] AS plan, (i % 5000)::integer AS size,
       'https://c' || i || '.example' AS website,
       (ARRAY['Retail', 'Software'])[1 + i % 2] AS industry,
       ((i * 7) % 100000 / 100.0)::numeric(12, 2) AS mrr,
       TIMESTAMP '2020-01-01' + make_interval(secs => i % 100000000) AS signed_up_at,
       (i % 1000) / 10.0::double precision AS health_score, (i % 300)::integer AS seats,
       i % 2 = 0 AS is_enterprise
FROM generate_series(0, {rows} - 1) AS t(i)
"""


def write_activation(folder: Path, url: str, base_url: str, *, native: bool) -> Path:
    """The activation file: the Postgres model, local or warehouse-native state."""
    parts = urlsplit(url)
    source_url = f"postgresql://{parts.username}:${{BENCH_PGPASSWORD}}@{parts.netloc.split('@')[1]}"
    document = {
        "name": "scale",
        "source": {"type": "postgres", "url": f"{source_url}{parts.path}"},
        "model": {"table": "companies"},
        "destination": {"access_token": TOKEN, "base_url": base_url},
        "sync": {"company_id": "id", "mapping": MAPPING, "custom_attributes": CUSTOM},
        "state": {"in_warehouse": native, "schema": "hoist"},
    }
    file = folder / ("native.yml" if native else "local.yml")
    file.write_text(yaml.safe_dump(document))
    return file


def seed_native(file: Path) -> None:
    """Leave native state as a run that confirmed every company and compacted: the snapshot
    of generation 1 with each row's fingerprint (built here straight from the diff, as a
    compaction would leave it)."""
    config = load_activation(file)
    with open_source(config.source, writable=True) as source:
        assert isinstance(source, Warehouse)
        schema = source.read(
            render(native_diff.schema_query("SELECT * FROM companies", "postgres"))
        )
        fields = build_fields(config.sync.fields(), schema.schema, TYPES, file=str(file))
        attributes = [f.attribute for f in fields]
        with NativeStateStore.open(source, "hoist", config.name) as store:
            store.add_attribute_columns(attributes)
            relation = native_diff.model_relation("SELECT * FROM companies", "postgres")
            print_fp = fingerprint.expression(fields, "id", "postgres", "m")
            state = store.relation(attributes)
            spec = native_diff.DiffSpec(
                fields, "id", relation, state, fingerprint=print_fp, dialect="postgres"
            )
            diff = native_diff.diff_query(spec)
            assert isinstance(diff, exp.Query)
            select = exp.select(
                column("company_id"),
                template("'ic-' || company_id").as_("intercom_id"),
                *(column(f"n:{a}").as_(identifier(f"a:{a}")) for a in attributes),
                column(fingerprint.FINGERPRINT_COLUMN),
            )
            select = select.from_(diff.subquery("d")).where(template("_kind = 'c'"))
            tables = store.tables
            for statement in (
                tables.create_snapshot(1, select.subquery()),
                tables.meta_insert(1, 0),
            ):
                source.execute(render(native_diff.portable(statement, "postgres"), "postgres"))
            source.execute(render(template("ANALYZE $t", t=tables.table("snapshot_1")), "postgres"))


def _peak_rss(child: subprocess.Popen[bytes]) -> int:
    # Sampled: the child's ru_maxrss after fork would count this (large) process's pages.
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, process.memory_info().rss)
        time.sleep(0.02)
    return peak


def plan_once(file: Path, password: str) -> dict[str, Any]:
    """Time one `hoist plan` child process and read its peak RSS and report."""
    hoist = str(Path(sys.executable).parent / "hoist")
    out, err = file.with_suffix(".out"), file.with_suffix(".err")
    env = {**os.environ, "BENCH_PGPASSWORD": password}
    start = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [hoist, "plan", str(file), "--json"], stdout=stdout, stderr=stderr, env=env
        )
        peak = _peak_rss(child)
    seconds = time.perf_counter() - start
    if child.returncode not in (0, 1):
        raise SystemExit(f"hoist plan failed: {err.read_text()}")
    report = json.loads(out.read_text())
    changed = report["created"] + report["updated"]
    return {
        "seconds": seconds,
        "peak_rss_mb": peak / 2**20,
        "changed": changed,
        "rows_fetched": report["rows_fetched"],
    }


def measure(url: str, base_url: str, rows: int, *, local: bool) -> list[dict[str, Any]]:
    """Build the model, seed state in each mode, change 1%, plan in each mode."""
    folder = WORK / str(rows)
    folder.mkdir(parents=True, exist_ok=True)
    password = quote(unquote(urlsplit(url).password or ""), safe="")
    os.environ["BENCH_PGPASSWORD"] = password
    execute(url, "DROP SCHEMA IF EXISTS hoist CASCADE")
    execute(url, "DROP TABLE IF EXISTS companies")
    execute(url, MODEL.format(rows=int(rows)))
    execute(url, "VACUUM ANALYZE companies")
    native = write_activation(folder, url, base_url, native=True)
    seed_native(native)
    modes = [("native", native)]
    if local:
        local_file = write_activation(folder, url, base_url, native=False)
        (folder / ".hoist" / "scale.duckdb").unlink(missing_ok=True)
        seed_state(local_file)
        modes.append(("local", local_file))
    execute(url, "UPDATE companies SET seats = seats + 1 WHERE hashtext(id) % 100 = 0")
    execute(url, "VACUUM ANALYZE companies")
    results = []
    for mode, file in modes:
        result = {"rows": rows, "mode": mode, **plan_once(file, password)}
        print(
            f"{rows:>12,} rows, {mode:>6}: plan in {result['seconds']:.1f} s, peak RSS "
            f"{result['peak_rss_mb']:.0f} MB, {result['changed']:,} changed, "
            f"{result['rows_fetched']:,} rows fetched",
            flush=True,
        )
        results.append(result)
    return results


def main() -> None:
    """Measure each size, print the figures and record them in bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--local-up-to", type=int, default=1_000_000)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    load = os.getloadavg()[0]
    with running_emulator(token=TOKEN) as emulator, running_postgres(SERVER) as server:
        for rows in args.rows:
            results += measure(
                server.url(), emulator.base_url, rows, local=rows <= args.local_up_to
            )
    table = [
        "| model rows | state | changed | rows fetched | time to plan ready | peak RSS |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    table += [
        f"| {r['rows']:,} | {r['mode']} | {r['changed']:,} | {r['rows_fetched']:,} "
        f"| {r['seconds']:.1f} s | {r['peak_rss_mb']:.0f} MB |"
        for r in results
    ]
    write_section(
        "native_diff",
        "## Warehouse-native vs local diff on Postgres (`bench/native_diff.py`)\n\n"
        "Postgres 15 model (same machine), 10 mapped attributes, state from a previous run, 1% "
        "of rows changed; `hoist plan` in a child process, from start to plan ready, with its "
        f"peak RSS. Server settings: {', '.join(f'{k}={v}' for k, v in SERVER.items())} "
        "(fsync off, as every test cluster). "
        "Goals: native fetches at most 1.1 x the changed rows; 1,000,000 rows plan "
        "in under 15 s; 10,000,000 rows native in under 60 s and 500 MB. Machine: "
        f"{os.cpu_count()} cores, load average {load:.1f} when started (shared).\n\n"
        + "\n".join(table),
    )


if __name__ == "__main__":
    main()
