"""Which `Intercom-Version` values the emulated API accepts, and the 400 for the others.

Sources: the spec's `intercom_version` enum (1.0 ... 2.16, api.intercom.io.yaml L32229) plus
`Preview` from the Preview description, accepted only in that spelling (Intercom-OpenAPI
PR #669: "The Preview API version is only accepted as `Preview`", the lowercase form "got a 400
back"). The error code `intercom_version_invalid` is the one the spec documents for a version
problem (L13611) and that intercom-ruby maps to `ApiVersionInvalid` (PR #459). The message for a
version that does not exist at all is not documented: ours says what is wrong.
"""

from __future__ import annotations

from hoist.emulator.error_envelope import ApiError

__all__ = ["ACCEPTED_VERSIONS", "version_error"]

ACCEPTED_VERSIONS = frozenset(
    [
        *(f"1.{minor}" for minor in range(5)),
        *(f"2.{minor}" for minor in range(17)),
        "Preview",
    ]
)


def version_error(header: str | None) -> ApiError | None:
    """The 400 for an unknown `Intercom-Version`; None when the header is absent or known.

    Without the header Intercom uses the app's own version (spec: "By default, it's equal to
    the version set in the app package"), so a missing header is not an error.
    """
    if header is None or header in ACCEPTED_VERSIONS:
        return None
    return ApiError(
        400,
        "intercom_version_invalid",
        f"Intercom-Version {header!r} is not a valid API version.",
    )
