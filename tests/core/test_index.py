"""TenantIndex's fast passes (C pipelines, per-layout and per-population caches) against the
plain definitions, user by user."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import replace

import msgspec
import pytest

from auditor.data.model import LicenseAssignmentState, TenantSnapshot, User
from auditor.data.positions import AllBut
from auditor.policy.index import TenantIndex
from auditor.policy.objects import Selector
from auditor_dev.sample.generate import generate_tenant


def _tenant(departments: int) -> TenantSnapshot:
    """A generated tenant with `departments` distinct department spellings (case varies), some
    layouts rebuilt as equal but unshared tuples, and a few assignment errors."""
    tenant = generate_tenant(3000, seed=3)
    rng = random.Random(5)
    names = [f"Dept {i}" for i in range(departments)]
    users = []
    for i, u in enumerate(tenant.users):
        name = rng.choice(names)
        changes: dict[str, object] = {"department": name.upper() if i % 7 == 0 else name}
        if i % 11 == 0:  # equal values, different objects
            changes["assigned_licenses"] = tuple(msgspec.structs.replace(lic) for lic in u.assigned_licenses)
            changes["license_assignment_states"] = tuple(
                msgspec.structs.replace(s) for s in u.license_assignment_states
            )
        if i % 97 == 0 and u.license_assignment_states:
            first = u.license_assignment_states[0]
            changes["license_assignment_states"] = (
                LicenseAssignmentState(first.sku_id, first.assigned_by_group, "Error", "CountViolation"),
                *u.license_assignment_states[1:],
            )
        if i % 13 == 0:
            changes["department"] = None
        users.append(u.with_values(**changes))
    return replace(tenant, users=tuple(users))


def _direct(u: User) -> set[str]:
    via_group = {s.sku_id.lower() for s in u.license_assignment_states if s.assigned_by_group}
    direct = {s.sku_id.lower() for s in u.license_assignment_states if not s.assigned_by_group}
    return {
        lic.sku_id.lower()
        for lic in u.assigned_licenses
        if lic.sku_id.lower() in direct or lic.sku_id.lower() not in via_group
    }


@pytest.mark.parametrize("departments", [5, 40])  # one C pass per value, and the Python pass
def test_index_passes_match_their_definitions(departments: int) -> None:
    tenant = _tenant(departments)
    users = tenant.users
    index = TenantIndex(tenant)

    assert list(index.where("account_enabled", False, lambda e: not e)) == [
        i for i, u in enumerate(users) if not u.account_enabled
    ]
    assert list(index.where("user_type", "guest", lambda t: t.lower() == "guest")) == [
        i for i, u in enumerate(users) if u.user_type.lower() == "guest"
    ]
    errors = list(index.assignment_errors())
    assert errors == [i for i, u in enumerate(users) if any(s.is_error for s in u.license_assignment_states)]
    assert errors
    for sku in {s.sku_id.lower() for s in tenant.skus}:
        assert list(index.direct_holders(sku)) == [
            i for i, u in enumerate(users) if u.assigned_licenses and sku in _direct(u)
        ]

    wanted = ("dept 1", "DEPT 3")
    assert index.select(Selector(departments=wanted)) == {
        i for i, u in enumerate(users) if u.department and u.department.lower() in {w.lower() for w in wanted}
    }
    for patterns in (
        ("user0*@contoso.example", "*E*@contoso.example"),
        ("*7@CONTOSO.example", "*12@contoso.example"),
        ("*",),
        ("*[0-3]@contoso.example",),
        ("CFO@contoso.example",),
        ("*?",),
    ):
        assert index.select(Selector(upn=patterns)) == {
            i
            for i, u in enumerate(users)
            if any(fnmatch.fnmatchcase(u.user_principal_name.lower(), p.lower()) for p in patterns)
        }, patterns
    group = tenant.groups[0]
    members = set(group.members)
    assert index.select(Selector(groups=(group.display_name,))) == {i for i, u in enumerate(users) if u.id in members}


def test_by_skuset_walks_either_side_in_order() -> None:
    tenant = _tenant(5)
    users = tenant.users
    index = TenantIndex(tenant)
    some = frozenset(range(0, len(users), 3))
    few = frozenset(range(0, len(users), 301))
    everyone_but = AllBut(len(users), frozenset(range(0, len(users), 5)))
    common = max({u.sku_ids for u in users}, key=lambda k: sum(u.sku_ids == k for u in users))

    def rare(held: frozenset[str]) -> frozenset[str] | None:
        return held if held and held != common else None

    def frequent(held: frozenset[str]) -> bool | None:
        return True if held == common or not held else None

    for pop in (None, some, few, everyone_but):
        for verdict in (rare, frequent):
            got = list(index.by_skuset(pop, verdict))
            expected = [
                (i, verdict(u.sku_ids))
                for i, u in enumerate(users)
                if (pop is None or i in pop) and verdict(u.sku_ids) is not None
            ]
            assert sorted(got) == expected
            assert got  # every combination has offenders here
            if pop is few:  # the population is the smaller side: walked in order
                assert got == expected


def test_upn_and_group_selection_hold_beyond_ascii_and_usual_ids() -> None:
    """Selecting by UPN glob reads ASCII UPNs as bytes and the rest as text, and a group's members
    are found among packed ids: the answers are the plain definitions' with UPNs and display names
    beyond ASCII (a Kelvin sign lower-cases to "k"; "İ" to two characters), patterns beyond ASCII,
    and members whose ids are not lower-case GUIDs."""
    tenant = _tenant(5)
    names = ["Zoë Åberg", "İsmail Çelik", "Ωmega", "plain"]
    upns = ["\u212aim@contoso.example", "İlk@contoso.example", "zoë@contoso.example", "ZOE@Contoso.Example"]
    odd_ids = ["ABCDEF01-2345-6789-ABCD-EF0123456789", "not-a-guid", "00000000-0000-0000-0000-000000000000"]
    users = []
    for i, u in enumerate(tenant.users):
        changes: dict[str, object] = {"display_name": names[i % 4]} if i % 3 == 0 else {}
        if i % 50 == 7:
            changes["user_principal_name"] = upns[i // 50 % 4]
        if i in (11, 12, 13):
            changes["id"] = odd_ids[i - 11]
        users.append(u.with_values(**changes))
    group = tenant.groups[0]
    members = (*group.members[::2], *odd_ids[:2], "ffffffff-0000-4000-8000-000000000000")
    groups = (msgspec.structs.replace(group, members=members), *tenant.groups[1:])
    tenant = replace(tenant, users=tuple(users), groups=groups)
    index = TenantIndex(tenant)
    for patterns in (
        ("*k*@contoso.example",),
        ("k*",),
        ("*@contoso.example",),
        ("i̇*",),
        ("zoë*", "*e@contoso.example"),
        ("*Ë@CONTOSO.EXAMPLE",),
        ("[kz]*",),
        ("*",),
    ):
        expected = {
            i
            for i, u in enumerate(users)
            if any(fnmatch.fnmatchcase(u.user_principal_name.lower(), p.lower()) for p in patterns)
        }
        assert index.select(Selector(upn=patterns)) == expected, patterns
    assert index.select(Selector(upn=("k*",)))  # the Kelvin sign's UPN, by its lower-case form
    wanted = set(members)
    assert index.select(Selector(groups=(group.display_name,))) == {i for i, u in enumerate(users) if u.id in wanted}
    assert {11, 12} <= set(index.select(Selector(groups=(group.display_name,))) or ())
