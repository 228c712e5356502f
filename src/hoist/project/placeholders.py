"""The environment a project is read with when its secrets do not matter (history, the UI).

Reading the run history or listing a project must not fail on a variable that only a run needs,
so every unset variable gets a placeholder of the right shape.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hoist.project._problems import ProjectError
from hoist.project.discovery import find_project, read_definitions

__all__ = ["AnyVariable"]


class AnyVariable(Mapping[str, str]):
    """The environment, with a placeholder for every unset variable.

    A variable that is a whole value (``webhook: ${SLACK_WEBHOOK_URL}``) gets a URL, so that
    reading the history never fails on a URL it does not use; one inside a value (a password
    in a connection URL) gets plain text. A variable written with a default
    (``${INTERCOM_BASE_URL:-http://127.0.0.1:8765}``) and unset gets its default, as in a run.
    """

    def __init__(
        self, whole: frozenset[str] = frozenset(), defaulted: frozenset[str] = frozenset()
    ) -> None:
        self._whole = whole
        self._defaulted = defaulted

    @classmethod
    def for_project(cls, folder: Path | None) -> AnyVariable:
        """Placeholders for the project found from `folder`."""
        root = find_project(folder)
        whole: set[str] = set()
        defaulted: set[str] = set()
        with contextlib.suppress(ProjectError):  # reported by the load that follows
            for definitions in read_definitions(root).values() if root else ():
                for definition in definitions.values():
                    whole |= _whole_variables(definition.data)
                    defaulted |= _whole_variables(definition.data, _DEFAULTED)
        return cls(frozenset(whole), frozenset(defaulted))

    def __getitem__(self, name: str) -> str:
        if name in os.environ:
            return os.environ[name]
        return "https://unset.invalid/" if name in self._whole else "unset"

    def __contains__(self, name: object) -> bool:
        return name in os.environ or name not in self._defaulted

    def __iter__(self) -> Iterator[str]:
        return iter(os.environ)

    def __len__(self) -> int:
        return len(os.environ)


_WHOLE = re.compile(r"\$\{(\w+)\}")
_DEFAULTED = re.compile(r"\$\{(\w+):-")


def _whole_variables(data: Any, pattern: re.Pattern[str] = _WHOLE) -> set[str]:
    """Names of the variables that make up a whole string value somewhere in `data` (with
    `pattern` _DEFAULTED: the variables written with a default anywhere in a string)."""
    if isinstance(data, Mapping):
        return set().union(*(_whole_variables(v, pattern) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_whole_variables(v, pattern) for v in data))
    if not isinstance(data, str):
        return set()
    if pattern is _WHOLE:
        match = pattern.fullmatch(data)
        return {match.group(1)} if match else set()
    return set(pattern.findall(data))
