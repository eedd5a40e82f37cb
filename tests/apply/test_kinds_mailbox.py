"""A suite with a mailbox never leaves a resource account through the swap (issue 95, point 1): through
the real collector against the emulator, then plan and apply. The swap removes only what carries no
mailbox; the product that carries it waits for a person (`blocked: data_lost`), and apply refuses an
edited plan that swaps it away anyway, re-deriving it from the products and the mailbox it re-reads."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from auditor.apply.kind_reads import swap_unmet
from auditor.data.account_kinds import NO_MAILBOX, PHONE_RESOURCE_LICENSE
from auditor.data.model import AssignedLicense, LicenseAssignmentState, User
from auditor.formats.plan_json import Change
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.kinds import ResourceAccountPaidLicense, has_mailbox, mailbox_plans

from .conftest import E5, EXCHANGE, apply_yes, make_tenant, outcome_lines, run
from .test_account_kinds import _user
from .test_kinds_agree import PHONE, POLICY, RESOURCE_DEPARTMENT, _audit, _by_rule, _plan, _table, _table_sku, clock

__all__ = ["clock"]  # the fixture, used by name

QUEUE = "72000000-0000-4000-8000-000000000001"  # the resource license and E5, never signed in, a user mailbox
LINE = "72000000-0000-4000-8000-000000000002"  # the resource department, disabled, Teams Phone Standard and E5

MAILBOX_POLICY = POLICY.replace(
    "  - {sku: PHONESYSTEM_VIRTUALUSER, free: true}\n",
    "  - {sku: PHONESYSTEM_VIRTUALUSER, free: true}\n  - {sku: MCOEV, price: {monthly: 8.00, currency: EUR}}\n",
)


def _holding(uid: str, name: str, held: list[str], **values: Any) -> User:
    return _user(uid, name, held[0], **values).with_values(
        assigned_licenses=tuple(AssignedLicense(s) for s in held),
        license_assignment_states=tuple(LicenseAssignmentState(s, None, "Active", "None") for s in held),
    )


def _graph(graph_for: Any, *users: User) -> Any:
    table = _table()
    base = make_tenant()
    extra = [_table_sku(sid, *table[sid], 30) for sid in (PHONE, PHONE_RESOURCE_LICENSE)]
    snapshot = dataclasses.replace(
        base,
        skus=(*base.skus, *extra),
        users=users,
        groups=(),
        collected_datasets=frozenset({"signInActivity"}),
    )
    return graph_for(snapshot)


def test_the_product_that_carries_the_mailbox_is_derived_from_the_table() -> None:
    # the tenant's E5 lists Teams alone here: Microsoft's table says it carries Exchange Online (Plan 2)
    assert mailbox_plans(E5, [("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1")])
    assert not mailbox_plans(PHONE, [])  # Teams Phone Standard: no mailbox
    assert not mailbox_plans(PHONE_RESOURCE_LICENSE, [])
    assert has_mailbox("user") and has_mailbox(None)  # not read: it may have one
    assert not has_mailbox("")  # Graph's "no mailbox"


def test_a_resource_account_with_a_mailbox_keeps_e5_until_a_person_has_kept_its_mail(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """(a) A confirmed resource account (the resource license, never signed in) holding E5 with a user
    mailbox: no swap of E5 is planned. The finding counts E5 as waste, lists its removal not ready
    (`data_lost`) and asks a person to keep the mail first; the leaver rule does not take it (a
    resource account is not a leaver: its removal would take the resource license too)."""
    queue = _holding(
        QUEUE, "queue", [PHONE_RESOURCE_LICENSE, E5], account_enabled=False, mailbox_purpose="user"
    ).with_values(department=RESOURCE_DEPARTMENT)
    graph = _graph(graph_for, queue)
    report = _audit(tmp_path, graph, MAILBOX_POLICY)
    found = _by_rule(report, ResourceAccountPaidLicense.id)[QUEUE]
    assert found["subject"]["kind"] == "resource" and found["details"]["confirmed"] is True
    assert found["details"]["paid"] == {} and found["details"]["mailbox"] == {"SPE_E5": E5}
    assert found["monthly_cost"] == 54.75  # waste on a resource account, freed once its mail is kept
    [removal] = found["remediation"]["actions"]
    assert removal["body"]["removeLicenses"] == [E5] and removal["body"]["addLicenses"] == []
    assert removal["ready"] is False and removal["blocked"] == "data_lost"
    steps = " ".join(found["remediation"]["steps"])
    assert "carries the account's mailbox" in steps and "Exchange admin center" in steps
    assert "select" not in steps  # no swap step: the swap has nothing to remove
    assert found["remediation"]["summary"].startswith("Before you remove Microsoft 365 E5")
    assert QUEUE not in _by_rule(report, DisabledUserLicensed.id)
    plan = _plan(tmp_path)
    assert not [c for c in plan["changes"] if c["user"] == QUEUE]
    assert [s["reason"] for s in plan["skipped"] if s["rule"] == ResourceAccountPaidLicense.id] == ["data_lost"]
    journal = tmp_path / "j.jsonl"
    assert apply_yes(tmp_path / "reports" / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    assert set(graph.direct(QUEUE)) == {PHONE_RESOURCE_LICENSE, E5}
    assert not [r for r in graph.writes() if QUEUE in r.path]


def test_a_line_with_a_suite_and_its_mailbox_waits_whole_for_a_person(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """A department account, disabled, never signed in, with Teams Phone Standard (a line) and E5 and its
    mailbox: the swap would remove Teams Phone Standard alone, E5 waits for a person; a finding that
    also gives (the resource license) is planned whole or not at all, so nothing is planned yet."""
    line = _holding(
        LINE, "line", [PHONE, E5], account_enabled=False, department=RESOURCE_DEPARTMENT, mailbox_purpose="user"
    )
    graph = _graph(graph_for, line)
    report = _audit(tmp_path, graph, MAILBOX_POLICY)
    found = _by_rule(report, ResourceAccountPaidLicense.id)[LINE]
    assert found["details"]["confirmed"] is True
    assert found["details"]["paid"] == {"MCOEV": PHONE} and found["details"]["mailbox"] == {"SPE_E5": E5}
    swap, removal = found["remediation"]["actions"]
    assert swap["body"]["removeLicenses"] == [PHONE] and swap["ready"] is True
    assert removal["body"]["removeLicenses"] == [E5] and removal["blocked"] == "data_lost"
    plan = _plan(tmp_path)
    assert not [c for c in plan["changes"] if c["user"] == LINE]
    assert [s["reason"] for s in plan["skipped"] if s["rule"] == ResourceAccountPaidLicense.id] == ["data_lost"]
    journal = tmp_path / "j.jsonl"
    assert apply_yes(tmp_path / "reports" / "plan.json", graph, tmp_path / "policy.yaml", journal) == 0
    assert set(graph.direct(LINE)) == {PHONE, E5}


def test_an_edited_plan_that_swaps_the_mailbox_suite_away_is_refused_at_the_call(
    tmp_path: Path, graph_for: Any, clock: None
) -> None:
    """(b) The policy prices Teams Phone Standard, not E5: the swap removes Teams Phone Standard alone.
    The plan.json edited to swap E5 away too (the request and its preconditions agree) is refused at the
    call: compiled again from the tenant, the plan's swap removes Teams Phone Standard alone, so the edited
    body is named and nothing is written. The plan as written then goes through, and E5 and its mailbox stay."""
    line = _holding(
        LINE, "line", [PHONE, E5], account_enabled=False, department=RESOURCE_DEPARTMENT, mailbox_purpose="user"
    )
    graph = _graph(graph_for, line)
    policy = MAILBOX_POLICY.replace("  - {sku: SPE_E5, price: {monthly: 54.75, currency: EUR}}\n", "")
    report = _audit(tmp_path, graph, policy)
    assert "mailbox" not in _by_rule(report, ResourceAccountPaidLicense.id)[LINE]["details"]  # E5 is not priced
    plan = _plan(tmp_path)
    [change] = [c for c in plan["changes"] if c["user"] == LINE]
    assert change["body"]["removeLicenses"] == [PHONE]
    change["body"]["removeLicenses"] = [PHONE, E5]  # edited: E5 swapped away anyway
    change["precondition"].append({"holds": E5, "how": "direct"})
    path = tmp_path / "reports" / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    assert (
        run("apply", path, graph, "--yes", "--policies", str(tmp_path / "policy.yaml"), "--journal", str(journal)) == 3
    )
    [outcome] = outcome_lines(journal)
    assert outcome["outcome"] == "failed"
    assert outcome["note"].startswith("refused (body), nothing sent: its `body` is not the one the tool would write")
    assert set(graph.direct(LINE)) == {PHONE, E5}
    assert not [r for r in graph.writes() if LINE in r.path]
    _plan(tmp_path)  # written again from the report
    journal2 = tmp_path / "j2.jsonl"
    assert (
        run("apply", path, graph, "--yes", "--policies", str(tmp_path / "policy.yaml"), "--journal", str(journal2)) == 0
    )
    assert [line["outcome"] for line in outcome_lines(journal2)] == ["done"]
    assert set(graph.direct(LINE)) == {PHONE_RESOURCE_LICENSE, E5}


def test_a_mailbox_not_read_counts_as_one(tmp_path: Path, graph_for: Any, clock: None) -> None:
    """An enabled account with the resource license and E5 that never signed in: no rule asks its mailbox
    purpose (it is no candidate of the disabled or inactive rules), so whether it has a mailbox is not
    known: E5 may carry one, and the swap keeps it all the same. Enabled, it is no confirmed resource
    account either (no sign-in yet is no evidence: a new hire's account looks the same)."""
    queue = _holding(QUEUE, "queue", [PHONE_RESOURCE_LICENSE, E5])
    graph = _graph(graph_for, queue)
    policy = MAILBOX_POLICY.split("  disabled_users:")[0] + "  resource_accounts: {severity: medium}\n"
    report = _audit(tmp_path, graph, policy)
    asked = [r for r in graph.emulator.requests if r.path.endswith(f"/users/{QUEUE}/mailboxSettings/userPurpose")]
    assert not asked  # not read: unknown
    found = _by_rule(report, ResourceAccountPaidLicense.id)[QUEUE]
    assert found["details"]["confirmed"] is False and found["details"]["doubt"] == "enabled"
    assert found["details"]["paid"] == {} and found["details"]["mailbox"] == {"SPE_E5": E5}
    assert not [c for c in _plan(tmp_path)["changes"] if c["user"] == QUEUE]


def test_apply_counts_a_mailbox_it_could_not_read_as_one() -> None:
    """swap_unmet on the mailbox purpose as apply re-read it: a mailbox (`user`) or one not known (None)
    keeps E5; Graph's "no mailbox" lets the swap take it (it ends nothing)."""
    body = {"addLicenses": [], "removeLicenses": [E5]}
    change = Change(1, "assign_license", "POST", f"/users/{QUEUE}/assignLicense", body, "", QUEUE, None,
                    ({"account_kind": "resource"},), {}, (), ())  # fmt: skip
    plans = {E5: ((EXCHANGE, "EXCHANGE_S_ENTERPRISE"),)}
    [known] = swap_unmet(change, plans, {E5: "SPE_E5"}, "user")
    assert "carries the account's mailbox (Exchange Online (Plan 2)) and the account has a mailbox" in known
    [unknown] = swap_unmet(change, plans, {E5: "SPE_E5"}, None)
    assert "may have a mailbox" in unknown
    assert swap_unmet(change, plans, {E5: "SPE_E5"}, NO_MAILBOX) == []
