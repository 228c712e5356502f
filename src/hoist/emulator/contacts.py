"""How many contacts each company has: the one thing listings and `user_count` ask about.

Intercom leaves companies without contacts out of its listings: "the API does not include
companies who have no associated users in list responses" (spec L6739, NOTES §1.6, §1.10), and
the listing's `total_count` and pages count only the companies it shows. Deleting a company
detaches its contacts (NOTES §1.5).

The emulator has no contacts yet. `UserCounts` stands in for them with a number per company that
tests set. A contacts store plugs in by implementing `CompanyContacts` (count a company's
attached contacts, detach them all when it is archived) and replacing `Workspace.contacts`;
nothing else in the workspace reads a user count.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["CompanyContacts", "UserCounts"]


class CompanyContacts(Protocol):
    """What the workspace needs to know about the contacts attached to its companies."""

    def user_count(self, intercom_id: str) -> int:
        """How many contacts are attached to the company with Intercom id `intercom_id`."""
        ...

    def detach_all(self, intercom_id: str) -> None:
        """Detach every contact from the company (it is being archived)."""
        ...


class UserCounts:
    """A bare count per company, set directly by tests: contacts without the contacts."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def user_count(self, intercom_id: str) -> int:
        """The count last set for the company, 0 if none."""
        return self._counts.get(intercom_id, 0)

    def set(self, intercom_id: str, n: int) -> None:
        """Pretend `n` contacts are attached to the company."""
        if n < 0:
            raise ValueError("a company cannot have fewer than 0 contacts")
        self._counts[intercom_id] = n

    def detach_all(self, intercom_id: str) -> None:
        """Forget the company's count (0 from now on)."""
        self._counts.pop(intercom_id, None)
