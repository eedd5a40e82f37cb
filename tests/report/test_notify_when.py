"""A night that speaks only when something changed (`--notify-when`, report.json `notify`), and a
finding that keeps its identity when one of its products goes."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import msgspec
import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.formats.bill_model import bill_of
from auditor.formats.report_model import BaselineChanges, Gap, Notify, ReportDocument
from auditor.insights.notify_when import decide
from auditor.report.baseline import compare
from auditor.rules.assignments.combination import SkuCombinationForbidden
from auditor.vendors.registry import BODIES
from tests.billing.bills import bill_json
from tests.documents import report_document

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
AS_OF = "2026-11-01T06:00:00Z"  # a Sunday


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _audit(out: Path, snapshot: Path = SAMPLE, *extra: str) -> tuple[int, dict]:
    code = main(
        [
            "audit",
            "--snapshot",
            str(snapshot),
            "--policies",
            str(ROOT / "examples" / "contoso-policy.yaml"),
            "--as-of",
            AS_OF,
            "--output-dir",
            str(out),
            "--format",
            "json,html",
            *extra,
        ]
    )
    return code, json.loads((out / "report.json").read_text("utf-8"))


def _report(findings: list[dict]) -> ReportDocument:
    return report_document(tenant={"id": "t"}, generated_at="2026-11-02T00:00:00Z", findings=findings)


def _finding(fid: str, skus: list[str], severity: str = "medium") -> dict:
    return {
        "id": fid,
        "rule": SkuCombinationForbidden.id,
        "severity": severity,
        "policy": None,
        "skus": skus,
        "subject": {"type": "user", "id": "U1"},
        "message": "",
        "details": {},
        "monthly_cost": None,
        "waived": False,
        "waiver": None,
        "remediation": None,
    }


def test_one_of_two_products_removed_is_better_not_new() -> None:
    before = _report([_finding("a", ["SPE_E3", "SPE_E5", "EMS"])])
    better = compare(before, _report([_finding("b", ["SPE_E3", "SPE_E5"])]))
    (f,) = better.findings
    assert (f.change, f.trend) == ("persisting", "better")
    assert isinstance(better.changes, BaselineChanges)
    assert better.changes.new == 0 and better.changes.better == 1 and better.changes.resolved == []
    worse = compare(before, _report([_finding("c", ["SPE_E3", "SPE_E5", "EMS", "VISIOCLIENT"])]))
    assert isinstance(worse.changes, BaselineChanges)
    assert worse.findings[0].trend == "worse" and worse.changes.worse == 1
    higher = compare(before, _report([_finding("a", ["SPE_E3", "SPE_E5", "EMS"], severity="high")]))
    assert higher.findings[0].trend == "worse"
    other_user = _finding("d", ["SPE_E3"])
    other_user["subject"] = {"type": "user", "id": "U2"}
    assert compare(before, _report([other_user])).findings[0].change == "new"


def test_the_reasons_a_run_speaks() -> None:
    quiet = compare(_report([_finding("a", ["SPE_E3"])]), _report([_finding("a", ["SPE_E3"])]))
    monday, sunday = date(2026, 11, 2), date(2026, 11, 1)
    assert decide(quiet, report_document(), when="changed", today=sunday, weekday="monday", locale=Locale.EN) == Notify(
        send=False, when="changed", reasons=[]
    )
    weekly = decide(quiet, report_document(), when="changed", today=monday, weekday="monday", locale=Locale.EN)
    assert weekly.send and [r.code for r in weekly.reasons] == ["weekly"]
    assert "1 finding stays open" in weekly.reasons[0].text
    gap = msgspec.structs.replace(quiet, gaps=[Gap(part="signInActivity", request="", reason="403")])
    found = decide(gap, report_document(), when="changed", today=sunday, weekday="monday", locale=Locale.EN)
    assert [r.code for r in found.reasons] == ["gap"]
    soon = msgspec.structs.replace(
        quiet, bill=bill_of(bill_json([{"action": "reduce", "seats": 2, "by": "2026-11-05"}]), BODIES)
    )
    (reason,) = decide(
        soon, report_document(), when="changed", today=sunday, weekday="monday", locale=Locale.EN
    ).reasons
    assert reason.code == "soon" and "Nov 5, 2026" in reason.text
    assert decide(quiet, None, when="always", today=sunday, weekday="monday", locale=Locale.EN).send is True


def test_a_night_without_change_sends_no_mail_and_a_new_finding_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = str(_closed_port())  # an e-mail attempt would fail with exit 4
    mail = [
        "--email-to",
        "admin@contoso.example",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        port,
        "--from",
        "audit@contoso.example",
    ]
    code, first = _audit(tmp_path / "n1")
    assert first["notify"]["send"] is True and first["notify"]["when"] == "always"  # nothing to compare with
    code, second = _audit(tmp_path / "n2", SAMPLE, "--baseline", str(tmp_path / "n1" / "report.json"), *mail)
    assert code == 1 and second["notify"] == {"send": False, "when": "changed", "reasons": []}
    assert "no e-mail or webhook post" in capsys.readouterr().err
    # the e-mail command honours it too
    assert (
        main(
            [
                "email",
                "--report-dir",
                str(tmp_path / "n2"),
                "--to",
                "admin@contoso.example",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                port,
                "--from",
                "audit@contoso.example",
            ]
        )
        == 0
    )
    # a user disabled since: a new finding, and the run speaks, saying why at the top of the e-mail
    tenant = json.loads(SAMPLE.read_text("utf-8"))
    licensed = next(
        u
        for u in tenant["users"]
        if u.get("accountEnabled")
        and u.get("assignedLicenses")
        and u.get("userType") == "Member"
        and "licenseAssignmentStates" in u
        and all(not s.get("assignedByGroup") for s in u["licenseAssignmentStates"])
    )
    licensed["accountEnabled"] = False
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(tenant), "utf-8")
    code, third = _audit(tmp_path / "n3", changed, "--baseline", str(tmp_path / "n1" / "report.json"))
    assert third["notify"]["send"] is True and [r["code"] for r in third["notify"]["reasons"]] == ["new"]
    digest = (tmp_path / "n3" / "digest.txt").read_text("utf-8")
    assert digest.splitlines()[1].startswith("Sent because: 1 new finding")


def test_a_history_without_a_baseline_cannot_say_nothing_changed(tmp_path: Path) -> None:
    """The nightly workflow's history survives a night whose report artifact is gone (or was incomplete, so no
    baseline): with nothing to compare findings with, a new finding would go unseen, so the run speaks."""
    history = str(tmp_path / "history.jsonl")
    _audit(tmp_path / "n1", SAMPLE, "--history", history)
    _code, second = _audit(tmp_path / "n2", SAMPLE, "--history", history)
    assert second["notify"]["when"] == "changed" and second["notify"]["send"] is True
    assert [r["code"] for r in second["notify"]["reasons"]] == ["no_baseline"]
    quiet = _report([])
    assert decide(quiet, None, when="changed", today=date(2026, 11, 1), weekday="monday", locale=Locale.EN).send is True


def _codes(document: ReportDocument, previous: ReportDocument) -> list[str]:
    found = decide(document, previous, when="changed", today=date(2026, 11, 1), weekday="monday", locale=Locale.EN)
    return [r.code for r in found.reasons]


def test_a_finding_whose_amounts_moved_or_whose_waiver_went_is_news() -> None:
    """A finding keeps its id (rule, policy, subject, products) when its amounts change: 400 more unused E5
    seats, or a waiver taken off, are still reasons to speak."""
    seats = {**_finding("s", ["SPE_E5"]), "monthly_cost": 378.0, "details": {"unused": 7}}
    before = _report([seats])
    assert _codes(compare(before, _report([seats])), before) == []
    dearer = {**seats, "monthly_cost": 22278.0, "details": {"unused": 407}}
    assert _codes(compare(before, _report([dearer])), before) == ["amount"]
    unpriced = {**seats, "monthly_cost": None}  # a product the policy gives no price: the seats tell
    assert _codes(compare(_report([unpriced]), _report([{**unpriced, "details": {"unused": 9}}])), before) == ["amount"]
    small = {**seats, "monthly_cost": 400.0, "details": {"unused": 7}}  # less than a tenth more: quiet
    assert _codes(compare(before, _report([small])), before) == []
    waived = _report([{**seats, "waived": True}])
    (reason,) = decide(
        compare(waived, before), waived, when="changed", today=date(2026, 11, 1), weekday="monday", locale=Locale.EN
    ).reasons
    assert (reason.code, reason.text) == ("unwaived", "1 finding is no longer waived")


def test_four_hundred_more_unused_seats_are_sent(tmp_path: Path) -> None:
    """End to end on the sample: the nightly run after Microsoft 365 E5 grew by 400 unused seats speaks."""
    _audit(tmp_path / "n1")
    tenant = json.loads(SAMPLE.read_text("utf-8"))
    [e5] = [s for s in tenant["subscribedSkus"] if s["skuPartNumber"] == "SPE_E5"]
    e5["prepaidUnits"]["enabled"] += 400
    grown = tmp_path / "grown.json"
    grown.write_text(json.dumps(tenant), "utf-8")
    _code, second = _audit(tmp_path / "n2", grown, "--baseline", str(tmp_path / "n1" / "report.json"))
    assert second["notify"]["send"] is True
    assert [r["code"] for r in second["notify"]["reasons"]] == ["amount"]
    assert (
        second["notify"]["reasons"][0]["text"] == "1 finding's monthly cost or unused seats changed by a tenth or more"
    )


def test_findings_gone_in_bulk_are_news() -> None:
    """A run that lost a quarter of the last run's findings at once speaks, and says to check the
    data: a listing cut short makes findings vanish as surely as a fix does."""
    many = [{**_finding(f"f{i}", ["SPE_E3"]), "subject": {"type": "user", "id": f"U{i}"}} for i in range(20)]
    before = _report(many)
    assert _codes(compare(before, _report(many[:16])), before) == []  # 4 of 20: below the least
    assert _codes(compare(before, _report(many[:15])), before) == ["gone"]
    (reason,) = decide(
        compare(before, _report(many[:5])),
        before,
        when="changed",
        today=date(2026, 11, 1),
        weekday="monday",
        locale=Locale.EN,
    ).reasons
    assert reason.text == (
        "15 of the last run's 20 findings are gone at once: check that the run read the whole tenant"
    )
