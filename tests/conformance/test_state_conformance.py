"""Every state backend behaves the same: one set of test bodies, run against each (issue 23).

The backends are local state (a DuckDB file), warehouse-native state in DuckDB, in Postgres and
in Spark (the tests' local session, in the spark tier) (`tests.harness.backends.BACKENDS`);
each test drives `hoist` in-process against a real emulator and asserts what a user sees: the
report, what Intercom holds, the history. A body that needs what a backend's setup cannot do
says so (`needs`, `tests.harness.backends.Traits`).
"""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any

from hoist.config import load_activation
from hoist.run_api import run_errors, runs
from tests.harness.activation import company_rows, expected_companies, held_companies
from tests.harness.backends import Backend, needs
from tests.harness.cli import HOIST
from tests.harness.outages import converge, posts, wait_until


def counts(report: dict[str, Any]) -> tuple[Any, ...]:
    """The counts a user reads first: status, created, updated, unchanged, rejected, failed."""
    keys = ("status", "created", "updated", "unchanged", "rejected", "failed")
    return tuple(report[key] for key in keys)


def test_a_first_run_creates_every_company_and_a_second_changes_nothing(backend: Backend) -> None:
    """The first run creates every row's company; a run over the same rows sends nothing."""
    rows = company_rows(12)
    backend.activation.write_rows(rows)

    first = backend.activation.run_json()
    marked = len(backend.emulator.requests())
    again = backend.activation.run_json()

    assert counts(first) == ("success", 12, 0, 0, 0, 0)
    assert held_companies(backend.emulator) == expected_companies(rows)
    assert counts(again) == ("success", 0, 0, 12, 0, 0)
    sent = [r for r in backend.emulator.requests()[marked:] if r.method in ("POST", "PUT")]
    assert sent == []


def test_changes_nulls_and_rejections_are_sent_and_reported(backend: Backend) -> None:
    """Edited values and new nulls are sent; both copies of a duplicated id and a row without
    one are rejected (the run is partial, exit 1)."""
    rows = company_rows(8)
    backend.activation.write_rows(rows)
    backend.activation.run_json()
    edited = [dict(row) for row in rows]
    edited[1]["account_name"] = "Renamed 'quoted' — Ünïcødé"
    edited[2]["seats"] = None
    bad = [*edited, {**edited[0], "account_name": "duplicate"}, {"account_id": None}]
    backend.activation.write_rows(bad)

    report = backend.activation.run_json()

    assert (report["_exit"], report["status"]) == (1, "partial"), report["_stderr"]
    assert (report["updated"], report["unchanged"], report["rejected"]) == (2, 5, 2)
    held = backend.emulator.company_by_company_id("acct-0001")
    assert held is not None
    assert held["name"] == "Renamed 'quoted' — Ünïcødé"
    company = backend.emulator.company_by_company_id("acct-0002")
    assert company is not None
    assert "seats" not in (company.get("custom_attributes") or {})


def test_removed_rows_are_deleted_and_missing_ids_are_counted(backend: Backend) -> None:
    """`on_removal: delete` deletes rows that left; an update-only run counts unknown ids."""
    backend.configure(on_removal="delete", max_removals=2)
    backend.activation.write_rows(company_rows(6))
    backend.activation.run_json()
    backend.activation.write_rows(company_rows(4))

    removed = backend.activation.run_json()
    backend.configure(insert=False, on_removal="delete", max_removals=2)
    backend.activation.write_rows(company_rows(7))
    update_only = backend.activation.run_json()

    assert (removed["_exit"], removed["removed"]) == (0, 2), removed["_stderr"]
    assert sorted(c["company_id"] for c in backend.emulator.companies()) == [
        f"acct-{i:04d}" for i in range(4)
    ]
    assert update_only["not_in_intercom"] == 3, update_only["_stderr"]
    assert backend.activation.run_json()["api_calls"] <= update_only["api_calls"]


def test_another_workspace_is_refused_until_state_is_reset(
    backend: Backend, emulator_factory: Any
) -> None:
    """State bound to one workspace stops a run against another; `--reset-state` starts over."""
    backend.activation.write_rows(company_rows(5))
    backend.activation.run_json()
    fresh = emulator_factory()
    backend.activation.base_url = fresh.base_url
    backend.configure()

    refused = backend.activation.hoist("run")
    reset = backend.activation.hoist("run", "--reset-state", "--yes", "--json")

    assert refused.returncode == 2
    assert fresh.emulator.app_id in refused.stderr
    assert "--reset-state" in refused.stderr
    assert reset.returncode == 0, reset.stderr
    assert len(fresh.emulator.companies()) == 5


def test_a_full_resync_sends_every_company_again(backend: Backend) -> None:
    """`--full-resync` sends every mapped value of every company, whatever state says."""
    backend.activation.write_rows(company_rows(6))
    backend.activation.run_json()

    done = backend.activation.hoist("run", "--full-resync", "--json")

    assert done.returncode == 0, done.stderr
    assert '"updated": 6' in done.stdout or '"created": 6' in done.stdout


def test_verify_finds_drift_and_repair_puts_it_back(backend: Backend) -> None:
    """`hoist verify` reads every backend's state; `--repair` resends exactly the drift."""
    rows = company_rows(5)
    backend.activation.write_rows(rows)
    backend.activation.run_json()
    backend.emulator.edit_company("acct-0003", name="Changed by hand")

    checked = backend.activation.run_json("verify")
    repaired = backend.activation.hoist("verify", "--repair", "--json")
    after = backend.activation.run_json("verify")

    assert [d["company_id"] for d in checked["drifted"]] == ["acct-0003"]
    assert repaired.returncode == 0, repaired.stderr
    assert after["drifted"] == []
    assert after["verified"] == 5
    assert held_companies(backend.emulator) == expected_companies(rows)
    final = backend.activation.run_json()
    assert (final["unchanged"], final["updated"]) == (5, 0), final


def test_contacts_are_attached_remembered_and_counted(backend: Backend) -> None:
    """A contacts model attaches contacts on every backend, remembers the pairs in state (no
    second search) and counts delivered companies without a contact."""
    backend.activation.write_rows(company_rows(3))
    backend.add_contacts([("acct-0000", "Ada@Example.com"), ("acct-0001", "bob@example.com")])
    backend.emulator.seed_contact(email="ada@example.com", role="user")

    first = backend.activation.run_json()
    marked = len(backend.emulator.requests())
    again = backend.activation.run_json()

    assert first["_exit"] == 0, first["_stderr"]
    assert (first["contacts_attached"], first["contacts_not_found"]) == (1, 1)
    assert first["without_contacts"] == 2
    held = backend.emulator.company_by_company_id("acct-0000")
    assert held is not None
    assert held["user_count"] == 1
    searches = [r for r in backend.emulator.requests()[marked:] if "contacts" in r.path]
    assert (again["contacts_attached"], searches) == (0, [])


def test_the_history_reads_the_same_on_every_backend(backend: Backend) -> None:
    """`runs` and `run_errors` read every backend's history the same way, newest first."""
    backend.activation.write_rows([*company_rows(3), {"account_id": None}])
    first = backend.activation.run_json()
    second = backend.activation.run_json()
    config = load_activation(backend.activation.file, environ=backend.activation.environment())

    history = runs(config, limit=5)
    errors = run_errors(config, first["run_id"])

    assert [run["run_id"] for run in history] == [second["run_id"], first["run_id"]]
    assert history[1]["created"] == 3
    assert history[1]["started_at"].tzinfo is not None
    assert [error["code"] for error in errors] == ["missing_company_id"]


@needs("other_processes_see_state")
def test_a_run_killed_with_sigkill_converges_on_rerun(backend: Backend) -> None:
    """A run killed with SIGKILL while sending (one real process per backend), then rerun,
    leaves Intercom equal to the model and state knowing every company."""
    backend.emulator.configure(latency_ms=2, fail_rate=0.02, seed=3)
    rows = company_rows(1500)
    backend.activation.write_rows(rows)
    process = subprocess.Popen(
        [HOIST, "run", "--json", str(backend.activation.file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **backend.activation.environment()},
    )
    wait_until(lambda: posts(backend.emulator) >= 200, "the run sending")
    process.send_signal(signal.SIGKILL)
    process.communicate()

    converge(backend.activation, 1500)

    assert held_companies(backend.emulator) == expected_companies(rows)
