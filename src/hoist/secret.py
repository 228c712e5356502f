"""A string that never prints: access tokens live in `Secret` from the moment they are read."""

from __future__ import annotations

__all__ = ["Secret"]


class Secret:
    """Holds a secret value; `str`, `repr` and formatting show only ``'***'``.

    Call `reveal()` at the one place the value is needed (the Authorization header).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the token to disk or across processes; refuse instead.
        raise TypeError("a Secret cannot be pickled")
