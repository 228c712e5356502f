"""Profile the CPU of one `hoist run`: cProfile timed by process CPU time, not the wall clock.

The machine is shared, so a wall-clock profile mostly measures waiting for a core; timing with
`time.process_time` counts only the CPU this process used. Starts a `hoist emulator` process,
builds a model of N new companies, runs `hoist run` in this process under the profiler, prints
the top functions and writes the raw profile for `python -m pstats` or snakeviz.

Run: python bench/profile_run.py [--companies 5000] [--latency-ms 0] [--out bench/.work/run.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

from throughput import TOKEN, WORK, build_model, emulator, write_activation


def main() -> None:
    """Profile one run and print where its CPU went."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=5_000)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--out", type=Path, default=WORK / "run.prof")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    from hoist.run_api import run

    folder = WORK / "profile"
    build_model(folder, args.companies)
    os.environ["BENCH_TOKEN"] = TOKEN
    with emulator("--latency-ms", str(args.latency_ms)) as url:
        file = write_activation(folder, url)
        profiler = cProfile.Profile(time.process_time)
        report = profiler.runcall(run, file)
    profiler.dump_stats(args.out)
    print(f"{report.created + report.updated:,} sent; profile in {args.out}", file=sys.stderr)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
