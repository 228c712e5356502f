"""Reading a Postgres model as Arrow batches: ADBC's PostgreSQL driver vs psycopg 3 binary COPY.

Builds a 1,000,000-row model (11 columns of the types models carry: text, integers, numeric,
timestamp, double, boolean) in a throwaway Postgres 15 server, then reads it in a child process
per driver and reports wall time, rows/s and that child's peak RSS. Both readers end with Arrow
record batches, which is what hoist's diff consumes:

- adbc: `cursor.fetch_record_batch()` (the driver runs COPY ... BINARY in C++ into Arrow).
- psycopg: `COPY (...) TO STDOUT (FORMAT BINARY)` with typed rows, turned into batches of 65,536
  rows with `pa.RecordBatch.from_pylist` (the usual way to get Arrow from psycopg).

Run: python bench/postgres_read.py [--rows N] [--url postgresql://...]
(without --url it starts its own server, like the tests do).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.harness.postgres_server

from _results import write_section

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
QUERY = "SELECT * FROM companies"
BATCH = 65_536


def read_adbc(url: str) -> int:
    """Rows read through ADBC as Arrow batches."""
    import adbc_driver_postgresql.dbapi as pg

    rows = 0
    with pg.connect(url) as con, con.cursor() as cursor:
        cursor.execute(QUERY)
        for batch in cursor.fetch_record_batch():
            rows += batch.num_rows
    return rows


def read_psycopg(url: str) -> int:
    """Rows read through psycopg binary COPY, turned into Arrow batches."""
    import psycopg
    import pyarrow as pa

    types = ["text", "text", "text", "int4", "text", "text", "numeric", "timestamp", "float8"]
    types += ["int4", "bool"]
    rows, pending = 0, []
    with psycopg.connect(url) as con, con.cursor() as cursor:
        names = [c.name for c in cursor.execute(f"{QUERY} LIMIT 0").description or []]
        with cursor.copy(f"COPY ({QUERY}) TO STDOUT (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in copy.rows():
                pending.append(dict(zip(names, row, strict=True)))
                if len(pending) == BATCH:
                    rows += pa.RecordBatch.from_pylist(pending).num_rows
                    pending = []
    if pending:
        rows += pa.RecordBatch.from_pylist(pending).num_rows
    return rows


def child(method: str, url: str) -> None:
    """Read the model with `method`, print seconds, rows and this process's peak RSS as JSON."""
    started = time.perf_counter()
    rows = {"adbc": read_adbc, "psycopg": read_psycopg}[method](url)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb}))


def measure(method: str, url: str) -> dict[str, Any]:
    """Run `child` for `method` in a fresh process."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", method, "--url", url],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bench(url: str, rows: int) -> list[tuple[str, dict[str, Any]]]:
    """Build the model at `url` and measure both readers."""
    from tests.harness.postgres_server import execute

    execute(url, "DROP TABLE IF EXISTS companies")
    execute(url, MODEL.format(rows=int(rows)))
    execute(url, "VACUUM ANALYZE companies")
    results = []
    for method in ("adbc", "psycopg"):
        measure(method, url)  # warm the server's cache
        result = measure(method, url)
        print(f"{method}: {result}", flush=True)
        results.append((method, result))
    return results


def report(rows: int, results: list[tuple[str, dict[str, Any]]]) -> str:
    """The RESULTS.md section."""
    lines = [
        "## Reading Postgres as Arrow (`bench/postgres_read.py`)",
        "",
        f"A {rows:,}-row, 11-column model in a local Postgres 15 (same machine, 2 cores), read to "
        "Arrow record batches in a fresh process; second of two reads (warm server cache). "
        f"Load average when measured: {os.getloadavg()[0]:.1f} (a shared machine: compare the "
        "rows, not the absolute times).",
        "",
        "| driver | rows | wall time | rows/s | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    label = {"adbc": "ADBC PostgreSQL driver", "psycopg": "psycopg 3 binary COPY + from_pylist"}
    for method, r in results:
        lines.append(
            f"| {label[method]} | {r['rows']:,} | {r['seconds']:.2f} s | "
            f"{r['rows'] / r['seconds']:,.0f} | {r['peak_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    """Parse arguments; measure against --url or a throwaway server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url")
    parser.add_argument("--child", choices=["adbc", "psycopg"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url)
        return
    if args.url:
        results = bench(args.url, args.rows)
    else:
        from tests.harness.postgres_server import running_postgres

        with running_postgres() as server:
            results = bench(server.url(), args.rows)
    write_section("postgres_read", report(args.rows, results))


if __name__ == "__main__":
    main()
