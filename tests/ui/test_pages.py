"""The UI's routes in-process over ASGI, where the browser is not the point: every page
renders, forms save the YAML a team keeps, and the password guards every route."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import TOKEN, TOKEN_VARIABLE, ui_client


def csrf_of(client: httpx.Client, path: str) -> tuple[str, str]:
    """The CSRF token and file fingerprint the page at `path` gives its forms."""
    html = client.get(path).text
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    expected = re.search(r'name="expected" value="([^"]+)"', html)
    assert token is not None, path
    return token.group(1), expected.group(1) if expected else ""


def crawl(client: httpx.Client, start: str = "/") -> dict[str, int]:
    """Every page reachable by links from `start`: path -> status."""
    found: dict[str, int] = {}
    queue = [start]
    while queue:
        path = queue.pop()
        if path in found:
            continue
        answer = client.get(path, follow_redirects=True)
        found[path] = answer.status_code
        links = re.findall(r'href="(/[^"#?]*)"', answer.text)
        queue += [link for link in links if not link.startswith("/static")]
    return found


def test_every_page_linked_from_the_home_page_renders(client: httpx.Client) -> None:
    """From the home page, every linked page of a project holding only a source answers 200."""
    found = crawl(client)
    assert {"/", "/destinations", "/segments", "/activations"} <= set(found)
    assert {path: status for path, status in found.items() if status != 200} == {}


def test_a_destination_saved_from_its_form_lands_in_hoist_yml(
    client: httpx.Client, project: Path, emulator: EmulatorHandle
) -> None:
    """Saving the new-destination form writes it under `destinations:` of hoist.yml, keeps the
    team's comment, and stores the token's variable name, never its value."""
    token, expected = csrf_of(client, "/destinations/new")
    form = {
        "csrf": token,
        "name": "intercom",
        "region": "us",
        "token_env": TOKEN_VARIABLE,
        "base_url": emulator.base_url,
        "expected": expected,
    }
    saved = client.post("/destinations/save", data=form, follow_redirects=False)
    assert saved.status_code == 303
    text = (project / "hoist.yml").read_text(encoding="utf-8")
    assert "# The team's project; the UI must keep this comment." in text
    assert "intercom:" in text
    assert f"${{{TOKEN_VARIABLE}}}" in text
    assert TOKEN not in text
    assert "intercom" in client.get("/destinations").text


def test_an_unknown_activations_page_names_the_file_the_key_and_the_fix(
    client: httpx.Client, project: Path
) -> None:
    """A link to an activation the project does not hold shows why, in the file's and key's
    words, with the fix."""
    html = client.get("/activations/nothing-here").text
    assert str(project / "hoist.yml") in html
    assert "no activation named &#39;nothing-here&#39;" in html
    assert "add one under activations in hoist.yml" in html


def test_with_a_password_every_route_asks_for_it(project: Path) -> None:
    """With a password, pages and static files answer 401 without it or with a wrong one."""
    with ui_client(project, password="s3cret pass") as client:
        for path in ("/", "/destinations", "/segments/new", "/static/hoist.css"):
            assert client.get(path).status_code == 401, path
            assert client.get(path, auth=("me", "wrong")).status_code == 401, path
        assert client.get("/destinations", auth=("me", "s3cret pass")).status_code == 200
