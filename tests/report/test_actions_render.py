"""The renderers show a finding's Graph calls in order, whether each is ready, and the alternatives
after them; tenant text in any of it is escaped. The CSV keeps one row per finding."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.model import Cloud, Locale
from auditor.report import render_html, render_markdown
from auditor.report.csv_report import render_csv

from .report_fixtures import XSS_NAME, FakeGuidance
from .test_escaping import assert_no_active_content, github_html, parse


class TwoStepGuidance(FakeGuidance):
    """A fix of three calls (the first not ready) and one alternative, with tenant text in them."""

    def remediation(self, rule: str, *, cloud: Cloud, locale: Locale, subject: Mapping[str, Any],
                    skus: Sequence[str], details: Mapping[str, Any],
                    names: Mapping[str, str] | None = None) -> dict[str, Any]:
        out = super().remediation(rule, cloud=cloud, locale=locale, subject=subject, skus=skus, details=details)
        if subject.get("type") != "user":
            return out
        uid, name = subject["id"], subject.get("display_name")
        base = {"user": uid, "group": None, "precondition": [], "seats": {}, "body": None}
        out["actions"] = [
            {**base, "kind": "set_usage_location", "method": "PATCH", "path": f"/users/{uid}",
             "body": {"usageLocation": "XX"}, "description": f"first: set the country of {name}",
             "ready": False, "blocked": "choose_value"},
            {**base, "kind": "add_member", "method": "POST", "path": "/groups/g-new/members/$ref",
             "body": {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{uid}"},
             "description": f"second: add {name} to the new group", "ready": True, "blocked": None},
            {**base, "kind": "remove_member", "method": "DELETE", "path": f"/groups/g-old/members/{uid}/$ref",
             "description": f"third: take {name} out of the old group", "ready": False, "blocked": "data_lost"},
        ]
        return out


def first_xss(document: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in document["findings"] if XSS_NAME in str(f["subject"]))


def test_html_shows_the_calls_in_order_with_readiness_and_the_alternatives(sample: dict[str, Any]) -> None:
    html = render_html(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, guidance=TwoStepGuidance())
    page = parse(html)
    assert_no_active_content(page)
    text = "".join(page.text)
    first, second, third = (text.index(f"{n}: ") for n in ("first", "second", "third"))
    assert first < second < third
    assert "Microsoft Graph requests, in order" in text
    assert "PATCH /users/" in text and "POST /groups/g-new/members/$ref" in text
    assert "not ready: choose the value first" in text and "ready to run" in text
    assert "not ready: it would end data the user holds; keep the data first" in text
    alternative = text.index("Alternative:")
    assert text.index("third: ") < alternative  # the alternatives come after the default calls
    assert f"[en] or keep it for {XSS_NAME}" in text and "not ready: fill in the missing id first" in text
    assert XSS_NAME not in html  # shown as text, escaped
    assert sum(tag == "ol" for tag, _ in page.tags) > 2


def test_html_statuses_follow_the_locale(sample: dict[str, Any]) -> None:
    html = render_html(sample, locale=Locale.NL, cloud=Cloud.WORLDWIDE, guidance=TwoStepGuidance())
    assert "klaar om uit te voeren" in html and "niet klaar: kies eerst de waarde" in html
    assert "Microsoft Graph-aanvragen, in volgorde" in html and "Alternatief" in html


def test_markdown_shows_the_calls_in_order_and_escapes_them(sample: dict[str, Any]) -> None:
    markdown = render_markdown(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, guidance=TwoStepGuidance())
    page = parse(github_html(markdown))
    assert_no_active_content(page)
    assert [tag for tag, _ in page.tags if tag == "a"] == []
    text = "".join(page.text)
    assert text.index("1. first: ") < text.index("2. second: ") < text.index("3. third: ")
    assert "POST /groups/g-new/members/$ref" in text and "(ready to run)" in text
    assert f"Alternative: [en] or keep it for {XSS_NAME}" in text


def test_markdown_rows_keep_three_cells_with_actions(sample: dict[str, Any]) -> None:
    markdown = render_markdown(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, guidance=TwoStepGuidance())
    rows = [row for row in parse(github_html(markdown)).cells if any("first: " in c for c in row)]
    assert rows and all(len(row) == 3 for row in rows)


def test_csv_keeps_one_row_per_finding_with_the_first_ready_call(sample: dict[str, Any]) -> None:
    text = render_csv(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, guidance=TwoStepGuidance())
    rows = list(csv.DictReader(io.StringIO(text)))
    finding = first_xss(sample)
    (row,) = [r for r in rows if r["id"] == finding["id"]]
    assert (row["actions"], row["actions_ready"]) == ("3", "1")
    assert (row["action_method"], row["action_path"]) == ("POST", "/groups/g-new/members/$ref")
    assert json.loads(row["action_body"])["@odata.id"].endswith(finding["subject"]["id"])
    assert len(rows) == len({r["id"] for r in rows})
