"""CONTRIBUTING.md and docs/design.md describe the code as it is."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "hoist"


def layout_entries(text: str) -> set[str]:
    """Module paths (relative to src/hoist) listed in the layout tree of a document."""
    tree = text.split("src/hoist/", 1)[1].split("```", 1)[0]
    entries: set[str] = set()
    folders: dict[int, str] = {}  # indent -> the folder opened at that indent
    for line in tree.splitlines():
        match = re.match(r"^(\s+)(\S+)", line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        folders = {at: folder for at, folder in folders.items() if at < indent}
        if name.endswith("/"):
            folders[indent] = name
        elif name.endswith(".py"):
            entries.add("".join(folders[at] for at in sorted(folders)) + name)
    return entries


def modules() -> set[str]:
    """Every module of the package, relative to src/hoist."""
    return {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")}


def test_the_layout_lists_every_module_and_no_other() -> None:
    """The layout trees of CONTRIBUTING.md and docs/design.md name exactly the modules there are."""
    for document in (ROOT / "CONTRIBUTING.md", ROOT / "docs" / "design.md"):
        assert layout_entries(document.read_text()) == modules(), document.name


def test_the_make_targets_it_names_exist() -> None:
    """Every `make X` command CONTRIBUTING.md tells people to type is a Makefile target."""
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), re.M))
    for document in ("CONTRIBUTING.md", "README.md"):
        named = set(re.findall(r"`make ([a-z-]+)`", (ROOT / document).read_text()))
        assert named <= targets, document
    named = set(re.findall(r"`make ([a-z-]+)`", (ROOT / "CONTRIBUTING.md").read_text()))
    assert {"check", "test", "bench", "demo", "docs"} <= named
    assert {"test-fast", "test-warehouses", "test-spark", "test-ui"} <= named


def test_the_coverage_floor_is_enforced_by_make_test() -> None:
    """make test measures coverage and the floor it must reach is at least 90%."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["coverage"]["report"]["fail_under"] >= 90
    assert "--cov" in (ROOT / "Makefile").read_text()


def test_make_test_lists_the_slowest_tests() -> None:
    """make test ends with the 15 slowest tests, so a slow one is seen where it is added."""
    assert "--durations=15" in (ROOT / "Makefile").read_text()


def test_the_design_doc_names_the_current_memory_default() -> None:
    """docs/design.md states the diff's default memory limit the code uses."""
    from hoist.config import DEFAULT_MEMORY_LIMIT

    assert f"`memory_limit` {DEFAULT_MEMORY_LIMIT}" in (ROOT / "docs" / "design.md").read_text()


def test_mypy_checks_the_tests_strictly() -> None:
    """mypy --strict covers tests/, bench/ and examples/ as well as the package."""
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy["strict"] is True
    assert {"src", "tests", "bench", "examples"} <= set(mypy["files"])
