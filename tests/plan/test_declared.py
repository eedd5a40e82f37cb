"""A finding's data-free removals go while the rest waits; the admin's data_kept declaration makes
a removal that ends only covered data ready; grace_days holds a leaver's removals back
(auditor/plan/declared.py, docs/plan-and-apply.md)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from auditor.formats.report_model import finding_of
from auditor.plan.compile import compile_plan
from auditor.plan.write import plan_document, plan_markdown

from .builders import DISABLED, FORBIDDEN, G_E3, G_E5, INACTIVE, assign, finding, leave, report, seat, uid

U1, U2 = uid(1), uid(2)
SEATS = [
    seat("SPE_E5", 100, 50, price=57.0),
    seat("SPE_E3", 100, 50, price=33.75),
    seat("POWER_BI_PRO", 10, 5, price=10.0),
]
G_PBI = "9a8b0000-0000-0000-0000-0000000000b1"
FULL = {"SPE_E3": ["archive", "files", "mailbox"]}
LOST = {"data_lost": {"SPE_E3": ["Exchange Online (Plan 2)", "SharePoint (Plan 2)"]}}


def plain(markdown: str) -> str:
    """plan.md's text without its Markdown escapes (backslashes, the comment that stops autolinks)."""
    return markdown.replace("<!-- -->", "").replace("\\", "")


def kept(
    mailbox: str | None = "retention", files: str | None = "retention", *, expired: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {"accepted_by": "cio@contoso.example", "expires": "2027-06-30", "expired": expired}
    if mailbox:
        out["mailbox"] = mailbox
    if files:
        out["files"] = files
    return {"data_kept": out}


def leaver(
    fid: str = "f1",
    rule: str = DISABLED,
    *,
    details: dict[str, Any] | None = None,
    kinds: dict[str, list[str]] | None = None,
    pbi: bool = True,
) -> dict[str, Any]:
    """A leaver holding Power BI Pro (group, no data) and E3 (group, mailbox and files)."""
    actions = [leave(U1, G_PBI, {"POWER_BI_PRO": -1})] if pbi else []
    actions.append(leave(U1, G_E3, {"SPE_E3": -1}, ready=False, blocked="data_lost"))
    return finding(
        fid,
        rule,
        U1,
        actions,
        skus=("POWER_BI_PRO", "SPE_E3"),
        data_kinds=FULL if kinds is None else kinds,
        details={**LOST, **(details or {})},
    )


def test_a_leavers_data_free_product_goes_while_the_mailbox_product_waits() -> None:
    plan = compile_plan(report([leaver()], SEATS))
    assert [(c.kind, c.group) for c in plan.changes] == [("remove_member", G_PBI)]
    assert plan.changes[0].findings == ("f1",) and plan.changes[0].seats == {"POWER_BI_PRO": -1}
    [waits] = plan.skipped
    assert (waits.finding, waits.reason, waits.in_part) == ("f1", "data_lost", True)
    assert waits.to_json()["in_part"] is True
    assert plan.need_a_person == 1  # the E3 still needs a person


def test_a_replacement_is_never_split() -> None:
    doc = report(
        [
            finding(
                "f1",
                FORBIDDEN,
                U1,
                [
                    assign(U1, add=["SPE_E3"], remove=["SPE_E5"]),
                    leave(U1, G_E5, {"SPE_E5": -1}, ready=False, blocked="data_lost"),
                ],
                data_kinds={"SPE_E5": ["mailbox"]},
            )
        ],
        SEATS,
    )
    plan = compile_plan(doc)
    assert plan.changes == ()
    assert [(s.reason, s.in_part) for s in plan.skipped] == [("data_lost", False)]


def test_a_ready_removal_of_a_product_that_holds_data_is_not_split_off() -> None:
    # the ready part frees a product the report says holds a mailbox: it stays with the rest
    doc = report(
        [
            finding(
                "f1",
                DISABLED,
                U1,
                [
                    assign(U1, remove=["SPE_E5"]),
                    leave(U1, G_E3, {"SPE_E3": -1}, ready=False, blocked="data_lost"),
                ],
                data_kinds={"SPE_E5": ["mailbox"], **FULL},
            )
        ],
        SEATS,
    )
    plan = compile_plan(doc)
    assert plan.changes == () and [s.reason for s in plan.skipped] == ["data_lost"]


def test_data_kept_in_force_makes_the_removal_ready_and_plan_json_records_it() -> None:
    plan = compile_plan(report([leaver(details=kept())], SEATS))
    assert [(c.kind, c.group) for c in plan.changes] == [("remove_member", G_PBI), ("remove_member", G_E3)]
    assert plan.skipped == ()
    e3 = plan.changes[1]
    assert e3.data_kept == (
        {
            "finding": "f1",
            "subject": "User 0001",
            "kinds": ["archive", "files", "mailbox"],
            "mailbox": "retention",
            "files": "retention",
            "accepted_by": "cio@contoso.example",
            "expires": "2027-06-30",
        },
    )
    assert plan.changes[0].data_kept == ()  # the data-free removal needed no declaration
    written = plan_document(plan, created_at="2026-11-22T07:12:00Z")
    assert written["changes"][1]["data_kept"][0]["accepted_by"] == "cio@contoso.example"
    assert "data_kept" not in written["changes"][0]
    text = plain(plan_markdown(plan, created_at="2026-11-22T07:12:00Z"))
    section = text.split("### What happens to the users' data", 1)[1].split("###", 1)[0]
    assert "- User 0001, change 2: declared by cio@contoso.example, until Jun 30, 2027" in section
    assert (
        "Mailbox and archive (a retention policy): disconnected when the license goes; a new license within "
        "30 days reconnects it, and it is kept beyond that, as an inactive mailbox, only if a hold covers it when "
        "the account is deleted."
    ) in section
    assert "OneDrive (a retention policy): archived 93 days after it has no license" in section


def test_plan_md_says_a_converted_mailbox_must_be_converted_first() -> None:
    """converted_to_shared: the account is still a user mailbox (a leaver finding is never about a
    shared one), so the removal that ends the mailbox waits for the conversion; the next audit sees
    a shared mailbox, which shared-mailbox-licensed judges by its size."""
    shared = kept(mailbox="converted_to_shared", files="not_needed")
    plan = compile_plan(report([leaver(details=shared, kinds={"SPE_E3": ["files", "mailbox"]}, pbi=False)], SEATS))
    assert not plan.changes
    [skipped] = plan.skipped
    assert skipped.reason == "convert_first"
    text = plain(plan_markdown(plan, created_at="2026-11-22T07:12:00Z"))
    assert "it is still a user mailbox: convert it first (exchange-steps.ps1), then audit and plan again" in text
    assert "What happens to the users' data" not in plan_markdown(
        compile_plan(report([leaver()], SEATS)), created_at="2026-11-22T07:12:00Z"
    )


def test_an_expired_declaration_counts_as_absent() -> None:
    plan = compile_plan(report([leaver(details=kept(expired=True))], SEATS))
    assert [c.group for c in plan.changes] == [G_PBI]
    assert [(s.reason, s.in_part) for s in plan.skipped] == [("data_lost", True)]


def test_a_declaration_that_leaves_a_kind_uncovered_does_not_make_it_ready() -> None:
    for declared in (kept(files=None), kept(mailbox=None)):
        plan = compile_plan(report([leaver(details=declared)], SEATS))
        assert [c.group for c in plan.changes] == [G_PBI], declared


def test_converted_to_shared_waits_for_the_conversion_but_lets_the_rest_go() -> None:
    shared = kept(mailbox="converted_to_shared")
    for kinds in (None, {"SPE_E3": ["files", "mailbox"]}):  # with an archive, and without
        plan = compile_plan(report([leaver(details=shared, kinds=kinds)], SEATS))
        assert [c.group for c in plan.changes] == [G_PBI]  # the data-free product goes now
        assert [s.reason for s in plan.skipped] == ["convert_first"]


def test_data_kept_needs_to_know_what_the_product_holds() -> None:
    # data_lost names E3 but data_kinds does not say what it holds: a person decides
    plan = compile_plan(report([leaver(details=kept(), kinds={})], SEATS))
    assert [c.group for c in plan.changes] == [G_PBI]


def test_a_removal_the_same_declaration_covers_on_an_inactive_user() -> None:
    plan = compile_plan(
        report([leaver(rule=INACTIVE, details=kept(mailbox="not_needed", files="not_needed"), pbi=False)], SEATS)
    )
    assert [c.group for c in plan.changes] == [G_E3]
    assert plan.changes[0].data_kept[0]["mailbox"] == "not_needed"


def test_grace_days_hold_the_removals_back_until_they_have_passed() -> None:
    # the report's as_of is 2026-11-22T03:00:00Z
    recent = {"grace_days": 14, "disabled_at": "2026-11-15T09:00:00Z", **kept()}
    plan = compile_plan(report([leaver(details=recent)], SEATS))
    assert plan.changes == ()
    [held] = plan.skipped
    assert (held.reason, held.not_before) == ("grace_period", "2026-11-29")
    assert held.to_json()["not_before"] == "2026-11-29"
    text = plain(plan_markdown(plan, created_at="2026-11-22T07:12:00Z"))
    assert "not before Nov 29, 2026" in text

    passed = {"grace_days": 14, "disabled_at": "2026-11-01T09:00:00Z", **kept()}
    assert [c.group for c in compile_plan(report([leaver(details=passed)], SEATS)).changes] == [G_PBI, G_E3]


def test_a_bound_from_the_logs_span_read_seconds_after_the_audits_clock_is_judged_by_the_day() -> None:
    """The report's as_of is 2026-11-22T03:00:00Z; the log was read (and spans 30 days back from) seconds
    later, as a fleet reads its tenants after its clock: grace_days 30 has passed by the day, the same
    verdict as an audit that read the log at once (before, it waited "disable time unknown" by 9 seconds)."""
    bound = {"disabled_from": "auditSpan", "audit_span_days": 30, **kept()}
    later = {"grace_days": 30, "disabled_at": "2026-10-23T03:00:09Z", **bound}
    at_once = {"grace_days": 30, "disabled_at": "2026-10-23T03:00:00Z", **bound}
    for details in (later, at_once):
        assert [c.group for c in compile_plan(report([leaver(details=details)], SEATS)).changes] == [G_PBI, G_E3]
    # a bound that does not reach back grace_days by the day still waits, its time unknown
    short = {"grace_days": 30, "disabled_at": "2026-10-24T03:00:00Z", **bound}
    [held] = compile_plan(report([leaver(details=short)], SEATS)).skipped
    assert held.reason == "disable_time_unknown"


def test_grace_days_without_a_known_disable_time_waits_with_that_reason() -> None:
    plan = compile_plan(report([leaver(details={"grace_days": 14, "disabled_at": None})], SEATS))
    assert plan.changes == ()
    [held] = plan.skipped
    assert held.reason == "disable_time_unknown"
    text = plain(plan_markdown(plan, created_at="2026-11-22T07:12:00Z"))
    assert "when the account was disabled is not known" in text


def test_without_grace_days_the_disable_time_is_not_needed() -> None:
    plan = compile_plan(report([leaver(details={"disabled_at": None})], SEATS))
    assert [c.group for c in plan.changes] == [G_PBI]


def test_grace_days_without_a_readable_audit_log_says_what_to_grant() -> None:
    unread = {"grace_days": 14, "disabled_at": None, "disable_unknown": "audit_not_read"}
    plan = compile_plan(report([leaver(details=unread)], SEATS))
    [held] = plan.skipped
    assert held.reason == "disable_audit_not_read"
    text = plain(plan_markdown(plan, created_at="2026-11-22T07:12:00Z"))
    assert "the directory audit log was not read (the app needs AuditLog.Read.All)" in text


def test_on_the_sample_grace_counts_from_the_leave_date_or_the_audit_and_waits_without_either(tmp_path: Any) -> None:
    """The sample's three leavers, audited from the snapshot file with grace_days: 14 at its clock
    (2026-11-01): the leave date 40 days back has passed, the audit's disable 5 days back has not,
    and the third, which the 30-day log never saw disabled, was disabled before it."""
    from pathlib import Path

    from auditor.cli import main

    root = Path(__file__).resolve().parents[2]
    policy = tmp_path / "grace.yaml"
    policy.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: grace}\n"
        "hygiene:\n  disabled_users: {severity: high, grace_days: 14}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(root / "auditor_dev" / "sample" / "sample-tenant.json"),
                "--policies",
                str(policy),
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
            ]
        )
        == 0
    )
    assert main(["plan", "--report-dir", str(out)]) == 0
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    report_doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ids = {
        f["subject"]["upn"].split("@")[0]: f["id"]
        for f in report_doc["findings"]
        if f["subject"].get("upn", "").startswith("leaver.")
    }
    skipped = {s["finding"]: s for s in plan["skipped"]}
    planned = {fid for c in plan["changes"] for fid in c["findings"]}
    # the leave date: grace has passed; E3 waits only for its data now (no declaration in this policy)
    assert skipped[ids["leaver.dated"]]["reason"] == "data_lost"
    audited = skipped[ids["leaver.audited"]]
    assert (audited["reason"], audited["not_before"]) == ("grace_period", "2026-11-09")
    # no entry of the 30-day log disabled the third: disabled at least 30 days ago, grace has passed
    assert skipped[ids["leaver.unknown"]]["reason"] == "data_lost"
    unknown = next(f for f in report_doc["findings"] if f["id"] == ids["leaver.unknown"])
    assert unknown["details"]["disabled_from"] == "auditSpan" and unknown["details"]["audit_span_days"] == 30
    from auditor import wording as guidance
    from auditor.data.model import Locale

    said = guidance.message(
        unknown["rule"], finding_of(unknown["subject"], unknown["skus"], unknown["details"]), locale=Locale.EN
    )
    assert "has no entry of the account being disabled: it was disabled at least 30 days ago" in said
    assert not planned & set(ids.values())
    text = plain((out / "plan.md").read_text(encoding="utf-8"))
    assert "not before Nov 9, 2026" in text


def test_the_plan_reads_a_leavers_details_through_their_types() -> None:
    """plan/declared.py reads a leaver's details as LeaverFacts: the rule's own fields by its record
    (auditor.evaluation.records.record), the engine's by the fix (finding_facts.Fix), so a key renamed in a
    rule or the engine fails mypy there; each value checked: an absent key reads as absent, as in an older
    report.json; a key no record holds is left out; a value of the wrong type is refused naming the finding
    and its place."""
    from pathlib import Path

    import msgspec

    from auditor.data.finding_facts import FindingFactsError
    from auditor.plan import declared
    from auditor.plan.leaver_facts import LeaverFacts, leaver_facts
    from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed
    from auditor.rules.usage.copilot_seats import CopilotSeatIdle

    def read(details: dict[str, Any], rule: str = DisabledUserLicensed.id, fid: str = "") -> LeaverFacts:
        made = finding_of({"type": "user", "id": "u1"}, ["SPE_E3"], details, rule=rule)
        return leaver_facts(msgspec.structs.replace(made, id=fid))

    source = Path(declared.__file__).read_text("utf-8")
    assert "details" not in re.sub(r'"""[\s\S]*?"""|#.*', "", source), "declared.py reads LeaverFacts, never details"
    assert read({}) == LeaverFacts() and declared.grace_wait(read({}), "2026-11-01T00:00:00Z") is None
    inactive = read({"mail_use": {"read": False}}, InactiveUserLicensed.id)
    assert declared.use_wait(inactive) == (declared.USE_NOT_SHOWN, "")
    assert declared.use_wait(read({}, InactiveUserLicensed.id)) is None  # an older report: not said
    facts = read({"grace_days": 30, "disabled_at": None, "disable_unknown": "audit_not_read", "other": [1]})
    assert facts == LeaverFacts(grace_days=30, disable_unknown="audit_not_read")
    assert declared.grace_wait(facts, "2026-11-01T00:00:00Z") == (declared.DISABLE_AUDIT_NOT_READ, "")
    # another rule's finding has no leaver's fields, only the fix's
    other = read({"grace_days": 30, "data_kinds": {"SPE_E3": ["mailbox"]}}, CopilotSeatIdle.id)
    assert other == LeaverFacts(data_kinds={"SPE_E3": ["mailbox"]})
    wrong = r"^finding f1's details: Expected `int`, got `bool` - at `details.grace_days`"
    with pytest.raises(FindingFactsError, match=wrong):
        read({"grace_days": True}, fid="f1")
    with pytest.raises(FindingFactsError, match=r"at `details.data_kept.expired`"):
        read({"data_kept": {"mailbox": "retention", "expired": "no"}})
    with pytest.raises(FindingFactsError, match=r"at `details.exchange.litigation_hold`"):
        read({"exchange": {"listed": True, "litigation_hold": "yes"}})
