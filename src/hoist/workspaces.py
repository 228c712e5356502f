"""Where Intercom workspaces live: the API root of each region, and the API version hoist pins.

Kept apart from the client so that reading a config never imports the HTTP stack.
"""

from __future__ import annotations

from typing import Final

__all__ = ["API_VERSION", "GIVE_UP_AFTER_S", "REGION_URLS"]

#: The API root of each region's workspaces.
REGION_URLS: Final[dict[str, str]] = {
    "us": "https://api.intercom.io",
    "eu": "https://api.eu.intercom.io",
    "au": "https://api.au.intercom.io",
}

#: Sent as ``Intercom-Version`` on every request; the version of the OpenAPI description used.
API_VERSION: Final = "2.16"

#: How long Intercom may fail every call (network errors, timeouts, 5xx) before a run gives
#: up (`destination.give_up_after`).
GIVE_UP_AFTER_S: Final = 120.0
