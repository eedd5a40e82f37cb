"""A planned change, declared once: `Change`, the msgspec Struct `plan` compiles and writes into
plan.json (auditor.formats.plan_records re-exports it) and apply reads back, checked, from plan.json
or a journal line's `action` (auditor.formats.plan_json.parse_change). Beside it the records of a
Graph change as the journals keep them: a change's body and preconditions, the request journaled
with it, the user's state `before` it, and the journal line around them.

TypedDicts for those: JSON objects whose keys are written only when they apply (a precondition is
one of a dozen shapes, a body one of three) and whose bytes stay as plan.json and the journals have
them; a TypedDict types each key where the code reads or writes it (mypy checks the names) and
leaves the JSON exactly as it is. A change itself has no JSON twin: plan.json encodes the Struct
(auditor.plan.write.json_text), and apply journals a change as the file gave it (`Change.raw`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import msgspec


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


class Change(msgspec.Struct, frozen=True, omit_defaults=True):
    """One write of a plan: as `plan` compiles it and plan.json holds it (its fields in the file's
    order; the last three only when set), or as apply read it back, checked (parse_change), from
    plan.json or a journal line's `action`."""

    n: int  # position in execution order, from 1
    kind: str
    method: str
    path: str
    body: Body | None
    description: str
    user: str  # lower-case object id
    group: str | None  # lower-case object id
    precondition: tuple[Precondition, ...]
    seats: dict[str, int]  # consumed-unit change per product (part number)
    findings: tuple[str, ...]
    depends_on: tuple[int, ...]  # `n` of earlier changes that must have succeeded
    # the admin's data_kept declarations that made this removal ready, one per finding:
    # {"finding", "kinds", "mailbox", "files", "accepted_by", "expires"} (auditor.plan.declared)
    data_kept: tuple[DataKept, ...] = ()
    # a change written by undo (an inverse): the preconditions of the change it reverses, which the
    # undo of this undo checks again (None: not said, as in a journal written before they were kept)
    reversed_precondition: tuple[Precondition, ...] | None = None
    # apply's: the change as the file wrote it (plan.json's `changes[i]`, a journal line's `action`), its
    # JSON object as read: the fields above are what apply took from it, checked; this is kept as it is,
    # for apply to journal as `action` and for auditor.apply.agree to compare field by field (a field this
    # Struct does not know included). {} for a change `plan` compiled (never written: omit_defaults)
    raw: Mapping[str, object] = {}

    def to_json(self) -> dict[str, object]:
        """The change as plan.json holds it: the Struct's JSON object, decoded (lists, not the Struct's tuples).
        Made only where plan.json's content is (auditor.plan.write.plan_document)."""
        decoded: dict[str, object] = msgspec.json.decode(msgspec.json.encode(self))
        return decoded

    @property
    def request(self) -> str:
        return f"{self.method} {self.path}"

    def groups(self) -> set[str]:
        """Groups whose direct membership of the user the change or its preconditions are about."""
        found = {self.group} if self.group else set()
        for cond in self.precondition:
            found.update(g for g in (cond.get("member_of"), cond.get("not_member_of")) if g)
        return found

    @property
    def needs_sign_in(self) -> bool:
        """Whether a precondition is about the user's sign-ins (signInActivity is read for it)."""
        return any("no_sign_in_within_days" in cond for cond in self.precondition)

    @property
    def needs_kind(self) -> bool:
        """Whether a precondition is about the account's kind (whether it is an agent user is read for it)."""
        return any("person" in cond or "account_kind" in cond or "agent_orphaned" in cond for cond in self.precondition)

    @property
    def agent_parent(self) -> str | None:
        """The agent identity a precondition says is gone or disabled (apply reads it by id)."""
        return next((cond["agent_orphaned"] for cond in self.precondition if "agent_orphaned" in cond), None)

    def skus(self) -> set[str]:
        """skuIds (lower case) the change adds or removes."""
        if self.kind != "assign_license" or self.body is None:
            return set()
        added = {lic["skuId"] for lic in self.body.get("addLicenses", [])}
        return added | set(self.body.get("removeLicenses", []))


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
    action: Mapping[str, object]  # the change as the file wrote it: Change.raw
    request: Request
    status: int | None
    outcome: str
    note: str
    before: Before | None
    undoes: Undoes
    plan: PlanName
