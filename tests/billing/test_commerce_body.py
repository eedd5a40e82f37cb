"""apply --commerce sends the body plan writes for a change, never one edited by hand: a plan.json
whose body holds another key (Partner Center's `status`, a billing subscription's `autoRenew`) is
refused, exit 2, naming the change, before any request; and the body sent is rebuilt from the
change's `to`, whatever the plan file held."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.apply.commerce import Commerce, commerce_of, run_commerce
from auditor.apply.write_engine import BillJournal
from auditor.common.errors import UsageError
from auditor.vendors.commerce_sources import Access
from auditor_dev.commerce import BillingStandIn, PartnerCenterStandIn, sample_commerce
from auditor_dev.demo import sample_tenant

from .test_commerce_apply import NOW, PBI, TODAY, Token, _arm_reduce, _seats, typed

# the operator's policy apply is given: the example policy `audit --demo` was judged by
EXAMPLE = Path(__file__).resolve().parents[2] / "auditor_dev" / "sample" / "example-policy.yaml"


def _edit_reduce(change: dict[str, Any]) -> None:
    change["request"]["body"] = change["request"]["body"] | {"status": "suspended"}


def _edit_cancel(change: dict[str, Any]) -> None:
    change["request"]["body"] = {"properties": {"autoRenew": "Off"}}


@pytest.mark.parametrize(
    ("kind", "edit", "said"),
    [
        ("reduce", _edit_reduce, '"status":"suspended"'),
        ("cancel", _edit_cancel, '"autoRenew":"Off"'),
    ],
    ids=["partner-center-status", "billing-account-autorenew"],
)
def test_apply_refuses_a_hand_edited_body_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], kind: str, edit: Any, said: str
) -> None:
    from auditor.apply import run as apply_run
    from auditor.cli import main
    from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token

    snapshot = sample_tenant()
    facts = sample_commerce(snapshot, NOW)
    out = tmp_path / "out"
    audit = ["audit", "--demo", "--output-dir", str(out), "--format", "json", "--fail-on", "never"]
    assert main([*audit, "--billing-source", "none"]) == 0
    token = app_token(snapshot.tenant_id, DEMO_ROLES)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.setenv("AUDITOR_BILLING_TOKEN", "arm-token")
    monkeypatch.setenv("AUDITOR_PARTNER_CENTER_TOKEN", "pc-token")
    monkeypatch.setattr(apply_run, "clock", lambda: datetime(2026, 11, 1, 7, tzinfo=UTC))
    with (
        BillingStandIn(facts.accounts, now=NOW) as arm,
        PartnerCenterStandIn(facts.customers) as pc,
        GraphEmulator(snapshot, token=token) as graph,
    ):
        endpoints = ["--billing-endpoint", arm.url, "--partner-center-endpoint", pc.url]
        assert main(["plan", "--report-dir", str(out), "--billing-source", "auto", *endpoints]) in (0, 1)
        plan = out / "plan.json"
        doc = json.loads(plan.read_text("utf-8"))
        change = next(c for c in doc["bill"]["commerce"] if c["kind"] == kind)
        edit(change)
        plan.write_text(json.dumps(doc | {"created_at": "2026-11-01T06:30:00Z", "changes": []}), "utf-8")
        arm.requests.clear()
        pc.requests.clear()
        capsys.readouterr()
        apply = ["apply", str(plan), "--graph-endpoint", graph.url, "--auth", "token", "--policies", str(EXAMPLE)]
        code = main([*apply, "--tenant-id", snapshot.tenant_id, "--commerce-only", "--yes", "--max-age", "30d"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert f"commerce change {change['n']}: its body " in err and said in err
        assert "is not the one plan writes for it" in err and len(err.strip().splitlines()) == 1
        assert arm.requests + pc.requests == []  # nothing read, nothing sent
        assert not list(out.glob("commerce-journal-*.jsonl"))


def test_a_scheduled_reduction_needs_a_whole_product_term() -> None:
    product = {
        "productId": "P",
        "skuId": "0001",
        "availabilityId": "A",
        "billingCycle": "monthly",
        "termDuration": "P1Y",
    }
    path = "/v1/customers/c/subscriptions/s"
    change = _arm_reduce("acct") | {"kind": "schedule_reduction", "source": "partner-center", "scope": "c"}
    change |= {"api_id": "s", "window": "renewal"}
    whole = {"scheduledNextTermInstructions": {"product": product, "quantity": 2}}
    assert commerce_of({"bill": {"commerce": [change | {"request": {"method": "PATCH", "path": path, "body": whole}}]}})
    for body in (
        {"scheduledNextTermInstructions": {"product": product | {"promotionId": "X"}, "quantity": 2}},
        {"scheduledNextTermInstructions": {"product": product, "quantity": 2, "customTermEndDate": "2027-01-01"}},
        {"scheduledNextTermInstructions": {"product": product, "quantity": 2}, "autoRenewEnabled": False},
    ):
        with pytest.raises(UsageError, match="commerce change 1: its "):
            commerce_of({"bill": {"commerce": [change | {"request": {"method": "PATCH", "path": path, "body": body}}]}})


def test_the_body_sent_is_rebuilt_from_the_changes_seats(tmp_path: Path) -> None:
    """Past the plan file's check too (a change decoded without it), the PATCH carries only the seats
    of the change's `to`; a key of another name cannot be decoded into a change's body at all."""
    snapshot = sample_tenant()
    facts = sample_commerce(snapshot, NOW)
    with BillingStandIn(facts.accounts, now=NOW) as arm, PartnerCenterStandIn(facts.customers) as pc:
        account = next(iter(arm.accounts))
        change = _arm_reduce(account)
        change["request"]["body"] = {"properties": {"quantity": 2, "autoRenew": "Off"}}
        with pytest.raises(msgspec.ValidationError, match="unknown field `autoRenew`"):
            typed(change)
        change["request"]["body"] = {"properties": {"quantity": 5}}
        commerce = Commerce(Access(Token("arm-token"), arm.url, None, Token("pc-token"), pc.url))
        journal = BillJournal(tmp_path / "commerce.jsonl")
        run = run_commerce(
            typed(change),
            commerce,
            _seats({PBI: (34, 31)}),
            execute=True,
            journal=journal,
            today=TODAY,
            out=io.StringIO(),
        )
        assert asyncio.run(run) == 0
        journal.close()
        assert [r.body for r in arm.requests if r.method == "PATCH"] == [{"properties": {"quantity": 2}}]
