"""A group decodes into one msgspec Struct (auditor.snapshot.WireGroup), from a snapshot and from Graph's
listing alike: what is absent stays apart from false (a kind not read is not a cloud group), and a
malformed field is named."""

from __future__ import annotations

import pytest

from auditor.snapshot import BadValue, UserDecoder, group_from_graph

GID = "0f0e0d0c-0000-4000-8000-000000000001"
SKU = "6fd2c87f-b296-42f0-b197-1e91e994b900"


def test_a_group_decodes_with_its_kind_and_licenses() -> None:
    group = group_from_graph(
        {
            "id": GID,
            "displayName": "Sales",
            "assignedLicenses": [{"skuId": SKU, "disabledPlans": []}],
            "groupTypes": ["DynamicMembership"],
            "membershipRule": 'user.department -eq "Sales"',
            "onPremisesSyncEnabled": None,
            "members": ["u1", "u2"],
            "@odata.type": "#microsoft.graph.group",  # a field the auditor does not read is left alone
        },
        UserDecoder(with_sign_in=False),
    )
    assert (group.id, group.display_name, group.members, group.direct_members) == (GID, "Sales", ("u1", "u2"), None)
    assert [lic.sku_id for lic in group.assigned_licenses] == [SKU]
    assert group.group_types == ("DynamicMembership",)
    assert group.on_premises_sync_enabled is None and group.mail_enabled is None  # null and absent: not known


def test_a_group_written_before_its_kind_was_read_has_no_kind() -> None:
    group = group_from_graph({"id": GID, "mailEnabled": False}, UserDecoder(with_sign_in=False))
    assert (group.group_types, group.mail_enabled) == (None, None)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [("groupTypes", "Unified", "groupTypes"), ("mailEnabled", "yes", "mailEnabled"), ("id", "", "id")],
)
def test_a_malformed_field_is_named(field: str, value: object, named: str) -> None:
    with pytest.raises(BadValue, match=f"^{named}: "):
        group_from_graph({"id": GID, "groupTypes": [], field: value}, UserDecoder(with_sign_in=False))
