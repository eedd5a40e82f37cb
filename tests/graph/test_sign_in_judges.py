"""The nightly spends a sign-in request only where the answer can change a finding (issue 86): the
quiet licensed accounts of the kept read that no rule judges by sign-in — a Teams Rooms account, a
Teams resource account, an account a policy declares (`account_kinds:`), one an `except:` leaves out
— cost no filtered request on the second night, and the findings are a full read's. Through the CLI
and the real collector against the emulator on loopback (test_kept_sign_ins's audits)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_kept_sign_ins import POLICY, START, _audit, _same, _sign_in_reads, _signed_in, _tenant, policy  # noqa: F401

from auditor.data.account_kinds import RESOURCE_DEPARTMENT, TEAMS_ROOMS_PRO
from auditor.data.model import NO_MAILBOX, AssignedLicense, PrepaidUnits, Sku, TenantSnapshot, User
from auditor.graph.kept_sign_ins import full_night
from auditor.graph.sign_in_judges import judged
from auditor.policy.objects import DeclaredKind, Selector, SignInJudges
from auditor.policyset.load import load_policies
from auditor.rules.hygiene.accounts import SharedMailboxLicensed
from auditor.rules.requests import sign_in_judges
from auditor_dev.emulator import GraphEmulator, app_token

PARENT = "9a6f0d7e-0000-4000-8000-00000000a9e7"  # an agent identity (not read: the rule needs the users alone)
STALE = timedelta(days=60)  # last seen twice the window before: quiet in the kept read, inactive tonight


def _findings(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every finding by id, but for what a baseline adds and the date of the full read it rests on."""
    return {
        f["id"]: {
            **{k: v for k, v in f.items() if k not in ("change", "first_seen")},
            "details": {k: v for k, v in f["details"].items() if k != "sign_ins_read_at"},
        }
        for f in report["findings"]
    }


def _quiet_tenant(stale: dict[str, Any]) -> tuple[TenantSnapshot, dict[str, User]]:
    """_tenant's users, all signed in three days before START, but for one licensed user per entry of
    `stale` (name -> the changes that make it that account), last seen STALE before START."""
    base = _tenant(300)
    users = [_signed_in(u, START - timedelta(days=3)) for u in base.users]
    licensed = [i for i, u in enumerate(users) if u.assigned_licenses and u.user_type != "Guest"]
    picked: dict[str, User] = {}
    for (name, changes), i in zip(stale.items(), licensed, strict=False):
        users[i] = _signed_in(users[i].with_values(**changes), START - STALE)
        if name == "resource":  # a resource account never signs in interactively (docs/account-kinds.md)
            users[i] = users[i].with_sign_ins(None, None, None)
        picked[name] = users[i]
    # every product a user holds is one the tenant lists (subscribedSkus), as Graph lists them
    part = "Microsoft_Teams_Rooms_Pro"
    rooms = Sku(
        f"{base.tenant_id}_{TEAMS_ROOMS_PRO}", TEAMS_ROOMS_PRO, part, "User", "Enabled", 1, PrepaidUnits(5, 0, 0, 0)
    )
    return dataclasses.replace(base, users=tuple(users), skus=(*base.skus, rooms)), picked


def _two_nights(
    snap: TenantSnapshot, policy_file: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], tuple[list[Any], list[Any]], dict[str, Any]]:
    """The nightly's first night (a full read, kept) and its second, then an audit reading every user
    at the second night's clock: (second night's report, its sign-in requests, the full read's report)."""
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    second: datetime = first + timedelta(days=1)
    with GraphEmulator(snap, token=token) as graph:
        _audit(graph, policy_file, folder / "nightly", first, True)
    with GraphEmulator(snap, token=token) as graph:
        got = _audit(graph, policy_file, folder / "nightly", second, True)
        reads = _sign_in_reads(graph)
        reference = _audit(graph, policy_file, folder / "full", second, False)
    return got, reads, reference


ROOMS = {"assigned_licenses": (AssignedLicense(TEAMS_ROOMS_PRO),), "license_assignment_states": ()}
# a resource account: the department on a disabled account without a mailbox that never signed in (a
# department alone, or with the disabled state every leaver has, is a person's: docs/account-kinds.md)
RESOURCE = {
    "department": "Microsoft Communication Application Instance",
    "account_enabled": False,
    "mailbox_purpose": NO_MAILBOX,
}


def test_a_teams_rooms_and_a_resource_account_cost_no_request_a_stale_person_does(
    tmp_path: Path,
    policy: Path,  # noqa: F811  (the fixture: test_kept_sign_ins's policy file)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert RESOURCE["department"].lower() == RESOURCE_DEPARTMENT
    snap, stale = _quiet_tenant({"rooms": ROOMS, "resource": RESOURCE})
    assert [u.kind.value for u in stale.values()] == ["teams_rooms", "resource"]
    got, reads, reference = _two_nights(snap, policy, tmp_path / "not-people", monkeypatch)
    assert reads == ([], [])  # neither a full nor a filtered sign-in request
    assert _findings(got) == _findings(reference) and _findings(got)
    assert any(w.startswith("signInActivity: no request: no licensed user a rule judges") for w in got["warnings"])
    # a stale person beside them: the filtered request, and the person is found as a full read finds it
    snap, stale = _quiet_tenant({"rooms": ROOMS, "resource": RESOURCE, "person": {}})
    got, (full, filtered), reference = _two_nights(snap, policy, tmp_path / "person", monkeypatch)
    assert (full, len(filtered)) == ([], 1)
    assert _findings(got) == _findings(reference) and stale["person"].id in _same(got)


def test_a_shared_mailbox_and_an_agent_user_cost_no_request_unless_a_mailbox_rule_judges(
    tmp_path: Path,
    policy: Path,  # noqa: F811  (the fixture: test_kept_sign_ins's policy file)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kinds the listing does not show: the quiet licensed accounts' mailbox purposes are asked
    before the sign-in read (a shared mailbox is no person), and the agent users read beside the
    listing. With shared-mailbox-licensed configured, the shared mailbox is one it judges: the request."""
    snap, stale = _quiet_tenant({"shared": {"mailbox_purpose": "shared"}, "agent": {"identity_parent_id": PARENT}})
    assert [u.kind.value for u in stale.values()] == ["shared", "agent"]
    got, reads, reference = _two_nights(snap, policy, tmp_path / "kinds", monkeypatch)
    assert reads == ([], [])
    assert _findings(got) == _findings(reference)
    policy.write_text(POLICY + "  shared_mailboxes: {severity: low}\n", encoding="utf-8")
    got, (full, filtered), reference = _two_nights(snap, policy, tmp_path / "mailbox-rule", monkeypatch)
    assert (full, len(filtered)) == ([], 1)
    assert _findings(got) == _findings(reference)
    assert any(f["rule"] == SharedMailboxLicensed.id for f in got["findings"])


def test_an_except_and_a_declared_kind_cost_no_request(
    tmp_path: Path,
    policy: Path,  # noqa: F811  (the fixture: test_kept_sign_ins's policy file)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The person an `except:` leaves out (by group: the collection waits for the group's members)
    and an account declared a service account: no request, the full read's findings."""
    policy.write_text(
        POLICY.replace("    severity: medium\n", "    severity: medium\n    except: {groups: [Sales Team]}\n")
        + "account_kinds:\n  service:\n    match: {upn: ['svc-*@contoso.example']}\n",
        encoding="utf-8",
    )
    base = _tenant(300)
    sales = next(g for g in base.groups if g.display_name == "Sales Team").members
    assert sales
    snap, _ = _quiet_tenant({"service": {"user_principal_name": "svc-backup@contoso.example"}})
    member = next(i for i, u in enumerate(snap.users) if u.id in sales and u.assigned_licenses)
    users = list(snap.users)
    users[member] = _signed_in(users[member], START - STALE)
    snap = dataclasses.replace(snap, users=tuple(users))
    got, reads, reference = _two_nights(snap, policy, tmp_path / "left-out", monkeypatch)
    assert reads == ([], [])
    assert _findings(got) == _findings(reference)
    # the same policy without the exception: the group member is judged, and costs the request
    policy.write_text(policy.read_text("utf-8").replace("    except: {groups: [Sales Team]}\n", ""), "utf-8")
    got, (full, filtered), reference = _two_nights(snap, policy, tmp_path / "judged", monkeypatch)
    assert (full, len(filtered)) == ([], 1)
    assert _findings(got) == _findings(reference) and users[member].id in _same(got)


def test_a_group_not_read_counts_everyone_as_judged() -> None:
    person = User.new("p", "p@contoso.example", assigned_licenses=(AssignedLicense("e3"),))
    left_out = SignInJudges((Selector(groups=("Gone",)),))
    assert judged([person], [], left_out) == [person]  # who "Gone" holds is not known
    assert judged([person], [], SignInJudges((None,), (DeclaredKind("service", Selector(upn=("p@*",))),))) == []


def test_a_declared_account_still_counts_for_the_mailbox_rule() -> None:
    """shared-mailbox-licensed reads the purpose of an enabled account only when it looks dormant, and
    judges Graph's kind, not a declared one: a declared service account still costs the request
    there; a Teams Rooms account never does (its license says what it is)."""
    person = User.new("p", "p@contoso.example", assigned_licenses=(AssignedLicense("e3"),))
    rooms = User.new("r", "r@contoso.example", assigned_licenses=(AssignedLicense(TEAMS_ROOMS_PRO),))
    service = (DeclaredKind("service", Selector(upn=("p@*",))),)
    assert judged([person, rooms], [], SignInJudges((None,), service)) == []
    assert judged([person, rooms], [], SignInJudges((None,), service, (None,))) == [person]


def test_the_example_policy_judges_by_sign_in_through_three_rules() -> None:
    judges = sign_in_judges(load_policies([Path(__file__).parents[2] / "examples" / "contoso-policy.yaml"]))
    # inactive_users (no except) and the usage entries judge every person; shared_mailboxes Graph's people
    assert None in judges.excepted and judges.mailboxes == (None,)
