"""State bound to its workspace, `--reset-state`, `verify`, `--full-resync`, contradictions.

Every test drives the real `hoist` command against emulators over real HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import httpx

from hoist.emulator.testing import EmulatorHandle
from tests.harness.activation import Activation, company_rows, writes

Start = Callable[..., EmulatorHandle]


def point_at(activation: Activation, handle: EmulatorHandle) -> None:
    """Point the activation (same state file) at another emulator: another workspace."""
    activation.base_url = handle.base_url
    activation.configure()


def test_another_workspace_exits_2_naming_both(
    activation: Activation, emulator: EmulatorHandle, emulator_factory: Start
) -> None:
    """The issue's reproduction: same state, fresh workspace -> exit 2, nothing sent, the fix."""
    activation.write_rows(company_rows(30))
    assert activation.run_json()["_exit"] == 0
    fresh = emulator_factory()
    point_at(activation, fresh)

    done = activation.hoist("run")

    assert done.returncode == 2
    assert emulator.emulator.app_id in done.stderr
    assert fresh.emulator.app_id in done.stderr
    assert "--reset-state" in done.stderr
    assert fresh.emulator.companies() == []
    assert writes(fresh.emulator) == []
    assert [r.path for r in fresh.emulator.requests() if r.method == "POST"] == []
    assert activation.hoist("plan").returncode == 2
    assert activation.hoist("verify").returncode == 2


def test_reset_state_sends_every_company_to_the_new_workspace(
    activation: Activation, emulator: EmulatorHandle, emulator_factory: Start
) -> None:
    """After `--reset-state --yes` the new workspace gets every company; the old state is kept."""
    activation.write_rows(company_rows(30))
    activation.run_json()
    old_state = activation.state_file.read_bytes()
    fresh = emulator_factory()
    point_at(activation, fresh)

    done = activation.hoist("run", "--reset-state", "--yes", "--json")

    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert (report["created"], report["status"]) == (30, "success")
    assert len(fresh.emulator.companies()) == 30
    kept = list(activation.state_file.parent.glob("e2e.replaced-*.duckdb"))
    assert [p.read_bytes() == old_state for p in kept] == [True]
    assert "moved" in done.stderr
    assert activation.hoist("run").returncode == 0  # now bound to the new workspace


def test_reset_state_off_a_terminal_needs_yes(activation: Activation) -> None:
    """Without a terminal to ask on, `--reset-state` alone exits 2 and moves nothing."""
    activation.write_rows(company_rows(3))
    activation.run_json()
    done = activation.hoist("run", "--reset-state")
    assert done.returncode == 2
    assert "--yes" in done.stderr
    assert activation.state_file.exists()


def test_verify_finds_and_repairs_drift_end_to_end(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """5 edited and 3 deleted of 1,000: `verify --json` finds them, `--repair` fixes them (5+3)."""
    activation.write_rows(company_rows(1000))
    assert activation.run_json()["_exit"] == 0
    emu = emulator.emulator
    for i in range(5):
        httpx.patch(
            f"{emulator.base_url}/_emulator/companies/acct-{i:04d}",
            json={"name": "Edited in the UI"},
        ).raise_for_status()
    for i in (500, 600, 700):
        httpx.delete(f"{emulator.base_url}/_emulator/companies/acct-{i:04d}").raise_for_status()

    found = activation.run_json("verify")

    assert found["_exit"] == 1
    assert found["missing"] == ["acct-0500", "acct-0600", "acct-0700"]
    assert sorted(d["company_id"] for d in found["drifted"]) == [f"acct-{i:04d}" for i in range(5)]
    assert found["drifted"][0].keys() == {"company_id", "attribute", "delivered", "intercom"}
    assert found["verified"] == 992
    assert found["api_calls"] <= 12  # GET /me + 10 scroll pages + the empty last one

    before = len(emu.requests())
    repaired = json.loads(activation.hoist("verify", "--repair", "--json").stdout)
    assert repaired["writes"] == len(writes(emu, before)) == 8
    assert activation.run_json("verify")["_exit"] == 0
    assert activation.run_json()["unchanged"] == 1000


def test_full_resync_sends_everything_and_plan_shows_its_cost(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """`plan --full-resync` prices every company at the rate limit; the run sends them all."""
    activation.write_rows(company_rows(40))
    activation.run_json()
    emulator.emulator.configure(rate_limit=200)
    emulator.emulator.edit_company("acct-0003", name="Edited")

    plan = activation.run_json("plan")
    assert plan["updated"] == 0
    priced = json.loads(activation.hoist("plan", "--full-resync", "--json").stdout)
    assert priced["updated"] == 40
    assert priced["estimated_calls"] >= 40
    assert priced["estimated_seconds"] == priced["estimated_calls"] / 200 * 10

    before = len(emulator.emulator.requests())
    report = json.loads(activation.hoist("run", "--full-resync", "--json").stdout)
    assert (report["updated"], report["created"]) == (40, 0)
    assert len(writes(emulator.emulator, before)) == 40
    company = emulator.emulator.company_by_company_id("acct-0003")
    assert company is not None
    assert company["name"] == "Company 3 — Zürich"
    assert activation.run_json()["unchanged"] == 40


def test_a_company_deleted_in_intercom_is_a_contradiction(
    activation: Activation, emulator: EmulatorHandle
) -> None:
    """A run that finds a delivered company re-created in Intercom does not report success."""
    rows = company_rows(5)
    activation.write_rows(rows)
    activation.run_json()
    emulator.emulator.delete_company("acct-0002")
    rows[2]["seats"] = 99
    activation.write_rows(rows)

    report = activation.run_json()

    assert report["_exit"] == 1
    assert report["status"] == "partial"
    assert any("acct-0002" in c for c in report["contradictions"])
    assert "hoist verify" in report["message"]


def test_a_lost_custom_attribute_is_a_contradiction(
    activation: Activation, emulator_factory: Start
) -> None:
    """State from before workspace binding, pointed at a new workspace: the run says so."""
    activation.write_rows(company_rows(5))
    activation.run_json()
    _unbind(activation.state_file)
    point_at(activation, emulator_factory())

    report = activation.run_json()

    assert report["_exit"] == 1
    assert any("health_score" in c for c in report["contradictions"])


def _unbind(state_file: Path) -> None:
    """Remove the workspace binding, as a state written before it existed has none."""
    con = duckdb.connect(str(state_file))
    con.execute("DELETE FROM meta WHERE key LIKE 'workspace_%'")
    con.close()
