"""The section of the users whom a security feature reaches without a license (entitlement-missing)
says, for each of them, what reaches them: the Conditional Access policy, the role in Privileged
Identity Management or the group, by name, in report.html and in report.md; its steps name it, and
no step holds a placeholder for the user ("[Name]") nor points to the message for the scope."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.model import Cloud, Locale
from auditor.formats.report_json import decode_report
from auditor.guidance.library import ValueFormatter
from auditor.report.capped import HTML, render_page
from auditor.report.view import PageContext
from auditor.report.wording_api import default_wording
from auditor.rules.entitlements.entitlement import EntitlementMissing
from auditor.rules.entitlements.entitlement_texts import reach

from .test_digest_size import ROOT

RULE = EntitlementMissing.id


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("demo")
    argv = ["audit", "--snapshot", str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json")]
    argv += ["--policies", str(ROOT / "examples" / "contoso-policy.yaml"), "--output-dir", str(directory)]
    assert main([*argv, "--format", "json,html,md", "--as-of", "2026-11-01T06:00:00Z"]) == 1
    document = decode_report((directory / "report.json").read_bytes(), "report.json")
    return {
        "document": document,
        "findings": [f for f in document.findings if f.rule == RULE],
        "html": (directory / "report.html").read_text(encoding="utf-8"),
        "md": (Path(directory) / "report.md").read_text(encoding="utf-8"),
    }


def html_section(page: str) -> str:
    return page.split(f'id="rule-{RULE}"')[1].split('id="rule-')[0]


def md_section(page: str) -> str:
    return page.split("(entitlement\\-missing)")[1].split("\n#### ")[0]


def names_of(finding: dict[str, Any]) -> list[str]:
    return [name for names in finding.details["via"].values() for name in names]


def test_the_demo_has_users_reached_by_a_policy_and_by_a_role(demo: dict[str, Any]) -> None:
    features = {feature for f in demo["findings"] for feature in f.details["via"]}
    assert {"conditional_access", "privileged_access"} <= features
    assert len(demo["findings"]) >= 3


def test_report_html_names_what_reaches_each_user_beside_them(demo: dict[str, Any]) -> None:
    """Each fix with its table (a recipe, id "fix-...") names what reaches every user in its table."""
    blocks = html_section(demo["html"]).split('id="fix-')[1:]
    for finding in demo["findings"]:
        name = f"<b>{finding.subject.display_name}</b>"
        (block,) = [b for b in blocks if name in b]
        for reached_by in names_of(finding):
            assert f"&#34;{reached_by}&#34;" in block or f" {reached_by}" in block or f"({reached_by})" in block, (
                name,
                reached_by,
            )


def test_report_md_names_what_reaches_each_user_beside_them(demo: dict[str, Any]) -> None:
    section = md_section(demo["md"])
    blocks = section.split("\n\n\n")
    # report.md lists a rule's first findings and leaves the rest to findings.csv (it says how many)
    shown = [f for f in demo["findings"] if f"| **{f.subject.display_name}**" in section]
    left = len(demo["findings"]) - len(shown)
    assert len(shown) >= 3 and (not left or f"{left} more finding" in section)
    for finding in shown:
        name = f"| **{finding.subject.display_name}**"
        (block,) = [b for b in blocks if name in b]
        for reached_by in names_of(finding):
            assert reached_by.replace("-", "\\-").replace("(", "\\(").replace(")", "\\)") in block, (name, reached_by)


def test_only_a_row_whose_steps_are_not_shown_says_what_reaches_it(demo: dict[str, Any]) -> None:
    """The fixes are grouped by what reaches their users, so their steps name it once for the whole
    table; only the user whose fix report.html leaves out (the demo's new starter) has it in the row."""
    section = html_section(demo["html"])
    assert section.count("Reached by") == 1
    assert (
        "Reached by the Conditional Access policy &#34;Require multifactor authentication for all users&#34; "
        "and a device enrolled in Intune (Android)." in section
    )
    assert "Reached by" not in md_section(demo["md"])  # report.md shows every fix


@pytest.mark.parametrize("page", ["html", "md"])
def test_no_step_holds_a_placeholder_or_points_to_the_message(demo: dict[str, Any], page: str) -> None:
    section = html_section(demo["html"]) if page == "html" else md_section(demo["md"])
    assert "Name]" not in section
    assert "the message names" not in section
    assert "Or take the user out of the PIM role Security Administrator" in section.replace("\\", "")


def test_a_policy_name_from_the_tenant_is_escaped(demo: dict[str, Any]) -> None:
    document = copy.deepcopy(demo["document"])
    hostile = '<img src=x onerror=alert(1)>"Require MFA"'
    for finding in document.findings:
        if finding.rule == RULE:
            finding.details["via"] = {"conditional_access": [hostile]}
    page = render_page(HTML, document, PageContext(Locale.EN, Cloud.WORLDWIDE, default_wording()))
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;Require MFA&#34;" in html_section(page)


def test_what_reaches_a_user_in_words() -> None:
    w = ValueFormatter(Locale.EN)
    via = {"risk_based_access": ["Block high-risk sign-ins"], "privileged_access": ["Global Administrator"]}
    assert reach(["risk_based_access", "privileged_access"], via, w) == (
        'the Conditional Access policy "Block high-risk sign-ins" and the PIM role Global Administrator'
    )
    groups = {"dynamic_groups": ["All Sales"], "group_licensing": ["E3 users"]}
    assert reach(["dynamic_groups", "group_licensing"], groups, w) == (
        "the dynamic group All Sales and the licensing group E3 users"
    )
    # a finding without the names (an older report) says the feature; one the version does not know, as it is
    assert reach(["conditional_access", "future_feature"], {}, w) == "Conditional Access and future_feature"
    nl = reach(["conditional_access"], {"conditional_access": ["MFA"]}, ValueFormatter(Locale.NL))
    assert nl == "het beleid voor voorwaardelijke toegang “MFA”"  # the language's own marks (native review 9, S3)
