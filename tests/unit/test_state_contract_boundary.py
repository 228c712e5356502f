"""Outside `hoist.state`, no code asks which kind of state it holds (issue 23).

Code holds a `StateBackend` (`hoist.state.contract`) from `open_state`/`opened_state` and calls
what the contract offers; which kind it is stays inside `hoist.state`. The config packages may
read `state.in_warehouse`: they define and load the setting.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "hoist"

#: Packages that define and load the setting itself (not asking which mode a run is in).
_SETTING_OWNERS = ("state", "config", "project")
#: The concrete backends: only `hoist.state` names them.
_CONCRETE = {"StateStore", "NativeStateStore"}
_PRIVATE_MODULES = {"hoist.state.store", "hoist.state.native", "hoist.state.opening"}


def _outside_state() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in _SETTING_OWNERS
    ]


def _mode_questions(text: str, name: str) -> list[str]:
    """Where the module `name` (its source `text`) asks which kind of state it holds."""
    found = []
    for node in ast.walk(ast.parse(text, name)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr == "in_warehouse":
            found.append(f"{where} reads .in_warehouse")
        elif isinstance(node, ast.Name) and node.id in _CONCRETE:
            found.append(f"{where} names {node.id}")
        elif isinstance(node, ast.ImportFrom) and node.module in _PRIVATE_MODULES:
            found.append(f"{where} imports {node.module}")
        elif isinstance(node, ast.ImportFrom) and node.module == "hoist.state":
            named = {alias.name for alias in node.names} & _CONCRETE
            found += [f"{where} imports {concrete}" for concrete in sorted(named)]
    return sorted(found)


def test_no_code_outside_state_asks_which_kind_of_state_it_holds() -> None:
    """No module outside hoist.state reads in_warehouse, names a concrete store or imports one."""
    questions = [
        question
        for path in _outside_state()
        for question in _mode_questions(path.read_text(), str(path.relative_to(PACKAGE)))
    ]
    assert questions == []


def test_the_check_finds_each_way_of_asking() -> None:
    """The check sees each way of asking (so the test above can fail)."""
    text = (
        "from hoist.state import StateStore\n"
        "from hoist.state.native import native_store\n"
        "def f(config, store):\n"
        "    return config.state.in_warehouse or isinstance(store, StateStore)\n"
    )
    assert _mode_questions(text, "pipeline/probe.py") == [
        "pipeline/probe.py:1 imports StateStore",
        "pipeline/probe.py:2 imports hoist.state.native",
        "pipeline/probe.py:4 names StateStore",
        "pipeline/probe.py:4 reads .in_warehouse",
    ]
