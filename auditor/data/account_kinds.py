"""What a user object is (auditor.data.enums.AccountKind), from Graph's documented properties: the
one function the model (User.kind) and apply (its re-read before a write) both ask.

A kind rests on signals that agree, never on one that a person's account can carry as well.
`department` is free text that a person, an HR feed or on-premises Active Directory sets; every
leaver is disabled; the resource license is one anyone who assigns licenses can assign; and no
interactive sign-in yet is what every new hire's account shows too, so it is never evidence, only
the absence of counter-evidence. So a Teams resource account is a disabled account ("disabled for
sign in and must remain so") that has never signed in interactively and holds the resource license,
or whose department names one and which holds a phone product without a mailbox (PHONE_PRODUCTS) or
has no mailbox at all. An enabled account is never one: a new hire holding the resource license who
has not signed in yet stays a person's until someone confirms otherwise. A disabled account with a
person's suite and sign-ins is a leaver whatever its department (the person rules judge it: grace,
holds, the Exchange steps); an account that signs in interactively is a person's whatever license it
holds. A resource signal the others do not corroborate is a hint for a person to confirm
(`resource_signal`), never a kind.
docs/account-kinds.md quotes the Microsoft page behind each kind and each id below.
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
# the products without a mailbox whose service plans give Phone System or a Calling Plan, pay-as-you-go
# calling or Communications Credits, by Microsoft's product table: a resource account's phone line
# (auditor.rules.hygiene.kinds.phone_products derives the same set from the table; a test holds them equal)
PHONE_PRODUCTS = frozenset(
    (
        "e5a17adf-8f0d-4b57-bc14-d331235f9307",  # BUSINESS_VOICE
        "d52db95a-5ecb-46b6-beb0-190ab5cda4a8",  # BUSINESS_VOICE_DIRECTROUTING
        "8330dae3-d349-44f7-9cad-1b23c64baabe",  # BUSINESS_VOICE_DIRECTROUTING_MED
        "a6051f20-9cbc-47d2-930d-419183bf6cf1",  # BUSINESS_VOICE_MED2
        "08d7bce8-6e16-490e-89db-1d508e5e9609",  # BUSINESS_VOICE_MED2_TELCO
        "e43b5b99-8dfb-405f-9987-dc307f34bcbd",  # MCOEV: Microsoft Teams Phone Standard
        "aa6791d3-bb09-4bc2-afed-c30c3fe26032",  # MCOEVSMB_1
        "d01d9287-694b-44f3-bcc5-ada78c8d953e",  # MCOEV_DOD
        "d979703c-028d-4de5-acbf-7955566b69b9",  # MCOEV_FACULTY
        "7035277a-5e49-4abc-a24f-0ec49c501bb5",  # MCOEV_GCCHIGH
        "a460366a-ade7-4791-b581-9fbff1bdaa85",  # MCOEV_GOV
        "1f338bbc-767e-4a1e-a2d4-b73207cc5b93",  # MCOEV_STUDENT
        "ffaf2d68-1c95-4eb3-9ddd-59b81fba0f61",  # MCOEV_TELSTRA
        "b0e7de67-e503-4934-b729-53d595ba5cd1",  # MCOEV_USGOV_DOD
        "985fcb26-7b94-475b-b512-89356697be71",  # MCOEV_USGOV_GCCHIGH
        "0dab259f-bf13-4952-b7f8-7db8f131b28d",  # MCOPSTN1: Domestic Calling Plan
        "d3b4fe1f-9992-4930-8acb-ca6ec609365e",  # MCOPSTN2
        "d43177b5-475b-4880-92d4-d54c27b5efbd",  # MCOPSTN5
        "54a152dc-90de-4996-93d2-bc47e670fc06",  # MCOPSTN5
        "d13e9d1b-316a-4946-98c6-362c97a4fdfe",  # MCOPSTN5_US
        "47794cd0-f0e5-45c5-9033-2eb6b5fc84e0",  # MCOPSTNC: Communications Credits
        "de3312e1-c7b0-46e6-a7c3-a515ff90bc86",  # MCOPSTNEAU2
        "06b48c5f-01d9-4b18-9015-03b52040f51a",  # MCOPSTNPP
        "923f58ab-fca1-46a1-92f9-89fda21238a8",  # MCOPSTN_1_GOV
        "11dee6af-eca8-419f-8061-6864517c1875",  # MCOPSTN_5
        "729dbb8f-8d56-4994-8e33-2f218f549544",  # MCOPSTN_6
        "ae2343d1-0999-43f6-ae18-d816516f6e78",  # MCOTEAMS_ESSENTIALS: Teams Phone with Calling Plan
        "6070a4c8-34c6-4937-8dfb-39bbc6397a60",  # MEETING_ROOM
        "9571e9ac-2741-4b63-95fd-a79696f0d0ac",  # MEETING_ROOM_GOV
        "b4348f75-a776-4061-ac6c-36b9016b01d1",  # MEETING_ROOM_GOV_NOAUDIOCONF
        "61bec411-e46a-4dab-8f46-8b58ec845ffe",  # MEETING_ROOM_NOAUDIOCONF
        "4fb214cb-a430-4a91-9c91-4976763aa78f",  # MTR_PREM
        "dbd31205-338e-4dec-903d-44402e305e32",  # Microsoft_Teams_Calling_Plan_pay_as_you_go_(country_zone_1)
        "9b196e97-5830-4c2e-adc2-1e10ebf5dee5",  # Microsoft_Teams_Calling_Plan_pay_as_you_go_(country_zone_1_US)
        "4cde982a-ede4-4409-9ae6-b003453c8ea6",  # Microsoft_Teams_Rooms_Pro
        "c25e2b36-e161-4946-bef2-69239729f690",  # Microsoft_Teams_Rooms_Pro_FAC
        "31ecb341-2a17-483e-9140-c473006d1e1a",  # Microsoft_Teams_Rooms_Pro_GCC
        "21943e3a-2429-4f83-84c1-02735cd49e78",  # Microsoft_Teams_Rooms_Pro_without_Audio_Conferencing
    )
)
# mailboxSettings.userPurpose as the model keeps "Graph found no mailbox" (a 404 MailboxNotEnabledForRESTAPI)
NO_MAILBOX = ""
# the part of the places listing (GET /places/microsoft.graph.room): a room mailbox found there is a
# room whatever else is known of its mailbox (auditor/graph/places.py)
ROOMS = "rooms"
_PURPOSE_KINDS = {"shared": AccountKind.SHARED, "room": AccountKind.ROOM, "equipment": AccountKind.EQUIPMENT}


def resource_hint(department: str | None) -> bool:
    """Whether `department` reads as the Teams tooling writes it for a resource account (a hint only:
    anyone who may edit the user's profile, or an HR feed, can write the same text)."""
    return (department or "").strip().lower() == RESOURCE_DEPARTMENT


def signed_in_interactively(last_sign_in: str | None) -> bool:
    """Whether signInActivity's lastSignInDateTime (`last_sign_in`, as Graph wrote it) records an
    interactive sign-in: any time but Graph's "never" (0001-01-01T00:00:00Z). It counts failed
    attempts too, which a resource account never makes either; None (never, or not read) is none."""
    text = (last_sign_in or "").strip()
    return bool(text) and not text.startswith("0001-")


def resource_signal(department: str | None, sku_ids: frozenset[str]) -> bool:
    """Whether anything says the account may be a Teams resource account: its department, or the
    resource license. Alone neither decides (resource_evidence)."""
    return resource_hint(department) or bool(sku_ids & RESOURCE_LICENSES)


def resource_evidence(
    department: str | None,
    account_enabled: bool | None,
    sku_ids: frozenset[str],
    mailbox_purpose: str | None = None,
    signed_in: bool | None = False,
) -> bool:
    """Whether the account is a Teams resource account on signals that agree. `signed_in`: whether
    Graph records an interactive sign-in of it (lastSignInDateTime), None when that is not known.

    A resource account never signs in interactively, so an account with a recorded interactive
    sign-in, or one whose sign-ins are not known, is never confirmed; but no sign-in recorded proves
    nothing either (a new hire's account has none yet), so it only lets the other signals speak.
    They must include a disabled account (Microsoft: "disabled for sign in and must remain so"),
    and beside it the resource license (Microsoft's "correctly identified by the system"), or the
    department and a line: a phone product without a mailbox (PHONE_PRODUCTS), or no mailbox at all
    (`mailbox_purpose` NO_MAILBOX). A disabled account with the department and a person's suite
    with a mailbox is not one: every leaver is disabled, and a suite with a mailbox leaves through
    the leaver's rules, never through a swap."""
    if signed_in is not False or account_enabled is not False:
        return False
    if sku_ids & RESOURCE_LICENSES:
        return True
    line = bool(sku_ids & PHONE_PRODUCTS) or mailbox_purpose == NO_MAILBOX
    return resource_hint(department) and line


def account_kind(
    user_type: str | None,
    department: str | None,
    mailbox_purpose: str | None,
    sku_ids: frozenset[str],
    identity_parent_id: str | None = None,
    account_enabled: bool | None = None,
    signed_in: bool | None = False,
) -> AccountKind:
    """What a user object is, from Graph's documented properties, most specific first: an agent user
    (it has a parent agent identity); a Teams resource account (resource_evidence: signals that
    agree, lower-case `sku_ids`); a Teams Rooms account (a Teams Rooms license); a shared, room or
    equipment mailbox (`mailboxSettings.userPurpose`, read only where a rule needs it, or a room of
    the places listing); a guest (`userType`); else a person. `account_enabled` None (not read)
    corroborates nothing, nor `signed_in` None (not known), nor False (no interactive sign-in yet). apply re-reads the
    same properties and asks the same function."""
    if identity_parent_id is not None:
        return AccountKind.AGENT
    if resource_evidence(department, account_enabled, sku_ids, mailbox_purpose, signed_in):
        return AccountKind.RESOURCE
    if sku_ids & TEAMS_ROOMS_LICENSES:
        return AccountKind.TEAMS_ROOMS
    by_purpose = _PURPOSE_KINDS.get((mailbox_purpose or "").lower())
    if by_purpose is not None:
        return by_purpose
    return AccountKind.GUEST if (user_type or "").lower() == "guest" else AccountKind.PERSON


class AccountKindRow(msgspec.Struct, kw_only=True):
    """Licensed accounts of one kind that is not a person's (docs/account-kinds.md;
    auditor.evaluation.engine.account_kind_rows, report.json `account_kinds`): how many, which products (part
    number -> accounts holding it) and their monthly price by the policy's prices (None: none of them priced)."""

    kind: str
    accounts: int = 0
    products: dict[str, int] = {}
    monthly: float | None = None
