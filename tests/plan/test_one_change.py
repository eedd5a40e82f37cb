"""A planned change is declared once (auditor.formats.change_model.Change): what `plan` compiles and
writes into plan.json is what apply reads back, field for field, and apply refuses a change whose
findings or data_kept are not what plan writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import pytest

from auditor.formats.change_model import Change
from auditor.formats.plan_json import PlanFileError, Where, load_plan, parse_change
from auditor.plan.compile import compile_plan
from auditor.plan.write import write_plan

from .builders import DISABLED, G_E3, G_E5, NOT_ALLOWED, finding, join, leave, report, seat, uid

U1 = uid(1)
SEATS = [seat("SPE_E5", 100, 50, price=57.0), seat("SPE_E3", 100, 50, price=33.75)]
DECLARED = {"accepted_by": "cio@contoso.example", "expires": "2027-06-30", "expired": False}
KEPT = {
    "data_kept": DECLARED | {"mailbox": "retention", "files": "retention"},
    "data_lost": {"SPE_E3": ["Exchange Online (Plan 2)", "SharePoint (Plan 2)"]},
}


def test_apply_reads_back_the_very_changes_plan_wrote(tmp_path: Path) -> None:
    moved = finding("f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1}), leave(U1, G_E5, {"SPE_E5": -1})])
    leaver = finding(
        "f2",
        DISABLED,
        uid(2),
        [leave(uid(2), G_E3, {"SPE_E3": -1}, ready=False, blocked="data_lost")],
        skus=("SPE_E3",),
        data_kinds={"SPE_E3": ["archive", "files", "mailbox"]},
        details=KEPT,
    )
    plan = compile_plan(report([moved, leaver], SEATS))
    assert sorted((c.findings, c.kind) for c in plan.changes) == [
        (("f1",), "add_member"),
        (("f1",), "remove_member"),
        (("f2",), "remove_member"),
    ]
    [declared] = [c for c in plan.changes if c.data_kept]
    assert declared.findings == ("f2",) and declared.data_kept[0]["accepted_by"] == "cio@contoso.example"
    write_plan(plan, tmp_path, created_at="2026-11-23T08:00:00Z")
    written = json.loads((tmp_path / "plan.json").read_text("utf-8"))["changes"]

    loaded = load_plan(tmp_path / "plan.json").changes
    # the same class both ways, and the same fields but apply's own (the change as the file wrote it)
    assert all(type(c) is Change for c in (*plan.changes, *loaded))
    assert [msgspec.structs.replace(c, raw={}) for c in loaded] == list(plan.changes)
    assert [c.raw for c in loaded] == written == [c.to_json() for c in plan.changes]
    assert [("data_kept" in c) for c in written] == [c is declared for c in plan.changes]


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("findings", "f1", "changes[0].findings: must be a list of finding ids"),
        ("findings", [1], "changes[0].findings: must be a list of finding ids"),
        ("data_kept", {"mailbox": "retention"}, "changes[0].data_kept: must be a list of data_kept declarations"),
        ("data_kept", ["retention"], "changes[0].data_kept: must be a list of data_kept declarations"),
    ],
)
def test_a_change_whose_findings_or_data_kept_plan_never_writes_is_refused(key: str, value: object, said: str) -> None:
    plan = compile_plan(report([finding("f1", NOT_ALLOWED, U1, [join(U1, G_E3, {"SPE_E3": 1})])], SEATS))
    change = plan.changes[0].to_json() | {key: value}
    with pytest.raises(PlanFileError, match=re.escape(f"plan.json: {said}")):
        parse_change(change, Where(Path("plan.json")), "changes[0]")
