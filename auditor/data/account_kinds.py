"""What a user object is (auditor.data.enums.AccountKind), from Graph's documented properties: the
one function the model (User.kind) and apply (its re-read before a removal) both ask.

A kind rests on evidence an ordinary account cannot carry. `department` is free text that a person,
an HR feed or on-premises Active Directory sets, so it never decides a kind alone: a resource account
is known by its resource license, or by the department together with the state Microsoft gives every
resource account ("a disabled user object"). The department alone is a hint for a person to confirm
(`resource_hint`), never a kind. docs/account-kinds.md quotes the Microsoft page behind each kind
and each id below.
"""

from __future__ import annotations

import msgspec

from auditor.data.enums import AccountKind

# Teams resource accounts (auto attendants, call queues): Microsoft's tooling creates them with this
# department, and they hold the free Microsoft Teams Phone Resource Account license (docs/account-kinds.md)
RESOURCE_DEPARTMENT = "microsoft communication application instance"  # compared in lower case
PHONE_RESOURCE_LICENSE = "440eaaa8-b3e0-484b-a8be-62870b9ba70a"  # PHONESYSTEM_VIRTUALUSER
RESOURCE_LICENSES = frozenset(
    (
        PHONE_RESOURCE_LICENSE,
        "0e142028-345e-45da-8d92-8bfd4093bbb9",  # PHONESYSTEM_VIRTUALUSER_FACULTY
        "2cf22bcb-0c9e-4bc6-8daf-7e7654c0f285",  # PHONESYSTEM_VIRTUALUSER_GOV
        "e3f0522e-ebb7-4561-9f90-b44516d65b77",  # PHONESYSTEM_VIRTUALUSER_USGOV_GCCHIGH
    )
)
# the Teams Rooms licenses (Microsoft's product table): an account holding one is a Teams Rooms account
TEAMS_ROOMS_BASIC = "6af4b3d6-14bb-4a2a-960c-6c902aad34f3"  # Microsoft_Teams_Rooms_Basic
TEAMS_ROOMS_PRO = "4cde982a-ede4-4409-9ae6-b003453c8ea6"  # Microsoft_Teams_Rooms_Pro
TEAMS_ROOMS_LICENSES = frozenset(
    (
        TEAMS_ROOMS_BASIC,
        TEAMS_ROOMS_PRO,
        "a4e376bd-c61e-4618-9901-3fc0cb1b88bb",  # Microsoft_Teams_Rooms_Basic_FAC
        "50509a35-f0bd-4c5e-89ac-22f0e16a00f8",  # Microsoft_Teams_Rooms_Basic_without_Audio_Conferencing
        "c25e2b36-e161-4946-bef2-69239729f690",  # Microsoft_Teams_Rooms_Pro_FAC
        "31ecb341-2a17-483e-9140-c473006d1e1a",  # Microsoft_Teams_Rooms_Pro_GCC
        "21943e3a-2429-4f83-84c1-02735cd49e78",  # Microsoft_Teams_Rooms_Pro_without_Audio_Conferencing
        "4fb214cb-a430-4a91-9c91-4976763aa78f",  # MTR_PREM: Teams Rooms Premium
    )
)
# the part of the places listing (GET /places/microsoft.graph.room): a room mailbox found there is a
# room whatever else is known of its mailbox (auditor/graph/places.py)
ROOMS = "rooms"
_PURPOSE_KINDS = {"shared": AccountKind.SHARED, "room": AccountKind.ROOM, "equipment": AccountKind.EQUIPMENT}


def resource_hint(department: str | None) -> bool:
    """Whether `department` reads as the Teams tooling writes it for a resource account (a hint only:
    anyone who may edit the user's profile, or an HR feed, can write the same text)."""
    return (department or "").strip().lower() == RESOURCE_DEPARTMENT


def resource_evidence(department: str | None, account_enabled: bool | None, sku_ids: frozenset[str]) -> bool:
    """Whether the account is a Teams resource account on evidence that agrees: it holds the resource
    license, or its department says so and it is disabled (every resource account is "a disabled user
    object"; a person's account that HR data names so is enabled). Not the mailbox: a resource account
    that holds a suite with Exchange Online has a user mailbox like a person's."""
    return bool(sku_ids & RESOURCE_LICENSES) or (resource_hint(department) and account_enabled is False)


def account_kind(
    user_type: str | None,
    department: str | None,
    mailbox_purpose: str | None,
    sku_ids: frozenset[str],
    identity_parent_id: str | None = None,
    account_enabled: bool | None = None,
) -> AccountKind:
    """What a user object is, from Graph's documented properties, most specific first: an agent user
    (it has a parent agent identity); a Teams resource account (resource_evidence: the resource
    license, lower-case `sku_ids`, or its department on a disabled account); a Teams Rooms account (a
    Teams Rooms license); a shared, room or equipment mailbox (`mailboxSettings.userPurpose`, read
    only where a rule needs it); a guest (`userType`); else a person. `account_enabled` None (not
    read) never corroborates a department. apply re-reads the same properties and asks the same
    function."""
    if identity_parent_id is not None:
        return AccountKind.AGENT
    if resource_evidence(department, account_enabled, sku_ids):
        return AccountKind.RESOURCE
    if sku_ids & TEAMS_ROOMS_LICENSES:
        return AccountKind.TEAMS_ROOMS
    by_purpose = _PURPOSE_KINDS.get((mailbox_purpose or "").lower())
    if by_purpose is not None:
        return by_purpose
    return AccountKind.GUEST if (user_type or "").lower() == "guest" else AccountKind.PERSON


class AccountKindRow(msgspec.Struct, kw_only=True):
    """Licensed accounts of one kind that is not a person's (docs/account-kinds.md; auditor.engine.account_kind_rows,
    report.json `account_kinds`): how many, which products (part number -> accounts holding it) and their monthly
    price by the policy's prices (None: none of them priced)."""

    kind: str
    accounts: int = 0
    products: dict[str, int] = {}
    monthly: float | None = None
