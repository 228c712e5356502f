"""No false alarms: a full resync after a deletion succeeds, a contact of a deleted company does
not fail every run, `--recheck-missing` searches contacts again, hints name real commands."""

from __future__ import annotations

from pathlib import Path

import duckdb

import hoist
from hoist.emulator import Emulator
from hoist.emulator.testing import asgi_transport
from tests.harness.contacts_lifecycle import config, warehouse


def test_a_full_resync_after_a_deletion_in_intercom_is_a_success(tmp_path: Path) -> None:
    """A company deleted in Intercom and created again by `--full-resync` got every value: the
    run is a success, with no contradiction."""
    emu = Emulator()
    transport = asgi_transport(emu)
    warehouse(tmp_path, ["c0", "c1", "c2"], [])
    hoist.run(config(tmp_path, contacts=False), transport=transport)
    emu.delete_company("c1")

    report = hoist.run(config(tmp_path, contacts=False), transport=transport, full_resync=True)

    assert report.status == "success"
    assert report.contradictions == ()
    assert emu.company_by_company_id("c1") is not None


def test_a_contradiction_names_the_activation_file_in_its_hint(tmp_path: Path) -> None:
    """The hint of a contradiction names the commands with the activation's own file."""
    emu = Emulator()
    transport = asgi_transport(emu)
    warehouse(tmp_path, ["c0", "c1"], [])
    hoist.run(config(tmp_path, contacts=False), transport=transport)
    emu.delete_company("c1")
    _rename(tmp_path, [("c0", "C0"), ("c1", "C1 renamed")])  # c1 is sent: a new id comes back

    report = hoist.run(config(tmp_path, contacts=False), transport=transport)

    assert report.status == "partial"
    file = tmp_path / "activation.yml"
    assert report.message is not None
    assert f"`hoist verify {file} --repair`" in report.message
    assert f"`hoist run {file} --full-resync`" in report.message


def test_a_contact_of_a_company_deleted_in_intercom_fails_no_run(tmp_path: Path) -> None:
    """Attaching a contact to a company deleted in Intercom is a contradiction once: state
    forgets the company and its pairs, and the next run creates it and attaches its contacts."""
    emu = Emulator()
    transport = asgi_transport(emu)
    for uid in ("u1", "u2"):
        emu.seed_contact(external_id=uid)
    warehouse(tmp_path, ["c0"], [("c0", "u1", True)])
    hoist.run(config(tmp_path), transport=transport)
    emu.delete_company("c0")
    warehouse(tmp_path, ["c0"], [("c0", "u1", True), ("c0", "u2", True)])

    found_gone = hoist.run(config(tmp_path), transport=transport)
    recovered = hoist.run(config(tmp_path), transport=transport)

    assert found_gone.failed == 0
    assert any("c0 is gone from Intercom" in c for c in found_gone.contradictions)
    assert (recovered.status, recovered.created, recovered.contacts_attached) == ("success", 1, 2)
    again = hoist.run(config(tmp_path), transport=transport)
    assert (again.status, again.contacts_attached) == ("success", 0)


def test_recheck_missing_searches_contacts_not_found_again(tmp_path: Path) -> None:
    """A contact not found is searched again by `--recheck-missing` at once, not after 24 h."""
    emu = Emulator()
    transport = asgi_transport(emu)
    warehouse(tmp_path, ["c0"], [("c0", "u1", True)])
    first = hoist.run(config(tmp_path), transport=transport)
    emu.seed_contact(external_id="u1")

    later = hoist.run(config(tmp_path), transport=transport)
    rechecked = hoist.run(config(tmp_path), transport=transport, recheck_missing=True)

    assert (first.contacts_attached, first.contacts_not_found) == (0, 1)
    assert later.contacts_attached == 0
    assert (rechecked.contacts_attached, rechecked.contacts_not_found) == (1, 0)


def _rename(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    """Set the companies table to `rows` (id, name)."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("DELETE FROM companies")
    con.executemany("INSERT INTO companies VALUES (?, ?)", rows)
    con.close()
