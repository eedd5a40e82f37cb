"""The permission check reads the token's claims: app roles, delegated scopes, or nothing to read."""

from __future__ import annotations

from auditor.apply import permissions


def _names(check: permissions.Check) -> list[str]:
    return [p.name for p in check.missing]


def test_each_kind_needs_its_write_permission() -> None:
    wanted = permissions.needed(["assign_license", "remove_member", "add_member", "reprocess"])
    assert [p.name for p in wanted] == [
        "User.Read.All",
        "LicenseAssignment.ReadWrite.All",
        "GroupMember.ReadWrite.All",
        "User.ReadWrite.All",
    ]
    assert [p.name for p in permissions.needed(["add_member"])] == ["User.Read.All", "GroupMember.ReadWrite.All"]


def test_app_roles_and_the_broader_permissions_that_also_grant() -> None:
    wanted = permissions.needed(["assign_license", "add_member"])
    assert _names(permissions.check(permissions.Claims.of({"roles": ["User.Read.All"]}), wanted)) == [
        "LicenseAssignment.ReadWrite.All",
        "GroupMember.ReadWrite.All",
    ]
    assert _names(permissions.check(permissions.Claims.of({"roles": ["Directory.ReadWrite.All"]}), wanted)) == []
    assert (
        _names(
            permissions.check(permissions.Claims.of({"roles": ["User.ReadWrite.All", "Group.ReadWrite.All"]}), wanted)
        )
        == []
    )
    only_license = permissions.check(
        permissions.Claims.of({"roles": ["User.Read.All", "LicenseAssignment.ReadWrite.All"]}), wanted
    )
    assert only_license.checked and _names(only_license) == ["GroupMember.ReadWrite.All"]


def test_delegated_scopes_are_checked_and_the_role_is_mentioned() -> None:
    wanted = permissions.needed(["assign_license"])
    result = permissions.check(permissions.Claims.of({"scp": "User.Read.All LicenseAssignment.ReadWrite.All"}), wanted)
    assert result.checked and result.missing == () and "Entra role" in result.note
    assert _names(permissions.check(permissions.Claims.of({"scp": "User.Read.All"}), wanted)) == [
        "LicenseAssignment.ReadWrite.All"
    ]
    text = permissions.describe(
        permissions.check(permissions.Claims.of({"scp": "User.Read"}), wanted).missing, delegated=True
    )
    assert text.startswith(
        "the access token lacks the Microsoft Graph delegated permission(s) (scopes): User.Read.All for reading users"
    )


def test_an_opaque_token_is_not_checked() -> None:
    result = permissions.check(None, permissions.needed(["assign_license"]))
    assert not result.checked and result.missing == () and "could not be checked" in result.note
    assert not permissions.check(permissions.Claims.of({"aud": "x"}), permissions.needed(["assign_license"])).checked
