"""The segment builder's "between" takes a low and a high bound in two inputs, with its
problems (an empty bound, a low above the high, a value of the wrong type) at the rule."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import yaml

from tests.harness.ui import csrf_form


def between(client: httpx.Client, column: str, low: str, high: str) -> dict[str, str]:
    """The new-segment form `band` with one condition: `column` between `low` and `high`."""
    form = {**csrf_form(client, "/segments/new"), "name": "band", "source": "warehouse"}
    form |= {"from": "analytics.companies", "w.r.kind": "all", "w.r.0.kind": "rule"}
    rule = {"column": column, "op": "between", "value": low, "high": high}
    return form | {f"w.r.0.{key}": value for key, value in rule.items()}


def shown_error(page: str, field: str) -> str:
    """The message shown beside `field` (e.g. ``r-0-high``), or "" when there is none."""
    found = re.search(rf'id="error-{field}"[^>]*>([^<]+)<', page)
    return html.unescape(found.group(1)) if found else ""


def test_between_saves_its_two_inputs_as_low_and_high(client: httpx.Client, project: Path) -> None:
    """Low 100 and high 300 on `mrr` save as `value: [100, 300]`; the saved segment opens with
    100 in the low input and 300 in the high one, and the preview counts it."""
    form = between(client, "mrr", "100", "300")
    preview = client.post("/segments/preview", data=form).text
    assert 'id="segment-empty"' not in preview
    saved = client.post("/segments/save", data=form)
    assert saved.status_code == 303, saved.text
    document = yaml.safe_load((project / "segments" / "band.yml").read_text())
    assert document["where"]["all"][0] == {"column": "mrr", "op": "between", "value": [100, 300]}
    page = client.get("/segments/band").text
    assert re.search(r'<input name="w.r.0.value" aria-label="low"[^>]*value="100"', page)
    assert re.search(r'<input name="w.r.0.high" aria-label="high"[^>]*value="300"', page)


def test_a_low_bound_above_the_high_one_is_refused_at_the_rule(
    client: httpx.Client, project: Path
) -> None:
    """Low 30.5, high 10: the save is refused, the condition is marked and says to swap the
    bounds; no file is written."""
    answer = client.post("/segments/save", data=between(client, "health_score", "30.5", "10"))
    assert answer.status_code == 400
    assert '<div class="rule flagged" data-path="r.0">' in answer.text
    assert "the low bound (30.5) is above the high bound (10)" in shown_error(answer.text, "r-0")
    assert "swap them" in shown_error(answer.text, "r-0")
    assert not (project / "segments" / "band.yml").exists()


def test_a_bound_of_the_wrong_type_or_missing_is_marked_at_its_input(
    client: httpx.Client,
) -> None:
    """Text as the high bound of an integer column is marked at the high input; a missing low
    bound at the low input; while editing, before any save."""
    page = client.post("/segments/builder", data=between(client, "mrr", "10", "lots")).text
    assert "'lots' is text but the column is integer" in shown_error(page, "r-0-high")
    assert shown_error(page, "r-0-value") == ""
    page = client.post("/segments/builder", data=between(client, "mrr", "", "50")).text
    assert "add the low bound" in shown_error(page, "r-0-value")
    assert shown_error(page, "r-0-high") == ""
    page = client.post("/segments/builder", data=between(client, "mrr", "50", "")).text
    assert "add the high bound" in shown_error(page, "r-0-high")
    assert shown_error(page, "r-0-value") == ""
