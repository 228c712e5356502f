"""The repository carries Intercom's description, unchanged, and nothing points outside it."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "intercom"
#: The sibling folder of a developer's machine that a clone lacks (spelled so it never matches
#: itself).
OUTSIDE = r"\.\./" + "shared"


@pytest.mark.parametrize("name", ["api.intercom.io.yaml", "preview.yaml"])
def test_copied_description_matches_the_checksum_in_source_md(name: str) -> None:
    """Each copied description has the SHA-256 that SOURCE.md records for it."""
    source = (DOCS / "SOURCE.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((DOCS / name).read_bytes()).hexdigest()
    assert re.search(rf"SHA-256 of the copied file \| `{digest}`", source), name


def test_no_tracked_file_refers_outside_the_repository() -> None:
    """No tracked file points to the sibling shared folder: a clone has all it needs."""
    tracked = subprocess.run(
        ["git", "grep", "-l", "-E", OUTSIDE, "--", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tracked.stdout.strip().splitlines() == []
