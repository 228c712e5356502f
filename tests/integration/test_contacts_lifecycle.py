"""Contacts across a company's life: planned before it exists, re-attached after a delete, and
attached from a project's segment; against the in-process emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import hoist
from hoist.emulator import Emulator
from hoist.emulator.testing import asgi_transport
from hoist.project import load_project
from hoist.verify import verify
from tests.harness.contacts_lifecycle import config, warehouse


def test_a_first_plan_counts_the_pairs_of_companies_the_run_creates(tmp_path: Path) -> None:
    """With nothing delivered yet, a plan counts the pairs a run would attach, and their calls."""
    emu = Emulator()
    for uid in ("u1", "u2"):
        emu.seed_contact(external_id=uid)
    # c9 is not in the model: its pair waits without being counted.
    users = [("c0", "u1", True), ("c1", "u2", True), ("c9", "u9", True)]
    warehouse(tmp_path, ["c0", "c1", "c2"], users)
    transport = asgi_transport(emu)
    plan = hoist.plan(config(tmp_path), transport=transport)
    bare = hoist.plan(config(tmp_path, contacts=False), transport=transport)
    assert plan.contacts_attached == 2
    assert plan.estimated_calls is not None
    assert bare.estimated_calls is not None
    assert plan.estimated_calls - bare.estimated_calls == 1 + 2  # one search, two attaches
    assert emu.request_count(path_prefix="/contacts") == 0
    run = hoist.run(config(tmp_path), transport=transport)
    assert (run.contacts_attached, run.contacts_not_found) == (2, 0)


def test_an_update_only_plan_counts_pairs_of_companies_intercom_has(tmp_path: Path) -> None:
    """With insert off, only pairs of companies Intercom has count: no company is created."""
    emu = Emulator()
    emu.seed_company(company_id="c0")
    emu.seed_contact(external_id="u1")
    emu.seed_contact(external_id="u2")
    warehouse(tmp_path, ["c0", "c1"], [("c0", "u1", True), ("c1", "u2", True)])
    plan = hoist.plan(config(tmp_path, insert=False), transport=asgi_transport(emu))
    assert (plan.contacts_attached, plan.not_in_intercom) == (1, 1)


def test_a_company_deleted_and_back_gets_its_contacts_again(tmp_path: Path) -> None:
    """Deleting a company detaches its contacts; when it returns, they are attached anew."""
    emu = Emulator()
    emu.seed_contact(external_id="u1")
    users = [("c0", "u1", True)]
    removing: dict[str, Any] = {"on_removal": "delete", "max_removals": "100%"}
    transport = asgi_transport(emu)
    warehouse(tmp_path, ["c0", "c1"], users)
    assert hoist.run(config(tmp_path, **removing), transport=transport).contacts_attached == 1
    warehouse(tmp_path, ["c1"], users)
    assert hoist.run(config(tmp_path, **removing), transport=transport).removed == 1
    assert emu.company_by_company_id("c0") is None
    warehouse(tmp_path, ["c0", "c1"], users)
    back = hoist.run(config(tmp_path, **removing), transport=transport)
    assert (back.created, back.contacts_attached, back.without_contacts) == (1, 1, 1)
    company = emu.company_by_company_id("c0")
    assert company is not None
    assert company["user_count"] == 1


def test_a_project_activation_attaches_the_contacts_of_a_segment(tmp_path: Path) -> None:
    """In a project, `contacts.model: {segment: NAME}` attaches only the segment's contacts."""
    emu = Emulator()
    for uid in ("u1", "u2"):
        emu.seed_contact(external_id=uid)
    warehouse(tmp_path, ["c0", "c1"], [("c0", "u1", True), ("c1", "u2", False)])
    project = {
        "destinations": {"emu": {"access_token": "${INTERCOM_T}", "base_url": "http://127.0.0.1"}},
        "sources": {"warehouse": {"path": "warehouse.duckdb"}},
        "segments": {
            "active": {
                "source": "warehouse",
                "from": "users",
                "where": {"column": "active", "op": "is_true"},
            }
        },
    }
    activation = {
        "source": "warehouse",
        "destination": "emu",
        "model": {"table": "companies"},
        "sync": {"company_id": "id", "mapping": {"name": "name"}},
        "contacts": {
            "model": {"segment": "active"},
            "company_id": "account_id",
            "match": "external_id",
            "column": "uid",
        },
    }
    (tmp_path / "hoist.yml").write_text(yaml.safe_dump(project))
    (tmp_path / "activations").mkdir()
    (tmp_path / "activations" / "people.yml").write_text(yaml.safe_dump(activation))
    config = load_project(tmp_path, environ={"INTERCOM_T": "t"}).activations["people"]
    report = hoist.run(config, transport=asgi_transport(emu))
    assert (report.contacts_attached, report.without_contacts) == (1, 1)
    counts = {c["company_id"]: c["user_count"] for c in emu.companies()}
    assert counts == {"c0": 1, "c1": 0}


def test_a_company_verify_recreates_gets_its_contacts_on_the_next_run(tmp_path: Path) -> None:
    """A company deleted in Intercom and re-created by `verify --repair` is attached again."""
    emu = Emulator()
    emu.seed_contact(external_id="u1")
    transport = asgi_transport(emu)
    warehouse(tmp_path, ["c0"], [("c0", "u1", True)])
    hoist.run(config(tmp_path), transport=transport)
    emu.delete_company("c0")  # out of band: its contact is detached with it
    repaired = verify(config(tmp_path), repair=True, transport=transport)
    assert repaired.missing == ("c0",)
    again = hoist.run(config(tmp_path), transport=transport)
    assert (again.contacts_attached, again.without_contacts) == (1, 0)
