"""The full report groups findings that share a fix: the rule's steps once, then a table of the
people and products; a step that differs per user gets a recipe of its own. Each finding shows its
state as the plan has it, after the plan's cross-checks, in the report and in the digest alike."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.model import Cloud, Locale
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument
from auditor.plan.compile import compile_plan
from auditor.plan.reasons import skip_reason
from auditor.report.csv_report import render_csv
from auditor.report.digest import render_digest
from auditor.report.view.digest import build_digest
from auditor.report.view.states import plan_states
from auditor.rules.assignments import AssignmentNotGroupBased, SkuForbidden
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from tests.documents import report_document

from .report_fixtures import FakeGuidance, user
from .report_fixtures import finding as report_finding
from .test_escaping import assert_no_active_content, github_html, parse

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("demo")
    code = main(
        [
            "audit",
            "--snapshot",
            str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json"),
            "--policies",
            str(ROOT / "examples" / "contoso-policy.yaml"),
            "--output-dir",
            str(out),
            "--as-of",
            "2026-11-01T06:00:00Z",
        ]
    )
    assert code == 1
    yield out


def document(demo: Path) -> ReportDocument:
    return decode_report((demo / "report.json").read_bytes(), "report.json")


def section(page: str, rule: str) -> str:
    start = page.index(f'id="rule-{rule}"')
    end = page.find('id="rule-', start + 1)
    return page[start:] if end < 0 else page[start:end]


def test_findings_that_share_a_fix_show_its_steps_once(demo: Path) -> None:
    page = (demo / "report.html").read_text(encoding="utf-8")
    part = section(page, DisabledUserLicensed.id)
    assert part.count("Confirm that this user is meant to stay blocked") == 1
    same = [
        f
        for f in document(demo).findings
        if f.rule == DisabledUserLicensed.id and f.details["assigned_by_group"] == {"SPE_E3": ["All Office Staff"]}
    ]
    assert len(same) >= 3
    # one recipe for all of them: its steps once, each person once, in the table
    # (and in the recipe of a user who leaves a second group too)
    assert part.count("go to Groups &gt; All groups &gt; All Office Staff &gt; Members, select this user") <= 2
    for f in same:
        assert part.count(html.escape(f.subject.upn)) == 1
        assert part.count(html.escape(f.subject.display_name)) == 1


def test_a_fix_only_one_finding_has_is_left_to_findings_csv(demo: Path) -> None:
    part = section((demo / "report.html").read_text(encoding="utf-8"), DisabledUserLicensed.id)
    # the dynamic group's leaver leaves another group, in another way: a fix of its own, whose steps
    # report.json and findings.csv hold; the report names the leaver and says what the plan waits for
    assert "Sales Analytics is a dynamic group" not in part
    rest = part[part.index("sales.leaver@contoso.example") :]
    assert "the group is dynamic" in rest
    # the fix most of the rule's findings share keeps its steps; where the others' are is said once
    assert part.index("All Office Staff &gt; Members, select this user") < part.index("sales.leaver@contoso.example")
    page = (demo / "report.html").read_text(encoding="utf-8")
    assert "own steps are in report.md" not in part and page.count("own steps are in report.md") == 1
    rows = list(csv.DictReader(io.StringIO((demo / "findings.csv").read_text(encoding="utf-8"))))
    (row,) = [r for r in rows if r["subject"] == "sales.leaver@contoso.example"]
    assert "Sales Analytics" in row["remediation"]
    (finding,) = [f for f in document(demo).findings if f.subject.upn == "sales.leaver@contoso.example"]
    assert any("Sales Analytics is a dynamic group" in step for step in finding.remediation["steps"])


def _ready_rows(recipe: str) -> int:
    """The rows of a recipe (its steps, then its table) that the plan makes ready: each says so, or
    the recipe says it once above its table, for every row."""
    recipe = recipe.split('<tr><td id="rule-')[0]
    if "State:</b> <span" in recipe and ">ready</span>" in recipe.split("State:</b>")[1].split("</div>")[0]:
        return recipe.count('<tr style="border-top:1px solid #e9ecef;')
    return recipe.count(">ready</span>")


def test_the_report_shows_what_the_plan_does_not_what_the_actions_say(demo: Path) -> None:
    doc = document(demo)
    plan = compile_plan(doc, describe_changes=False)
    held = {s.finding: s for s in plan.skipped}
    # every call of this finding is ready by itself, but the plan holds it back (not_allowed)
    (finding,) = [
        f for f in doc.findings if f.rule == AssignmentNotGroupBased.id and f.subject.display_name == "Direct Assignee"
    ]
    assert all(a["ready"] for a in finding.remediation["actions"])
    assert held[finding.id].reason == "not_allowed"
    page = (demo / "report.html").read_text(encoding="utf-8")
    part = section(page, AssignmentNotGroupBased.id)
    # the row's recipe: the state its rows share is said once above their table, the reason in the notes
    recipe = part[: part.index("<b>Direct Assignee</b>")]
    recipe = recipe[recipe.rindex('<tr><td id="fix-') :]
    from auditor import i18n

    reason = skip_reason(i18n.translations(Locale.EN), held[finding.id])
    assert "needs an admin&#39;s decision" in recipe and html.escape(reason) in part
    assert ">ready<" not in recipe
    planned = {fid for change in plan.changes for fid in change.findings}
    ready_rows = sum(_ready_rows(recipe) for recipe in page.split('<tr><td id="fix-')[1:])
    assert ready_rows == len([f for f in doc.findings if f.id in planned and f.id not in held])


def test_the_digest_top_actions_carry_the_plans_state(demo: Path) -> None:
    doc = document(demo)
    plan = compile_plan(doc, describe_changes=False)
    states = plan_states(plan, Locale.EN)
    view = build_digest(doc, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=wording, plan_line="", states=states)
    assert 0 < len(view.actions) <= 10
    planned = {fid for change in plan.changes for fid in change.findings}
    held = {s.finding for s in plan.skipped}
    for action in view.actions:
        assert action.ready == (action.id in planned and action.id not in held)
    assert any(not a.ready for a in view.actions) and any(a.ready for a in view.actions)
    text = (demo / "digest.txt").read_text(encoding="utf-8")
    for action in view.actions:
        assert f"{action.subject}" in text and action.state in text


def test_markdown_recipe_tables_have_five_cells_and_no_active_content(demo: Path) -> None:
    markdown = (demo / "report.md").read_text(encoding="utf-8")
    page = parse(github_html(markdown))
    assert_no_active_content(page)
    rows = [row for row in page.cells if any("user000007@contoso.example" in c for c in row)]
    assert rows and all(len(row) == 5 for row in rows)
    assert markdown.count("Confirm that this user is meant to stay blocked") == 1


def test_digest_of_a_hand_built_report_escapes_tenant_text(sample: ReportDocument) -> None:
    page, text = render_digest(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=FakeGuidance())
    assert_no_active_content(parse(page), local=("report.html#rule-",))
    assert "<script>" not in page
    assert "Top actions" in text


def test_csv_keeps_one_row_per_finding_with_the_first_ready_call(sample: ReportDocument) -> None:
    text = render_csv(sample, locale=Locale.EN, cloud=Cloud.WORLDWIDE, wording=FakeGuidance())
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["severity"] != "incomplete"]
    assert len(rows) == len(sample.findings) == len({r["id"] for r in rows})
    user_rows = [r for r in rows if r["subject_type"] == "user"]
    assert user_rows and all(r["action_method"] == "POST" and r["actions_ready"] == "1" for r in user_rows)


def test_the_summary_names_the_licensing_group(demo: Path) -> None:
    """ "Add X to the group that should assign E3" does not say which group; the policy names it."""
    direct = [
        f
        for f in document(demo).findings
        if f.rule == AssignmentNotGroupBased.id and not f.details.get("also_by_group")
    ]
    assert direct
    for f in direct:
        assert "to the group All Office Staff, which assigns Microsoft 365 E3" in f.remediation["summary"]
        assert "the group that should assign" not in f.remediation["summary"]


def test_redacted_reports_show_the_same_states_and_no_waiver_owner(demo: Path, tmp_path: Path) -> None:
    """--redact renames people; what the plan does stays the same, and a reason that names a
    waiver's owner names the pseudonym."""
    from auditor.plan.compile import WAIVER_LAPSED, ChangePlan, Skipped
    from auditor.report.write import RenderOptions, render

    doc = document(demo)
    render(doc, tmp_path, RenderOptions(formats=["html"], redact=True, redact_key=b"k" * 32))
    redacted = (tmp_path / "report.html").read_text(encoding="utf-8")
    plain = (demo / "report.html").read_text(encoding="utf-8")
    assert redacted.count(">ready</span>") == plain.count(">ready</span>") > 0
    assert "leaver.audited@contoso.example" not in redacted + (tmp_path / "digest.txt").read_text(encoding="utf-8")

    lapsed = Skipped(
        "f1", SkuForbidden.id, WAIVER_LAPSED, "Ann", waiver={"owner": "cio@contoso.example", "expires": "2026-10-30"}
    )
    plan = ChangePlan(
        "t", "Contoso", "worldwide", "en", "2026-11-01T06:00:00Z", "EUR", 0.0, (), (), (), None, (lapsed,)
    )
    who = "person-1@redacted.invalid"
    waiver = {"rule": SkuForbidden.id, "subject": who, "reason": "leave", "owner": who, "expires": "2026-10-30"}
    ann = report_finding(
        SkuForbidden.id, "high", user("u1", "ann@contoso.example", "Ann"), ["SPE_E5"], {}, waiver=waiver
    )
    shown = report_document(findings=[msgspec.structs.replace(ann, id="f1")])
    (state,) = plan_states(plan, Locale.EN, shown).values()
    assert "person-1@redacted.invalid" in state.reason and "cio@contoso.example" not in state.reason
    (real,) = plan_states(plan, Locale.EN).values()
    assert "cio@contoso.example" in real.reason
