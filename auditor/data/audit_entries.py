"""Directory audit entries (Microsoft Graph `auditLogs/directoryAudits`), as the collector reads
them, a snapshot keeps them and the emulator serves them.

Only the activities that can explain a new finding are read:

    Change user license        a license assigned to or removed from a user directly
    Update user                a user's properties (Department, UsageLocation, AccountEnabled,
                               AssignedLicense ...) in `targetResources[0].modifiedProperties`; a long
                               one split into "sequence" entries without them (additionalDetails id,
                               seq, c, b: auditor.apply.undo_audit joins them)
    Add member to group        the member is the User target, the group in Group.ObjectID /
    Remove member from group   Group.DisplayName (modifiedProperties) and a Group target
    Disable account            the account's sign-in blocked: when it was disabled (grace_days)
    Enable account             the account's sign-in allowed again (a disable before it no longer counts)

A snapshot keeps them as `"directoryAudits": {"since", "until", "value": [directoryAudit, ...]}`
with Graph's field names: `since`/`until` is the interval the entries were read for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypedDict

from auditor.common.numbers import whole_number
from auditor.common.timestamps import parse_timestamp

ACTIVITIES = (
    "Change user license",
    "Update user",
    "Add member to group",
    "Remove member from group",
    "Disable account",
    "Enable account",
)
LICENSE = "Change user license"
UPDATE = "Update user"
ADD_MEMBER = "Add member to group"
REMOVE_MEMBER = "Remove member from group"
DISABLE = "Disable account"  # the account's sign-in blocked (its time: grace_days, auditor.plan.declared)
ENABLE = "Enable account"  # the account's sign-in allowed again
# the activities that say when an account was disabled or enabled again (grace_days): the collector
# reads these back as far as the log keeps them, the others for the nightly interval only
ACCOUNT_STATE = (UPDATE, DISABLE, ENABLE)
TEXT_LIMIT = 2000
# a modified property's old and new values, and an additionalDetails value, may hold a user's whole license list
# or a part of a split record (a "sequence" event, michev.info): kept whole up to this, as Graph sends them
VALUE_LIMIT = 64_000


class BadAudit(Exception):
    """A directoryAudit is malformed (the message names the field)."""


@dataclass(frozen=True, slots=True)
class Modified:
    name: str  # modifiedProperties[].displayName
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Target:
    type: str  # User, Group, ...
    id: str
    display_name: str | None = None
    upn: str | None = None
    modified: tuple[Modified, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    activity: str  # activityDisplayName
    at: str  # activityDateTime
    result: str
    by_type: str  # "user", "app" or "" (unknown)
    by: str  # the user's UPN (else display name) or the app's display name (else app id)
    by_id: str
    targets: tuple[Target, ...] = ()
    correlation: str = ""  # correlationId: the entries of one operation share it
    details: tuple[tuple[str, str], ...] = ()  # additionalDetails' key/value pairs

    def detail(self, key: str) -> str | None:
        """The value of additionalDetails' `key` (the first), or None."""
        return next((v for k, v in self.details if k == key), None)

    @property
    def when(self) -> datetime:
        return parse_time(self.at)


@dataclass(frozen=True)
class DirectoryAudits:
    since: str  # the interval the entries were read for
    until: str
    entries: tuple[AuditEntry, ...] = ()


def parse_time(text: str) -> datetime:
    """A directory audit's time: it must name its zone (the entries are ordered by it)."""
    return parse_timestamp(text, require_zone=True)


def _str(obj: Mapping[str, object], key: str, required: bool = False, limit: int = TEXT_LIMIT) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise BadAudit(f"{key}: missing")
        return None
    if not isinstance(value, str):
        raise BadAudit(f"{key}: expected a string, got {type(value).__name__}")
    return value[:limit]


def _obj(obj: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadAudit(f"{key}: expected an object")
    return value


def _list(obj: Mapping[str, object], key: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadAudit(f"{key}: expected a list")
    return value


def entry_from_graph(raw: object) -> AuditEntry:
    """One directoryAudit from Graph's JSON (or a snapshot's)."""
    if not isinstance(raw, Mapping):
        raise BadAudit("expected an object")
    at = _str(raw, "activityDateTime", required=True) or ""
    try:
        parse_time(at)
    except ValueError:
        raise BadAudit(f"activityDateTime: {at[:40]!r} is not an ISO-8601 date-time with a zone") from None
    initiated = _obj(raw, "initiatedBy")
    user, app = _obj(initiated, "user"), _obj(initiated, "app")
    if user and (user.get("id") or user.get("userPrincipalName")):
        by_type = "user"
        by = _str(user, "userPrincipalName") or _str(user, "displayName") or _str(user, "id") or ""
        by_id = _str(user, "id") or ""
    elif app and (app.get("appId") or app.get("displayName")):
        by_type = "app"
        by = _str(app, "displayName") or _str(app, "appId") or ""
        by_id = _str(app, "appId") or ""
    else:
        by_type, by, by_id = "", "", ""
    targets = []
    for i, t in enumerate(_list(raw, "targetResources")):
        if not isinstance(t, Mapping):
            raise BadAudit(f"targetResources[{i}]: expected an object")
        modified = []
        for j, m in enumerate(_list(t, "modifiedProperties")):
            if not isinstance(m, Mapping):
                raise BadAudit(f"targetResources[{i}].modifiedProperties[{j}]: expected an object")
            modified.append(
                Modified(
                    _str(m, "displayName") or "",
                    _str(m, "oldValue", limit=VALUE_LIMIT),
                    _str(m, "newValue", limit=VALUE_LIMIT),
                )
            )
        targets.append(
            Target(
                _str(t, "type") or "",
                _str(t, "id") or "",
                _str(t, "displayName"),
                _str(t, "userPrincipalName"),
                tuple(modified),
            )
        )
    details = []
    for i, kv in enumerate(_list(raw, "additionalDetails")):
        if not isinstance(kv, Mapping):
            raise BadAudit(f"additionalDetails[{i}]: expected an object")
        details.append((_str(kv, "key") or "", _str(kv, "value", limit=VALUE_LIMIT) or ""))
    return AuditEntry(
        _str(raw, "id", required=True) or "",
        _str(raw, "activityDisplayName", required=True) or "",
        at,
        _str(raw, "result") or "",
        by_type,
        by,
        by_id,
        tuple(targets),
        _str(raw, "correlationId") or "",
        tuple(details),
    )


MAX_PARTS = 1000  # a split record of more sequence entries than this is not joined


def _number(entry: AuditEntry, key: str) -> int | None:
    text = entry.detail(key)
    return whole_number(text) if text is not None else None


def _joined(sid: str, parts: list[AuditEntry]) -> tuple[AuditEntry, str]:
    count = _number(parts[0], "c")
    by_seq = {n: e for e in parts if (n := _number(e, "seq")) is not None}
    first = by_seq.get(1) or parts[-1]
    if count is None or not 0 < count <= MAX_PARTS or sorted(by_seq) != list(range(1, count + 1)):
        shown = count if count is not None else "an unknown number of"
        return (
            first,
            f"its record is split into {shown} sequence entries (additionalDetails id {sid[:40]}) "
            f"of which {len(by_seq)} were read",
        )
    try:
        doc = json.loads("".join(by_seq[n].detail("b") or "" for n in range(1, count + 1)))
    except ValueError:
        doc = None
    if not isinstance(doc, list) or not all(isinstance(m, Mapping) for m in doc):
        return first, f"its {count} sequence entries (additionalDetails id {sid[:40]}) join to no modifiedProperties"
    modified = tuple(
        Modified(
            str(m.get("displayName") or ""),
            v if isinstance(v := m.get("oldValue"), str) else None,
            w if isinstance(w := m.get("newValue"), str) else None,
        )
        for m in doc
    )
    targets = tuple(replace(t, modified=modified) if t.type == "User" else t for t in first.targets)
    return replace(first, targets=targets, details=()), ""


def join_sequences(entries: Sequence[AuditEntry]) -> list[tuple[AuditEntry, str]]:
    """The entries, each record Entra split into "sequence" entries without modifiedProperties (michev.info:
    additionalDetails id shared, seq, c the count, b a part of the modifiedProperties' JSON) joined into one
    entry (its first part's, the modifiedProperties on its User target) at the place of its first part; with
    why it could not be joined when not all its parts were read (then it carries none). Others: "" beside."""
    parts: dict[str, list[AuditEntry]] = {}
    for e in entries:
        sid = e.detail("id")
        if e.activity == UPDATE and sid and e.detail("seq") is not None:
            parts.setdefault(sid, []).append(e)
    out: list[tuple[AuditEntry, str]] = []
    for e in entries:
        sid = e.detail("id")
        if sid in parts:
            group = parts.pop(sid)
            out.append(_joined(sid, group))
        elif not (e.activity == UPDATE and sid and e.detail("seq") is not None):
            out.append((e, ""))
    return out


def disabled_times(audits: DirectoryAudits | None) -> dict[str, str]:
    """User id (lower case) -> when the account was last disabled (activityDateTime), from the
    successful "Disable account" entries and "Update user" entries whose AccountEnabled became
    false. The latest entry that disables or enables the account wins: an account enabled again
    after its last disable ("Enable account", or AccountEnabled becoming true) has no disable time.
    Accounts the entries do not show are absent: their disable time is not known."""
    latest: dict[str, tuple[datetime, str, bool]] = {}  # user -> (when, activityDateTime, disabled)
    for e in audits.entries if audits is not None else ():
        if e.result not in ("", "success"):
            continue
        for t in e.targets:
            if t.type != "User" or not t.id:
                continue
            disabled = account_disabled(e, t)
            if disabled is None:
                continue
            key, when = t.id.lower(), e.when
            if key not in latest or when > latest[key][0]:
                latest[key] = (when, e.at, disabled)
    return {key: at for key, (_, at, disabled) in latest.items() if disabled}


def account_disabled(entry: AuditEntry, target: Target) -> bool | None:
    """True when the entry disabled the target's account, False when it enabled it, else None.

    "Update user" says so in its modifiedProperties: AccountEnabled with the new value as a JSON
    string (Graph writes `[false]`; a bare `false` or `["False"]` is read alike)."""
    if entry.activity == DISABLE:
        return True
    if entry.activity == ENABLE:
        return False
    if entry.activity != UPDATE:
        return None
    for m in target.modified:
        if m.name == "AccountEnabled":
            value = _flag_value(m.new)
            if value is not None:
                return not value
    return None


def _flag_value(text: str | None) -> bool | None:
    """A modifiedProperties value holding one boolean (JSON `[false]`, `false`, `["False"]`), else None."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        value = text
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


class InitiatingUser(TypedDict):
    id: str | None
    displayName: None
    userPrincipalName: str | None
    ipAddress: None


class InitiatingApp(TypedDict):
    appId: str | None
    displayName: str | None
    servicePrincipalId: None
    servicePrincipalName: None


class InitiatedBy(TypedDict):
    user: InitiatingUser | None
    app: InitiatingApp | None


class ModifiedProperty(TypedDict):
    displayName: str
    oldValue: str | None
    newValue: str | None


class TargetResource(TypedDict):
    id: str | None
    displayName: str | None
    type: str | None
    userPrincipalName: str | None
    groupType: None
    modifiedProperties: list[ModifiedProperty]


class KeyValue(TypedDict):
    key: str
    value: str


class AuditGraph(TypedDict):
    """A directoryAudit in Graph's shape (the fields this program reads), as the snapshot keeps it."""

    id: str
    category: str
    correlationId: str | None
    result: str
    resultReason: str
    activityDisplayName: str
    activityDateTime: str
    loggedByService: str
    operationType: str
    initiatedBy: InitiatedBy
    targetResources: list[TargetResource]
    additionalDetails: list[KeyValue]


class AuditsJson(TypedDict):
    """The snapshot's directoryAudits: the span read and its entries."""

    since: str
    until: str
    value: list[AuditGraph]


def entry_to_graph(e: AuditEntry) -> AuditGraph:
    """An entry in Graph's shape (the fields this program reads, with Graph's names)."""
    initiated: InitiatedBy = {"user": None, "app": None}
    if e.by_type == "user":
        initiated["user"] = {
            "id": e.by_id or None,
            "displayName": None,
            "userPrincipalName": e.by or None,
            "ipAddress": None,
        }
    elif e.by_type == "app":
        initiated["app"] = {
            "appId": e.by_id or None,
            "displayName": e.by or None,
            "servicePrincipalId": None,
            "servicePrincipalName": None,
        }
    return {
        "id": e.id,
        "category": "GroupManagement" if e.activity in (ADD_MEMBER, REMOVE_MEMBER) else "UserManagement",
        "correlationId": e.correlation or None,
        "result": e.result or "success",
        "resultReason": "",
        "activityDisplayName": e.activity,
        "activityDateTime": e.at,
        "loggedByService": "Core Directory",
        "operationType": {ADD_MEMBER: "Assign", REMOVE_MEMBER: "Unassign"}.get(e.activity, "Update"),
        "initiatedBy": initiated,
        "targetResources": [
            {
                "id": t.id,
                "displayName": t.display_name,
                "type": t.type,
                "userPrincipalName": t.upn,
                "groupType": None,
                "modifiedProperties": [
                    {"displayName": m.name, "oldValue": m.old, "newValue": m.new} for m in t.modified
                ],
            }
            for t in e.targets
        ],
        "additionalDetails": [{"key": k, "value": v} for k, v in e.details],
    }


def audits_from_json(raw: object) -> DirectoryAudits:
    if not isinstance(raw, Mapping):
        raise BadAudit("expected an object with since, until and value")
    since, until = _str(raw, "since", required=True) or "", _str(raw, "until", required=True) or ""
    for name, text in (("since", since), ("until", until)):
        try:
            parse_time(text)
        except ValueError:
            raise BadAudit(f"{name}: {text[:40]!r} is not an ISO-8601 date-time with a zone") from None
    entries = []
    for i, item in enumerate(_list(raw, "value")):
        try:
            entries.append(entry_from_graph(item))
        except BadAudit as exc:
            raise BadAudit(f"value[{i}].{exc}") from None
    return DirectoryAudits(since, until, tuple(entries))


def audits_to_json(audits: DirectoryAudits) -> AuditsJson:
    return {"since": audits.since, "until": audits.until, "value": [entry_to_graph(e) for e in audits.entries]}
