"""Kinds on signals that agree (issue 95, points 1, 2 and 8), through the real collector against the
emulator, then plan and apply: a leaver whose department names a resource account is a leaver, an
account that signs in is no resource account whatever license it holds, and the resource swap keeps
every product of Microsoft's table that dials out."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from auditor import wording
from auditor.cli import main
from auditor.data.account_kinds import PHONE_PRODUCTS, PHONE_RESOURCE_LICENSE
from auditor.data.enums import Locale
from auditor.data.model import NO_MAILBOX, AssignedLicense, LicenseAssignmentState, PrepaidUnits, ServicePlan, Sku
from auditor.formats.report_model import finding_of
from auditor.rules.hygiene.accounts import DisabledUserLicensed, SharedMailboxLicensed
from auditor.rules.hygiene.kinds import ResourceAccountPaidLicense, dial_out_products, dials_out, phone_products

from .conftest import ALL_ROLES, E5, TENANT, apply_yes, make_tenant, outcome_lines, run
from .test_account_kinds import _user

RESOURCE_DEPARTMENT = "Microsoft Communication Application Instance"
LEAVER = "71000000-0000-4000-8000-000000000001"  # disabled, the resource department, E5, signed in 20 days ago
CLERK = "71000000-0000-4000-8000-000000000002"  # enabled, signs in daily, E5 and the resource license by mistake
QUEUE = "71000000-0000-4000-8000-000000000003"  # a US call queue: Teams Phone Standard and every calling product
PHONE = "e43b5b99-8dfb-405f-9987-dc307f34bcbd"  # MCOEV: Microsoft Teams Phone Standard
US_CALLING = "d13e9d1b-316a-4946-98c6-362c97a4fdfe"  # MCOPSTN5_US, whose only service plan is PSTN5_US
AS_OF = "2026-11-01T06:00:00Z"
TWENTY_DAYS_AGO = "2026-10-12T08:00:00Z"

POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: kinds, owner: it@contoso.example}
catalog:
  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}
  - {sku: PHONESYSTEM_VIRTUALUSER, free: true}
hygiene:
  disabled_users:
    severity: high
    grace_days: 3650
    data_kept: {mailbox: retention, files: retention, accepted_by: cio@contoso.example, expires: 2036-06-30}
  resource_accounts: {severity: medium}
"""


def _table() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Microsoft's product table as the package ships it: skuId -> (part number, [(plan id, plan name)])."""
    text = resources.files("auditor.reference").joinpath("product-names-and-service-plans.csv").read_text("utf-8-sig")
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for row in csv.DictReader(text.splitlines()):
        sku = row["GUID"].strip().lower()
        out.setdefault(sku, (row["String_Id"].strip(), []))[1].append(
            (row["Service_Plan_Id"].strip().lower(), row["Service_Plan_Name"].strip())
        )
    return out


def _table_sku(sku_id: str, part: str, plans: list[tuple[str, str]], enabled: int = 10) -> Sku:
    service_plans = tuple(ServicePlan(pid, name, "Success", "User") for pid, name in plans)
    return Sku(f"{TENANT}_{sku_id}", sku_id, part, "User", "Enabled", 1, PrepaidUnits(enabled, 0, 0, 0), service_plans)


def _audit(tmp_path: Path, graph: Any, policy_text: str = POLICY) -> dict[str, Any]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(policy_text, encoding="utf-8")
    reports = tmp_path / "reports"
    conn = ["--graph-endpoint", graph.url, "--auth", "token"]
    audit = ["audit", "--policies", str(policy), "--as-of", AS_OF, "--format", "json"]
    assert main([*audit, "--output-dir", str(reports), *conn]) in (0, 1)
    report: dict[str, Any] = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    return report


def _by_rule(report: dict[str, Any], rule: str) -> dict[str, dict[str, Any]]:
    return {f["subject"]["id"]: f for f in report["findings"] if f["rule"] == rule}


def _plan(tmp_path: Path) -> dict[str, Any]:
    reports = tmp_path / "reports"
    assert main(["plan", "--report-dir", str(reports)]) == 0
    plan: dict[str, Any] = json.loads((reports / "plan.json").read_text(encoding="utf-8"))
    return plan


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())))


def test_a_leaver_whose_department_names_a_resource_account_waits_for_grace_and_keeps_the_mailbox(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """Point 1: disabled, the resource department, E5 (a suite with a mailbox, no phone product), signed
    in 20 days ago: a leaver. The policy's grace_days and data_kept decide, never the resource swap."""
    signed_in = {"last_sign_in_date_time": TWENTY_DAYS_AGO, "last_successful_sign_in_date_time": TWENTY_DAYS_AGO}
    leaver = _user(LEAVER, "leaver", E5, account_enabled=False, department=RESOURCE_DEPARTMENT).with_values(
        employee_leave_date_time="2026-10-13T17:00:00Z", **signed_in
    )
    base = make_tenant()
    graph = graph_for(
        dataclasses.replace(base, users=(leaver,), groups=(), collected_datasets=frozenset({"signInActivity"})),
        roles=(*ALL_ROLES, "User-LifeCycleInfo.Read.All"),  # when the account was disabled: its leave date
    )
    report = _audit(tmp_path, graph)
    [finding] = _by_rule(report, DisabledUserLicensed.id).values()
    assert finding["subject"]["id"] == LEAVER and finding["subject"]["kind"] == "person"
    assert finding["details"]["grace_days"] == 3650 and finding["details"]["data_kept"]
    assert LEAVER not in _by_rule(report, ResourceAccountPaidLicense.id)  # no swap, not even one to confirm
    plan = _plan(tmp_path)
    assert not [c for c in plan["changes"] if c["user"] == LEAVER]
    assert [s["reason"] for s in plan["skipped"] if s["rule"] == DisabledUserLicensed.id] == ["grace_period"]
    journal = tmp_path / "j.jsonl"
    assert apply_yes(tmp_path / "reports" / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    assert graph.direct(LEAVER) == {E5: ()}  # apply changed nothing: the mailbox stays
    assert not [r for r in graph.writes() if LEAVER in r.path]


def test_a_person_who_signs_in_with_the_resource_license_by_mistake_is_unconfirmed(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """Point 8: an enabled account that signs in interactively and holds the free resource license
    beside E5: a license anyone can assign does not outweigh the sign-ins. No saving, nothing planned."""
    daily = {
        "last_sign_in_date_time": "2026-10-31T08:00:00Z",
        "last_successful_sign_in_date_time": "2026-10-31T08:00:00Z",
    }
    clerk = _user(CLERK, "clerk", E5).with_values(
        assigned_licenses=(AssignedLicense(E5), AssignedLicense(PHONE_RESOURCE_LICENSE)),
        license_assignment_states=(
            LicenseAssignmentState(E5, None, "Active", "None"),
            LicenseAssignmentState(PHONE_RESOURCE_LICENSE, None, "Active", "None"),
        ),
        **daily,
    )
    table = _table()
    part, plans = table[PHONE_RESOURCE_LICENSE]
    base = make_tenant()
    snapshot = dataclasses.replace(
        base,
        skus=(*base.skus, _table_sku(PHONE_RESOURCE_LICENSE, part, plans, 30)),
        users=(clerk,),
        groups=(),
        collected_datasets=frozenset({"signInActivity"}),
    )
    graph = graph_for(snapshot)
    report = _audit(tmp_path, graph)
    found = _by_rule(report, ResourceAccountPaidLicense.id)[CLERK]
    assert found["subject"]["kind"] == "person"
    assert found["details"]["confirmed"] is False and found["details"]["doubt"] == "signs_in"
    assert found["monthly_cost"] is None  # no saving counted
    assert all(a["ready"] is False and a["blocked"] == "kind_unconfirmed" for a in found["remediation"]["actions"])
    said = wording.message(
        found["rule"], finding_of(found["subject"], found["skus"], found["details"]), locale=Locale.EN
    )
    assert "signs in interactively, which a resource account never does" in said
    assert "signs in interactively" in found["remediation"]["steps"][0]  # a person to confirm, first
    plan = _plan(tmp_path)
    assert not [c for c in plan["changes"] if c["user"] == CLERK]
    journal = tmp_path / "j.jsonl"
    assert apply_yes(tmp_path / "reports" / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    assert graph.direct(CLERK) == {E5: (), PHONE_RESOURCE_LICENSE: ()}


# --- the swap keeps every product of Microsoft's table that dials out ------------------------------

DIAL_OUT_WORDS = re.compile(r"calling plan|pstn|communications credits|pay-as-you-go", re.IGNORECASE)


def _calling_products() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Every product of the table whose service plans include a Calling Plan, pay-as-you-go calling or
    Communications Credits, found here by the plans' own names in the table (not the rule's code):
    a plan named ...PSTN..., or whose display name says Calling Plan or Communications Credits."""
    text = resources.files("auditor.reference").joinpath("product-names-and-service-plans.csv").read_text("utf-8-sig")
    calling: set[str] = set()
    for row in csv.DictReader(text.splitlines()):
        plan, title = row["Service_Plan_Name"].strip(), row["Service_Plans_Included_Friendly_Names"].strip()
        if "SMS" in plan.upper():
            continue  # SMS pay-as-you-go sends messages, it does not call
        if DIAL_OUT_WORDS.search(plan) or DIAL_OUT_WORDS.search(title):
            calling.add(row["GUID"].strip().lower())
    table = _table()
    return {sku: table[sku] for sku in sorted(calling)}


def test_every_calling_product_of_the_table_is_one_the_swap_keeps() -> None:
    calling = _calling_products()
    assert US_CALLING in calling and len(calling) >= 15  # the table's calling products, MCOPSTN5_US among them
    assert set(calling) == set(dial_out_products())  # derived from the table, not listed by hand
    for sku_id, (part, plans) in calling.items():
        assert dials_out(_table_sku(sku_id, part, plans)), part
        # a tenant whose subscribedSkus lists the plans but whose product the shipped table lacks
        assert dials_out(_table_sku("00000000-0000-4000-8000-00000000abcd", part, plans)), part
    # and nothing else of the table is kept as a phone line's
    for sku_id, (part, plans) in _table().items():
        if sku_id not in calling:
            assert not dials_out(_table_sku(sku_id, part, plans)), part
    # the model's phone products (it does not read the table) are the table's
    assert phone_products() == PHONE_PRODUCTS


def test_the_swap_keeps_every_calling_product_through_audit_plan_and_apply(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """Point 2, over the whole table: a US call queue holds Teams Phone Standard and every calling
    product of Microsoft's table (MCOPSTN5_US, whose only plan is PSTN5_US, among them), each priced.
    The swap removes Teams Phone Standard alone; apply leaves every calling product in place."""
    table = _table()
    calling = _calling_products()
    held = [PHONE, *calling]
    skus = [_table_sku(sku_id, table[sku_id][0], table[sku_id][1]) for sku_id in held]
    part, plans = table[PHONE_RESOURCE_LICENSE]
    skus.append(_table_sku(PHONE_RESOURCE_LICENSE, part, plans, 30))
    queue = _user(QUEUE, "queue", PHONE, account_enabled=False, department=RESOURCE_DEPARTMENT).with_values(
        assigned_licenses=tuple(AssignedLicense(s) for s in held),
        license_assignment_states=tuple(LicenseAssignmentState(s, None, "Active", "None") for s in held),
        mailbox_purpose=NO_MAILBOX,
    )
    base = make_tenant()
    graph = graph_for(
        dataclasses.replace(
            base, skus=tuple(skus), users=(queue,), groups=(), collected_datasets=frozenset({"signInActivity"})
        )
    )
    catalog = "".join(f"  - {{sku: {s}, price: {{monthly: 5.00, currency: EUR}}}}\n" for s in held)
    policy = POLICY.replace("  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}\n", catalog)
    report = _audit(tmp_path, graph, policy)
    found = _by_rule(report, ResourceAccountPaidLicense.id)[QUEUE]
    assert found["details"]["confirmed"] is True
    assert found["details"]["paid"] == {"MCOEV": PHONE}
    assert set(found["details"]["keeps"]) == {table[s][0] for s in calling}  # by part number (two share MCOPSTN5)
    [swap] = [c for c in _plan(tmp_path)["changes"] if c["user"] == QUEUE]
    assert swap["body"]["removeLicenses"] == [PHONE]
    journal = tmp_path / "j.jsonl"
    assert apply_yes(tmp_path / "reports" / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    assert [line["outcome"] for line in outcome_lines(journal)] == ["done"]
    assert set(graph.direct(QUEUE)) == {*calling, PHONE_RESOURCE_LICENSE}


# --- a person whose sign-in name is a room's address --------------------------------------------

ANNA = "71000000-0000-4000-8000-000000000009"  # a person on E5 who signs in daily; the places listing names her too

ROOM_POLICY = """\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: rooms, owner: it@contoso.example}
catalog:
  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}
hygiene:
  shared_mailboxes: {severity: low}
  inactive_users: {days: 90, severity: medium}
"""


def test_a_person_whose_sign_in_name_is_a_rooms_address_is_not_a_room(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """Point 7: the places listing names a room whose address is a person's sign-in name (in another
    case). Her own mailbox says `user`: the two signals disagree, so she is no room (no finding, nothing
    planned) and the report says so; the audit stays complete."""
    daily = {
        "last_sign_in_date_time": "2026-10-31T07:00:00Z",
        "last_successful_sign_in_date_time": "2026-10-31T07:00:00Z",
    }
    anna = _user(ANNA, "anna", E5).with_values(**daily)
    base = make_tenant()
    graph = graph_for(
        dataclasses.replace(base, users=(anna,), groups=(), collected_datasets=frozenset({"signInActivity"}))
    )
    graph.emulator.tenant.rooms_more.append(("ANNA@Contoso.example", "Board room"))
    report = _audit(tmp_path, graph, ROOM_POLICY)
    assert not report["gaps"]
    assert ANNA not in _by_rule(report, SharedMailboxLicensed.id)
    assert all(f["subject"].get("kind") != "room" for f in report["findings"])
    [note] = [w for w in report["warnings"] if "places listing names anna@contoso.example" in w]
    assert "stays unconfirmed" in note
    # her own mailbox was asked once, to corroborate the listing
    asked = [r for r in graph.emulator.requests if r.path.endswith(f"/users/{ANNA}/mailboxSettings/userPurpose")]
    assert asked
    assert not [c for c in _plan(tmp_path)["changes"] if c["user"] == ANNA]


def test_an_edited_swap_that_would_take_the_calling_plan_is_refused_at_the_call(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """apply compiles the swap again from the tenant's products as it re-reads them, not from the plan: a
    plan.json edited to remove the call queue's MCOPSTN5_US too is refused, naming its body, and nothing
    is written."""
    table = _table()
    held = [PHONE, US_CALLING]
    skus = [_table_sku(sku_id, table[sku_id][0], table[sku_id][1]) for sku_id in held]
    part, plans = table[PHONE_RESOURCE_LICENSE]
    skus.append(_table_sku(PHONE_RESOURCE_LICENSE, part, plans, 30))
    queue = _user(QUEUE, "queue", PHONE, account_enabled=False, department=RESOURCE_DEPARTMENT).with_values(
        assigned_licenses=tuple(AssignedLicense(s) for s in held),
        license_assignment_states=tuple(LicenseAssignmentState(s, None, "Active", "None") for s in held),
    )
    base = make_tenant()
    graph = graph_for(
        dataclasses.replace(
            base, skus=tuple(skus), users=(queue,), groups=(), collected_datasets=frozenset({"signInActivity"})
        )
    )
    catalog = "".join(f"  - {{sku: {s}, price: {{monthly: 5.00, currency: EUR}}}}\n" for s in held)
    _audit(tmp_path, graph, POLICY.replace("  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}\n", catalog))
    plan = _plan(tmp_path)
    [swap] = [c for c in plan["changes"] if c["user"] == QUEUE]
    assert swap["body"]["removeLicenses"] == [PHONE]
    swap["body"]["removeLicenses"] = [PHONE, US_CALLING]  # edited: the request and what it says agree
    path = tmp_path / "reports" / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    assert (
        run("apply", path, graph, "--yes", "--policies", str(tmp_path / "policy.yaml"), "--journal", str(journal)) == 3
    )
    [line] = outcome_lines(journal)
    assert line["outcome"] == "failed"
    assert line["note"].startswith("refused (body), nothing sent")
    assert set(graph.direct(QUEUE)) == set(held)


def test_a_resource_account_that_signs_in_before_the_swap_keeps_its_licenses(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """apply asks account_kind on what it re-reads, the sign-ins among them: a call queue's account
    someone signs in to interactively between plan and apply is no resource account at the call."""
    table = _table()
    skus = [_table_sku(PHONE, table[PHONE][0], table[PHONE][1])]
    part, plans = table[PHONE_RESOURCE_LICENSE]
    skus.append(_table_sku(PHONE_RESOURCE_LICENSE, part, plans, 30))
    queue = _user(QUEUE, "queue", PHONE, account_enabled=False, department=RESOURCE_DEPARTMENT)
    base = make_tenant()
    graph = graph_for(
        dataclasses.replace(
            base, skus=tuple(skus), users=(queue,), groups=(), collected_datasets=frozenset({"signInActivity"})
        )
    )
    _audit(tmp_path, graph, POLICY.replace("SPE_E5", PHONE))
    assert [c["user"] for c in _plan(tmp_path)["changes"]] == [QUEUE]
    graph.emulator.tenant.change_user(QUEUE, last_sign_in_date_time="2026-11-01T06:45:00Z")
    journal = tmp_path / "j.jsonl"
    assert apply_yes(tmp_path / "reports" / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    [line] = outcome_lines(journal)
    assert line["outcome"] == "skipped" and "person account now" in line["note"]
    assert graph.direct(QUEUE) == {PHONE: ()}
