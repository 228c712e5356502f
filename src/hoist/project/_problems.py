"""A problem in a project: the file, the dotted key and the fix; many of them as one error."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hoist.errors import ConfigError

__all__ = ["Problem", "ProjectError"]

_MAX_SHOWN = 20


@dataclass(frozen=True, order=True)
class Problem:
    """One thing to fix: where (`file`, `key`) and what to do (`message`)."""

    file: Path
    key: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {self.message}"
            if self.key
            else f"{self.file}: {self.message}"
        )

    def to_json(self) -> dict[str, str]:
        """The problem as a JSON object."""
        return {"file": str(self.file), "key": self.key, "message": self.message}


class ProjectError(ConfigError):
    """One or more problems in a project's definitions; `problems` lists each of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(dict.fromkeys(problems))  # in order, each once
        first = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(first.message, file=str(first.file), key=first.key or None)
            return
        lines = [f"  {problem}" for problem in self.problems[:_MAX_SHOWN]]
        if len(self.problems) > _MAX_SHOWN:
            lines.append(f"  ... and {len(self.problems) - _MAX_SHOWN} more")
        super().__init__(f"{len(self.problems)} problems:\n" + "\n".join(lines))
        self.file = str(first.file)
