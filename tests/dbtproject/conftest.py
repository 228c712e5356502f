"""Real dbt for hoist's dbt tests: the fixture project (tests/fixtures/dbt_project) built by
dbt-core and dbt-duckdb (or dbt-postgres), and a hoist project that names its models.

dbt runs as a subprocess of this virtualenv's Python: it keeps its own logging, adapters and
DuckDB connections out of the test process, so hoist opens the warehouse file dbt wrote exactly
as a user's `dbt build && hoist run --all` would. Anonymous usage statistics are off: nothing
calls out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dbt_project"
HOIST = str(Path(sys.executable).parent / "hoist")
DBT = str(Path(sys.executable).parent / "dbt")
TOKEN = "dbt-test-token"
#: What keeps dbt from calling out: its anonymous usage statistics, and the generic opt-out.
QUIET = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


@pytest.fixture(autouse=True)
def dbt_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every dbt test runs with dbt's usage statistics off; the environment is restored after."""
    for name, value in QUIET.items():
        monkeypatch.setenv(name, value)


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


@pytest.fixture(scope="session")
def built_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `warehouse.duckdb` and `dbt/`, the fixture project `dbt build` ran on
    once for the whole session (copy it before changing anything)."""
    root = tmp_path_factory.mktemp("dbt-duckdb")
    project = copy_fixture(root, duckdb_output(root / "warehouse.duckdb"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in QUIET.items():
            patch.setenv(name, value)
        dbt(project, "build")
    return root


@pytest.fixture
def dbt_duckdb(built_duckdb: Path, tmp_path: Path) -> Path:
    """A copy of the built project and its warehouse, for one test to change freely."""
    root = tmp_path / "work"
    shutil.copytree(built_duckdb, root)
    write_profile(root / "dbt", duckdb_output(root / "warehouse.duckdb"))
    return root


def hoist(
    *args: str, cwd: Path, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `hoist` command in `cwd` with the destination's token set; `env` sets (or,
    with None, unsets) variables."""
    merged = {**os.environ, "DBT_TEST_TOKEN": TOKEN, **(env or {})}
    environ = {key: value for key, value in merged.items() if value is not None}
    return subprocess.run(
        [HOIST, *args], cwd=cwd, capture_output=True, text=True, env=environ, timeout=180
    )


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


#: The activation of the mart: dbt's `companies` model, written by name only.
COMPANIES: dict[str, Any] = {
    "source": "warehouse",
    "destination": "intercom",
    "model": {"dbt": "companies"},
    "sync": {"company_id": "account_id", "mapping": {"name": "name", "plan": "plan"}},
}
