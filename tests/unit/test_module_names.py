"""Module names never collide across hoist's packages: each says what it holds (CONTRIBUTING).

Only ``__init__.py`` repeats; and the per-warehouse folders under ``sources/`` (one folder
shape per connector) may repeat their file names among themselves.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "hoist"


def collisions(paths: list[Path]) -> dict[str, list[str]]:
    """Module file names used more than once, with where (relative to src/hoist)."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        relative = path.relative_to(PACKAGE)
        per_warehouse = relative.parts[0] == "sources" and len(relative.parts) > 2
        if path.name != "__init__.py" and not per_warehouse:
            where[path.name].append(str(relative))
    return {name: sorted(found) for name, found in where.items() if len(found) > 1}


def test_no_two_modules_share_a_name() -> None:
    """No module file name is used twice in src/hoist (``__init__.py`` aside)."""
    assert collisions(sorted(PACKAGE.rglob("*.py"))) == {}


def test_the_check_sees_a_collision() -> None:
    """Two `history.py` in different packages are reported with both places."""
    paths = [PACKAGE / "ui" / "history.py", PACKAGE / "schedule" / "history.py"]
    assert collisions(paths) == {"history.py": ["schedule/history.py", "ui/history.py"]}
