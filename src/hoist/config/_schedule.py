"""The keys that make an activation run by itself: `schedule`, `timezone` and `alerts`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hoist.cron import ScheduleError, parse_schedule, parse_timezone
from hoist.secret import Secret

__all__ = ["ALERT_EVENTS", "AlertConfig", "AlertEvent", "ScheduleText", "TimezoneName"]

AlertEvent = Literal["failed", "partial", "recovered"]
ALERT_EVENTS: tuple[AlertEvent, ...] = ("failed", "partial", "recovered")


def _problem(message: str, key: str = "") -> PydanticCustomError:
    return PydanticCustomError("hoist", message, {"issues": [(key, message)]})


def _check_schedule(value: str) -> str:
    try:
        parse_schedule(value)
    except ScheduleError as exc:
        raise _problem(str(exc)) from None
    return value.strip()


def _check_timezone(value: str) -> str:
    try:
        parse_timezone(value)
    except ScheduleError as exc:
        raise _problem(str(exc)) from None
    return value


#: A cron expression or "every <n><unit>"; parsed with its timezone by `parse_schedule`.
ScheduleText = Annotated[str, AfterValidator(_check_schedule)]
#: An IANA time zone name.
TimezoneName = Annotated[str, AfterValidator(_check_timezone)]


def _to_webhook(value: Any) -> Secret:
    # The URL is never echoed: a Slack webhook URL is itself the credential.
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise _problem("must be a URL string, e.g. webhook: ${SLACK_WEBHOOK_URL}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _problem("must be an http(s) URL, e.g. webhook: ${SLACK_WEBHOOK_URL}")
    return Secret(value.strip())


#: A webhook URL: validated without echoing it, dumped as ``***``.
WebhookURL = Annotated[
    Secret,
    PlainValidator(_to_webhook),
    PlainSerializer(lambda _: "***", return_type=str),
    WithJsonSchema({"type": "string", "format": "uri", "writeOnly": True}),
]


def _events(value: Any) -> Any:
    if isinstance(value, str):
        return [value]  # on: failed
    if value is None:
        raise _problem("lists no events; write e.g. on: [failed, partial, recovered]")
    return value


class AlertConfig(BaseModel):
    """Where to POST a message, and for which run outcomes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    webhook: WebhookURL
    on: Annotated[tuple[AlertEvent, ...], BeforeValidator(_events)] = ALERT_EVENTS

    @model_validator(mode="before")
    @classmethod
    def _yaml11_on(cls, data: Any) -> Any:
        # YAML 1.1 readers (PyYAML among them) read a bare `on` key as the boolean true.
        if isinstance(data, Mapping) and True in data:
            data = {("on" if key is True else key): value for key, value in data.items()}
        return data
