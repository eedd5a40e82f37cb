"""The records of a Graph change as plan.json and the apply/undo journal write them: a change's
body and preconditions, the change itself (a journal line's `action`), the request journaled with
it, the user's state `before` it, and the journal line around them.

TypedDicts rather than Structs: these records are JSON objects whose keys are written only when
they apply (a precondition is one of a dozen shapes, a body one of three) and whose bytes stay as
plan.json and the journals have them; a TypedDict types each key where the code reads or writes
it (mypy checks the names) and leaves the JSON exactly as it is. auditor.formats.plan_json checks
a file's records before they are given these types.
"""

from __future__ import annotations

from typing import TypedDict


class AddedLicense(TypedDict):
    """assignLicense's assignedLicense: a product to add, with its service plans turned off."""

    disabledPlans: list[str]
    skuId: str


# The body of a change: assignLicense's (addLicenses, removeLicenses), a membership's $ref
# (@odata.id) or a user's PATCH (usageLocation). The functional form: `@odata.id` is no identifier.
Body = TypedDict(
    "Body",
    {
        "addLicenses": list[AddedLicense],
        "removeLicenses": list[str],
        "@odata.id": str,
        "usageLocation": str,
    },
    total=False,
)


class Precondition(TypedDict, total=False):
    """One precondition of a change (docs/plan-and-apply.md): each holds one of these shapes,
    checked by auditor.formats.plan_json._preconditions; apply's own implied ones
    (auditor.apply.preconditions.conditions) add `lacks` with `how` and `usage_location_differs`."""

    holds: str  # the product (skuId), held in any way; with `how`: "direct", or "group" with `group`
    how: str
    group: str
    active: bool  # the copy is in a working state (Active, no error)
    plans_on: list[str]  # the service plans the held copy leaves on
    lacks: str
    member_of: str
    not_member_of: str
    exists: bool
    account_enabled: bool
    user_type: str
    no_sign_in_within_days: int
    person: bool
    account_kind: str
    agent_orphaned: str
    usage_location_differs: str
    copilot_idle_since: str  # no Copilot use in any report column since this day (apply re-reads the report)
    in_any_group: list[str]  # a member, directly or nested, of one of these groups (re-read at the call)


class DataKept(TypedDict, total=False):
    """An admin's data_kept declaration that made a removal ready (auditor.plan.declared); `mailbox`
    and `files` only where the declaration says them."""

    finding: str
    subject: str  # the finding's subject, for a reader
    kinds: list[str]
    mailbox: str
    files: str
    accepted_by: str
    expires: str


class ChangeRecord(TypedDict, total=False):
    """One change as plan.json writes it, or as undo writes an inverse (a journal line's `action`)."""

    n: int
    kind: str
    method: str
    path: str
    body: Body | None
    description: str
    user: str
    group: str | None
    precondition: list[Precondition]
    seats: dict[str, int]
    findings: list[str]
    depends_on: list[int]
    data_kept: list[DataKept]
    reversed_precondition: list[Precondition]  # an inverse: the preconditions of the change it reverses
    ready: bool  # a report action as a call (auditor.plan.actions.Action.as_call): apply refuses one not ready
    blocked: str | None


class Request(TypedDict):
    """The request a journal line says was (or would be) sent."""

    method: str
    path: str
    body: Body | None


class LicenseBefore(TypedDict):
    skuId: str
    disabledPlans: list[str]


class AssignmentBefore(TypedDict):
    """One of licenseAssignmentStates as the journal keeps it."""

    skuId: str
    assignedByGroup: str | None
    disabledPlans: list[str]
    state: str | None
    error: str | None


class Before(TypedDict, total=False):
    """A journal line's `before`: the user as apply re-read it before the change (what undo restores)."""

    exists: bool
    assignedLicenses: list[LicenseBefore]
    licenseAssignmentStates: list[AssignmentBefore]
    usageLocation: str | None
    accountEnabled: bool | None
    userType: str | None
    lastSuccessfulSignIn: str | None
    member_of: list[str]
    groups_read: list[str]


class Undoes(TypedDict):
    """A line undo wrote names the line it undoes: its journal's file name and its n."""

    journal: str
    n: int


class PlanName(TypedDict):
    """An apply journal's line names its plan: the file name and the SHA-256 of its bytes."""

    file: str
    sha256: str


class JournalRecord(TypedDict, total=False):
    """One line of the apply/undo journal (auditor.apply.journal), its keys in the order written."""

    time: str
    n: int
    tenant_id: str
    cloud: str
    action: ChangeRecord
    request: Request
    status: int | None
    outcome: str
    note: str
    before: Before | None
    undoes: Undoes
    plan: PlanName
