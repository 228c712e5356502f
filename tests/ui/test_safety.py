"""The UI's safety: a password beyond loopback, CSRF on every form, the token never shown or
written, and a file changed on disk never overwritten blindly."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page, expect
from starlette.routing import Route

from hoist.emulator.testing import EmulatorHandle
from hoist.ui.security import check_bind, is_loopback
from tests.harness.cli import HOIST
from tests.harness.ui import TOKEN, TOKEN_VARIABLE, RunningUi, start_ui

pytestmark = pytest.mark.ui


def csrf_of(client: httpx.Client, path: str) -> tuple[str, str]:
    """The CSRF token and file fingerprint a page of the UI gives its forms."""
    html = client.get(path).text
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    expected = re.search(r'name="expected" value="([^"]+)"', html)
    assert token is not None
    return token.group(1), expected.group(1) if expected else ""


def test_serve_refuses_to_listen_beyond_loopback_without_a_password(project: Path) -> None:
    """`hoist serve --host 0.0.0.0` without --password / HOIST_UI_PASSWORD exits with status 2."""
    env = {k: v for k, v in os.environ.items() if k != "HOIST_UI_PASSWORD"}
    done = subprocess.run(
        [HOIST, "serve", "--host", "0.0.0.0", "--project", str(project)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--password or HOIST_UI_PASSWORD" in done.stderr


def test_only_loopback_hosts_go_without_a_password() -> None:
    """127.x, ::1 and localhost need no password; any other address or name does."""
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.4", "::", "example.com"))
    check_bind("0.0.0.0", "a password")
    with pytest.raises(Exception, match="HOIST_UI_PASSWORD"):
        check_bind("0.0.0.0", None)


def test_with_a_password_every_page_asks_for_it(project: Path, browser: Browser) -> None:
    """With a password, a request without it (or with a wrong one) gets 401; the browser with
    it sees the pages."""
    server, thread = start_ui(project, password="s3cret pass")
    url = f"http://127.0.0.1:{server.port}"
    try:
        refused = httpx.get(f"{url}/destinations")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert httpx.get(f"{url}/static/hoist.css", auth=("me", "wrong")).status_code == 401
        assert httpx.get(f"{url}/destinations", auth=("me", "s3cret pass")).status_code == 200
        context = browser.new_context(
            http_credentials={"username": "me", "password": "s3cret pass"}
        )
        page = context.new_page()
        page.goto(f"{url}/destinations")
        expect(page.locator("h1")).to_have_text("Destinations")
        context.close()
    finally:
        server.server.should_exit = True
        thread.join(timeout=60)


def test_every_form_refuses_a_post_without_its_csrf_token(ui: RunningUi, project: Path) -> None:
    """Each POST route of the app answers 403 without the token or with a wrong one, and
    changes nothing."""
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    posts = [
        r.path.replace("{name}", "x")
        for r in ui.server.app.routes
        if isinstance(r, Route) and r.methods and "POST" in r.methods
    ]
    assert len(posts) >= 9
    with httpx.Client(base_url=ui.url, headers={"Origin": ui.url}) as client:
        token, expected = csrf_of(client, "/destinations/new")  # the browser's cookie is set
        form = {"name": "evil", "token_env": "X", "region": "us", "expected": expected}
        for path in posts:
            assert client.post(path, data=form).status_code == 403, path
            wrong = {**form, "csrf": token[::-1]}
            assert client.post(path, data=wrong).status_code == 403, path
        assert client.post("/destinations/save", data={**form, "csrf": token}).status_code == 303
    assert "evil" in (project / "hoist.yml").read_text()
    del before[project / "hoist.yml"]
    assert all(p.read_bytes() == data for p, data in before.items())


def test_a_token_never_reaches_a_page_or_a_project_file(
    ui: RunningUi, project: Path, emulator: EmulatorHandle
) -> None:
    """Through the whole workflow no page, fragment or file holds the token's value."""
    seen: list[str] = []
    with httpx.Client(base_url=ui.url, follow_redirects=True, headers={"Origin": ui.url}) as client:
        token, expected = csrf_of(client, "/destinations/new")
        destination = {
            "csrf": token,
            "name": "intercom",
            "region": "us",
            "token_env": TOKEN_VARIABLE,
            "base_url": emulator.base_url,
            "expected": expected,
        }
        seen.append(client.post("/destinations/test", data=destination).text)
        assert "Connected" in seen[-1]
        seen.append(client.post("/destinations/save", data=destination).text)
        write_activation(project)
        for path in ("/activations/all/preview", "/activations/all/run"):
            seen.append(client.post(path, data={"csrf": token}).text)
        for path in pages(client):
            seen.append(client.get(path).text)
    assert len(seen) > 10
    assert not [text for text in seen if TOKEN in text]
    files = [p for p in project.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" and ".hoist" in p.parts for p in files)
    assert not [p for p in files if TOKEN.encode() in p.read_bytes()]


def write_activation(project: Path) -> None:
    """An activation `all` of every company, written as a team would in Git."""
    activation = {
        "source": "warehouse",
        "destination": "intercom",
        "model": {"table": "analytics.companies"},
        "sync": {"company_id": "account_id", "mapping": {"name": "account_name"}},
    }
    (project / "activations").mkdir(exist_ok=True)
    (project / "activations" / "all.yml").write_text(yaml.safe_dump(activation))


def pages(client: httpx.Client) -> list[str]:
    """Every page reachable from the home page by links (once the run above has ended)."""
    client.get("/activations/all/run")
    found, queue = set(), ["/activations", "/destinations", "/segments"]
    while queue:
        path = queue.pop()
        if path in found:
            continue
        found.add(path)
        html = client.get(path).text
        queue += [p for p in re.findall(r'href="(/[^"#]*)"', html) if not p.startswith("/static")]
    return sorted(found)


def test_a_file_changed_on_disk_is_not_overwritten_blindly(
    ui: RunningUi, project: Path, page: Page, shots: Path
) -> None:
    """A save whose file changed since the page opened asks first; "overwrite" then saves."""
    hoist_yml = project / "hoist.yml"
    page.goto(f"{ui.url}/destinations/new")
    page.get_by_label("Name", exact=True).fill("intercom")
    page.get_by_label("Token variable").fill(TOKEN_VARIABLE)
    hoist_yml.write_text(hoist_yml.read_text() + "# edited by hand meanwhile\n")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#conflict")).to_contain_text("hoist.yml changed on disk")
    assert "intercom" not in hoist_yml.read_text()
    page.screenshot(path=shots / "conflict.png", full_page=True)
    page.get_by_role("button", name="Overwrite with my version").click()
    expect(page).to_have_url(f"{ui.url}/destinations?saved=hoist.yml")
    saved = hoist_yml.read_text()
    assert "# edited by hand meanwhile" in saved
    assert yaml.safe_load(saved)["destinations"]["intercom"]["access_token"] == (
        f"${{{TOKEN_VARIABLE}}}"
    )


def free_port() -> int:
    """A port nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_hoist_serve_serves_the_ui_until_sigterm(project: Path) -> None:
    """The real `hoist serve` answers on 127.0.0.1:PORT and exits 0 on SIGTERM."""
    import signal
    import time

    port = free_port()
    process = subprocess.Popen(
        [HOIST, "serve", "--project", str(project), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/segments", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "hoist serve did not start"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert "New segment" in answer.text
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out
