"""What the UI refuses before a page is built: foreign Host names, cross-origin forms, tokens
it did not issue, bodies over 1 MB; and the headers every answer carries. In-process over ASGI
with httpx: no browser is needed for these."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hoist.cli import main
from hoist.ui.guard import MAX_BODY, allowed_hosts
from hoist.ui.render import STATIC
from hoist.ui.security import FREE_FAILURES, SESSION_COOKIE, login_delay
from tests.harness.ui_asgi import URL, AsgiClient, in_process

TEMPLATES = Path(STATIC.parent) / "templates"  # type: ignore[attr-defined]


def token_of(client: AsgiClient, path: str = "/destinations/new") -> str:
    """The CSRF token a page of the UI gives its forms (its session cookie is now set)."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def new_destination(client: AsgiClient, token: str | None = None) -> dict[str, str]:
    """The form of a new destination as its page posts it (with `token` instead of the
    page's, if given)."""
    html = client.get("/destinations/new").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)
    expected = re.search(r'name="expected" value="([^"]+)"', html)
    assert csrf is not None
    assert expected is not None
    return {
        "csrf": csrf.group(1) if token is None else token,
        "expected": expected.group(1),
        "name": "intercom",
        "token_env": "INTERCOM_TOKEN",
        "region": "us",
    }


# -- Host ------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example:8600", "127.0.0.1.nip.io:8600", "127.0.0.1:9999"])
def test_a_foreign_host_name_gets_421(project: Path, host: str) -> None:
    """A page asked for under another name or port (DNS rebinding) is refused with 421."""
    with in_process(project) as client:
        answer = client.get("/destinations", headers={"Host": host})
        assert answer.status_code == 421
        assert "127.0.0.1:8600" in answer.text
        assert "csrf" not in answer.text


@pytest.mark.parametrize("base", [URL, "http://localhost:8600", "http://[::1]:8600"])
def test_loopback_names_with_the_port_are_answered(project: Path, base: str) -> None:
    """127.0.0.1, localhost and [::1] with the port listened on all reach the UI."""
    with in_process(project, base_url=base) as client:
        assert client.get("/destinations").status_code == 200


def test_allowed_host_adds_a_name_and_a_wider_bind_answers_only_its_own(project: Path) -> None:
    """--allowed-host names a proxy's host; bound to an address, that address and the allowed
    names are answered, loopback names are not."""
    with in_process(
        project, base_url="https://hoist.example.com", extra_hosts=("hoist.example.com",)
    ) as c:
        assert c.get("/destinations").status_code == 200
    with in_process(project, base_url="http://10.1.2.3:8600", host="10.1.2.3", password="pw") as c:
        assert c.get("/destinations", auth=("me", "pw")).status_code == 200
        assert c.get("/destinations", headers={"Host": "localhost:8600"}).status_code == 421
    assert allowed_hosts("::1", 80) >= {"[::1]", "localhost", "127.0.0.1:80"}


# -- Origin, CSRF, body ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:9999"},  # another port of this machine
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "null", "Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {},
    ],
)
def test_a_post_that_is_not_same_origin_gets_403(project: Path, headers: dict[str, str]) -> None:
    """A form from any other origin (or one that does not say) is refused, token or not."""
    with in_process(project) as client:
        form = new_destination(client)
        answer = client.post("/destinations/save", data=form, headers=headers)
        assert answer.status_code == 403
    assert "intercom" not in (project / "hoist.yml").read_text()


@pytest.mark.parametrize(
    "headers", [{"Origin": URL}, {"Origin": "null", "Sec-Fetch-Site": "same-origin"}]
)
def test_a_same_origin_post_with_the_issued_token_is_taken(
    project: Path, headers: dict[str, str]
) -> None:
    """The UI's own page posting its form is accepted (also when the browser hides Origin)."""
    with in_process(project) as client:
        form = new_destination(client)
        assert client.post("/destinations/save", data=form, headers=headers).status_code == 303
    assert "intercom" in (project / "hoist.yml").read_text()


def test_a_token_the_client_invents_is_refused(project: Path) -> None:
    """A cookie and a token made up together (what another port of 127.0.0.1 can set), or
    the token of another session, are refused; the token the server issued is taken."""
    with in_process(project) as client:
        issued = token_of(client)
        made_up = "A" * 43
        client.cookies.set(SESSION_COOKIE, made_up)
        client.cookies.set("hoist_csrf", made_up)  # the cookie the old double submit trusted
        origin = {"Origin": URL}
        for token in (made_up, issued):  # `issued` belongs to the session replaced above
            form = new_destination(client, token)
            assert client.post("/destinations/save", data=form, headers=origin).status_code == 403
            headed = {**origin, "X-CSRF-Token": token}
            assert client.post("/destinations/test", data=form, headers=headed).status_code == 403
        fresh = token_of(client, "/destinations/new")
        assert fresh != issued
        form = new_destination(client)
        assert form["csrf"] == fresh
        answer = client.post("/destinations/save", data=form, headers=origin)
        assert answer.status_code == 303


def test_a_body_over_1_mb_is_refused_before_it_is_read(project: Path) -> None:
    """413 for a declared or streamed body over 1 MB, with a valid token or without."""
    with in_process(project) as client:
        token = token_of(client)
        big = {**new_destination(client), "filler": "x" * MAX_BODY}
        answer = client.post("/destinations/save", data=big, headers={"Origin": URL})
        assert answer.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            yield f"csrf={token}&".encode()
            for _ in range(3):
                yield b"filler=" + b"x" * (MAX_BODY // 2) + b"&"

        streamed = client.post(
            "/destinations/save",
            content=chunks(),
            headers={"Origin": URL, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413
    assert "intercom" not in (project / "hoist.yml").read_text()


# -- headers ---------------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(project: Path) -> None:
    """Pages, static files and refusals carry a CSP without inline script, no framing, no
    MIME sniffing and no Referer."""
    with in_process(project) as client:
        answers = [
            client.get("/destinations"),
            client.get("/static/hoist.css"),
            client.post("/destinations/save", data={}),  # 403
            client.get("/", headers={"Host": "evil.example"}),  # 421
        ]
    for answer in answers:
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_no_template_holds_inline_script() -> None:
    """No template has an inline <script>, an on* handler, hx-on or a js: value: the CSP
    would block them; htmx is told not to evaluate anything."""
    texts = {file.name: file.read_text() for file in TEMPLATES.glob("*.html")}
    assert len(texts) > 10
    for name, text in texts.items():
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), name
        assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*)=", text), name
        assert "js:" not in text, name
        assert "style=" not in text, name
    assert '"allowEval": false' in texts["base.html"]
    assert '"includeIndicatorStyles": false' in texts["base.html"]


# -- password mode ---------------------------------------------------------------------------


def test_wrong_passwords_are_logged_and_slowed(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each wrong password is logged with the client; after 5 in a row the answers wait
    longer and longer; the right password still works and resets the count."""
    assert [login_delay(n) for n in range(1, FREE_FAILURES + 1)] == [0.0] * FREE_FAILURES
    delays = [login_delay(n) for n in (*range(FREE_FAILURES + 1, FREE_FAILURES + 12), 10**6)]
    assert delays == sorted(delays)
    assert delays[0] > 0
    assert delays[-1] > delays[0]
    caplog.set_level(logging.WARNING, logger="hoist.ui")
    with in_process(project, password="right") as client:
        for _ in range(FREE_FAILURES + 1):
            assert client.get("/destinations", auth=("me", "wrong")).status_code == 401
        assert client.get("/destinations", auth=("me", "right")).status_code == 200
    failures = [r.getMessage() for r in caplog.records if "wrong password" in r.getMessage()]
    assert len(failures) == FREE_FAILURES + 1
    assert "127.0.0.1" in failures[0]
    assert "answering in 0.0 s" in failures[0]
    assert f"({FREE_FAILURES + 1} in a row); answering in 0.5 s" in failures[-1]


def test_password_on_the_command_line_warns(tmp_path: Path) -> None:
    """`hoist serve --password` says the command line is visible and names HOIST_UI_PASSWORD."""
    result = CliRunner().invoke(
        main,
        ["serve", "--password", "pw", "--project", str(tmp_path / "none")],
        env={"HOIST_UI_PASSWORD": None},
    )
    assert "--password is visible to other users" in result.stderr
    assert "HOIST_UI_PASSWORD" in result.stderr
    quiet = CliRunner().invoke(
        main, ["serve", "--project", str(tmp_path / "none")], env={"HOIST_UI_PASSWORD": "pw"}
    )
    assert "visible" not in quiet.stderr
