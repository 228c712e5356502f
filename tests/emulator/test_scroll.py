"""`GET /companies/scroll`: pages of 100, one scroll per app, 60 s idle expiry."""

from __future__ import annotations

import httpx

from hoist.emulator import Emulator
from hoist.emulator.testing import FakeClock


def seed(emu: Emulator, n: int) -> None:
    """Create `n` companies directly."""
    for i in range(n):
        emu.seed_company(company_id=f"c{i:03}")


def test_scroll_pages_through_everything_then_closes(pair: tuple[httpx.Client, Emulator]) -> None:
    """Pages hold 100 companies; an empty page ends the scroll and frees the slot."""
    client, emu = pair
    seed(emu, 250)
    first = client.get("/companies/scroll").json()
    assert (first["type"], first["pages"], first["total_count"]) == ("list", None, None)
    sizes, param = [len(first["data"])], first["scroll_param"]
    while sizes[-1]:
        page = client.get("/companies/scroll", params={"scroll_param": param}).json()
        sizes.append(len(page["data"]))
    assert sizes == [100, 100, 50, 0]
    assert client.get("/companies/scroll").status_code == 200


def test_second_scroll_while_one_is_open_is_rejected(pair: tuple[httpx.Client, Emulator]) -> None:
    """Starting a scroll while another is open gives 400 scroll_exists."""
    client, emu = pair
    seed(emu, 1)
    client.get("/companies/scroll")
    response = client.get("/companies/scroll")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "scroll_exists"


def test_idle_scroll_expires_after_a_minute(
    pair: tuple[httpx.Client, Emulator], clock: FakeClock
) -> None:
    """A scroll unused for 60 s answers 404 not_found and a new scroll may start."""
    client, emu = pair
    seed(emu, 150)
    param = client.get("/companies/scroll").json()["scroll_param"]
    clock.advance(59)
    assert client.get("/companies/scroll", params={"scroll_param": param}).status_code == 200
    clock.advance(60)
    expired = client.get("/companies/scroll", params={"scroll_param": param})
    assert expired.status_code == 404
    assert expired.json()["errors"][0]["code"] == "not_found"
    assert client.get("/companies/scroll").status_code == 200


def test_unknown_scroll_param_is_not_found(client: httpx.Client) -> None:
    """A scroll_param that was never issued answers 404 not_found."""
    response = client.get("/companies/scroll", params={"scroll_param": "nope"})
    assert response.status_code == 404
