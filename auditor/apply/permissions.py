"""Which Microsoft Graph permissions applying a plan needs, and whether the access token has them.

From Microsoft's permissions reference (least privileged first; the others also grant it):

    POST /users/{id}/assignLicense                LicenseAssignment.ReadWrite.All, User.ReadWrite.All,
                                                  Directory.ReadWrite.All
    POST /groups/{id}/members/$ref                GroupMember.ReadWrite.All, Group.ReadWrite.All,
    DELETE /groups/{id}/members/{id}/$ref         Directory.ReadWrite.All
    POST /users/{id}/reprocessLicenseAssignment   User.ReadWrite.All, Directory.ReadWrite.All
    PATCH /users/{id} (usageLocation)             User.ReadWrite.All, Directory.ReadWrite.All
    GET /users/{id}, GET /users/{id}/memberOf     User.Read.All (and the ReadWrite/Directory ones)
    GET /users/{id}?$select=signInActivity        AuditLog.Read.All as well (only for a change that rests
                                                  on no recent sign-in)
    GET /groups/{id}                              GroupMember.Read.All, Group.Read.All, Directory.Read.All (and
                                                  the ReadWrite ones): the group re-read before a join, a leave,
                                                  or a removal that a group's copy stands in for (groups.py)

The check decodes the token's claims without verifying them (only Graph does that): an app-only
token lists application permissions in `roles`, a delegated token its scopes in `scp`. A token that
is not a JWT cannot be checked; apply says so and relies on Graph's 403 instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.common.errors import UsageError

from ..formats.plan_json import Change
from ..graph.auth import SIGN_IN, USERS
from ..graph.auth import Permission as Permission  # re-exported: the apply checks name it here
from ..graph.retries import GraphRequestError

if TYPE_CHECKING:
    from ..graph.client import GraphClient

ASSIGN = Permission(
    "LicenseAssignment.ReadWrite.All",
    "assigning and removing licenses (assignLicense)",
    frozenset(("LicenseAssignment.ReadWrite.All", "User.ReadWrite.All", "Directory.ReadWrite.All")),
)
MEMBERS = Permission(
    "GroupMember.ReadWrite.All",
    "adding and removing group members",
    frozenset(("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")),
)
REPROCESS = Permission(
    "User.ReadWrite.All",
    "reprocessLicenseAssignment",
    frozenset(("User.ReadWrite.All", "Directory.ReadWrite.All")),
)
USAGE_LOCATION = Permission(
    "User.ReadWrite.All",
    "setting a user's usageLocation",
    frozenset(("User.ReadWrite.All", "Directory.ReadWrite.All")),
)
GROUPS = Permission(
    "GroupMember.Read.All",
    "re-reading a group before a change it stands in for",
    frozenset(
        (
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
            "GroupMember.ReadWrite.All",
            "Group.ReadWrite.All",
            "Directory.ReadWrite.All",
        )
    ),
)
BY_KIND: dict[str, Permission] = {
    "assign_license": ASSIGN,
    "add_member": MEMBERS,
    "remove_member": MEMBERS,
    "reprocess": REPROCESS,
    "set_usage_location": USAGE_LOCATION,
}


def needed(kinds: Iterable[str], sign_in: bool = False, groups: bool = False) -> tuple[Permission, ...]:
    """Reading users (and, `sign_in`, their signInActivity: a change rests on no recent sign-in;
    `groups`, a group: a removal rests on a group's copy), then the write permission for each kind
    of change, in a stable order."""
    out = [USERS, SIGN_IN] if sign_in else [USERS]
    if groups:
        out.append(GROUPS)
    for kind in kinds:
        perm = BY_KIND[kind]
        if perm not in out:
            out.append(perm)
    return tuple(out)


@dataclass(frozen=True)
class Check:
    checked: bool
    missing: tuple[Permission, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Claims:
    """What apply reads of its access token's claims: the tenant (`tid`), the application
    permissions (`roles`) and the delegated scopes (`scp`, space-separated); None where the token
    does not give it in the type the Microsoft identity platform documents."""

    tid: str | None = None
    roles: tuple[str, ...] | None = None
    scp: str | None = None

    @classmethod
    def of(cls, claims: Mapping[str, object]) -> Claims:
        """The claims of a decoded token (its payload, untrusted: each claim checked for its type)."""
        tid, roles, scp = claims.get("tid"), claims.get("roles"), claims.get("scp")
        return cls(
            tid if isinstance(tid, str) else None,
            tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else None,
            scp if isinstance(scp, str) else None,
        )


def check(claims: Claims | None, wanted: tuple[Permission, ...]) -> Check:
    if claims is None:
        return Check(
            False,
            note="the access token is not a JWT, so its permissions could not be checked; Graph "
            "will refuse a write it does not allow, and apply stops there",
        )
    roles, scp = claims.roles, claims.scp
    granted: set[str] = set(roles or ())
    delegated = scp is not None
    if scp is not None:
        granted |= set(scp.split())
    if roles is None and not delegated:
        return Check(False, note="the access token lists no roles or scopes; its permissions could not be checked")
    missing = tuple(p for p in wanted if not (p.satisfied_by & granted))
    note = (
        (
            "delegated token: the signed-in user also needs an Entra role that allows these changes (License "
            "Administrator, Groups Administrator or User Administrator)"
        )
        if delegated
        else ""
    )
    return Check(True, missing, note)


def describe(missing: tuple[Permission, ...], delegated: bool = False) -> str:
    kind = "delegated permission(s) (scopes)" if delegated else "application permission(s)"
    names = "; ".join(
        f"{p.name} for {p.needed_for} (or one of {', '.join(sorted(p.satisfied_by - {p.name}))})" for p in missing
    )
    return (
        f"the access token lacks the Microsoft Graph {kind}: {names}; add them to the app registration and "
        "grant admin consent, then re-run"
    )


def for_refusal(change: Change) -> str:
    """What to grant when Graph answers a write with 403."""
    perm = BY_KIND[change.kind]
    return f"{perm.name} (or {', '.join(sorted(perm.satisfied_by - {perm.name}))}) for {perm.needed_for}"


async def check_tenant(client: GraphClient, tenant_id: str) -> Claims | None:
    """The credential signs in to `tenant_id` (its token's tid) and Graph answers for it (its
    /organization), else UsageError (exit 2); the token's claims. The token itself is never kept,
    printed or journaled.

    The token's tid alone is not the tenant the writes land in: an endpoint (--graph-endpoint, a
    proxy) may answer for another tenant with a token of this one. So /organization is asked too; a
    token with a tid that may not read it (403: Organization.Read.All is not among the write
    permissions) is taken at its tid, and stderr says so."""
    given = await client.token_claims()
    claims = Claims(given.tid, given.roles, given.scp) if given is not None else None
    tid = claims.tid if claims else None
    if tid and tid.lower() != tenant_id:
        raise UsageError(
            f"the credential signs in to tenant {tid}, but the changes are for tenant "
            f"{tenant_id}; refusing to apply them to another tenant"
        )
    try:
        doc = await client.get("/organization?$select=id")
    except GraphRequestError as exc:
        if not tid or exc.status not in (401, 403):
            raise
        print(
            f"note: GET /organization answered {exc.status}: the tenant is taken from the token's tid "
            f"({tid}), not confirmed by Graph's answer",
            file=sys.stderr,
        )
        return claims
    ids = (
        [str(o.get("id", "")).lower() for o in (doc.get("value") or []) if isinstance(o, dict)]
        if isinstance(doc, dict)
        else []
    )
    if tenant_id not in ids:
        raise UsageError(
            f"Graph answers for tenant {', '.join(ids) or 'unknown'}, but the changes are for "
            f"tenant {tenant_id}; refusing to apply them to another tenant"
        )
    return claims
