"""The contacts stage through `hoist.run`/`hoist.plan` against the in-process emulator.

Faults the emulator cannot produce on its own (a failing search) come from a small transport
that wraps the emulator's; everything else is the real emulator.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pyarrow as pa
import pytest

import hoist
from hoist.config import ActivationConfig, ContactsConfig, ModelConfig, parse_activation
from hoist.emulator import Emulator
from hoist.emulator.testing import asgi_transport
from hoist.errors import ConfigError
from hoist.intercom import IntercomClient
from hoist.pipeline.contacts_stage import attach_contacts
from hoist.secret import Secret
from hoist.sql.contacts import ContactPairs
from hoist.state import StateStore


def warehouse(tmp_path: Path, companies: int, users: list[tuple[str, str]]) -> None:
    """Companies c0..c{n-1} and a users table of (account_id, key) rows."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute(
        "CREATE OR REPLACE TABLE companies AS "
        f"SELECT 'c' || i AS id, 'n' || i AS name FROM range({companies}) t(i)"
    )
    con.execute("CREATE OR REPLACE TABLE users (account_id VARCHAR, uid VARCHAR)")
    if users:
        con.executemany("INSERT INTO users VALUES (?, ?)", users)
    con.close()


def config(tmp_path: Path, **contacts: Any) -> ActivationConfig:
    """An activation over the warehouse, matching contacts by external_id unless told."""
    section = {
        "model": {"table": "users"},
        "company_id": "account_id",
        "match": "external_id",
        "column": "uid",
        **contacts,
    }
    return parse_activation(
        {
            "name": "contacts",
            "source": {"path": "warehouse.duckdb"},
            "model": {"table": "companies"},
            "destination": {"access_token": "t", "base_url": "http://127.0.0.1"},
            "sync": {"company_id": "id", "mapping": {"name": "name"}},
            "contacts": section,
        },
        file=tmp_path / "activation.yml",
        environ={},
    )


class Faulty(httpx.AsyncBaseTransport):
    """The emulator's transport, except that chosen calls answer with `status`.

    `call` is a regular expression over "METHOD /path", e.g. ``POST /contacts/search``.
    """

    def __init__(self, emulator: Emulator, call: str, status: int) -> None:
        self.inner = asgi_transport(emulator)
        self.call = re.compile(call)
        self.status = status

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.call.fullmatch(f"{request.method} {request.url.path}"):
            body = {"type": "error.list", "errors": [{"code": "boom", "message": "injected"}]}
            return httpx.Response(self.status, json=body)
        return await self.inner.handle_async_request(request)


def test_external_ids_match_exactly(tmp_path: Path) -> None:
    """By external_id, "U1" is not "u1": only the exact id is attached."""
    emu = Emulator()
    emu.seed_contact(external_id="u1")
    warehouse(tmp_path, 2, [("c0", "u1"), ("c1", "U1")])
    report = hoist.run(config(tmp_path), transport=asgi_transport(emu))
    assert (report.contacts_attached, report.contacts_not_found) == (1, 1)
    counts = {c["company_id"]: c["user_count"] for c in emu.companies()}
    assert counts == {"c0": 1, "c1": 0}
    assert report.without_contacts == 1


def test_an_attach_to_a_company_gone_from_intercom_is_a_contradiction_then_repaired(
    tmp_path: Path,
) -> None:
    """A company archived in Intercom refuses its attachment: the run is partial with a
    contradiction (not a failure to repeat every run), and the next run re-creates the company
    and attaches the contact."""
    emu = Emulator()
    emu.seed_contact(external_id="u1")
    warehouse(tmp_path, 1, [])
    hoist.run(config(tmp_path), transport=asgi_transport(emu))
    emu.run(lambda ws: ws.delete(ws.by_company_id["c0"]))
    warehouse(tmp_path, 1, [("c0", "u1")])
    report = hoist.run(config(tmp_path), transport=asgi_transport(emu))
    assert report.status == "partial"
    assert report.errors == ()
    assert any("c0 is gone from Intercom" in c for c in report.contradictions)
    again = hoist.run(config(tmp_path), transport=asgi_transport(emu))
    attaches = [
        r
        for r in emu.requests()
        if r.path.startswith("/contacts/") and r.path.endswith("/companies")
    ]
    assert len(attaches) == 2  # the refused attachment, then the one to the re-created company
    assert (again.status, again.created, again.contacts_attached) == ("success", 1, 1)


def test_a_failing_search_leaves_the_pairs_for_the_next_run(tmp_path: Path) -> None:
    """A search that keeps failing reports its pairs as failed and remembers none of them."""
    emu = Emulator()
    emu.seed_contact(external_id="u1")
    warehouse(tmp_path, 1, [("c0", "u1")])
    faulty = Faulty(emu, "POST /contacts/search", 503)
    report = hoist.run(config(tmp_path), transport=faulty)
    assert (report.status, report.failed, report.contacts_not_found) == ("partial", 1, 0)
    report = hoist.run(config(tmp_path), transport=asgi_transport(emu))
    assert (report.status, report.contacts_attached) == ("success", 1)


def test_a_revoked_token_during_contacts_stops_the_run(tmp_path: Path) -> None:
    """A 401 on a contact call stops the run as failed, with the companies already recorded."""
    emu = Emulator()
    warehouse(tmp_path, 2, [("c0", "u1")])
    faulty = Faulty(emu, "POST /contacts/search", 401)
    with pytest.raises(hoist.FatalDestinationError):
        hoist.run(config(tmp_path), transport=faulty)
    with StateStore.open(config(tmp_path).state.path, read_only=True) as store:
        [last] = store.runs(limit=1)
    assert (last["status"], last["created"]) == ("failed", 2)


def test_plan_counts_the_pairs_a_run_would_search(tmp_path: Path) -> None:
    """`hoist.plan` counts pending pairs of delivered companies and makes no contact call."""
    emu = Emulator()
    warehouse(tmp_path, 3, [])
    hoist.run(config(tmp_path), transport=asgi_transport(emu))
    warehouse(tmp_path, 3, [("c0", "u1"), ("c1", "u2"), ("c9", "u3")])
    report = hoist.plan(config(tmp_path), transport=asgi_transport(emu))
    assert (report.contacts_attached, report.without_contacts) == (2, 3)
    assert emu.request_count(path_prefix="/contacts") == 0


def test_a_detach_of_a_link_already_gone_is_not_an_error(tmp_path: Path) -> None:
    """Detaching a pair whose contact was detached in Intercom meanwhile forgets it quietly."""
    emu = Emulator()
    contact = emu.seed_contact(external_id="u1")["id"]
    warehouse(tmp_path, 1, [("c0", "u1")])
    hoist.run(config(tmp_path), transport=asgi_transport(emu))
    company = emu.company_by_company_id("c0")["id"]  # type: ignore[index]
    emu.run(lambda ws: ws.contacts.detach(contact, company))
    warehouse(tmp_path, 1, [])
    report = hoist.run(config(tmp_path, on_removal="detach"), transport=asgi_transport(emu))
    assert (report.status, report.failed) == ("success", 0)
    again = hoist.run(config(tmp_path, on_removal="detach"), transport=asgi_transport(emu))
    assert emu.request_count("DELETE", "/contacts/") == 1
    assert again.status == "success"


def test_pairs_of_a_company_state_forgot_are_dropped_without_a_call(tmp_path: Path) -> None:
    """A remembered pair whose company state no longer knows is forgotten, not detached."""
    emu = Emulator()
    path = tmp_path / "state.duckdb"
    contacts = ContactsConfig(
        model=ModelConfig(table="users"),
        company_id="account_id",
        match="email",
        column="email",
        on_removal="detach",
    )

    async def go() -> int:
        async with IntercomClient(
            base_url="http://emulator", token=Secret("t"), transport=asgi_transport(emu)
        ) as client:
            with StateStore.open(path) as store:
                store.record_pairs([("gone", "a@x.io", "contact-1", datetime.now(UTC))])
                empty = pa.table(
                    {"account_id": pa.array([], pa.string()), "email": pa.array([], pa.string())}
                )
                pairs = ContactPairs.stage(
                    store.con,
                    empty.to_reader(),
                    company_column="account_id",
                    key_column="email",
                    match="email",
                )
                await attach_contacts(contacts, client, store, pairs, 4)
                return int(
                    store.con.execute("SELECT count(*) FROM state.contact_pairs").fetchall()[0][0]
                )

    assert asyncio.run(go()) == 0
    assert emu.requests() == []


def test_a_contacts_model_that_does_not_parse_names_its_key(tmp_path: Path) -> None:
    """A broken contacts.model.sql is a config error naming that key."""
    warehouse(tmp_path, 1, [])
    broken = config(tmp_path, model={"sql": "select from where"})
    with pytest.raises(ConfigError, match=r"contacts\.model\.sql"):
        hoist.run(broken, transport=asgi_transport(Emulator()))


def test_many_contacts_are_searched_15_at_a_time_and_detached_when_asked(tmp_path: Path) -> None:
    """40 contacts take 3 searches; with on_removal: detach, emptying the model detaches all."""
    emu = Emulator()
    users = [(f"c{i % 4}", f"u{i}") for i in range(40)]
    for _, uid in users:
        emu.seed_contact(external_id=uid)
    warehouse(tmp_path, 4, users)
    report = hoist.run(config(tmp_path), transport=asgi_transport(emu))
    assert (report.contacts_attached, report.without_contacts) == (40, 0)
    assert emu.request_count("POST", "/contacts/search") == 3
    warehouse(tmp_path, 4, [])
    report = hoist.run(config(tmp_path, on_removal="detach"), transport=asgi_transport(emu))
    assert report.without_contacts == 4
    assert {c["user_count"] for c in emu.companies()} == {0}


@pytest.mark.parametrize("fault", [r"POST /contacts/\w+/companies", r"DELETE /contacts/.*"])
def test_a_401_on_attach_or_detach_stops_the_run(tmp_path: Path, fault: str) -> None:
    """A 401 answering an attachment or a detachment fails the run and sends nothing more."""
    emu = Emulator()
    for uid in ("u1", "u2", "u3"):
        emu.seed_contact(external_id=uid)
    users = [("c0", "u1"), ("c0", "u2"), ("c0", "u3")]
    attaching = fault.startswith("POST")
    warehouse(tmp_path, 1, users)
    if not attaching:
        hoist.run(config(tmp_path), transport=asgi_transport(emu))
        warehouse(tmp_path, 1, [])
    before = emu.request_count(path_prefix="/contacts/")
    faulty = Faulty(emu, fault, 401)
    with pytest.raises(hoist.FatalDestinationError):
        hoist.run(config(tmp_path, on_removal="detach"), transport=faulty, concurrency=1)
    # The search (when attaching) reached the emulator; the first 401 stopped every other call.
    assert emu.request_count(path_prefix="/contacts/") - before == (1 if attaching else 0)
    with StateStore.open(config(tmp_path).state.path, read_only=True) as store:
        assert store.runs(limit=1)[0]["status"] == "failed"


def test_a_refused_detach_keeps_the_pair_for_the_next_run(tmp_path: Path) -> None:
    """A detachment that keeps failing is a record error; the pair is detached on a later run."""
    emu = Emulator()
    emu.seed_contact(external_id="u1")
    warehouse(tmp_path, 1, [("c0", "u1")])
    hoist.run(config(tmp_path), transport=asgi_transport(emu))
    warehouse(tmp_path, 1, [])
    faulty = Faulty(emu, "DELETE /contacts/.*", 503)
    report = hoist.run(config(tmp_path, on_removal="detach"), transport=faulty)
    assert (report.status, report.failed) == ("partial", 1)
    report = hoist.run(config(tmp_path, on_removal="detach"), transport=asgi_transport(emu))
    assert (report.status, report.without_contacts) == ("success", 1)
