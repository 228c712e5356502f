"""Insert mode off, failures retried next run, `hoist plan` and `hoist runs`, end to end."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.harness.activation import Activation, by_company_id, company_rows, writes


def test_insert_off_creates_nothing_and_updates_only_existing(
    activation: Activation, emulator: Any
) -> None:
    """With insert off, companies already in Intercom are updated by id and none is created."""
    state = emulator.emulator
    for i in (1, 3, 5):
        state.seed_company(company_id=f"acct-{i:04d}", name="old name")
    activation.configure(insert=False)
    activation.write_rows(company_rows(6))
    report = activation.run_json()
    assert report["_exit"] == 0, report
    assert (report["updated"], report["created"], report["not_in_intercom"]) == (3, 0, 3)
    sent = writes(state)
    assert {r.method for r in sent} == {"PUT"}
    assert len(sent) == 3
    companies = by_company_id(state)
    assert sorted(companies) == ["acct-0001", "acct-0003", "acct-0005"]
    assert companies["acct-0003"]["name"] == "Company 3 — Zürich"


def test_insert_off_remembers_missing_companies_until_their_row_changes(
    activation: Activation, emulator: Any
) -> None:
    """A company not found is not looked up again until its row changes or --recheck-missing."""
    state = emulator.emulator
    state.seed_company(company_id="acct-0000", name="x")
    activation.configure(insert=False)
    activation.write_rows(company_rows(2))
    activation.run_json()

    def lookups_of(before: int) -> list[str | None]:
        later = state.requests()[before:]
        return [r.query.get("company_id") for r in later if r.path == "/companies"]

    before = len(state.requests())
    report = activation.run_json()
    assert (report["not_in_intercom"], report["unchanged"]) == (1, 1)
    assert lookups_of(before) == []  # remembered as missing, row unchanged
    assert writes(state, before) == []

    before = len(state.requests())
    activation.hoist("run", "--recheck-missing")
    assert lookups_of(before) == ["acct-0001"]

    activation.write_rows(company_rows(2, account_name=lambda i: f"renamed {i}"))
    before = len(state.requests())
    report = activation.run_json()
    assert lookups_of(before) == ["acct-0001"]  # its row changed: looked up again
    assert (report["updated"], report["not_in_intercom"]) == (1, 1)


def test_plan_shows_the_changes_and_writes_nothing(activation: Activation, emulator: Any) -> None:
    """`hoist plan` reports counts and old -> new values without touching Intercom or state."""
    rows = company_rows(4)
    activation.write_rows(rows)
    activation.run_json()
    rows[1]["account_name"] = "Planned"
    rows.append(company_rows(5)[4])
    activation.write_rows(rows)
    snapshot = activation.state_file.read_bytes()
    before = len(emulator.emulator.requests())
    report = activation.run_json("plan")
    assert report["_exit"] == 0
    assert (report["dry_run"], report["created"], report["updated"], report["unchanged"]) == (
        True,
        1,
        1,
        3,
    )
    sample = {c["company_id"]: c for c in report["sample"]}
    assert sample["acct-0001"] == {
        "company_id": "acct-0001",
        "operation": "update",
        "changes": {"name": {"old": "Company 1 — Zürich", "new": "Planned"}},
    }
    assert sample["acct-0004"]["operation"] == "create"
    assert writes(emulator.emulator, before) == []
    assert activation.state_file.read_bytes() == snapshot


def test_runs_lists_the_history_newest_first(activation: Activation) -> None:
    """`hoist runs` shows every run with its counts, the latest first."""
    activation.write_rows(company_rows(3))
    first = activation.run_json()
    second = activation.run_json()
    done = activation.hoist("runs", "--json")
    history = json.loads(done.stdout)
    assert [r["run_id"] for r in history] == [second["run_id"], first["run_id"]]
    assert (history[1]["created"], history[0]["unchanged"]) == (3, 3)
    table = activation.hoist("runs").stdout
    assert first["run_id"] in table
    assert second["run_id"] in table


def test_human_summary_names_every_count(activation: Activation) -> None:
    """Without --json the run prints a summary a person can read."""
    activation.write_rows(company_rows(2))
    done = activation.hoist("run")
    assert done.returncode == 0, done.stderr
    for label in ("created", "updated", "unchanged", "not in Intercom", "rejected", "failed"):
        assert label in done.stdout
    assert "API calls" in done.stdout
    # Not a terminal: progress comes as plain log lines on stderr, never mixed into stdout.
    assert "hoist: read 2 rows" in done.stderr
    assert "hoist: sending 2 companies" in done.stderr
    assert "hoist:" not in done.stdout


def test_json_report_has_every_documented_field(activation: Activation) -> None:
    """`--json` prints one object with the documented keys."""
    activation.write_rows(company_rows(1))
    report = activation.run_json()
    for key in (
        "run_id",
        "status",
        "created",
        "updated",
        "unchanged",
        "not_in_intercom",
        "rejected",
        "failed",
        "api_calls",
        "duration_s",
        "errors",
    ):
        assert key in report


def test_a_config_mistake_exits_2_naming_file_and_key(activation: Activation) -> None:
    """A mapping to a missing column stops before any work, naming the file and the key; the
    attempt is in the history as a failed run with that message."""
    activation.configure(mapping={"name": "no_such_column"})
    activation.write_rows(company_rows(1))
    done = activation.hoist("run")
    assert done.returncode == 2
    assert "activation.yml" in done.stderr
    assert "sync.mapping.name" in done.stderr
    [failed] = json.loads(activation.hoist("runs", "--json").stdout)
    assert failed["status"] == "failed"
    assert "sync.mapping.name" in failed["message"]


def test_a_company_refused_with_4xx_is_sent_again_next_run(
    activation: Activation, emulator: Any
) -> None:
    """Intercom's 400 for one company is reported with its code; the next run sends it again."""
    auth = {"Authorization": f"Bearer {activation.token}"}
    created = httpx.post(
        f"{emulator.base_url}/data_attributes",
        json={
            "name": "tier",
            "model": "company",
            "data_type": "options",
            "options": [{"value": "gold"}, {"value": "silver"}],
        },
        headers=auth,
    )
    created.raise_for_status()
    activation.configure(mapping={"name": "account_name", "custom_attributes.tier": "tier"})
    rows = company_rows(4)
    rows[2]["tier"] = "platinum"  # not one of the list attribute's options
    activation.write_rows(rows)

    first = activation.run_json()
    assert (first["_exit"], first["status"], first["created"], first["failed"]) == (
        1,
        "partial",
        3,
        1,
    )
    [error] = first["errors"]
    assert (error["company_id"], error["code"]) == ("acct-0002", "parameter_invalid")
    assert "tier" in error["message"]

    options = [{"value": v} for v in ("gold", "silver", "platinum")]
    httpx.put(
        f"{emulator.base_url}/data_attributes/{created.json()['id']}",
        json={"options": options},
        headers=auth,
    ).raise_for_status()
    before = len(emulator.emulator.requests())
    second = activation.run_json()
    assert (second["status"], second["created"], second["unchanged"]) == ("success", 1, 3)
    assert [r.json["company_id"] for r in writes(emulator.emulator, before)] == ["acct-0002"]
    assert by_company_id(emulator.emulator)["acct-0002"]["custom_attributes"]["tier"] == "platinum"


def test_insert_off_scrolls_when_that_costs_fewer_calls(
    activation: Activation, emulator: Any
) -> None:
    """Fifty unknown companies among 150 without contacts: one scroll page finds them all.

    The listing's total_count would say 0 here (no company has contacts), so it is not asked.
    """
    state = emulator.emulator
    for i in range(150):
        state.seed_company(company_id=f"acct-{i:04d}", name="old")
    activation.configure(insert=False)
    activation.write_rows(company_rows(50))
    report = activation.run_json()
    assert (report["updated"], report["not_in_intercom"]) == (50, 0)
    reads = [r for r in state.requests() if r.method == "GET" and r.path.startswith("/companies")]
    lookups = [r for r in reads if r.path == "/companies"]
    scrolls = [r for r in reads if r.path == "/companies/scroll"]
    assert lookups == []
    assert len(scrolls) == 1  # the first page holds all fifty; the scroll is left to expire
    # GET /me (workspace check) + 2 data-attribute listings + 2 attributes created
    # + 1 scroll page + 50 updates
    assert report["api_calls"] == 56


def test_insert_off_looks_up_the_rest_when_the_scroll_would_cost_more(
    activation: Activation, emulator: Any
) -> None:
    """Three ids among 400 companies: after 3 pages without them, lookups finish the job."""
    state = emulator.emulator
    for i in range(400):
        state.seed_company(company_id=f"other-{i:04d}")
    for i in range(3):
        state.seed_company(company_id=f"acct-{i:04d}")
    activation.configure(insert=False)
    activation.write_rows(company_rows(3))
    report = activation.run_json()
    assert (report["updated"], report["not_in_intercom"]) == (3, 0)
    reads = [r for r in state.requests() if r.method == "GET" and r.path.startswith("/companies")]
    assert len([r for r in reads if r.path == "/companies/scroll"]) == 3
    assert len([r for r in reads if r.path == "/companies"]) == 3
