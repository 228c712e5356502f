"""The command line in-process (click's CliRunner): output, JSON and exit codes per command."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from hoist.cli import main
from hoist.emulator.testing import EmulatorHandle

TOKEN = "cli-token"


@pytest.fixture
def activation(tmp_path: Path, emulator: EmulatorHandle) -> Path:
    """An activation file over a three-company DuckDB warehouse, pointed at the emulator."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute(
        "CREATE TABLE companies AS SELECT * FROM (VALUES "
        "('a', 'Acme', 10), ('b', 'Beta', 20), (NULL, 'Nobody', 30)) t(id, name, seats)"
    )
    con.close()
    document = {
        "name": "cli",
        "source": {"path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": "${CLI_TOKEN}", "base_url": emulator.base_url},
        "sync": {"company_id": "id", "mapping": {"name": "name"}, "custom_attributes": ["seats"]},
    }
    file = tmp_path / "activation.yml"
    file.write_text(yaml.safe_dump(document))
    return file


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CliRunner with the activation's token in the environment."""
    monkeypatch.setenv("CLI_TOKEN", TOKEN)
    return CliRunner()


def test_version_prints_the_installed_version(runner: CliRunner) -> None:
    """`hoist --version` names the version pip installed."""
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert metadata.version("hoist") in result.output


def test_run_json_reports_counts_and_exits_1_for_a_rejected_row(
    runner: CliRunner, activation: Path, emulator: EmulatorHandle
) -> None:
    """`hoist run --json` creates the valid companies, reports the id-less row, and exits 1."""
    result = runner.invoke(main, ["run", str(activation), "--json"])
    report = json.loads(result.stdout)
    assert (report["status"], report["created"], report["rejected"]) == ("partial", 2, 1)
    assert result.exit_code == 1
    assert sorted(c["company_id"] for c in emulator.emulator.companies()) == ["a", "b"]


def test_plan_then_run_then_runs_in_human_form(runner: CliRunner, activation: Path) -> None:
    """The summaries name the counts; plan writes nothing; runs lists the one real run."""
    planned = runner.invoke(main, ["plan", str(activation)])
    assert "nothing was written" in planned.stdout
    assert "created" in planned.stdout
    runner.invoke(main, ["run", str(activation)])
    history = runner.invoke(main, ["runs", str(activation)])
    assert history.exit_code == 0
    lines = history.stdout.strip().splitlines()
    assert len(lines) == 3  # header, one run, what the contact columns count
    assert "partial" in lines[1]
    assert lines[2].startswith("no contact: ")


def test_runs_json_is_a_list_of_runs(runner: CliRunner, activation: Path) -> None:
    """`hoist runs --json` prints the history as JSON, newest first."""
    runner.invoke(main, ["run", str(activation)])
    runner.invoke(main, ["run", str(activation)])
    history = json.loads(runner.invoke(main, ["runs", str(activation), "--json"]).stdout)
    assert [run["created"] for run in history] == [0, 2]


def test_a_config_error_exits_2_with_file_and_key(runner: CliRunner, tmp_path: Path) -> None:
    """A broken activation file is reported on stderr with its file and key, exit code 2."""
    file = tmp_path / "broken.yml"
    file.write_text("name: x\nsource: {path: w.duckdb}\nmodel: {table: t}\n")
    result = runner.invoke(main, ["run", str(file), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == "ConfigError"
    assert "broken.yml" in result.stderr
    assert "destination" in result.stderr


def test_a_wrong_token_exits_2_and_never_prints_the_token(
    activation: Path,
    monkeypatch: pytest.MonkeyPatch,
    emulator_factory: Callable[..., EmulatorHandle],
) -> None:
    """With a token the workspace refuses, the run stops (exit 2) without echoing it."""
    monkeypatch.setenv("CLI_TOKEN", "not-the-right-token-123")
    handle = emulator_factory(token=TOKEN)
    document = yaml.safe_load(activation.read_text())
    document["destination"]["base_url"] = handle.base_url
    activation.write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(main, ["run", str(activation)])
    assert result.exit_code == 2
    assert "not-the-right-token-123" not in result.output + result.stderr
