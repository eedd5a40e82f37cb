"""Context's services hand every caller its own answer: changing one changes no other finding."""

from __future__ import annotations

import pytest

from auditor.policy.index import TenantIndex
from auditor.rules.base import Context
from auditor.snapshot import snapshot_from_json

from .factory import AS_OF, E3, tenant, user


def _context() -> tuple[Context, list]:
    doc = tenant(
        [user("ann", "SPE_E3", via="g1"), user("bob", "SPE_E3", via="g1")],
        groups=[
            {
                "id": "g1",
                "displayName": "Office",
                "members": ["id-ann", "id-bob"],
                "assignedLicenses": [{"skuId": E3, "disabledPlans": []}],
            }
        ],
    )
    snapshot = snapshot_from_json(doc)
    return Context(TenantIndex(snapshot), AS_OF, {}), list(snapshot.users)


def test_answers_kept_per_layout_are_each_callers_own() -> None:
    ctx, (ann, bob) = _context()
    # how a user holds the products is one frozen Holding per layout, which no finding can change
    first = ctx.user_details(ann, {E3}, None)
    with pytest.raises(AttributeError):
        first.assigned_by_group = {}  # type: ignore[misc]
    assert ctx.user_details(bob, {E3}, None) is first
    assert first.assigned_by_group == {"SPE_E3": ["Office"]}
    left = ctx.groups.leaving(ann, [E3])
    assert left == {"leaving": {"g1": ["SPE_E3"]}}
    left["leaving"] = {}
    assert ctx.groups.leaving(bob, [E3]) == {"leaving": {"g1": ["SPE_E3"]}}
    lost = ctx.data_loss.of(ann, [E3])
    lost["data_lost"] = "changed"
    assert ctx.data_loss.of(bob, [E3]).get("data_lost") != "changed"


def test_the_services_answer_what_the_context_answered() -> None:
    ctx, (ann, _) = _context()
    assert ctx.groups.kind("g1") is None  # a cloud security group: members may be changed
    assert ctx.groups.get("G1") is not None
    assert ctx.disable_times.of(ann) == {"disabled_at": None, "disable_unknown": "audit_not_read"}
