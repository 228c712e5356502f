"""First contact: what a write must still clear; bodies cut to their route; run warnings."""

from __future__ import annotations

from typing import Any

from hoist.company_attributes import for_update, not_clearable
from hoist.diff.changes import Change
from hoist.first_contact import clearing, held_texts, held_values
from hoist.pipeline.executor import request_body
from hoist.report import Outcome, render_report, summarise

#: A company as Intercom answers it: values a person typed, and the empty defaults.
COMPANY: dict[str, Any] = {
    "id": "abc",
    "company_id": "c1",
    "name": "Typed",
    "industry": "Retail",
    "monthly_spend": 0,
    "plan": {},
    "custom_attributes": {"tier": "bronze"},
}


def change(texts: dict[str, str], old: dict[str, Any] | None = None) -> Change:
    """A change of company c1, new to state unless `old` says what was delivered."""
    return Change("c1", None, old is None, texts, old or {})


def test_only_unsent_model_nulls_over_held_values_are_cleared() -> None:
    """A model null over a held value is cleared; sent values and Intercom's empties are not."""
    texts = {
        "name": '"Model"',
        "industry": "null",
        "website": "null",
        "monthly_spend": "null",
        "plan": "null",
        "custom_attributes.tier": "null",
    }
    assert held_values(change(texts), COMPANY) == {
        "industry": "Retail",
        "custom_attributes.tier": "bronze",
    }


def test_the_clearing_write_carries_exactly_the_nulls() -> None:
    """The follow-up write nulls what Intercom held, by the company's Intercom id."""
    follow_up = clearing(change({"industry": "null", "name": '"x"'}), COMPANY)
    assert follow_up is not None
    assert (follow_up.intercom_id, request_body(follow_up)) == ("abc", {"industry": None})


def test_nothing_to_clear_makes_no_write() -> None:
    """A new company (Intercom holds nothing) or a null already sent needs no second write."""
    empty = {"id": "n", "company_id": "c1", "monthly_spend": 0, "plan": {}}
    assert clearing(change({"industry": "null"}), empty) is None
    sent = change({"industry": "null"}, old={"industry": "Retail"})
    assert clearing(sent, COMPANY) is None


def test_held_texts_are_the_json_of_what_intercom_holds() -> None:
    """A lookup's company gives the JSON text of each held value, none for empty ones."""
    attributes = ["name", "industry", "monthly_spend", "plan", "custom_attributes.tier"]
    assert held_texts(COMPANY, attributes) == {
        "name": '"Typed"',
        "industry": '"Retail"',
        "custom_attributes.tier": '"bronze"',
    }


def test_update_bodies_keep_only_the_keys_put_takes() -> None:
    """A PUT body loses remote_created_at (and any key outside update_company_request)."""
    body = {"name": None, "remote_created_at": None, "custom_attributes": {"tier": None}}
    assert for_update(body) == {"name": None, "custom_attributes": {"tier": None}}
    attributes = ["remote_created_at", "name", "custom_attributes.remote_created_at"]
    assert not_clearable(attributes) == ["remote_created_at"]


def test_the_summary_prints_each_warning() -> None:
    """A run's warnings are in its console summary and its --json report."""
    outcome = Outcome(insert=True, unchanged=0, warnings=("remote_created_at cannot be cleared",))
    report = summarise(outcome, run_id="r", activation="a", dry_run=False, duration_s=1)
    assert "  warning: remote_created_at cannot be cleared" in render_report(report).splitlines()
    assert report.to_json()["warnings"] == ["remote_created_at cannot be cleared"]
    assert report.status == "success"
