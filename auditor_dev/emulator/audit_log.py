"""The emulator's directory audit log: GET /auditLogs/directoryAudits, and an entry for each of its
own writes, so a test can write, audit, and see the cause.

Served as Graph serves it (https://learn.microsoft.com/graph/api/directoryaudit-list): newest
first, paged with $top and @odata.nextLink, `$filter` clauses joined by `and` on
`activityDateTime` (ge, le, eq), `activityDisplayName` (eq, startswith), `loggedByService` (eq)
and `targetResources` (https://learn.microsoft.com/graph/api/resources/directoryaudit: eq on a
target's id and displayName, startswith on its displayName, written
`targetResources/any(t: t/id eq '…')`); any other filter is a 400, and so is `or` (the reference
documents none). Reading needs AuditLog.Read.All when the emulator knows the caller's roles (a 403
Authorization_RequestDenied without it).

The entries are the snapshot's `directoryAudits` plus the ones the emulator records for its
writes, initiated by the calling app (the token's `appid`), as Entra writes them (docs/graph.md, "The
directory audit log as Entra writes it"):

    assignLicense            "Change user license" with no detail ("these events only note that some sort of
                             license assignment occurred", office365itpros), and in the same operation
                             (correlationId) "Update user" with AssignedLicense, AssignedPlan and
                             LicenseAssignmentDetail, each the user's whole value before and after, as
                             JSON-encoded text; LicenseAssignmentDetail names the group of a group's copy.
                             One longer than SPLIT_AT is split into "sequence" entries without
                             modifiedProperties (michev.info), each with additionalDetails id (shared),
                             seq, c (the count) and b (its part of the modifiedProperties' JSON)
    POST members/$ref        "Add member to group": the user (Group.ObjectID, Group.DisplayName) and the group
    DELETE members/{id}/$ref "Remove member from group": likewise
    PATCH /users/{id}        "Update user" with AccountEnabled and UsageLocation old/new where they changed
                             (`[true]`, `["DE"]`), then "Disable account" or "Enable account"
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import json
import operator
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from auditor.data.audit_entries import (
    ADD_MEMBER,
    DISABLE,
    ENABLE,
    LICENSE,
    REMOVE_MEMBER,
    UPDATE,
    AuditEntry,
    DirectoryAudits,
    Modified,
    Target,
    parse_time,
)
from auditor.data.model import Group, LicenseAssignmentState, TenantSnapshot, User

from .errors import GraphError, bad

READ_ROLES = ("AuditLog.Read.All",)
APP_NAME = "Graph emulator client"
_QUOTED = r"'(?:[^']|'')*'"
_CLAUSE = re.compile(
    r"^\s*(?:(?P<field>activityDateTime|activityDisplayName|loggedByService)\s+(?P<op>eq|ge|le)\s+"
    rf"(?P<value>{_QUOTED}|\S+)"
    rf"|startswith\(\s*activityDisplayName\s*,\s*(?P<prefix>{_QUOTED})\s*\))\s*$"
)
# targetResources/any(t: t/id eq '...'), t/displayName eq '...', startswith(t/displayName, '...')
_TARGET = re.compile(
    r"^\s*targetResources/any\(\s*(?P<var>[A-Za-z_]\w*)\s*:\s*"
    rf"(?:(?P=var)/(?P<field>id|displayName)\s+eq\s+(?P<value>{_QUOTED})"
    rf"|startswith\(\s*(?P=var)/displayName\s*,\s*(?P<prefix>{_QUOTED})\s*\))\s*\)\s*$"
)


def _literal(text: str) -> str:
    return text[1:-1].replace("''", "'") if text.startswith("'") and text.endswith("'") else text


def token_app(token: str) -> str:
    """The `appid` (or `azp`) claim of a JWT bearer token; empty for an opaque one."""
    parts = token.split(".")
    if len(parts) != 3:
        return ""
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return ""
    value = claims.get("appid") or claims.get("azp") if isinstance(claims, dict) else None
    return value if isinstance(value, str) else ""


def _now(now: Callable[[], datetime] | None = None) -> str:
    return (now() if now is not None else datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


SPLIT_AT = 10_000  # michev.info: a record of 4,801 characters stayed whole; "I'd say 10k is the cutoff"
PART = 4_000  # the characters of the modifiedProperties' JSON each sequence entry carries (the emulator's)
INCLUDED = "Included Updated Properties"


def _license_text(user: User, parts: dict[str, str]) -> str:
    """AssignedLicense as the audit log writes it: the user's whole list, a JSON array of
    "[SkuName=..., SkuId=..., DisabledPlans=[...]]" strings."""
    return json.dumps(
        [
            f"[SkuName={parts.get(a.sku_id.lower(), '')}, SkuId={a.sku_id}, "
            f"DisabledPlans=[{', '.join(a.disabled_plans)}]]"
            for a in user.assigned_licenses
        ]
    )


def _plan_text(user: User, plans: dict[str, tuple[str, ...]]) -> str:
    """AssignedPlan: the service plans the user's licenses give (a JSON array of objects)."""
    return json.dumps(
        [
            {"ServicePlanId": plan, "CapabilityStatus": 0, "SkuId": a.sku_id}
            for a in user.assigned_licenses
            for plan in plans.get(a.sku_id.lower(), ())
            if plan.lower() not in {d.lower() for d in a.disabled_plans}
        ]
    )


def _detail_text(user: User) -> str:
    """LicenseAssignmentDetail: each assignment with the group that gives it (null: assigned directly)."""
    states = user.license_assignment_states or tuple(
        LicenseAssignmentState(a.sku_id, None, "Active", "None", a.disabled_plans) for a in user.assigned_licenses
    )
    return json.dumps(
        [
            {
                "SkuId": s.sku_id,
                "AssignedByGroup": s.assigned_by_group,
                "DisabledPlans": list(s.disabled_plans),
                "State": s.state,
            }
            for s in states
        ]
    )


def _values(value: str | bool | None) -> str:
    """A user property's value as "Update user" writes it: a JSON array of the one value."""
    return json.dumps([value] if value is not None else [])


class AuditLog:
    def __init__(self, snapshot: TenantSnapshot, token: str, now: Callable[[], datetime] | None = None) -> None:
        self.now = now  # the time entries and the window's end are stamped at: the wall clock's unless given
        audits = snapshot.directory_audits if isinstance(snapshot.directory_audits, DirectoryAudits) else None
        self.entries: list[AuditEntry] = list(audits.entries) if audits else []
        self.since = audits.since if audits else snapshot.collected_at
        self.app = token_app(token)
        self.parts = {s.sku_id.lower(): s.sku_part_number for s in snapshot.skus}
        self.plans = {s.sku_id.lower(): tuple(p.service_plan_id for p in s.service_plans) for s in snapshot.skus}
        self._lock = threading.Lock()
        self._newest_first: list[AuditEntry] | None = None  # the entries in Graph's order, until the next write

    # --- recording -------------------------------------------------------------------------

    def _record(
        self,
        activity: str,
        targets: tuple[Target, ...],
        correlation: str = "",
        details: tuple[tuple[str, str], ...] = (),
    ) -> None:
        # the time is to the second, Graph's to the tenth of a microsecond: an id that grows with the wall
        # clock keeps two writes of one second in their order (Graph's order: activityDateTime, then id)
        entry = AuditEntry(
            f"Directory_{time.time_ns():020d}_{uuid.uuid4().hex[:12]}",
            activity,
            _now(self.now),
            "success",
            "app",
            APP_NAME,
            self.app,
            targets,
            correlation or str(uuid.uuid4()),
            details,
        )
        with self._lock:
            self.entries.append(entry)
            self._newest_first = None

    def license_changed(self, before: User, after: User) -> None:
        """assignLicense: "Change user license" without detail, and "Update user" with the user's
        licenses before and after (split into sequence entries when longer than SPLIT_AT)."""
        operation = str(uuid.uuid4())
        self._record(LICENSE, (Target("User", after.id, None, after.user_principal_name),), operation)
        modified = (
            Modified("AssignedLicense", _license_text(before, self.parts), _license_text(after, self.parts)),
            Modified("AssignedPlan", _plan_text(before, self.plans), _plan_text(after, self.plans)),
            Modified("LicenseAssignmentDetail", _detail_text(before), _detail_text(after)),
            Modified(INCLUDED, None, json.dumps("AssignedLicense, AssignedPlan, LicenseAssignmentDetail")),
        )
        blob = json.dumps([{"displayName": m.name, "oldValue": m.old, "newValue": m.new} for m in modified])
        if len(blob) <= SPLIT_AT:
            self._record(UPDATE, (Target("User", after.id, None, after.user_principal_name, modified),), operation)
            return
        chunks = [blob[i : i + PART] for i in range(0, len(blob), PART)]
        shared = str(uuid.uuid4())
        for seq, chunk in enumerate(chunks, start=1):
            details = (("id", shared), ("seq", str(seq)), ("c", str(len(chunks))), ("b", chunk))
            self._record(UPDATE, (Target("User", after.id, None, after.user_principal_name),), operation, details)

    def user_updated(self, before: User, after: User) -> None:
        """PATCH /users/{id}: "Update user" with each property that changed (AccountEnabled, UsageLocation),
        then "Enable account" or "Disable account" when the account's state changed."""
        modified: list[Modified] = []
        if after.account_enabled != before.account_enabled:
            modified.append(Modified("AccountEnabled", _values(before.account_enabled), _values(after.account_enabled)))
        if after.usage_location != before.usage_location:
            modified.append(Modified("UsageLocation", _values(before.usage_location), _values(after.usage_location)))
        if not modified:
            return
        names = ", ".join(m.name for m in modified)
        modified.append(Modified(INCLUDED, None, json.dumps(names)))
        target = Target("User", after.id, None, after.user_principal_name, tuple(modified))
        operation = str(uuid.uuid4())
        self._record(UPDATE, (target,), operation)
        if after.account_enabled != before.account_enabled:
            state = ENABLE if after.account_enabled else DISABLE
            self._record(state, (Target("User", after.id, None, after.user_principal_name),), operation)

    def membership(self, added: bool, group: Group, user: User) -> None:
        side = (lambda v: (None, v)) if added else (lambda v: (v, None))
        modified = (
            Modified("Group.ObjectID", *side(json.dumps(group.id))),
            Modified("Group.DisplayName", *side(json.dumps(group.display_name))),
        )
        self._record(
            ADD_MEMBER if added else REMOVE_MEMBER,
            (
                Target("User", user.id, None, user.user_principal_name, modified),
                Target("Group", group.id, group.display_name),
            ),
        )

    # --- reading ---------------------------------------------------------------------------

    def current(self, snapshot: TenantSnapshot) -> TenantSnapshot:
        """`snapshot` with every entry so far (a test can save it and audit from the file)."""
        with self._lock:
            entries = tuple(sorted(self.entries, key=lambda e: (e.when, e.id), reverse=True))
        until = max([_now(self.now), *(e.at for e in entries)])
        return dataclasses.replace(snapshot, directory_audits=DirectoryAudits(self.since, until, entries))

    def select(self, filter_text: str | None) -> list[AuditEntry]:
        """The entries matching `$filter`, newest first (entry_to_graph gives Graph's shape);
        GraphError 400 otherwise."""
        tests = (
            [_test(clause) for clause in re.split(r"\s+and\s+", filter_text.strip(), flags=re.IGNORECASE)]
            if filter_text
            else []
        )
        with self._lock:
            if self._newest_first is None:
                self._newest_first = sorted(self.entries, key=lambda e: (_parsed(e.at), e.id), reverse=True)
            entries = self._newest_first
        return [e for e in entries if all(t(e) for t in tests)]


@functools.lru_cache(maxsize=1 << 18)
def _parsed(at: str) -> datetime:
    """An entry's activityDateTime, parsed once (a filtered listing compares every entry's)."""
    return parse_time(at)


def _test(clause: str) -> Callable[[AuditEntry], bool]:
    """One `$filter` clause as a test of an entry."""
    target = _TARGET.match(clause)
    if target is not None:
        return _target_test(target)
    m = _CLAUSE.match(clause)
    if m is None:
        raise GraphError(400, "Request_UnsupportedQuery", f"Invalid filter clause: {clause.strip()[:200]}")
    if m.group("prefix") is not None:
        prefix = _literal(m.group("prefix"))
        return lambda e: e.activity.startswith(prefix)
    field, op, value = m.group("field"), m.group("op"), _literal(m.group("value"))
    if field == "activityDateTime":
        try:
            when = parse_time(value if "T" in value else value + "T00:00:00Z")
        except ValueError:
            raise bad(f"Invalid DateTimeOffset '{value[:60]}' in the filter.") from None
        compare: Callable[[Any, Any], Any] = {"eq": operator.eq, "ge": operator.ge, "le": operator.le}[op]
        return lambda e: bool(compare(_parsed(e.at), when))
    if op != "eq":
        raise GraphError(400, "Request_UnsupportedQuery", f"Operator '{op}' is not supported on {field}.")
    if field == "activityDisplayName":
        return lambda e: e.activity == value
    return lambda e: value == "Core Directory"  # loggedByService: every entry here is Core Directory's


def _target_test(m: re.Match[str]) -> Callable[[AuditEntry], bool]:
    """A targetResources/any(...) clause: an entry with a target whose id (ids compare without
    case, as GUIDs) or displayName is the value, or whose displayName starts with the prefix."""
    if m.group("prefix") is not None:
        prefix = _literal(m.group("prefix"))
        return lambda e: any((t.display_name or "").startswith(prefix) for t in e.targets)
    value = _literal(m.group("value"))
    if m.group("field") == "id":
        return lambda e: any(t.id.lower() == value.lower() for t in e.targets)
    return lambda e: any(t.display_name == value for t in e.targets)
