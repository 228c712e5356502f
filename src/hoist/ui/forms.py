"""Form values in, definitions out; validation problems as messages per form field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from hoist.config import describe_errors
from hoist.ui.files import fingerprint

__all__ = ["NAME_PROBLEM", "Errors", "expected_of", "text", "valid_name", "validate"]

#: Form field -> what is wrong with it ("" is the form as a whole).
Errors = dict[str, str]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
NAME_PROBLEM: Final = (
    "start with a letter or digit and use only letters, digits, '_', '.' and '-' (e.g. paying-eu)"
)


def text(form: FormData, key: str) -> str:
    """A text field, stripped ("" when absent)."""
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def expected_of(form: FormData, target: Path) -> str:
    """The fingerprint the save expects: the page's, or the file's now to overwrite it."""
    if text(form, "overwrite") == "1":
        return fingerprint(target)
    return text(form, "expected")


def valid_name(name: str, taken: Iterable[str] = ()) -> str | None:
    """What is wrong with a new definition's name, or None."""
    if not name:
        return "give it a name"
    if not _NAME.fullmatch(name):
        return f"{name!r} is not a valid name; {NAME_PROBLEM}"
    if name in taken:
        return f"{name!r} is taken; choose another name"
    return None


def validate(
    model: type[BaseModel], data: Any, field_of: Callable[[str], str], errors: Errors
) -> None:
    """Validate `data` as `model`; each problem goes to the form field `field_of(key)`."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        for key, message in describe_errors(exc, sections={(): model}):
            errors.setdefault(field_of(key), message)
