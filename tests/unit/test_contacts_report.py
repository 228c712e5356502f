"""The contact counts of a run report: in --json, in the summary, and in the run history."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from hoist.report import Outcome, render_report, summarise
from hoist.state import StateStore


def report_of(without: int = 0, attached: int = 0, not_found: int = 0) -> str:
    """The console summary of a run with these contact counts."""
    outcome = Outcome(
        insert=True,
        unchanged=0,
        without_contacts=without,
        contacts_attached=attached,
        contacts_not_found=not_found,
    )
    return render_report(
        summarise(outcome, run_id="r", activation="a", dry_run=False, duration_s=1)
    )


def test_the_summary_explains_companies_without_contacts() -> None:
    """With companies lacking contacts the summary counts them and says why it matters."""
    text = report_of(without=12)
    assert re.search(r"^  without contacts +12$", text, re.M)
    assert "12 companies have no contact attached, so Intercom hides them" in text
    assert "contacts added" not in text


def test_the_summary_shows_contact_counts_when_there_are_any() -> None:
    """Attached and unknown contacts are shown once the activation attaches contacts."""
    text = report_of(attached=130, not_found=20)
    assert re.search(r"^  contacts added +130$", text, re.M)
    assert re.search(r"^  contacts unknown +20$", text, re.M)
    assert "have no contact attached" not in text


def test_json_and_history_carry_the_contact_counts(tmp_path: Path) -> None:
    """--json has the three fields under their names, and the run history keeps them."""
    outcome = Outcome(
        insert=True, unchanged=0, without_contacts=3, contacts_attached=4, contacts_not_found=5
    )
    report = summarise(outcome, run_id="r", activation="a", dry_run=False, duration_s=1)
    data = report.to_json()
    assert (data["without_contacts"], data["contacts_attached"], data["contacts_not_found"]) == (
        3,
        4,
        5,
    )
    now = datetime.now(UTC)
    with StateStore.open(tmp_path / "s.duckdb") as store:
        store.record_run(report, started_at=now, finished_at=now, insert=True)
        [run] = store.runs()
    assert (run["without_contacts"], run["contacts_attached"], run["contacts_not_found"]) == (
        3,
        4,
        5,
    )
