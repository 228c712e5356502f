"""Run every benchmark in turn; each prints its figures and records them in RESULTS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "emulator_throughput.py",
    "transports.py",
    "throughput.py",
    "cpu.py",
    "diff_scale.py",
    "spark_read.py",  # needs Java 17 (.ci/packages.d/spark.txt)
]


def main() -> int:
    """Run the benchmarks; stop at the first that fails."""
    for script in BENCHMARKS:
        print(f"== {script}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script)], check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
