"""The directory change behind each new finding, from auditLogs/directoryAudits (`--causes`).

For every finding new since the baseline whose subject is a user, the entries of the interval
since the baseline's tenant read (baseline `collected_at`) up to this run's that
target that user are candidates, each of one kind:

    license         Change user license, or Update user changing AssignedLicense / AssignedPlan
    group           Add member to group / Remove member from group
    department      Update user changing Department
    usage_location  Update user changing UsageLocation
    account         Update user changing AccountEnabled

(an Update user that changes none of these explains nothing and is left out). The cause named
is the candidate that mentions the finding's products or assigning groups, else the one of the
kind most likely for its rule, the latest of equals. The finding gets

    "cause": {"kind", "activity", "at", "by", "by_type" (user | app | ""), "audit_id",
              "group", "property", "old", "new", "added", "removed", "others"}

(`others`: how many more candidates there were) and the document's `changes` gets
`"causes": {"since", "until", "read", "explained"}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypedDict

import msgspec

from auditor.data.audit_entries import (
    ADD_MEMBER,
    LICENSE,
    REMOVE_MEMBER,
    UPDATE,
    AuditEntry,
    DirectoryAudits,
    join_sequences,
    parse_time,
)
from auditor.formats.report_model import BaselineChanges, Causes, ReportDocument, ReportFinding
from auditor.formats.report_parts import FindingCause
from auditor.rules.hygiene.accounts import DisabledUserLicensed
from auditor.rules.hygiene.upkeep import UsageLocationMissing

PROPERTY_KINDS = {
    "Department": "department",
    "UsageLocation": "usage_location",
    "AccountEnabled": "account",
    "AssignedLicense": "license",
    "AssignedPlan": "license",
}
DEFAULT_ORDER = ("license", "group", "department", "usage_location", "account")
ORDER = {
    UsageLocationMissing.id: ("usage_location", "license", "group"),
    DisabledUserLicensed.id: ("account", "license", "group"),
}
_SKU_ID = re.compile(r"SkuId=([0-9a-fA-F-]{36})")


def _value(text: str | None) -> str | None:
    """A modifiedProperties value: Graph writes JSON inside the string ('["Sales"]', '"x"')."""
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return text[:200]
    if isinstance(doc, list):
        doc = doc[0] if len(doc) == 1 else ", ".join(str(d) for d in doc)
    return None if doc in (None, "") else str(doc)[:200]


class Particulars(TypedDict, total=False):
    """What a change of one kind says: a group's (group, group_id, added), a license's
    (added_ids, removed_ids) or a property's (property, old, new)."""

    group: str | None
    group_id: str | None
    added: bool
    added_ids: list[str]
    removed_ids: list[str]
    property: str
    old: str | None
    new: str | None


def kind_of(entry: AuditEntry, user_id: str) -> tuple[str, Particulars] | None:
    """The kind of change `entry` made to the user, with its particulars; None when it names
    neither the user nor a change that can explain a finding."""
    key = user_id.lower()
    target = next((t for t in entry.targets if t.type.lower() == "user" and t.id.lower() == key), None)
    if target is None:
        return None
    props = {m.name: m for m in target.modified}
    if entry.activity in (ADD_MEMBER, REMOVE_MEMBER):
        group = next((t for t in entry.targets if t.type.lower() == "group"), None)
        shown, ident = props.get("Group.DisplayName"), props.get("Group.ObjectID")
        name = (group.display_name if group else None) or _value((shown.new or shown.old) if shown else None)
        gid = (group.id if group else None) or _value((ident.new or ident.old) if ident else None)
        return "group", {"group": name or gid, "group_id": gid, "added": entry.activity == ADD_MEMBER}
    if entry.activity == LICENSE or (
        entry.activity == UPDATE and ("AssignedLicense" in props or "AssignedPlan" in props)
    ):
        lic = props.get("AssignedLicense")
        old = {s.lower() for s in _SKU_ID.findall(lic.old or "")} if lic else set()
        new = {s.lower() for s in _SKU_ID.findall(lic.new or "")} if lic else set()
        return "license", {"added_ids": sorted(new - old), "removed_ids": sorted(old - new)}
    if entry.activity == UPDATE:
        for name in ("UsageLocation", "Department", "AccountEnabled"):
            if name in props:
                m = props[name]
                return PROPERTY_KINDS[name], {"property": name, "old": _value(m.old), "new": _value(m.new)}
    return None


def _mentions(finding: ReportFinding, particulars: Particulars, parts: Mapping[str, str]) -> bool:
    skus = {str(s) for s in finding.skus}
    named = {parts.get(s, s) for s in [*particulars.get("added_ids", []), *particulars.get("removed_ids", [])]}
    if skus & named:
        return True
    ids = {g.lower() for v in finding.holding.assigned_by_group_ids.values() for g in v}
    return bool(particulars.get("group_id")) and str(particulars["group_id"]).lower() in ids


def cause_for(finding: ReportFinding, entries: Sequence[AuditEntry], parts: Mapping[str, str]) -> FindingCause | None:
    subject = finding.subject
    if subject.type != "user" or not subject.id:
        return None
    order = ORDER.get(finding.rule, DEFAULT_ORDER)
    ranked = []
    for entry, _ in join_sequences(entries):  # a long "Update user" Entra splits into sequence entries
        found = kind_of(entry, subject.id)
        if found is None:
            continue
        kind, particulars = found
        rank = order.index(kind) if kind in order else len(order)
        ranked.append(
            ((not _mentions(finding, particulars, parts), rank, -entry.when.timestamp()), entry, kind, particulars)
        )
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[0])
    _, entry, kind, particulars = ranked[0]
    return FindingCause(
        kind=kind,
        activity=entry.activity,
        at=entry.at,
        by=entry.by,
        by_type=entry.by_type,
        audit_id=entry.id,
        group=particulars.get("group"),
        joined=particulars.get("added") if kind == "group" else None,
        property=particulars.get("property"),
        old=particulars.get("old"),
        new=particulars.get("new"),
        added=[parts.get(s, s) for s in particulars.get("added_ids", [])],
        removed=[parts.get(s, s) for s in particulars.get("removed_ids", [])],
        others=len(ranked) - 1,
    )


def explain(
    document: ReportDocument,
    audits: DirectoryAudits | None,
    since: str | None,
    until: str | None,
    warnings: list[str],
) -> ReportDocument:
    """The document with `cause` on its new findings and `changes.causes`: a new document, the one
    given is left as it is."""
    changes = document.changes
    if not isinstance(changes, BaselineChanges):  # no --baseline
        return document
    unread = msgspec.structs.replace(changes, causes=Causes(since=since, until=until, read=False, explained=0))
    if audits is None or not since:
        return msgspec.structs.replace(document, changes=unread)
    try:
        start = parse_time(since)
        end = parse_time(until) if until else parse_time(audits.until)
    except ValueError:
        return msgspec.structs.replace(document, changes=unread)
    if parse_time(audits.since) > start:
        warnings.append(
            f"the directory audit entries begin {audits.since}, after the baseline's tenant read "
            f"{since}: changes made in between are not named as causes"
        )
    # each entry under the users it names, so a finding looks only at its own user's entries
    by_user: dict[str, list[AuditEntry]] = {}
    for e in audits.entries:
        if start <= e.when <= end:
            for uid in {t.id.lower() for t in e.targets if t.type.lower() == "user"}:
                by_user.setdefault(uid, []).append(e)
    parts = {r.sku_id.lower(): r.sku for r in document.skus}
    explained = 0
    findings = []
    for finding in document.findings:
        cause = None
        if finding.change == "new":
            cause = cause_for(finding, by_user.get(finding.subject.id.lower(), ()), parts)
        if cause is not None:
            finding = msgspec.structs.replace(finding, cause=cause)
            explained += 1
        findings.append(finding)
    read = Causes(since=since, until=_iso(end), read=True, explained=explained)
    return msgspec.structs.replace(document, findings=findings, changes=msgspec.structs.replace(changes, causes=read))


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
