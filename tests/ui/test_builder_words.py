"""The segment builder reads as words and marks problems where they are; an empty segment is
a warning; every save is confirmed and the navigation marks the current page."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import yaml

from tests.harness.ui import csrf_form


def builder_form(client: httpx.Client, rule: dict[str, str], name: str = "eu") -> dict[str, str]:
    """The new-segment form over the test table with one condition (`rule`: its fields)."""
    form = {**csrf_form(client, "/segments/new"), "name": name, "source": "warehouse"}
    form |= {"from": "analytics.companies", "w.r.kind": "all", "w.r.0.kind": "rule"}
    return form | {f"w.r.0.{key}": value for key, value in rule.items()}


def test_operators_read_as_words_and_text_columns_offer_their_few_values(
    client: httpx.Client,
) -> None:
    """The operator list says "at least", "is one of", "within the last"; a condition on
    `region` (three values) offers eu, us and apac as suggestions."""
    rule = {"column": "region", "op": "eq", "value": ""}
    html = client.post("/segments/builder", data=builder_form(client, rule)).text
    operators = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', html)
    words = dict(operators)
    assert words["eq"] == "is"
    assert words["in"] == "is one of"
    assert "gte" not in words.values()
    suggestions = re.search(r'<datalist id="values-r.0">(.*?)</datalist>', html, re.S)
    assert suggestions is not None, html
    assert re.findall(r'value="([^"]+)"', suggestions.group(1)) == ["apac", "eu", "us"]
    numeric = {"column": "mrr", "op": "gte", "value": "1"}
    html = client.post("/segments/builder", data=builder_form(client, numeric)).text
    assert '<option value="gte" selected>at least</option>' in html


def test_is_one_of_takes_one_value_per_line_and_within_the_last_a_number_and_unit(
    client: httpx.Client, project: Path
) -> None:
    """ "is one of" saves each line as one value (a comma stays inside its value); the
    builder shows it as a text area; a saved list reads back one per line."""
    rule = {"column": "plan_name", "op": "in", "value": "Pro\nEnterprise, Inc.\n"}
    saved = client.post("/segments/save", data=builder_form(client, rule, "plans"))
    assert saved.status_code == 303
    document = yaml.safe_load((project / "segments" / "plans.yml").read_text())
    assert document["where"]["all"][0]["value"] == ["Pro", "Enterprise, Inc."]
    page = client.get("/segments/plans").text
    assert re.search(r'<textarea name="w.r.0.value"[^>]*>Pro\nEnterprise, Inc.</textarea>', page)


def test_a_problem_is_marked_at_its_condition_while_editing(client: httpx.Client) -> None:
    """A text value on an integer column, redrawn by the builder, marks that condition and
    says why beside it (not only in the side panel)."""
    rule = {"column": "mrr", "op": "gte", "value": "lots"}
    html = client.post("/segments/builder", data=builder_form(client, rule)).text
    assert '<div class="rule flagged" data-path="r.0">' in html
    message = re.search(r'id="error-r-0-value"[^>]*>([^<]+)<', html)
    assert message is not None
    assert "'lots' is text but the column is integer" in message.group(1).replace("&#39;", "'")


def test_a_segment_matching_no_company_is_a_warning_in_preview_and_after_saving(
    client: httpx.Client, project: Path
) -> None:
    """Conditions matching no row warn in the live preview; saving still saves, and the
    segments page then confirms the file and warns that it matches no company."""
    rule = {"column": "region", "op": "eq", "value": "mars"}
    preview = client.post("/segments/preview", data=builder_form(client, rule, "nobody")).text
    assert 'id="segment-empty"' in preview
    saved = client.post("/segments/save", data=builder_form(client, rule, "nobody"))
    assert saved.status_code == 303
    assert (project / "segments" / "nobody.yml").exists()
    listing = client.get(saved.headers["location"]).text
    assert re.search(r'id="saved">Saved in <code>segments/nobody.yml</code>', listing)
    assert 'id="empty-warning"' in listing


def test_the_navigation_marks_the_current_page_and_the_favicon_is_served(
    client: httpx.Client,
) -> None:
    """On /segments/new the Segments link is marked current; the favicon is an SVG served
    from the UI itself (offline)."""
    html = client.get("/segments/new").text
    current = re.findall(r'<a href="(/\w+)" aria-current="page"', html)
    assert current == ["/segments"]
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert icon is not None
    answer = client.get(icon.group(1))
    assert answer.status_code == 200
    assert answer.text.startswith("<svg")
