"""The facts the services (auditor/impact/services.py) give a finding's details, typed: what its fix
rests on beyond the rule's own facts (the `fix` part, auditor.data.finding_facts.Fix, decodes them
where they are read). Each is a TypedDict because it goes into the details as it is, key for key."""

from __future__ import annotations

from typing import TypedDict


class GroupKindFacts(TypedDict, total=False):
    """A group whose members no program may change (GroupIndex.kind): its kind, and a dynamic
    group's membership rule."""

    kind: str  # dynamic | synced | mail | unknown (assigned: a group a membership call changes)
    rule: str


class GroupFacts(TypedDict, total=False):
    """What a finding's details say about the groups that give its products (GroupIndex.details)."""

    group_kinds: dict[str, GroupKindFacts]  # group id -> its kind, for those no call may change
    group_licenses: dict[str, list[str]]  # group id -> every product it gives, when more than the finding's


class GroupJoin(GroupKindFacts, total=False):
    """A group a fix joins (GroupIndex.replacement) or the user is in without holding its copy
    (GroupIndex.not_applied): its id, name, the products it gives; `via` for the latter."""

    id: str
    name: str
    gives: list[str]
    via: str  # nested | direct | unknown


class Replacement(TypedDict, total=False):
    replace_group: GroupJoin


class NotApplied(TypedDict, total=False):
    group_membership: list[GroupJoin]
    group_kinds: dict[str, GroupKindFacts]


class Leaving(TypedDict, total=False):
    leaving: dict[str, list[str]]  # group id -> the products leaving it takes, in the order the fix leaves


class StorageFacts(TypedDict, total=False):
    """The user's sizes held to the limits a smaller plan leaves (auditor.impact.storage_fit.verdict)."""

    mailbox_bytes: int | None
    has_archive: bool | None
    mailbox_limit_bytes: int
    mailbox_plan: str
    archive_plan: str
    onedrive_bytes: int | None
    onedrive_limit_bytes: int
    onedrive_plan: str
    wait: str | None
    unknown: str


class StorageVerdict(TypedDict):
    storage: StorageFacts


class DataKinds(TypedDict):
    data_kinds: dict[str, list[str]]  # part number -> mailbox | archive | files


class DataLost(TypedDict, total=False):
    """What removing products would end (DataLoss.of): the data-holding plans by product, the
    products whose plans nobody lists, and the sizes a smaller plan must hold."""

    data_lost: dict[str, list[str]]
    plans_unknown: list[str]
    data_kinds: dict[str, list[str]]  # DataKinds
    storage: StorageFacts
