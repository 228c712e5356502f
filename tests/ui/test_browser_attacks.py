"""The attacks that need a real browser, in Chromium: a page on another port of 127.0.0.1
forging the CSRF cookie and auto-posting "Run now", and a foreign host name resolving to
127.0.0.1 (DNS rebinding, simulated with Chromium's host resolver rules). Every server reached
is one this test starts on loopback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, sync_playwright

from hoist.emulator.testing import EmulatorHandle
from tests.harness.probe import Answer, running_probe
from tests.harness.ui import CHROMIUM, TOKEN_VARIABLE, RunningUi

pytestmark = pytest.mark.ui

#: What the attacker's page writes into the cookies of 127.0.0.1 and posts as the token.
FORGED = "forged" + "F" * 37


def attack_page(target: str) -> str:
    """An attacker's page: set the UI's cookies (cookies ignore ports) and auto-post a form."""
    return f"""<!doctype html><html><body>
<form id="attack" method="post" action="{target}">
  <input type="hidden" name="csrf" value="{FORGED}">
</form>
<script>
  document.cookie = "hoist_csrf={FORGED}; path=/";
  document.cookie = "hoist_session={FORGED}; path=/";
  document.getElementById("attack").submit();
</script>
</body></html>"""


def sync_everyone(project: Path, emulator: EmulatorHandle) -> None:
    """A destination (the emulator) and an activation `all` that would create 40 companies."""
    hoist_yml = project / "hoist.yml"
    document = yaml.safe_load(hoist_yml.read_text())
    document["destinations"] = {
        "intercom": {"access_token": f"${{{TOKEN_VARIABLE}}}", "base_url": emulator.base_url}
    }
    hoist_yml.write_text(yaml.safe_dump(document))
    activation = {
        "source": "warehouse",
        "destination": "intercom",
        "model": {"table": "analytics.companies"},
        "sync": {"company_id": "account_id", "mapping": {"name": "account_name"}},
    }
    (project / "activations").mkdir()
    (project / "activations" / "all.yml").write_text(yaml.safe_dump(activation))


def test_a_page_on_another_port_cannot_press_run_now(
    ui: RunningUi, project: Path, emulator: EmulatorHandle, page: Page
) -> None:
    """A page served on another port of 127.0.0.1 sets the UI's cookie (cookies ignore ports;
    the browser has none of the UI's yet, so nothing stops it) and posts "Run now" with the
    matching token: refused, and nothing reaches Intercom."""
    sync_everyone(project, emulator)
    target = f"{ui.url}/activations/all/run"
    with running_probe({"/attack": Answer(200, attack_page(target))}) as attacker:
        assert attacker.url != ui.url  # same host, another port: the same site for cookies
        with page.expect_response(target) as posted:
            page.goto(f"{attacker.url}/attack")
        answer = posted.value
    assert answer.status == 403
    assert "a form must be sent by a page of the UI" in page.content()
    assert emulator.emulator.request_count("POST", "/companies") == 0
    assert not (project / ".hoist" / "all.duckdb").exists()


def test_a_foreign_host_name_resolving_to_loopback_gets_nothing(ui: RunningUi) -> None:
    """A page opened as http://rebind.test:PORT (a name resolving to 127.0.0.1) gets 421 and
    no page, so a rebinding site can read neither the forms nor their CSRF token; the same
    browser by 127.0.0.1 gets the page."""
    port = ui.url.rsplit(":", 1)[1]
    args = ["--host-resolver-rules=MAP rebind.test 127.0.0.1"]
    args += ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        try:
            page = browser.new_page()
            foreign = page.goto(f"http://rebind.test:{port}/destinations/new")
            assert foreign is not None
            assert foreign.status == 421
            assert 'name="csrf"' not in page.content()
            own = page.goto(f"{ui.url}/destinations/new")
            assert own is not None
            assert own.status == 200
            assert 'name="csrf"' in page.content()
        finally:
            browser.close()
