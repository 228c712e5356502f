"""Alerts: which event a finished run raises, and the JSON body its webhooks receive.

Events:

- ``failed``: the run stopped (bad token, unreadable source, ...);
- ``partial``: it finished, but some companies were rejected or refused by Intercom;
- ``recovered``: the first success after a failed or partial run. "After" looks past runs that
  decided nothing (skipped, interrupted by a stop), and across restarts of `hoist serve`: the
  previous outcome comes from the run history.

The body carries the counts of `hoist run --json` (top level), up to `MAX_ERRORS` record errors
and a `text` line Slack shows as the message. Nothing secret goes out: the access token, webhook
URLs and passwords or tokens inside any URL are replaced by ``***`` in every string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from hoist.config import ActivationConfig, AlertEvent
from hoist.report import RunReport
from hoist.secret import redact

__all__ = ["CONCLUSIVE", "MAX_ERRORS", "alert_event", "build_payload", "redact", "secrets_of"]

#: Record errors carried by one alert; the rest are counted in `errors_more`.
MAX_ERRORS: Final = 10
#: Outcomes that say whether the activation works; skipped and interrupted runs do not.
CONCLUSIVE: Final = frozenset({"success", "partial", "failed"})
_COUNTS: Final = (
    "created",
    "updated",
    "unchanged",
    "not_in_intercom",
    "rejected",
    "failed",
    "api_calls",
)
_ICONS: Final = {"failed": ":x:", "partial": ":warning:", "recovered": ":white_check_mark:"}


def alert_event(status: str, previous: str | None) -> AlertEvent | None:
    """The event a run with `status` raises, given the last conclusive status before it."""
    if status == "failed":
        return "failed"
    if status == "partial":
        return "partial"
    if status == "success" and previous in ("failed", "partial"):
        return "recovered"
    return None


def build_payload(
    report: RunReport, event: AlertEvent, secrets: Iterable[str] = ()
) -> dict[str, Any]:
    """The webhook body for `report`, with every string scrubbed of `secrets`."""
    counts = {name: getattr(report, name) for name in _COUNTS}
    errors = [
        {"company_id": e.company_id, "code": e.code, "message": e.message}
        for e in report.errors[:MAX_ERRORS]
    ]
    payload: dict[str, Any] = {
        "activation": report.activation,
        "event": event,
        "run_id": report.run_id,
        "status": report.status,
        **counts,
        "errors": errors,
        "errors_more": max(len(report.errors) - MAX_ERRORS, 0),
        "message": report.message,
        "text": _text(report, event),
    }
    scrubbed: dict[str, Any] = _scrub(payload, sorted(set(secrets), key=len, reverse=True))
    return scrubbed


def _text(report: RunReport, event: AlertEvent) -> str:
    """One Slack-readable line (mrkdwn): what happened, to which activation, and why."""
    head = f"{_ICONS[event]} hoist activation *{report.activation}*"
    run = f"(run `{report.run_id}`)"
    if event == "failed":
        return f"{head} failed {run}: {report.message or 'see the run history'}"
    if event == "recovered":
        return (
            f"{head} recovered {run}: succeeded with {report.created:,} created, "
            f"{report.updated:,} updated"
        )
    first = report.errors[0] if report.errors else None
    example = f"; first: {first.company_id} {first.code}: {first.message}" if first else ""
    return (
        f"{head} partly failed {run}: {report.rejected:,} rejected, {report.failed:,} failed, "
        f"{report.created + report.updated:,} synced{example}"
    )


def secrets_of(config: ActivationConfig) -> list[str]:
    """Every secret an activation holds: its access token and its webhook URLs."""
    values = [config.destination.access_token.reveal()]
    values += [alert.webhook.reveal() for alert in config.alerts]
    return [value for value in values if value]


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value
