"""`hoist serve` over a project: every activation by default, by name, schedules in hoist.yml."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from tests.harness.cli import run_hoist
from tests.harness.receiver import WebhookReceiver

TOKEN = "serve-project-token"


def hoist(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the `hoist` command in `cwd` with the project's token set."""
    return run_hoist(args, cwd=cwd, env={"INTERCOM_ACCESS_TOKEN": TOKEN})


@pytest.fixture
def project(tmp_path: Path, emulator: Any, webhook_receiver: WebhookReceiver) -> Path:
    """A project with two scheduled activations on one destination, one with alerts."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute(
        "CREATE TABLE accounts AS SELECT 'a' || i AS id, 'A ' || i AS name FROM range(4) t(i)"
    )
    con.execute(
        "CREATE TABLE customers AS SELECT 'c' || i AS id, 'C ' || i AS name FROM range(3) t(i)"
    )
    con.close()
    sync = {"company_id": "id", "mapping": {"name": "name"}}
    document = {
        "destinations": {
            "intercom": {"access_token": "${INTERCOM_ACCESS_TOKEN}", "base_url": emulator.base_url}
        },
        "sources": {"warehouse": {"type": "duckdb", "path": "warehouse.duckdb"}},
        "activations": {
            "accounts": {
                "source": "warehouse",
                "destination": "intercom",
                "model": {"table": "accounts"},
                "sync": sync,
                "schedule": "0 * * * *",
                "timezone": "Europe/Berlin",
            },
            "customers": {
                "source": "warehouse",
                "destination": "intercom",
                "model": {"table": "customers"},
                "sync": sync,
                "schedule": "every 6h",
                "alerts": [{"webhook": webhook_receiver.url, "on": ["failed"]}],
            },
        },
    }
    (tmp_path / "hoist.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    return tmp_path


def test_serve_once_in_a_project_runs_every_scheduled_activation(
    project: Path, emulator: Any
) -> None:
    """From the project folder, `serve --once` runs each activation that is due."""
    done = hoist("serve", "--once", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "ran 2 due activation(s): accounts, customers" in done.stdout
    assert len(emulator.emulator.companies()) == 7
    again = hoist("serve", "--once", "accounts", "--project", str(project), cwd=project.parent)
    assert again.returncode == 0, again.stderr
    assert "ran 0 due activation(s)" in again.stdout


def test_a_bad_schedule_in_hoist_yml_names_the_file_and_key(project: Path) -> None:
    """A schedule mistake in a project is a config error with file, dotted key and fix."""
    document = yaml.safe_load((project / "hoist.yml").read_text())
    document["activations"]["accounts"]["schedule"] = "every fortnight"
    (project / "hoist.yml").write_text(yaml.safe_dump(document))
    done = hoist("serve", "--once", cwd=project)
    assert done.returncode == 2
    assert "hoist.yml" in done.stderr
    assert "activations.accounts.schedule" in done.stderr
    assert "every <number><unit>" in done.stderr
