"""Contacts end to end: the real CLI attaches a contacts model and reports who has none."""

from __future__ import annotations

from typing import Any

import duckdb
import httpx
import yaml

from tests.harness.activation import Activation, company_rows

COMPANIES = 100
CONTACTS = 150


def unknown(i: int) -> bool:
    """Contacts 80-89 (the only contact of companies 80-89) and 140-149 are not in Intercom."""
    return 80 <= i < 90 or 140 <= i < 150


def email(i: int) -> str:
    """Contact i's email as the warehouse holds it (mixed case: Intercom's is lower case)."""
    return f"Person{i}@Example.com"


def company_of(i: int) -> str:
    """The company contact i belongs to: companies 0-49 have two contacts, 50-99 one."""
    return f"acct-{i % COMPANIES:04d}"


def write_users(activation: Activation, indexes: list[int]) -> None:
    """The contacts model: one row per contact, plus a duplicate and a row without email."""
    con = duckdb.connect(str(activation.warehouse))
    con.execute("CREATE SCHEMA IF NOT EXISTS analytics")
    con.execute("CREATE OR REPLACE TABLE analytics.users (account_id VARCHAR, email VARCHAR)")
    rows: list[tuple[str, str | None]] = [(company_of(i), email(i)) for i in indexes]
    rows += [rows[0], (company_of(1), None)] if rows else []
    if rows:
        con.executemany("INSERT INTO analytics.users VALUES (?, ?)", rows)
    con.close()


def configure_contacts(activation: Activation, **extra: Any) -> None:
    """Add the `contacts:` section to the activation file."""
    document = yaml.safe_load(activation.file.read_text())
    document["contacts"] = {
        "model": {"sql": "select account_id, email from analytics.users"},
        "company_id": "account_id",
        "match": "email",
        "column": "email",
        **extra,
    }
    activation.file.write_text(yaml.safe_dump(document, sort_keys=False))


def contact_calls(base_url: str, since: int = 0) -> list[dict[str, Any]]:
    """The `/contacts...` calls in the emulator's request log, read over HTTP."""
    log: list[dict[str, Any]] = httpx.get(f"{base_url}/_emulator/requests").json()
    return [r for r in log[since:] if r["path"].startswith("/contacts")]


def set_up(activation: Activation, emulator: Any, **extra: Any) -> None:
    """100 companies, 150 contacts of which 130 exist in Intercom."""
    activation.write_rows(company_rows(COMPANIES))
    write_users(activation, list(range(CONTACTS)))
    configure_contacts(activation, **extra)
    for i in range(CONTACTS):
        if not unknown(i):
            emulator.emulator.seed_contact(email=email(i).lower())


def user_counts(emulator: Any) -> dict[str, int]:
    """Each company's user_count as the emulator reports it."""
    return {c["company_id"]: c["user_count"] for c in emulator.emulator.companies()}


def test_one_run_attaches_known_contacts_and_reports_the_rest(
    activation: Activation, emulator: Any
) -> None:
    """After one run every company with a known contact has one; 20 unknown, 10 without."""
    set_up(activation, emulator)
    report = activation.run_json()
    assert (report["_exit"], report["status"], report["created"]) == (0, "success", 100)
    assert report["contacts_attached"] == 130
    assert report["contacts_not_found"] == 20
    counts = user_counts(emulator)
    no_known = {company_of(i) for i in range(80, 90)}
    assert {cid for cid, n in counts.items() if n == 0} == no_known
    assert all(n >= 1 for cid, n in counts.items() if cid not in no_known)
    assert report["without_contacts"] == len(no_known) == 10
    # Searches are batched: 15 emails per IN filter, never a contact created.
    searches = [r for r in contact_calls(emulator.base_url) if r["path"] == "/contacts/search"]
    assert len(searches) == 10
    assert all(len(r["json"]["query"]["value"]) <= 15 for r in searches)
    assert not [r for r in contact_calls(emulator.base_url) if r["path"] == "/contacts"]


def test_a_second_run_makes_no_contact_call(activation: Activation, emulator: Any) -> None:
    """Attached and not-found pairs are remembered: run two sends nothing to /contacts."""
    set_up(activation, emulator)
    activation.run_json()
    before = len(httpx.get(f"{emulator.base_url}/_emulator/requests").json())
    report = activation.run_json()
    assert contact_calls(emulator.base_url, before) == []
    assert (report["contacts_attached"], report["contacts_not_found"]) == (0, 20)
    assert report["without_contacts"] == 10


def test_plan_and_summary_show_companies_without_contacts(
    activation: Activation, emulator: Any
) -> None:
    """`hoist plan` and the run summary show without_contacts with a line saying why."""
    activation.write_rows(company_rows(5))
    activation.run_json()
    plan = activation.run_json("plan")
    assert plan["without_contacts"] == 5
    summary = activation.hoist("plan").stdout
    assert "without contacts" in summary
    assert "5 companies have no contact attached" in summary
    assert "Intercom hides them" in summary


def test_removed_pairs_are_detached_only_when_asked(activation: Activation, emulator: Any) -> None:
    """Pairs leaving the model stay attached by default; `on_removal: detach` detaches them."""
    set_up(activation, emulator)
    activation.run_json()
    write_users(activation, list(range(50, CONTACTS)))  # contacts 0-49 leave the model
    before = len(httpx.get(f"{emulator.base_url}/_emulator/requests").json())
    activation.run_json()
    assert contact_calls(emulator.base_url, before) == []
    assert user_counts(emulator)["acct-0010"] == 2
    configure_contacts(activation, on_removal="detach")
    report = activation.run_json()
    detaches = [r for r in contact_calls(emulator.base_url) if r["method"] == "DELETE"]
    assert len(detaches) == 50
    assert user_counts(emulator)["acct-0010"] == 1  # contact 110 stays
    assert report["status"] == "success"


def test_a_missing_contacts_column_is_a_config_error(activation: Activation, emulator: Any) -> None:
    """A contacts.column the contacts model lacks stops the run, naming the key."""
    activation.write_rows(company_rows(3))
    write_users(activation, [0, 1])
    configure_contacts(activation, column="mail")
    done = activation.hoist("run")
    assert done.returncode != 0
    assert "contacts.column" in done.stderr
    assert "'mail'" in done.stderr
