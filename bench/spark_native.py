"""Warehouse-native state on local Spark: plan time, rows fetched, hoist's RSS and the JVM's.

A model of `--rows` companies (10 mapped attributes, as in diff_scale.py) is written as Parquet
by a local Spark; native state is seeded as a previous run that confirmed every company would
have left it (the snapshot of generation 1 in the project's Hive metastore, built straight from
the diff); then the model changes 1% of its rows (``seats + 1`` where a hash of the id falls in
1 of 100 buckets) and `hoist plan --json` runs in a child process, timed, with hoist's own peak
RSS (the Python process) and the peak RSS of its children (the driver JVM hoist starts, and
Spark's Python workers) sampled separately. Goals: rows fetched <= 1.1 x changed; hoist's RSS
under 400 MB.

Run (each step is a child process, so only one holds the Derby metastore at a time):

    nice .venv/bin/python bench/spark_native.py --rows 1000000 10000000
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

import psutil
import yaml
from sqlglot import exp

from diff_scale import CUSTOM, MAPPING
from hoist.config import load_activation
from hoist.diff import fingerprint
from hoist.diff import in_warehouse as native_diff
from hoist.diff.changes import Confirmation
from hoist.emulator.testing import running_emulator
from hoist.mapping import build_fields
from hoist.sources import open_source
from hoist.sql.build import column, identifier, render, template
from hoist.state.native import NativeStateStore, Warehouse

from _results import write_section

WORK = Path(__file__).resolve().parent / ".work" / "spark_native"
TOKEN = "bench-token"
TYPES = {"health_score": "float", "seats": "integer", "is_enterprise": "boolean"}
CONF = {"spark.driver.memory": "2g", "spark.sql.shuffle.partitions": "16"}
WRITE_MODEL = """
SELECT concat('acct-', id) AS id, concat('Company ', id) AS name,
       element_at(array('Starter', 'Pro', 'Enterprise'), CAST(id % 3 AS INT) + 1) AS plan,
       CAST(id % 5000 AS INT) AS size, concat('https://c', id, '.example') AS website,
       element_at(array('Retail', 'Software'), CAST(id % 2 AS INT) + 1) AS industry,
       CAST((id * 7) % 100000 / 100.0 AS DECIMAL(12, 2)) AS mrr,
       timestamp_seconds(1577836800 + id % 100000000) AS signed_up_at,
       (id % 1000) / 10.0D AS health_score, CAST(id % 300 AS INT) AS seats,
       id % 2 = 0 AS is_enterprise
FROM range(0, {rows}, 1, 8)
"""
#: The model after the change: 1% of the companies gain a seat.
CHANGED = (
    "SELECT id, name, plan, size, website, industry, mrr, signed_up_at, health_score, "
    "seats + CASE WHEN pmod(xxhash64(id), 100) = 0 THEN 1 ELSE 0 END AS seats, is_enterprise "
    "FROM parquet.`{path}`"
)


def write_activation(folder: Path, base_url: str, model: str) -> Path:
    """The activation file: a local[2] Spark model, warehouse-native state."""
    document = {
        "name": "scale",
        "source": {"type": "spark", "master": "local[2]", "conf": CONF},
        "model": {"sql": model},
        "destination": {"access_token": TOKEN, "base_url": base_url},
        "sync": {"company_id": "id", "mapping": MAPPING, "custom_attributes": CUSTOM},
        "state": {"in_warehouse": True, "schema": "hoist"},
    }
    file = folder / "activation.yml"
    file.write_text(yaml.safe_dump(document))
    return file


def seed(file: Path) -> None:
    """(Child process.) Write the model's Parquet files and leave native state as a run that
    confirmed every company and compacted: the snapshot of generation 1."""
    config = load_activation(file)
    path = file.parent / "model.parquet"
    with open_source(config.source, writable=True) as source:
        assert isinstance(source, Warehouse)
        session = source.session  # type: ignore[attr-defined]
        rows = int(os.environ["BENCH_ROWS"])
        session.sql(WRITE_MODEL.format(rows=rows)).write.mode("overwrite").parquet(str(path))
        model = f"SELECT * FROM parquet.`{path}`"
        schema = source.read(render(native_diff.schema_query(model, "spark"), "spark")).schema
        fields = build_fields(config.sync.fields(), schema, TYPES, file=str(file))
        attributes = [f.attribute for f in fields]
        with NativeStateStore.open(source, "hoist", config.name) as store:
            store.add_attribute_columns(attributes)
            relation = native_diff.model_relation(model, "spark")
            printed = fingerprint.expression(fields, "id", "spark", "m")
            spec = native_diff.DiffSpec(
                fields,
                "id",
                relation,
                store.relation(attributes),
                fingerprint=printed,
                dialect="spark",
            )
            diff = native_diff.diff_query(spec)
            assert isinstance(diff, exp.Query)
            select = exp.select(
                column("company_id"),
                template("'ic-' || company_id").as_("intercom_id"),
                *(column(f"n:{a}").as_(identifier(f"a:{a}")) for a in attributes),
                column("_fp"),  # the fingerprint a run records with each confirmation
            )
            select = select.from_(diff.subquery("d")).where(template("_kind = 'c'"))
            tables = store.tables
            for statement in (
                tables.drop_snapshot(1),
                tables.create_snapshot(1, select.subquery()),
                tables.meta_insert(1, 0),
            ):
                source.execute(render(native_diff.portable(statement, "spark"), "spark"))


def grow(file: Path, runs: int) -> None:
    """(Child process.) Leave native state as `runs` more runs would, each confirming 1% of
    the companies (another hundredth each time, the values they had) and compacting when
    hoist would (`NativeStateStore.fold`)."""
    config = load_activation(file)
    with open_source(config.source, writable=True) as source:
        assert isinstance(source, Warehouse)
        for run in range(runs):
            with NativeStateStore.open(source, "hoist", config.name) as store:
                generation = store._meta.generation
                names = [
                    n.removeprefix("a:")
                    for n in source.query(
                        f"SELECT * FROM hoist.scale__snapshot_{generation} LIMIT 0"
                    ).column_names
                    if n.startswith("a:")
                ]
                store.add_attribute_columns(names)
                rows = source.query(
                    f"SELECT * FROM hoist.scale__snapshot_{generation} "
                    f"WHERE pmod(xxhash64(company_id), 100) = {run % 100}"
                ).to_pylist()
                confirmations = [
                    Confirmation(
                        r["company_id"],
                        r["intercom_id"],
                        {a: r[f"a:{a}"] for a in names},
                        fingerprint=r["_fp"],
                    )
                    for r in rows
                ]
                store.commit(confirmations, names)
                store.fold()


def _peaks(child: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Peak RSS of `child` itself and of all its descendants together, sampled."""
    process, own, spark = psutil.Process(child.pid), 0, 0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            own = max(own, process.memory_info().rss)
            below = 0
            for descendant in process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    below += descendant.memory_info().rss
            spark = max(spark, below)
        time.sleep(0.1)
    return own, spark


def plan_once(file: Path) -> dict[str, Any]:
    """Time one `hoist plan` child process; its report, its peak RSS and its children's."""
    hoist = str(Path(sys.executable).parent / "hoist")
    load = os.getloadavg()[0]
    out, err = file.with_suffix(".out"), file.with_suffix(".err")
    start = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen([hoist, "plan", str(file), "--json"], stdout=stdout, stderr=stderr)
        own, spark = _peaks(child)
    seconds = time.perf_counter() - start
    if child.returncode not in (0, 1):
        raise SystemExit(f"hoist plan failed: {err.read_text()[-3000:]}")
    report = json.loads(out.read_text())
    return {
        "seconds": seconds,
        "load": load,
        "hoist_mb": own / 2**20,
        "spark_mb": spark / 2**20,
        "changed": report["created"] + report["updated"],
        "rows_fetched": report["rows_fetched"],
    }


def measure(base_url: str, rows: int, runs: int = 0, *, reuse: bool = False) -> dict[str, Any]:
    """Seed (child process), change 1%, plan (child process); with `runs`, then leave state as
    that many more runs would and plan again. `reuse`: plan over the model and state an
    earlier invocation seeded, when it finished seeding (a plan changes neither)."""
    folder = WORK / str(rows)
    path = folder / "model.parquet"
    marker = folder / ".seeded"
    env = {**os.environ, "BENCH_ROWS": str(rows)}
    started = time.perf_counter()
    if not (reuse and marker.exists()):
        subprocess.run(["rm", "-rf", str(folder)], check=True)
        folder.mkdir(parents=True)
        file = write_activation(folder, base_url, f"SELECT * FROM parquet.`{path}`")
        subprocess.run([sys.executable, __file__, "--seed", str(file)], check=True, env=env)
        marker.touch()
    seeded = time.perf_counter() - started
    file = write_activation(folder, base_url, CHANGED.format(path=path))
    result = {"rows": rows, "seed_seconds": seeded, **plan_once(file)}
    if runs:
        marker.unlink()  # the state is no longer the seeded one
        env["BENCH_RUNS"] = str(runs)
        subprocess.run([sys.executable, __file__, "--grow", str(file)], check=True, env=env)
        later = plan_once(file)
        result["after_runs"] = {"runs": runs + 1, **later}
        print(f"after {runs + 1} runs: plan in {later['seconds']:.1f} s", flush=True)
    print(
        f"{rows:>12,} rows: plan in {result['seconds']:.1f} s, {result['changed']:,} changed, "
        f"{result['rows_fetched']:,} fetched, hoist {result['hoist_mb']:.0f} MB, "
        f"driver JVM + workers {result['spark_mb']:.0f} MB (seeded in {seeded:.0f} s)",
        flush=True,
    )
    return result


def main() -> None:
    """Measure each size, print the figures and record them in bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=0, help="runs of 1%% changes to add")
    parser.add_argument(
        "--reuse", action="store_true", help="plan over the state an earlier invocation seeded"
    )
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--grow", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed)
        return
    if args.grow is not None:
        grow(args.grow, int(os.environ["BENCH_RUNS"]))
        return
    load = os.getloadavg()[0]
    with running_emulator(token=TOKEN) as emulator:
        results = [
            measure(emulator.base_url, rows, args.runs, reuse=args.reuse) for rows in args.rows
        ]
    table = [
        "| model rows | changed | rows fetched | time to plan ready | hoist peak RSS "
        "| driver JVM + workers peak RSS | load average at the plan's start |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    table += [
        f"| {r['rows']:,} | {r['changed']:,} | {r['rows_fetched']:,} | {r['seconds']:.1f} s "
        f"| {r['hoist_mb']:.0f} MB | {r['spark_mb']:,.0f} MB | {r['load']:.1f} |"
        for r in results
    ]
    table += [
        f"| {r['rows']:,} after {r['after_runs']['runs']} runs of 1% | "
        f"{r['after_runs']['changed']:,} | {r['after_runs']['rows_fetched']:,} | "
        f"{r['after_runs']['seconds']:.1f} s | {r['after_runs']['hoist_mb']:.0f} MB "
        f"| {r['after_runs']['spark_mb']:,.0f} MB | {r['after_runs']['load']:.1f} |"
        for r in results
        if "after_runs" in r
    ]
    write_section(
        "spark_native",
        "## Warehouse-native state on local Spark (`bench/spark_native.py`)\n\n"
        "Parquet model written by Spark, 10 mapped attributes, native state (Hive metastore, "
        "Parquet tables) seeded as a previous run left it, 1% of rows changed; `hoist plan "
        "--json` in a child process from start (including the JVM's) to plan ready. hoist's "
        "peak RSS is the Python process's; the driver JVM (a child of hoist) and Spark's Python "
        "workers are measured apart. local[2], spark.driver.memory=2g, 16 shuffle partitions. "
        "Goals: rows fetched <= 1.1 x changed; hoist under 400 MB. Machine: "
        f"{os.cpu_count()} cores, load average {load:.1f} when started (shared).\n\n"
        "Command: `nice .venv/bin/python bench/spark_native.py --rows "
        f"{' '.join(str(r['rows']) for r in results)}"
        f"{f' --runs {args.runs}' if args.runs else ''}`\n\n" + "\n".join(table),
    )


if __name__ == "__main__":
    main()
