"""The contact counts of a run report: in --json, in the summary, and in the run history."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hoist.report import Outcome, render_history, render_report, summarise
from hoist.state import StateStore


def report_of(
    without: int = 0, attached: int = 0, not_found: int = 0, configured: bool = False
) -> str:
    """The console summary of a run with these contact counts."""
    outcome = Outcome(
        insert=True,
        unchanged=0,
        without_contacts=without,
        contacts_attached=attached,
        contacts_not_found=not_found,
        contacts_configured=configured,
    )
    return render_report(
        summarise(outcome, run_id="r", activation="a", dry_run=False, duration_s=1)
    )


def test_the_summary_explains_companies_without_contacts() -> None:
    """With companies lacking contacts the summary counts them and says why it matters."""
    text = report_of(without=12)
    assert re.search(r"^  without contacts +12$", text, re.M)
    assert "12 companies have no contact attached, so Intercom hides them" in text
    assert "contacts attached" not in text
    assert "the `contacts:` key attaches contacts" in text


def test_the_summary_shows_contact_counts_when_there_are_any() -> None:
    """Attached and not found contacts are shown, under the names of their JSON keys."""
    text = report_of(attached=130, not_found=20)
    assert re.search(r"^  contacts attached +130$", text, re.M)
    assert re.search(r"^  contacts not found +20$", text, re.M)
    assert "have no contact attached" not in text


def test_the_hint_to_add_contacts_is_left_out_when_contacts_are_configured() -> None:
    """With a `contacts:` key already, companies without contacts are counted, not hinted at."""
    text = report_of(without=12, configured=True)

    assert "12 companies have no contact attached" in text
    assert "`contacts:`" not in text


def test_a_plan_sample_says_how_much_of_it_is_shown() -> None:
    """A plan's sample of 20 changes shows 10 and says --json shows all 20."""
    from hoist.report import PlannedChange

    sample = tuple(
        PlannedChange(f"c{i}", "create", {"name": {"old": None, "new": f"C{i}"}}) for i in range(20)
    )
    outcome = Outcome(insert=True, unchanged=0, sample=sample)
    report = summarise(outcome, run_id="r", activation="a", dry_run=True, duration_s=1)

    text = render_report(report)

    assert "changes (a sample of 10; --json shows all 20):" in text
    assert "sample of 20" not in text
    assert len(report.to_json()["sample"]) == 20


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


def history_row(run_id: str, contacts: tuple[int | None, int | None, int | None]) -> dict[str, Any]:
    """A run as `StateStore.runs` returns it, with these three contact counts."""
    without, attached, not_found = contacts
    return {
        "run_id": run_id,
        "started_at": datetime.now(UTC),
        "status": "success",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "failed": 0,
        "api_calls": 3,
        "duration_s": 0.5,
        "without_contacts": without,
        "contacts_attached": attached,
        "contacts_not_found": not_found,
    }


def test_hoist_runs_shows_the_contact_counts_and_what_they_are() -> None:
    """The history has a column per contact count, "-" for runs before them, and a note."""
    runs = [history_row("new", (7, 130, 20)), history_row("old", (None, None, None))]
    header, new, old, note = render_history(runs).splitlines()
    assert header.split()[-4:] == ["no", "contact", "attached", "unknown"]
    assert new.split()[-3:] == ["7", "130", "20"]
    assert old.split()[-3:] == ["-", "-", "-"]
    assert "Intercom hides from its interface and lists" in note
