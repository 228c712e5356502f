"""The home page is the three steps with their state; on a fresh `hoist init` project with no
token in the environment, the unset variable is what the pages report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hoist.project.example import init_project
from tests.harness.ui_asgi import in_process


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`hoist init`'s project, INTERCOM_ACCESS_TOKEN and INTERCOM_BASE_URL unset."""
    monkeypatch.delenv("INTERCOM_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("INTERCOM_BASE_URL", raising=False)
    init_project(tmp_path / "fresh", rows=20)
    return tmp_path / "fresh"


def text_of(html: str) -> str:
    """A page's words, without tags or runs of white space."""
    body = re.sub(r"<head>.*?</head>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_the_home_page_shows_three_steps_and_names_the_unset_token(fresh: Path) -> None:
    """Step 1 says INTERCOM_ACCESS_TOKEN is not set; steps 2 and 3 list the segment and both
    activations (never run)."""
    with in_process(fresh) as client:
        home = client.get("/")
    assert home.status_code == 200
    words = text_of(home.text)
    assert "INTERCOM_ACCESS_TOKEN is not set in the environment of hoist serve" in words
    assert 'id="unset-intercom"' in home.text
    for step in ("step-destination", "step-segment", "step-activation"):
        assert f'id="{step}"' in home.text
    assert "paying-customers" in words
    assert words.count("never run") == 2


def test_the_activations_list_blames_the_unset_token_not_the_url(fresh: Path) -> None:
    """The activations of a fresh project read fine (the base URL's default applies); each
    says it cannot run until INTERCOM_ACCESS_TOKEN is set, and no URL is blamed."""
    with in_process(fresh) as client:
        listing = text_of(client.get("/activations").text)
    assert "http(s) URL" not in listing
    assert listing.count("cannot run here: set INTERCOM_ACCESS_TOKEN in the environment") == 2
