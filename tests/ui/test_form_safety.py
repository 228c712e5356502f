"""What a form of the UI can make the server do: send a token only where its owner sent it,
never show a URL's password, touch no file outside the project, and answer a bad value with
a message rather than a 500. In-process over ASGI; the only server reached is a loopback probe
the test starts."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from hoist.emulator.testing import EmulatorHandle
from tests.harness.probe import Answer, running_probe
from tests.harness.ui_asgi import URL, AsgiClient, in_process

ORIGIN = {"Origin": URL}


def csrf_of(client: AsgiClient, path: str) -> dict[str, str]:
    """The hidden fields (CSRF token, file fingerprint) a page gives its form."""
    html = client.get(path).text
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    expected = re.search(r'name="expected" value="([^"]+)"', html)
    assert token is not None
    return {"csrf": token.group(1), "expected": expected.group(1) if expected else ""}


def press_test_connection(client: AsgiClient, **values: str) -> str:
    """Press Test connection with the form's `values`; the fragment it shows."""
    form = {**csrf_of(client, "/destinations/new"), "region": "us", **values}
    answer = client.post("/destinations/test", data=form, headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    return answer.text


def add_destination(project: Path, name: str, data: dict[str, str]) -> None:
    """A destination written into hoist.yml, as a team would in Git."""
    document = yaml.safe_load((project / "hoist.yml").read_text())
    document.setdefault("destinations", {})[name] = data
    (project / "hoist.yml").write_text(yaml.safe_dump(document))


# -- 1. a token goes only where its owner sent it ---------------------------------------------


def test_a_variable_not_named_for_intercom_is_never_read_for_a_new_destination(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test connection of an unsaved destination refuses a variable whose name lacks
    INTERCOM, says why, and sends nothing, even to a loopback URL."""
    monkeypatch.setenv("HOIST_TEST_DEPLOY_KEY", "deploy-key-5e1f0c")
    with running_probe({"/me": Answer(200, "{}")}) as probe, in_process(project) as client:
        shown = press_test_connection(client, token_env="HOIST_TEST_DEPLOY_KEY", base_url=probe.url)
    assert "may only read a variable whose name contains INTERCOM" in shown
    assert probe.requests == []
    assert "deploy-key-5e1f0c" not in shown


def test_an_unsaved_destination_reaches_only_intercom_or_this_machine(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL typed into the form that is neither Intercom's nor loopback must be saved first."""
    monkeypatch.setenv("INTERCOM_TEST_TOKEN", "tok-8c2d")
    with in_process(project) as client:
        shown = press_test_connection(
            client, token_env="INTERCOM_TEST_TOKEN", base_url="https://collector.invalid"
        )
    assert "save the destination with this base_url first" in shown
    assert "tok-8c2d" not in shown


def test_a_saved_destination_reads_only_the_variable_its_file_names(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved destination is tested only with its own variable; another one is refused and
    nothing is sent; its own reaches the saved URL."""
    monkeypatch.setenv("INTERCOM_SAVED_TOKEN", "saved-tok-1a")
    monkeypatch.setenv("INTERCOM_OTHER_TOKEN", "other-tok-2b")
    with running_probe({"/me": Answer(401, '{"type": "error.list"}')}) as probe:
        add_destination(
            project, "ours", {"access_token": "${INTERCOM_SAVED_TOKEN}", "base_url": probe.url}
        )
        with in_process(project) as client:
            refused = press_test_connection(
                client, name="ours", token_env="INTERCOM_OTHER_TOKEN", base_url=probe.url
            )
            assert probe.requests == []
            tried = press_test_connection(
                client, name="ours", token_env="INTERCOM_SAVED_TOKEN", base_url=probe.url
            )
    assert "is saved with INTERCOM_SAVED_TOKEN" in refused
    assert not probe.received("other-tok-2b")
    assert probe.received("saved-tok-1a")
    assert "401" in tried
    assert "saved-tok-1a" not in tried


def test_a_redirect_is_never_followed_with_the_token(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer redirecting elsewhere is an error; the token is not sent a second time."""
    monkeypatch.setenv("INTERCOM_TEST_TOKEN", "tok-redirected-9f")
    answers = {
        "/me": Answer(302, "", (("location", "/elsewhere/me"),)),
        "/elsewhere/me": Answer(200, '{"type": "admin", "app": {"id_code": "x"}}'),
    }
    with running_probe(answers) as probe, in_process(project) as client:
        shown = press_test_connection(client, token_env="INTERCOM_TEST_TOKEN", base_url=probe.url)
    assert [path for _, path, _ in probe.requests] == ["/me"]
    assert "302" in shown


# -- 7, 8. URLs: no user info, no clear text off the machine, always masked ---------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://user:pa55word-x@127.0.0.1:1", "holds a user name or password"),
        ("http://intercom.example.com", "use https://"),
        ("http://127.0.0.1:99999", "is not a valid URL"),
    ],
)
def test_a_bad_base_url_gets_a_message_not_a_500(
    project: Path, monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    """User info, plain http to another machine and a malformed port are explained."""
    monkeypatch.setenv("INTERCOM_TEST_TOKEN", "tok")
    with in_process(project) as client:
        form = {**csrf_of(client, "/destinations/new"), "name": "x", "region": "us"}
        form |= {"token_env": "INTERCOM_TEST_TOKEN", "base_url": url}
        saved = client.post("/destinations/save", data=form, headers=ORIGIN)
    assert saved.status_code == 400
    assert message in saved.text
    assert "pa55word-x" not in saved.text


def test_a_url_password_in_the_files_never_shows_in_a_page(project: Path) -> None:
    """A base_url written with a password is masked on the list and the edit page."""
    add_destination(
        project,
        "legacy",
        {"access_token": "${INTERCOM_TOKEN}", "base_url": "https://me:hunter2-pw@api.example"},
    )
    with in_process(project) as client:
        pages = [client.get("/destinations").text, client.get("/destinations/legacy").text]
    assert all("me:***@api.example" in text for text in pages)
    assert not [text for text in pages if "hunter2-pw" in text]


# -- 10, 11. names, sizes -----------------------------------------------------------------------


def test_a_name_outside_the_project_touches_no_file(project: Path) -> None:
    """Absolute and ../ names get a message (400), never a 500, and the page does not tell
    whether a file outside exists; a name that passes the form's rule but holds '..' gets 400."""
    outside = project.parent / "outside.yml"
    shown: list[str] = []
    with in_process(project) as client:
        for exists in (False, True):
            if exists:
                outside.write_text("secret: 1\n")
            for name in ("../../outside", str(outside.with_suffix(""))):
                form = {**csrf_of(client, "/segments/new"), "name": name, "source": "warehouse"}
                answer = client.post("/segments/save", data=form, headers=ORIGIN)
                assert answer.status_code == 400
                shown.append(re.sub(r'name="csrf" value="[^"]+"', "", answer.text))
        form = {**csrf_of(client, "/segments/new"), "name": "a..b", "source": "warehouse"}
        form["from"] = "analytics.companies"
        dotted = client.post("/segments/save", data=form, headers=ORIGIN)
    assert shown[:2] == shown[2:]  # the same page whether the file outside exists or not
    assert dotted.status_code == 400
    assert "cannot be the name of a definition" in dotted.text
    assert not (project / "a..b.yml").exists()
    assert outside.read_text() == "secret: 1\n"


def test_a_file_the_ui_rewrites_keeps_its_mode(project: Path) -> None:
    """Saving a destination leaves hoist.yml with the permissions it had (0644 here)."""
    hoist_yml = project / "hoist.yml"
    os.chmod(hoist_yml, 0o644)
    with in_process(project) as client:
        form = {**csrf_of(client, "/destinations/new"), "name": "intercom", "region": "us"}
        form["token_env"] = "INTERCOM_TOKEN"
        assert client.post("/destinations/save", data=form, headers=ORIGIN).status_code == 303
    assert "intercom" in hoist_yml.read_text()
    assert stat.S_IMODE(hoist_yml.stat().st_mode) == 0o644


def test_a_segment_too_deep_or_a_list_too_long_gets_a_message(project: Path) -> None:
    """1,000 nested groups from the builder give a 400 with a message; an in list of 100,000
    values is explained beside its field; neither is a 500."""
    deep = "r" + ".0" * 1000
    with in_process(project) as client:
        form = {**csrf_of(client, "/segments/new"), "name": "deep", "source": "warehouse"}
        form |= {"from": "analytics.companies", f"w.{deep}.kind": "all"}
        nested = client.post("/segments/builder", data=form, headers=ORIGIN)
        values = "\n".join(str(i) for i in range(100_000))  # one value per line
        form = {**csrf_of(client, "/segments/new"), "name": "long", "source": "warehouse"}
        form |= {"from": "analytics.companies", "w.r.kind": "all", "w.r.0.kind": "rule"}
        form |= {"w.r.0.column": "mrr", "w.r.0.op": "in", "w.r.0.value": values}
        listed = client.post("/segments/save", data=form, headers=ORIGIN)
    assert nested.status_code == 400
    assert "nest more than 32 groups deep" in nested.text
    assert listed.status_code == 400
    assert "more than 10,000" in listed.text
    assert not (project / "segments").exists()


# -- 6. a model reads no file -----------------------------------------------------------------


def test_preview_of_a_model_reading_a_file_shows_the_refusal_not_the_file(
    project: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Preview of an SQL model calling read_text() on a local file says allowed_paths is
    needed and shows none of the file."""
    secret = project.parent / "id_rsa"
    secret.write_text("-----BEGIN PRIVATE KEY----- the-private-key-body\n")
    monkeypatch.setenv("INTERCOM_TEST_TOKEN", "tok")
    add_destination(
        project,
        "intercom",
        {"access_token": "${INTERCOM_TEST_TOKEN}", "base_url": emulator.base_url},
    )
    sql = f"SELECT 'c1' AS account_id, content AS account_name FROM read_text('{secret}')"
    activation = {
        "source": "warehouse",
        "destination": "intercom",
        "model": {"sql": sql},
        "sync": {"company_id": "account_id", "mapping": {"name": "account_name"}},
    }
    (project / "activations").mkdir()
    (project / "activations" / "peek.yml").write_text(yaml.safe_dump(activation))
    with in_process(project) as client:
        token = csrf_of(client, "/activations/peek")["csrf"]
        shown = client.post("/activations/peek/preview", data={"csrf": token}, headers=ORIGIN)
    assert shown.status_code < 500
    assert "allowed_paths" in shown.text
    assert "the-private-key-body" not in shown.text
