"""The `hoist` command in this process, through click's CliRunner, answered as a subprocess is.

A `hoist` subprocess spends about a second importing before it does anything; the tests run
the same `main` in-process instead and get a `CompletedProcess` back (exit status, stdout and
stderr apart), so their assertions read as they did. Tests where a crash or a signal is the
point (kill -9, SIGTERM, Ctrl-C) keep a real process (`HOIST`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from click.testing import CliRunner

from hoist.cli import main

#: The installed console script, for the tests that need a real process.
HOIST = str(Path(sys.executable).parent / "hoist")


def run_hoist(
    args: Sequence[str],
    *,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `hoist ARGS` in-process; `env` sets (or, with None, unsets) variables for the run,
    `cwd` is the working directory. An uncaught exception is printed to stderr as Python
    prints it, with exit status 1, so tests that assert no traceback still can."""
    runner = CliRunner()
    with _working_directory(cwd), _logging_restored():
        result = runner.invoke(main, list(args), env=env, prog_name="hoist", catch_exceptions=True)
    stderr = result.stderr
    code = result.exit_code
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crashed and result.exc_info is not None:
        stderr += "".join(traceback.format_exception(*result.exc_info))
        code = 1
    return subprocess.CompletedProcess(["hoist", *args], code, result.stdout, stderr)


@contextlib.contextmanager
def _working_directory(cwd: Path | None) -> Iterator[None]:
    if cwd is None:
        yield
        return
    with contextlib.chdir(cwd):
        yield


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """`hoist serve` configures the root logger on CliRunner's stream, which closes after the
    run: put the handlers and levels back as they were."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    httpx_level = logging.getLogger("httpx").level
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
        logging.getLogger("httpx").setLevel(httpx_level)


def environ_with(extra: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment with `extra` set (None: unset), for a real `hoist` process."""
    merged = {**os.environ, **extra}
    return {key: value for key, value in merged.items() if value is not None}
