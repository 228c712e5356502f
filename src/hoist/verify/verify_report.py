"""What `hoist verify` found (and repaired): the JSON report and the console summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from hoist.compare import Drift
from hoist.report import RecordIssue

__all__ = ["VerifyReport", "render_verify"]

#: How many drifts and missing companies the console shows before "... and N more".
_CAP = 10


@dataclass(frozen=True)
class VerifyReport:
    """One verification of an activation's state against Intercom.

    `checked` companies of state were looked for in Intercom (all of them, or a sample);
    `verified` of those hold exactly what state says was delivered; `drifted` lists every
    attribute that differs; `missing` the company_ids Intercom no longer has. With `repair`,
    `repaired` names the companies Intercom confirmed fixed and `not_repaired` the others.
    """

    activation: str
    method: Literal["scroll", "sample"]
    checked: int
    verified: int
    drifted: tuple[Drift, ...]
    missing: tuple[str, ...]
    api_calls: int
    duration_s: float = 0.0
    repair: bool = False
    writes: int = 0
    repaired: tuple[str, ...] = ()
    not_repaired: tuple[RecordIssue, ...] = ()

    @property
    def drifted_companies(self) -> set[str]:
        """The company_ids with at least one drifted attribute."""
        return {d.company_id for d in self.drifted}

    @property
    def clean(self) -> bool:
        """Nothing drifted or missing, or every drifted and missing company was repaired."""
        if not self.drifted and not self.missing:
            return True
        return self.repair and not self.not_repaired

    def to_json(self) -> dict[str, Any]:
        """The `--json` report: `verified`, `drifted`, `missing`, `api_calls` and the rest."""
        return {
            "activation": self.activation,
            "method": self.method,
            "checked": self.checked,
            "verified": self.verified,
            "drifted": [d.to_json() for d in self.drifted],
            "missing": list(self.missing),
            "api_calls": self.api_calls,
            "duration_s": round(self.duration_s, 3),
            "repair": self.repair,
            "writes": self.writes,
            "repaired": list(self.repaired),
            "not_repaired": [
                {"company_id": e.company_id, "code": e.code, "message": e.message}
                for e in self.not_repaired
            ],
        }


def render_verify(report: VerifyReport) -> str:
    """The human summary printed by `hoist verify`."""
    how = "every company (scroll)" if report.method == "scroll" else "a random sample (lookups)"
    lines = [
        f"hoist verify {report.activation}: {how}, {report.duration_s:.1f} s",
        f"  {'checked':<16}{report.checked:>10,}",
        f"  {'verified':<16}{report.verified:>10,}",
        f"  {'drifted':<16}{len(report.drifted_companies):>10,}  "
        f"({len(report.drifted):,} attributes)",
        f"  {'missing':<16}{len(report.missing):>10,}",
        f"  {'API calls':<16}{report.api_calls:>10,}",
    ]
    if report.repair:
        lines.append(f"  {'repaired':<16}{len(report.repaired):>10,}  ({report.writes:,} writes)")
    lines += _capped("drifted:", [_drift_line(d) for d in report.drifted])
    lines += _capped("missing from Intercom:", [f"  {cid}" for cid in report.missing])
    lines += _capped(
        "not repaired:", [f"  {e.company_id}  {e.code}  {e.message}" for e in report.not_repaired]
    )
    if not report.clean and not report.repair:
        lines.append("  run `hoist verify --repair` to send the delivered values again")
    return "\n".join(lines)


def _drift_line(drift: Drift) -> str:
    return (
        f"  {drift.company_id}  {drift.attribute}: delivered {_short(drift.delivered)}, "
        f"Intercom has {_short(drift.intercom)}"
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _capped(title: str, rows: Sequence[str]) -> list[str]:
    if not rows:
        return []
    shown = [title, *rows[:_CAP]]
    if len(rows) > _CAP:
        shown.append(f"  ... and {len(rows) - _CAP:,} more (see --json)")
    return shown
