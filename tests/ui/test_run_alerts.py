"""Runs started from the UI alert exactly as scheduled runs do: a failed run raises `failed`
with its run id and its error (secrets redacted), the success after it `recovered`."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml

from hoist.emulator.testing import EmulatorHandle
from tests.harness.receiver import WebhookReceiver
from tests.harness.ui import (
    TOKEN,
    TOKEN_VARIABLE,
    add_activation,
    add_project_definitions,
    run_to_the_end,
)


def alert_to(root: Path, name: str, webhook: str) -> None:
    """Give activation `name` a webhook alerted on every event."""
    path = root / "activations" / f"{name}.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["alerts"] = [{"webhook": webhook, "on": ["failed", "partial", "recovered"]}]
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def test_a_ui_run_with_a_refused_token_alerts_then_recovers(
    client: httpx.Client,
    project: Path,
    emulator_factory: Callable[..., EmulatorHandle],
    webhook_receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a run that worked (no alert), Run now with a token Intercom refuses posts a
    `failed` alert naming the run in the history and Intercom's 401, without the token or the
    webhook's path; the next good run posts `recovered`."""
    strict = emulator_factory(token=TOKEN)
    add_project_definitions(project, strict.base_url)
    add_activation(project, "eu-to-intercom")
    alert_to(project, "eu-to-intercom", webhook_receiver.url)
    run_to_the_end(client, "eu-to-intercom")
    refused = "a-revoked-token-9e2b"
    monkeypatch.setenv(TOKEN_VARIABLE, refused)
    run_to_the_end(client, "eu-to-intercom")
    [failed] = webhook_receiver.wait_for(1)
    history = client.get("/activations/eu-to-intercom/history").text
    assert re.findall(r'<span class="status (\w+)">', history) == ["failed", "success"]
    assert failed["event"] == "failed"
    assert failed["activation"] == "eu-to-intercom"
    assert failed["run_id"] in history
    assert "Intercom refused the token (401" in failed["message"]
    assert failed["run_id"] in failed["text"]
    assert refused not in str(failed)
    assert "SECRET-PATH" not in str(failed)
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    run_to_the_end(client, "eu-to-intercom")
    assert [body["event"] for body in webhook_receiver.wait_for(2)] == ["failed", "recovered"]


def test_a_first_ui_run_that_fails_alerts_and_is_in_the_history(
    client: httpx.Client,
    project: Path,
    emulator_factory: Callable[..., EmulatorHandle],
    webhook_receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An activation's very first run, from the UI with a refused token, alerts `failed` with
    Intercom's 401 and is in the history (as `hoist run`'s would be); the good run after it
    alerts `recovered`."""
    strict = emulator_factory(token=TOKEN)
    add_project_definitions(project, strict.base_url)
    add_activation(project, "eu-to-intercom")
    alert_to(project, "eu-to-intercom", webhook_receiver.url)
    monkeypatch.setenv(TOKEN_VARIABLE, "a-revoked-token-31fa")
    shown = run_to_the_end(client, "eu-to-intercom")
    assert "Intercom refused the token (401" in html.unescape(shown)
    [failed] = webhook_receiver.wait_for(1)
    assert failed["event"] == "failed"
    assert "Intercom refused the token (401" in failed["message"]
    history = client.get("/activations/eu-to-intercom/history").text
    assert re.findall(r'<span class="status (\w+)">', history) == ["failed"]
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    run_to_the_end(client, "eu-to-intercom")
    assert [body["event"] for body in webhook_receiver.wait_for(2)] == ["failed", "recovered"]
