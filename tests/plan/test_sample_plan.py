"""The sample tenant with the example policy, audited and planned through the CLI: the demo the
issue's "done when" names. Every leaver whose data the policy declares kept and whose grace_days
have passed is ready; each remaining wait says what a person does next; the report header's split of the
reclaimable amount agrees with plan.json's net."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.formats.report_json import decode_report
from auditor.plan.compile import compile_plan
from auditor.plan.crosscheck import LEAVER_RULES
from auditor.plan.summary import reclaim_split
from auditor.rules.assignments import SkuNotAllowed, SkuRequiredMissing
from auditor.rules.hygiene.accounts import DisabledUserLicensed, InactiveUserLicensed, SharedMailboxLicensed
from auditor.rules.usage.activity import Rightsize

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
KEPT = "    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2027-06-30}\n"


def _run(tmp_path: Path, declared: bool) -> dict[str, Any]:
    policy = EXAMPLE.read_text(encoding="utf-8")
    (tmp_path / "policy.yaml").write_text(policy if declared else policy.replace(KEPT, ""), encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(SAMPLE),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--policies",
                str(tmp_path / "policy.yaml"),
                "--output-dir",
                str(out),
                "--format",
                "json,md",
            ]
        )
        == 1
    )
    assert main(["plan", "--report-dir", str(out)]) == 0
    return {
        "report": decode_report((out / "report.json").read_bytes(), "report.json"),
        "plan": json.loads((out / "plan.json").read_text("utf-8")),
        "plan_md": (out / "plan.md").read_text("utf-8"),
        "report_md": (out / "report.md").read_text("utf-8"),
    }


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "plain"])
def test_the_reclaim_split_adds_up_and_meets_the_plans_net(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: bool
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    run = _run(tmp_path, declared)
    report, plan = run["report"], run["plan"]
    total = report.summary.reclaimable_monthly_cost.amount
    split = reclaim_split(report, compile_plan(report, describe_changes=False))
    assert split.total == total
    assert round(split.ready + split.declaration + split.person, 2) == total
    assert split.other is not None and round(split.ready + split.other, 2) == plan["net_monthly"]
    # the money story says what waits (the split's declaration and person parts); the plan line says
    # the plan's size alone
    assert report.money.waiting_monthly == round(split.declaration + split.person, 2)
    assert report.money.plan.net_monthly == plan["net_monthly"]  # one meaning: what it saves
    row = next(line for line in run["report_md"].splitlines() if line.startswith("| Plan |"))
    assert "€" not in row, row
    if declared:
        # the example declares the leavers' data kept, not that of inactive (still enabled) accounts,
        # whose mailboxes no declaration ends without the usage reports (which the sample snapshot
        # lacks): they wait for a person, as does what reaches leavers through a group no call may
        # change (a dynamic or a synced group), and a leaver within grace_days
        rules = {f.id: f.rule for f in report.findings}
        by_group = [s["finding"] for s in plan["skipped"] if s["reason"] in ("group_dynamic", "group_synced")]
        assert by_group and split.declaration == 0 and split.person > 0
        assert {rules[s["finding"]] for s in plan["skipped"] if s["reason"] == "use_not_shown"} == {
            InactiveUserLicensed.id
        }
    else:
        # a leaver planned in part counts its planned part as ready, the rest as waiting
        in_part = [s for s in plan["skipped"] if s.get("in_part")]
        assert in_part and 0 < split.ready < total and split.declaration > 0


def test_the_demo_plan_is_ready_for_covered_leavers_and_each_wait_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793512800")
    run = _run(tmp_path, declared=True)
    report, plan, md = run["report"], run["plan"], run["plan_md"]
    by_id = {f.id: f for f in report.findings}

    def of(upn: str, rule: str) -> str:
        return next(f.id for f in report.findings if f.subject.upn == upn and f.rule == rule)

    planned = {fid for c in plan["changes"] for fid in c["findings"]}
    skipped = {s["finding"]: s for s in plan["skipped"]}
    # every leaver is ready, each change recording the declaration, but those whose licenses come
    # from a group no call may change (they wait, saying where to change it) and the one disabled
    # within grace_days; an inactive account's data-holding licenses wait: the example declares
    # nothing kept for enabled accounts
    leavers = {f.id for f in report.findings if f.rule == DisabledUserLicensed.id}
    assert leavers < {f.id for f in report.findings if f.rule in LEAVER_RULES}
    by_group = {fid for fid in leavers & skipped.keys() if skipped[fid]["reason"] in ("group_dynamic", "group_synced")}
    grace = {fid for fid in leavers & skipped.keys() if skipped[fid]["reason"] == "grace_period"}
    assert len(by_group) == 2 and "membership rule" in md and "on\\-premises Active Directory" in md
    assert len(grace) == 1
    assert leavers - by_group - grace <= planned and not (leavers - by_group - grace) & skipped.keys()
    inactive = {f.id for f in report.findings if f.rule == InactiveUserLicensed.id}
    assert inactive and all(skipped[fid]["reason"] == "use_not_shown" for fid in inactive)
    # a 1.1 GB mailbox fits F3: the E3 -> F3 replacement is ready in the report. The user is a
    # direct member of Frontline Workers whose copy did not apply, so sku-required-missing's
    # reprocess lets the group give F3, and the replacement's direct F3 waits for that (group_gives)
    small = of("floor.manager@contoso.example", SkuNotAllowed.id)
    assert all(a["ready"] for a in by_id[small].remediation["actions"])
    reprocess = of("floor.manager@contoso.example", SkuRequiredMissing.id)
    assert skipped[small]["reason"] == "group_gives" and skipped[small]["with"] == [reprocess]
    assert any(c["findings"] == [reprocess] and c["kind"] == "reprocess" for c in plan["changes"])
    large = skipped[of("direct.e3@contoso.example", SkuNotAllowed.id)]
    assert large["reason"] == "mailbox_too_large"
    row = next(line for line in md.splitlines() if line.startswith(f"| {large['finding']} |"))
    assert "8\\.4 GB" in row and "2 GB" in row and "Exchange Online Kiosk" in row
    # no half replacement: Direct Assignee's F3 waits with the replacement
    assert skipped[of("direct.e3@contoso.example", SkuRequiredMissing.id)]["with"] == [large["finding"]]
    # a leaver gets no rightsize change
    assert skipped[of("user000068@contoso.example", Rightsize.id)]["reason"] == "leaver"
    # a shared mailbox over 50 GB keeps its license: a finding, no change, nothing to wait for
    archive = of("legal.archive@contoso.example", SharedMailboxLicensed.id)
    assert by_id[archive].details["keeps_license"] == "over_50_gb" and by_id[archive].monthly_cost is None
    assert archive not in planned and archive not in skipped
    # each reason in the "need a person" table is words a person acts on: no raw key, no shrug
    table = md.split("### Findings that need a person", 1)[1]
    reasons = [line.split(" | ")[3] for line in table.splitlines() if re.match(r"\| [0-9a-f]{16} \|", line)]
    assert reasons
    for reason in reasons:
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", reason), reason  # a raw key such as after_group
        assert reason not in ("no change to run", "a step is not ready", "someone must look something up first"), reason
