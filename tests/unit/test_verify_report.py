"""The verify report: its JSON keys, when it counts as clean, and the console summary."""

from __future__ import annotations

from typing import Any

from hoist.compare import Drift
from hoist.report import RecordIssue
from hoist.verify.verify_report import VerifyReport, render_verify


def report(**changes: Any) -> VerifyReport:
    """A report of 10 checked companies; `changes` override fields."""
    base: dict[str, Any] = {
        "activation": "acme",
        "method": "scroll",
        "checked": 10,
        "verified": 10,
        "drifted": (),
        "missing": (),
        "api_calls": 2,
    }
    return VerifyReport(**(base | changes))


DRIFT = Drift("c1", "name", "Acme", "Acme Inc")


def test_json_has_the_keys_the_issue_names() -> None:
    """`--json` carries `verified`, `drifted` entries, `missing` and `api_calls`."""
    data = report(verified=8, drifted=(DRIFT,), missing=("c9",)).to_json()
    assert data["verified"] == 8
    assert data["drifted"] == [
        {"company_id": "c1", "attribute": "name", "delivered": "Acme", "intercom": "Acme Inc"}
    ]
    assert data["missing"] == ["c9"]
    assert data["api_calls"] == 2


def test_clean_only_without_drift_or_with_everything_repaired() -> None:
    """Drift or missing companies are clean only after a repair that fixed all of them."""
    assert report().clean
    assert not report(drifted=(DRIFT,)).clean
    assert not report(missing=("c9",)).clean
    assert report(drifted=(DRIFT,), repair=True, repaired=("c1",)).clean
    failed = (RecordIssue("c9", "not_in_intercom", "insert mode is off"),)
    assert not report(missing=("c9",), repair=True, not_repaired=failed).clean


def test_console_caps_long_lists_and_suggests_repair() -> None:
    """The summary shows ten drifts, counts the rest, and points to `--repair`."""
    drifts = tuple(Drift(f"c{i}", "size", i, i + 1) for i in range(15))
    text = render_verify(report(verified=0, drifted=drifts))
    assert "c9  size: delivered 9, Intercom has 10" in text
    assert "c10  size" not in text
    assert "... and 5 more" in text
    assert "hoist verify --repair" in text
