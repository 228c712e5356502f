"""CPU hoist spends per company sent, and the share of one core it needs at Intercom's limit.

Each case runs `hoist run FILE --json` as a child process against a `hoist emulator` in another
process, and reads the child's own CPU time (user + sys) from `os.wait4`, so the emulator's
work and other processes on the machine are not counted. Cases:

1. 20,000 changed companies, no rate limit, 0 ms latency;
2. the same at 30 ms latency;
3. a rate limit of 1,666 calls per 10 s (Intercom's 10,000/min) and 30 ms latency: the CPU
   time divided by the wall time is the share of one core hoist needs at the real limit.

"CPU per company" divides the whole run's CPU (start-up, reading the model, diffing, sending,
committing) by the companies sent; "marginal" first subtracts a second run of the same model
that finds nothing to send, leaving the cost of sending.

Run: python bench/cpu.py [--companies N] [--limited-companies N] [--skip-limited]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from throughput import BIN, TOKEN, WORK, all_correct, build_model, emulator, write_activation

from _results import write_section

#: Intercom's per-app limit, in the emulator's 10-second windows.
INTERCOM_LIMIT_PER_10S = 1_666


@dataclass
class Measure:
    """One `hoist run` child: what it did and what it cost."""

    case: str
    companies: int
    sent: int
    cpu_s: float
    wall_s: float
    idle_cpu_s: float
    correct: bool

    @property
    def ms_per_company(self) -> float:
        """Whole-run CPU milliseconds per company sent."""
        return 1000 * self.cpu_s / max(self.sent, 1)

    @property
    def marginal_ms(self) -> float:
        """CPU milliseconds per company sent, less a run that sends nothing."""
        return 1000 * (self.cpu_s - self.idle_cpu_s) / max(self.sent, 1)

    @property
    def core_share(self) -> float:
        """CPU seconds per wall second: the fraction of one core the run used."""
        return self.cpu_s / self.wall_s

    @property
    def share_at_limit(self) -> float:
        """The fraction of one core sending at Intercom's limit takes at this CPU per company."""
        return self.marginal_ms / 1000 * INTERCOM_LIMIT_PER_10S / 10

    def row(self) -> dict[str, Any]:
        """The figures, for printing."""
        figures = {
            "ms_per_company": self.ms_per_company,
            "marginal_ms": self.marginal_ms,
            "companies_per_s": self.sent / self.wall_s,
            "core_share": self.core_share,
            "share_at_limit": self.share_at_limit,
        }
        return asdict(self) | figures


def _compiled() -> None:
    """Write hoist's bytecode, as installing a wheel does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE would compile every module in every run and count it as CPU."""
    import compileall

    import hoist

    compileall.compile_dir(str(Path(hoist.__file__).parent), quiet=1)


def timed_run(file: Path) -> tuple[dict[str, Any], float, float]:
    """`hoist run FILE --json` as a child; its report, CPU seconds (user + sys), wall seconds."""
    env = {**os.environ, "BENCH_TOKEN": TOKEN}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [str(BIN / "hoist"), "run", str(file), "--json"], stdout=out, env=env
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if not text:
        raise SystemExit(f"hoist run exited {child.returncode} without a report")
    report: dict[str, Any] = json.loads(text)
    return report, usage.ru_utime + usage.ru_stime, wall


def measure(case: str, companies: int, *emulator_options: str) -> Measure:
    """Sync `companies` fresh companies, then run again with nothing to send."""
    folder = WORK / ("cpu-" + "".join(c if c.isalnum() else "-" for c in case))
    build_model(folder, companies)
    with emulator(*emulator_options) as url:
        file = write_activation(folder, url)
        report, cpu_s, wall_s = timed_run(file)
        correct = all_correct(url, companies) and report["status"] == "success"
        again, idle_cpu_s, _ = timed_run(file)
    sent = int(report["created"]) + int(report["updated"])
    if again.get("created") or again.get("updated"):
        raise SystemExit(f"{case}: the second run sent something: {again}")
    return Measure(case, companies, sent, cpu_s, wall_s, idle_cpu_s, correct)


def record(measures: list[Measure]) -> None:
    """Write the figures to bench/RESULTS.md."""
    rows = "\n".join(
        f"| {m.case} | {m.sent:,} | {m.ms_per_company:.3f} | {m.marginal_ms:.3f} | "
        f"{m.wall_s:.1f} s | {m.sent / m.wall_s:,.0f} | {m.core_share:.1%} | "
        f"{m.share_at_limit:.1%} | {m.correct} |"
        for m in measures
    )
    write_section(
        "cpu",
        "## CPU per company (`bench/cpu.py`)\n\n"
        "`hoist run` as a child process against `hoist emulator` in another; CPU is the "
        "child's user + sys time from `os.wait4`, so it is robust to other load on the "
        'machine, while wall times and rates are not (the machine is shared). "marginal" '
        "subtracts a run of the same model with nothing to send (start-up, reading, diffing). "
        f"The rate-limited case runs at {INTERCOM_LIMIT_PER_10S:,} calls / 10 s with 30 ms "
        'latency; its core share is CPU time over wall time for the whole run. "share at '
        'the limit" is the marginal CPU per company times 166.6 companies/s: the share of one '
        "core sending at Intercom's limit takes, whatever this machine's load let the run reach. "
        f"Machine: {os.cpu_count()} cores, shared.\n\n"
        "| case | sent | CPU ms / company | marginal ms / company | wall | companies/s "
        "| share of one core | share at the limit | correct |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---|\n" + rows,
    )


def first_run(companies: int) -> None:
    """CPU per company of one first run of `companies` (start-up included), with what the
    environment has installed (the extras: pandas, pyspark), recorded in its own section."""
    load = os.getloadavg()[0]
    found = measure("first run, no limit, 0 ms", companies)
    print(json.dumps(found.row()), flush=True)
    installed = [m for m in ("pandas", "pyspark") if importlib.util.find_spec(m) is not None]
    write_section(
        "cpu_first_run",
        "## CPU per company, first run (`bench/cpu.py --first-run`)\n\n"
        f"One `hoist run` of {companies:,} new companies (DuckDB model, local state) against "
        "`hoist emulator` with no limit or latency; CPU is the child's user + sys time from "
        "start-up to exit, divided by the companies sent. Installed beside hoist: "
        f"{', '.join(installed) or 'no extras'}. Goal: at most 0.5 ms per company. "
        f"Load average when started: {load:.1f} ({os.cpu_count()} cores, shared).\n\n"
        "| companies sent | CPU | CPU ms / company | wall | correct |\n"
        "|---:|---:|---:|---:|---|\n"
        f"| {found.sent:,} | {found.cpu_s:.2f} s | {found.ms_per_company:.3f} "
        f"| {found.wall_s:.1f} s | {found.correct} |",
    )


def main() -> None:
    """Run the cases, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--limited-companies", type=int, default=20_000)
    parser.add_argument("--skip-limited", action="store_true")
    parser.add_argument(
        "--first-run", action="store_true", help="only a first run of --companies, recorded apart"
    )
    args = parser.parse_args()
    _compiled()
    if args.first_run:
        first_run(args.companies)
        return
    limit = ("--rate-limit", str(INTERCOM_LIMIT_PER_10S), "--latency-ms", "30")
    cases = [
        ("no limit, 0 ms", args.companies, ()),
        ("no limit, 30 ms", args.companies, ("--latency-ms", "30")),
        ("1,666 / 10 s, 30 ms", args.limited_companies, limit),
    ]
    measures = []
    for case, companies, options in cases[: 2 if args.skip_limited else 3]:
        measures.append(measure(case, companies, *options))
        print(json.dumps(measures[-1].row()), flush=True)
    record(measures)


if __name__ == "__main__":
    main()
