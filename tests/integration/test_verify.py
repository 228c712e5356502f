"""`hoist.verify`: drift found by reading Intercom back, and repaired, against the emulator app."""

from __future__ import annotations

import shutil
import time
from copy import deepcopy
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

import hoist
from hoist.config import parse_activation
from hoist.emulator import Emulator, EmulatorConfig, create_app
from hoist.emulator.testing import FakeClock
from hoist.errors import ConfigError
from hoist.verify import verify

TOKEN = "verify-token"


class Setup:
    """A warehouse, an activation and an in-process emulator, synced once."""

    def __init__(self, folder: Path, companies: int, *, insert: bool = True) -> None:
        self.folder = folder
        self.clock = FakeClock(time.time())
        self.emulator = Emulator(EmulatorConfig(token=TOKEN), clock=self.clock)
        self.transport = httpx.ASGITransport(app=create_app(self.emulator))
        self.model = {
            f"c{i:04d}": {"name": f"Company {i}", "size": i, "seats": i % 7, "tier": "gold"}
            for i in range(companies)
        }
        self.insert = insert
        self.write_model()
        if not insert:
            for company_id in self.model:
                self.emulator.seed_company(company_id=company_id)
        report = hoist.run(self.config(), transport=self.transport)
        assert report.status == "success", report

    def clone(self, folder: Path) -> Setup:
        """A copy in `folder`: same warehouse, state and workspace, its own emulator."""
        copy = object.__new__(Setup)
        copy.folder, copy.model, copy.insert = folder, dict(self.model), self.insert
        copy.emulator = Emulator(EmulatorConfig(token=TOKEN, app_id=self.emulator.app_id))
        with self.emulator.lock:
            copy.emulator.workspace = deepcopy(self.emulator.workspace)
        copy.transport = httpx.ASGITransport(app=create_app(copy.emulator))
        shutil.copy(self.folder / "warehouse.duckdb", folder / "warehouse.duckdb")
        shutil.copytree(self.folder / ".hoist", folder / ".hoist")
        return copy

    def write_model(self) -> None:
        """Write the model table from `self.model`."""
        con = duckdb.connect(str(self.folder / "warehouse.duckdb"))
        con.execute(
            "CREATE OR REPLACE TABLE companies "
            "(id VARCHAR, name VARCHAR, size BIGINT, seats BIGINT, tier VARCHAR)"
        )
        rows = [[cid, r["name"], r["size"], r["seats"], r["tier"]] for cid, r in self.model.items()]
        con.executemany("INSERT INTO companies VALUES (?, ?, ?, ?, ?)", rows)
        con.close()

    def config(self) -> hoist.ActivationConfig:
        """The activation: name and size mapped, seats and tier as custom attributes."""
        document = {
            "name": "verify",
            "source": {"type": "duckdb", "path": "warehouse.duckdb"},
            "model": {"table": "companies"},
            "destination": {"access_token": TOKEN, "base_url": "http://127.0.0.1"},
            "sync": {
                "insert": self.insert,
                "company_id": "id",
                "mapping": {"name": "name", "size": "size"},
                "custom_attributes": ["seats", "tier"],
            },
        }
        return parse_activation(document, file=self.folder / "activation.yml", environ={})

    def verify(self, **options: Any) -> hoist.verify.VerifyReport:
        """Verify through the in-process emulator."""
        return verify(self.config(), transport=self.transport, **options)

    def intercom_equals_model(self) -> bool:
        """Whether every model company holds exactly its mapped values in Intercom."""
        held = {c["company_id"]: c for c in self.emulator.companies()}
        for company_id, row in self.model.items():
            company = held.get(company_id)
            if company is None:
                return False
            values = {
                "name": company.get("name"),
                "size": company.get("size"),
                **company["custom_attributes"],
            }
            if values != row:
                return False
        return True

    def writes_since(self, before: int) -> int:
        """Company writes the emulator received after request number `before`."""
        return sum(
            1
            for r in self.emulator.requests()[before:]
            if r.method in ("POST", "PUT") and r.path.startswith("/companies")
        )


@pytest.fixture(scope="module")
def synced_once(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    """1,000 companies synced with insert mode on, once per module (a run takes seconds)."""
    return Setup(tmp_path_factory.mktemp("synced"), 1000)


@pytest.fixture
def synced(synced_once: Setup, tmp_path: Path) -> Setup:
    """A private copy of the 1,000 synced companies: warehouse, state and workspace."""
    return synced_once.clone(tmp_path)


def test_nothing_drifted_after_a_run(synced: Setup) -> None:
    """Right after a run, verify reads every company back and finds nothing to report."""
    report = synced.verify()
    assert (report.checked, report.verified, report.drifted, report.missing) == (1000, 1000, (), ())
    assert report.clean


def test_edits_and_deletes_are_found_with_the_scroll(synced: Setup) -> None:
    """5 edited and 3 deleted of 1,000 are found by one scroll: about 10 calls, plus `GET /me`."""
    emu = synced.emulator
    for i in range(5):
        emu.edit_company(f"c{i:04d}", name="Edited in the UI")
    emu.edit_company("c0001", custom_attributes={"tier": None})
    for i in (100, 200, 300):
        emu.delete_company(f"c{i:04d}")
    before = len(emu.requests())

    report = synced.verify()

    calls = emu.requests()[before:]
    assert sorted({c.path for c in calls}) == ["/companies/scroll", "/me"]
    assert report.api_calls == len(calls) <= 12
    assert report.missing == ("c0100", "c0200", "c0300")
    assert {d.company_id for d in report.drifted} == {f"c{i:04d}" for i in range(5)}
    tier = [d for d in report.drifted if d.attribute == "custom_attributes.tier"]
    assert [(d.company_id, d.delivered, d.intercom) for d in tier] == [("c0001", "gold", None)]
    assert report.verified == 1000 - 5 - 3
    assert not report.clean


def test_repair_sends_exactly_the_drifted_and_missing(synced: Setup) -> None:
    """`--repair` makes 5 + 3 writes carrying only drifted attributes; Intercom equals the model."""
    emu = synced.emulator
    for i in range(5):
        emu.edit_company(f"c{i:04d}", name="Edited", size=99999)
    for i in (100, 200, 300):
        emu.delete_company(f"c{i:04d}")
    before = len(emu.requests())

    report = synced.verify(repair=True)

    assert report.clean
    assert (report.writes, synced.writes_since(before)) == (8, 8)
    bodies = [r.json for r in emu.requests()[before:] if r.method == "POST"]
    edited = [b for b in bodies if b["company_id"] == "c0002"]
    assert edited == [{"company_id": "c0002", "name": "Company 2", "size": 2}]
    assert synced.intercom_equals_model()
    again = synced.verify()
    assert (again.drifted, again.missing, again.verified) == ((), (), 1000)


def test_a_run_after_repair_sends_nothing(synced: Setup) -> None:
    """State keeps what it had, with new ids for re-created companies: the next run is a no-op."""
    synced.emulator.delete_company("c0007")
    synced.emulator.edit_company("c0008", size=1)
    synced.verify(repair=True)
    before = len(synced.emulator.requests())
    report = hoist.run(synced.config(), transport=synced.transport)
    assert (report.unchanged, report.created, report.updated) == (1000, 0, 0)
    assert synced.writes_since(before) == 0


def test_sample_looks_up_n_random_companies(synced: Setup) -> None:
    """`--sample 20` looks up 20 companies by company_id, and finds a drift among them."""
    for i in range(1000):
        if i % 2:
            synced.emulator.edit_company(f"c{i:04d}", name="x")
    before = len(synced.emulator.requests())
    report = synced.verify(sample=20)
    lookups = [r for r in synced.emulator.requests()[before:] if r.path == "/companies"]
    assert report.checked == len(lookups) == 20
    assert report.method == "sample"
    assert report.verified + len({d.company_id for d in report.drifted}) == 20
    assert all(d.attribute == "name" and d.intercom == "x" for d in report.drifted)


def test_update_only_reports_missing_and_does_not_create(tmp_path: Path) -> None:
    """With insert off, `--repair` fixes edits by id, creates nothing and reports the missing."""
    setup = Setup(tmp_path, 20, insert=False)
    setup.emulator.edit_company("c0003", name="Edited")
    setup.emulator.delete_company("c0004")
    # The run's existence check left its scroll open; one scroll per app, 60 s idle expiry
    # (NOTES §1.7): let it expire rather than wait.
    setup.clock.advance(61)
    before = len(setup.emulator.requests())

    report = setup.verify(repair=True)

    assert not report.clean
    assert report.repaired == ("c0003",)
    assert [(e.company_id, e.code) for e in report.not_repaired] == [("c0004", "not_in_intercom")]
    sent = [r for r in setup.emulator.requests()[before:] if r.method in ("POST", "PUT")]
    assert [(r.method, r.json) for r in sent] == [("PUT", {"name": "Company 3"})]
    assert setup.emulator.company_by_company_id("c0004") is None


def test_a_sample_must_be_positive(synced: Setup) -> None:
    """`sample=0` is a config error naming the option, before any call."""
    before = len(synced.emulator.requests())
    with pytest.raises(ConfigError, match="--sample"):
        synced.verify(sample=0)
    assert len(synced.emulator.requests()) == before


def test_nothing_delivered_reads_nothing(tmp_path: Path) -> None:
    """With no state yet, verify checks the workspace and reads no company."""
    emulator = Emulator(EmulatorConfig(token=TOKEN))
    emulator.seed_company(company_id="someone-else")
    setup = object.__new__(Setup)
    setup.folder, setup.insert, setup.emulator = tmp_path, True, emulator
    setup.transport = httpx.ASGITransport(app=create_app(emulator))
    report = setup.verify()
    assert (report.checked, report.api_calls, report.clean) == (0, 1, True)
    assert [r.path for r in emulator.requests()] == ["/me"]
