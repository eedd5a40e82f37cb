"""Guidance over the real engine's findings for the sample tenant, in every locale and cloud."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor import wording
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import finding_of
from auditor.rules.assignments import SkuForbidden, SkuNotAllowed, SkuRequiredMissing
from auditor.rules.hygiene.accounts import DisabledUserLicensed, GuestLicensed, InactiveUserLicensed

engine = pytest.importorskip("auditor.evaluation.engine")
policy_load = pytest.importorskip("auditor.policyset.load")
document = pytest.importorskip("auditor.report.document")
snapshot = pytest.importorskip("auditor.snapshot")

ROOT = Path(__file__).resolve().parents[2]
AS_OF = datetime(2026, 11, 1, 6, tzinfo=UTC)
LEFTOVER = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def result() -> Any:
    policies = policy_load.load_policies([str(ROOT / "examples" / "contoso-policy.yaml")])
    tenant = snapshot.load_snapshot(str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json"))
    return engine.evaluate(policies, tenant, AS_OF)


@pytest.mark.parametrize("locale", list(Locale), ids=lambda loc: loc.value)
@pytest.mark.parametrize("cloud", [Cloud.WORLDWIDE, Cloud.GERMANY, Cloud.CHINA], ids=lambda c: c.value)
def test_every_sample_finding_gets_complete_guidance(result: Any, locale: Locale, cloud: Cloud) -> None:
    doc = document.build_document(result, generated_at=AS_OF, locale=locale, cloud=cloud, remediate=wording.remediation)
    findings = doc.findings
    assert {f.rule for f in findings} <= set(wording.ALL_RULE_IDS)
    assert len({f.rule for f in findings}) >= 15
    for f in findings:
        rem = f.remediation
        assert rem["summary"] and rem["steps"] and rem["role"] and rem["next_steps"], f.rule
        text = "\n".join([rem["summary"], *rem["steps"], *rem["next_steps"]])
        assert not LEFTOVER.search(text), f.rule
        if f.rule != SkuRequiredMissing.id:  # the engine reports skuIds only for the SKUs a user holds
            assert "<skuId of" not in str(rem["actions"]), (f.rule, rem["actions"])
        for action in rem["actions"]:  # a call that would run is complete: no placeholder anywhere
            if action["ready"]:
                call = str([action["path"], action["body"], action["precondition"]])
                assert "{user-id}" not in call and "{group-id}" not in call and "<skuId" not in call, action
                # the user it changes is the finding's, or the one an idle seat moves to (copilot-seat-idle)
                changed = (f.subject.id, f.details.get("candidate_id"))
                assert action["precondition"] and action["user"] in changed, (f.rule, action)
        msg = wording.message(f.rule, finding_of(f.subject, f.skus, f.details), locale=locale)
        assert msg and "\n" not in msg
        if f.subject.type == "user":
            assert f.subject.upn in msg


def test_group_assigned_sample_findings_point_at_groups(result: Any) -> None:
    doc = document.build_document(result, generated_at=AS_OF, remediate=wording.remediation)
    removal = {SkuForbidden.id, SkuNotAllowed.id, DisabledUserLicensed.id, InactiveUserLicensed.id, GuestLicensed.id}
    grouped = [
        f
        for f in doc.findings
        if f.rule in removal
        and any(f.details.get("assigned_by_group", {}).get(s) for s in f.skus)
        and not any(not f.details["assigned_by_group"].get(s) for s in f.skus)
    ]
    assert grouped, "the sample tenant should have group-assigned licenses to remove"
    safe = [f for f in grouped if not f.details.get("data_lost")]
    assert safe and len(safe) < len(grouped), "the sample should show removals with and without data at stake"
    for f in grouped:
        lost = f.details.get("data_lost") or {}
        ids = f.details["assigned_by_group_ids"]
        rem = f.remediation
        leaves = [a for a in rem["actions"] if a["kind"] == "remove_member"]
        # one membership removal per group that assigns one of the products, none left out
        assert sorted(a["group"] for a in leaves) == sorted({g for part in f.skus for g in ids.get(part, [])})
        for action in leaves:
            given = [part for part in f.skus if action["group"] in ids.get(part, [])]
            if lost:  # the mailbox or files would go: keep the data first, and the call is not ready
                assert any("keep the data" in s.lower() for s in rem["steps"]), f.rule
            kind = f.details["group_kinds"].get(action["group"])
            if kind is not None:  # a dynamic or synced group: never a ready call, whatever it ends
                assert not action["ready"] and action["blocked"] == f"group_{kind['kind']}", f.rule
            elif any(part in lost for part in given):
                assert not action["ready"] and action["blocked"] == "data_lost", f.rule
    for f in safe:
        if f.details["group_kinds"]:
            continue
        for action in f.remediation["actions"]:
            assert action["method"] == "DELETE" and action["path"].startswith("/groups/"), f.rule
            assert action["path"].endswith(f"/members/{f.subject.id}/$ref")
            assert action["ready"] and {"member_of": action["group"]} in action["precondition"]
