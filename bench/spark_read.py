"""Reading a Spark model: throughput, and memory of hoist apart from Spark's own processes.

A model of `--rows` companies is generated inside a local Spark (``local[2]``; no data files)
and read through hoist's Spark source, batch by batch, as a run reads it. Printed and written to
RESULTS.md: wall time, rows per second, hoist's peak RSS, and the peak RSS of the driver JVM
(with its Python workers) measured separately.

    .venv/bin/python bench/spark_read.py --rows 1000000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from hoist.config import SparkSourceConfig
from hoist.sources import open_source

from _results import write_section

_MODEL = """
SELECT concat('acct-', id) AS account_id,
       concat('Company ', id) AS account_name,
       element_at(array('Starter', 'Pro', 'Enterprise'), CAST(id % 3 AS INT) + 1) AS plan_name,
       CAST(id % 100000 AS DECIMAL(12, 2)) AS mrr,
       CAST(id % 5000 AS INT) AS seats,
       (id % 97) / 7.0D AS health_score,
       timestamp_seconds(1700000000 + id) AS signed_up_at
FROM range(0, {rows}, 1, {partitions})
"""


@dataclass
class Peaks:
    """Peak resident memory (MiB) seen while sampling, per side."""

    spark: float = 0.0
    running: bool = True


def _spark_rss() -> float:
    """Resident MiB of this process's children: the driver JVM and Spark's Python workers."""
    total = 0
    for child in psutil.Process(os.getpid()).children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


def _sample(peaks: Peaks) -> None:
    while peaks.running:
        peaks.spark = max(peaks.spark, _spark_rss())
        time.sleep(0.2)


def main() -> None:
    """Generate the model in Spark, stream it through hoist, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument(
        "--connect", action="store_true", help="through a Spark Connect server started here"
    )
    args = parser.parse_args()
    if args.connect:
        with connect_server() as url:
            args.remote = url
            measure(args)
    else:
        args.remote = None
        measure(args)


@contextlib.contextmanager
def connect_server() -> Iterator[str]:
    """A Spark Connect server (local[2]) from the pyspark package on 127.0.0.1; its URL."""
    import pyspark

    home = Path(pyspark.__file__).parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [
        str(home / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master",
        "local[2]",
        "--conf=spark.ui.enabled=false",
        "--conf=spark.sql.shuffle.partitions=2",
        "--conf=spark.connect.grpc.binding.address=127.0.0.1",
        f"--conf=spark.connect.grpc.binding.port={port}",
    ]
    env = {**os.environ, "SPARK_HOME": str(home)}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the Spark Connect server did not start") from None
                time.sleep(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def measure(args: argparse.Namespace) -> None:
    """Read the model once through hoist's Spark source; print and record the figures."""
    conf: dict[str, str | int | float | bool] = {"spark.sql.shuffle.partitions": 2}
    if args.remote:
        config = SparkSourceConfig(type="spark", remote=args.remote)
    else:
        config = SparkSourceConfig(type="spark", master="local[2]", conf=conf)
    load = os.getloadavg()[0]
    begun = time.monotonic()
    peaks = Peaks()
    sampler = threading.Thread(target=_sample, args=(peaks,), daemon=True)
    with open_source(config) as source:
        sampler.start()
        started = time.monotonic()
        rows = batches = 0
        for batch in source.read(_MODEL.format(rows=args.rows, partitions=args.partitions)):
            rows += batch.num_rows
            batches += 1
        elapsed = time.monotonic() - started
        total = time.monotonic() - begun
        peaks.running = False
        sampler.join()
    hoist_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = "a Spark Connect server on this machine (local[2])" if args.remote else "local[2]"
    lines = [
        f"- model: {rows:,} rows in {args.partitions} partitions, 7 columns, {where}",
        f"- read: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s, {batches:,} Arrow batches",
        f"- with the session's start: {total:.1f} s",
        f"- load average when started: {load:.1f} (2 cores, shared)",
        f"- hoist's peak RSS: {hoist_rss:,.0f} MiB",
        f"- Spark's peak RSS (driver JVM + Python workers): {peaks.spark:,.0f} MiB",
        "- command: `.venv/bin/python bench/spark_read.py "
        f"--rows {args.rows} --partitions {args.partitions}"
        f"{' --connect' if args.remote else ''}`",
    ]
    kind = "over Spark Connect" if args.remote else "local session"
    text = f"## Reading a Spark model, {kind} (hoist.sources.spark)\n\n" + "\n".join(lines)
    print(text)
    write_section("spark_read_connect" if args.remote else "spark_read", text)


if __name__ == "__main__":
    main()
