"""`python -m tests.harness.rerun FILE RUNS`: rerun an activation in one new process until a run
finds nothing left to do (at most RUNS runs), printing each run's JSON report on a line.

The first run reads state back as a user's next `hoist run` would: a process of its own, after
the one that was killed. The runs after it, in the same process, only confirm that nothing is
left to send; on Spark that spares a second driver JVM and metastore start (about 40 s of CPU).
The token comes from the environment, as for `hoist run`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import hoist
from hoist.config import load_activation


def main(argv: list[str]) -> int:
    """Run the activation file `argv[0]` up to `int(argv[1])` times; 0 once a run had nothing
    to do, 1 if none had."""
    file, runs = Path(argv[0]), int(argv[1])
    for _ in range(runs):
        report = hoist.run(load_activation(file, environ=dict(os.environ))).to_json()
        print(json.dumps(report), flush=True)
        sent = report["created"] + report["updated"] + report["removed"] + report["failed"]
        if report["status"] == "success" and sent == 0:
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
