"""The dbt fixture project for the tests: dbt run as a subprocess, the hoist project naming its
models, and the `hoist` command over it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.harness.cli import run_hoist

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
TOKEN = "dbt-test-token"
#: What keeps dbt from calling out: its anonymous usage statistics, and the generic opt-out.
QUIET = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
#: The activation of the mart: dbt's `companies` model, written by name only.
COMPANIES: dict[str, Any] = {
    "source": "warehouse",
    "destination": "intercom",
    "model": {"dbt": "companies"},
    "sync": {"company_id": "account_id", "mapping": {"name": "name", "plan": "plan"}},
}


def dbt(project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real dbt CLI on `project_dir` (its profiles.yml beside it); fail with its log."""
    command = [DBT, *args]
    command += ["--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    done = subprocess.run(
        [*command, "--no-use-colors"],
        cwd=project_dir,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=240,
    )
    if done.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def copy_fixture(folder: Path, output: dict[str, Any]) -> Path:
    """The fixture dbt project copied into `folder`, with a profile whose target is `output`."""
    project = folder / "dbt"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("target", "logs"))
    write_profile(project, output)
    return project


def write_profile(project: Path, output: dict[str, Any]) -> None:
    """profiles.yml of `project`: one target, `output` (a dbt adapter's connection keys)."""
    profile = {"hoist_fixture": {"target": "test", "outputs": {"test": output}}}
    (project / "profiles.yml").write_text(yaml.safe_dump(profile))


def duckdb_output(warehouse: Path) -> dict[str, Any]:
    """A dbt-duckdb target writing the warehouse file `warehouse`."""
    return {"type": "duckdb", "path": str(warehouse), "threads": 1}


def hoist(
    *args: str, cwd: Path, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `hoist` command (in-process) in `cwd` with the destination's token set; `env`
    sets (or, with None, unsets) variables."""
    return run_hoist(args, cwd=cwd, env={"DBT_TEST_TOKEN": TOKEN, **(env or {})})


def write_project(
    root: Path,
    source: dict[str, Any],
    activations: dict[str, Any],
    *,
    base_url: str = "http://127.0.0.1:9",
    **extra: Any,
) -> None:
    """hoist.yml in `root`: the emulator at `base_url`, the source `warehouse`, `activations`."""
    document = {
        "destinations": {
            "intercom": {"access_token": "${DBT_TEST_TOKEN}", "base_url": base_url},
        },
        "sources": {"warehouse": source},
        **extra,
        "activations": activations,
    }
    (root / "hoist.yml").write_text(yaml.safe_dump(document, sort_keys=False))
