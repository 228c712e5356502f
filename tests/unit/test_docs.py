"""The documentation a newcomer reads: a short README, pages that build offline, a true CLI page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hoist.cli.reference import command_paths, help_text, render
from hoist.project import load_project

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"


def test_the_cli_reference_is_what_the_commands_print() -> None:
    """docs/cli.md equals the commands' --help (regenerate it with `make docs`)."""
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == render(), "docs/cli.md is stale: run `make docs` and commit docs/cli.md"
    for path in command_paths():
        assert help_text(path).rstrip() in page


def test_the_cli_reference_covers_every_command() -> None:
    """Every command and subcommand of `hoist` has its section in the reference."""
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    titles = re.findall(r"^## `(hoist[^`]*)`$", page, re.M)
    assert titles == [" ".join(["hoist", *path]) for path in command_paths()]
    assert {"hoist run", "hoist plan", "hoist segment preview", "hoist serve"} <= set(titles)


def test_the_readme_is_short_and_its_links_lead_somewhere() -> None:
    """The README fits in 150 lines and every page it links to exists."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    links = re.findall(r"\]\(([^)#]+)\)", text)
    local = [link for link in links if not link.startswith("http")]
    assert local, "the README links to the documentation pages"
    assert [link for link in local if not (ROOT / link).exists()] == []


def test_the_readme_project_is_a_valid_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hoist.yml shown in the README loads and has no problem a check without the
    warehouse finds."""
    monkeypatch.setenv("INTERCOM_ACCESS_TOKEN", "readme-token")
    text = README.read_text(encoding="utf-8")
    document = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert document is not None
    (tmp_path / "hoist.yml").write_text(document.group(1), encoding="utf-8")
    assert "contacts" in yaml.safe_load(document.group(1))["activations"]["paying-eu-to-intercom"]
    project = load_project(tmp_path)
    assert project.problems() == []


def test_the_readme_says_each_thing_once() -> None:
    """No section heading of the README appears twice, and no issue number is left in it."""
    text = README.read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    assert len(headings) == len(set(headings))
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        # Another project's issue may be cited as a source (intercom-ruby issue 223); ours not.
        ours = re.search(r"(?<!ruby )\bissue[ -]?\d", page.read_text(encoding="utf-8"))
        assert ours is None, page.name


def test_the_documentation_builds_offline(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds (every page in the nav, every link resolving) and the
    site loads no script or stylesheet from another host."""
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (site / "cli" / "index.html").exists()
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:[^"]+)"', html)
        assert remote == [], page
