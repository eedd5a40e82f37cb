"""Whether the tenant's own record bears out a journal line before undo reverts it: the directory audit
log (GET /auditLogs/directoryAudits, AuditLog.Read.All) read at the call (docs/plan-and-apply.md,
"What undo promises"; the log's shape as Entra writes it: docs/graph.md).

A journal is a file beside the plan: edited, it can name a change the tool never made (a license removed
by someone else, a removal that was skipped), and undo would then give the license back. So before undo
sends the reverse of a license, membership or usage location change, the audit log must show, as the
latest change of that user's product (membership, usage location), a write made by the credential undo
signs in with (initiatedBy.app.appId of an app's token, initiatedBy.user.id of a user's), in the
direction the journal records:

    assign_license      "Update user" with LicenseAssignmentDetail (each assignment and the group giving
                        it: a direct copy removed beside a group's shows there) or AssignedLicense (the
                        user's whole list, old and new); "Change user license" carries no detail (its
                        operation's "Update user" does, joined by correlationId); a record split into
                        "sequence" entries (additionalDetails id, seq, c, b) is joined first
    set_usage_location  "Update user" with UsageLocation old (the journal's before) and new (its value)
    add_member          "Add member to group" with the user and the group (targetResources)
    remove_member       "Remove member from group" likewise

Where the tool's own latest license record cannot tell the product (a sequence not all read, a list the
same before and after without LicenseAssignmentDetail), the user's licenseAssignmentStates read now must
show the direct copy as the line left it; else that product is named unproven.

A line the log does not bear out is refused (named, exit 3): no write in the log's 30 days (Entra ID keeps
them 30 days with P1 or P2, 7 without), another writer's change since (undo does not overwrite it), or one
in the other direction; of a license line of several products, only those the log does not bear out are
left, each named, and the rest undone (borne_out_part). A log that cannot be read (a token without
AuditLog.Read.All, a 403) is a named gap, and the change is refused too. The log takes some minutes to show
a write: an undo just after an apply may be refused, and succeeds when run again later. reprocess is not
checked: it gives or takes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from auditor.common.errors import CollectionError
from auditor.common.timestamps import timestamp_or_none
from auditor.data.audit_entries import (
    ADD_MEMBER,
    LICENSE,
    REMOVE_MEMBER,
    UPDATE,
    AuditEntry,
    Modified,
    Target,
    join_sequences,
)

from ..formats.plan_json import Change
from ..graph.client import GraphClient
from ..graph.directory_audits import AUDIT_LOG, KEPT_DAYS, audit_path, entry_pages, iso
from ..graph.retries import GraphRequestError
from .journal import JournalLine
from .state import UserState
from .undo import Inverse

SKEW = timedelta(minutes=10)  # read the log from this much before the journal's first write says
ANCHORS = 3  # the journal's first users whose log entries tell the log's clock from the journal's
_SKU = re.compile(r"SkuId=([0-9a-fA-F-]{36})", re.IGNORECASE)
_GROUP = re.compile(r"AssignedByGroup=([0-9a-fA-F-]{36})", re.IGNORECASE)
UNKNOWN = "unknown"  # a license record whose detail cannot tell the product


def _licenses(value: str | None) -> dict[str, str]:
    """skuId (lower case) -> its part of an AssignedLicense value ("[SkuName=…, SkuId=…, DisabledPlans=[…]]",
    Graph's text: the user's whole list in "Update user")."""
    text = value or ""
    found = list(_SKU.finditer(text))
    return {
        m.group(1).lower(): text[m.start() : found[i + 1].start() if i + 1 < len(found) else len(text)]
        for i, m in enumerate(found)
    }


def _direct(value: str | None) -> dict[str, str] | None:
    """LicenseAssignmentDetail: skuId (lower case) -> its disabled plans, for each assignment no group gives
    (AssignedByGroup empty); None when the value is not a list of assignments this can read."""
    try:
        doc = json.loads(value) if value else []
    except ValueError:
        return None
    if not isinstance(doc, list):
        return None
    out: dict[str, str] = {}
    for item in doc:
        if isinstance(item, str):  # the bracketed text form AssignedLicense has
            sku, group = _SKU.search(item), _GROUP.search(item)
            if sku is None:
                return None
            if group is None:
                out[sku.group(1).lower()] = item[sku.end() :].lower()
            continue
        if not isinstance(item, dict):
            return None
        keys = {str(k).lower(): v for k, v in item.items()}
        sku_id, by_group = keys.get("skuid"), keys.get("assignedbygroup")
        if not isinstance(sku_id, str):
            return None
        if not by_group:
            plans = keys.get("disabledplans")
            out[sku_id.lower()] = json.dumps(sorted(str(x).lower() for x in plans) if isinstance(plans, list) else [])
    return out


@dataclass(frozen=True)
class _Record:
    """One change of the user in the log: an entry with its modifiedProperties for the user, or a split
    record joined from its sequence entries (`entry`: its first), or a record whose detail is `missing`."""

    entry: AuditEntry
    modified: tuple[Modified, ...]
    missing: str = ""


def _target(entry: AuditEntry, user: str) -> Target | None:
    return next((t for t in entry.targets if t.id.lower() == user), None)


def _records(entries: list[AuditEntry], user: str) -> list[_Record]:
    """The user's changes in the log, newest first: each entry with modifiedProperties for the user, each
    split record joined (auditor.data.audit_entries.join_sequences), and each "Change user license" whose
    operation (correlationId) left no detail read."""
    out: list[_Record] = []
    bare: list[AuditEntry] = []
    for entry, missing in join_sequences(entries):
        target = _target(entry, user)
        if target is None:
            continue
        if missing:
            out.append(_Record(entry, (), missing))
        elif target.modified:
            out.append(_Record(entry, target.modified))
        elif entry.activity == LICENSE:
            bare.append(entry)
    detailed = {r.entry.correlation for r in out if r.entry.correlation}
    for entry in bare:
        if not entry.correlation or entry.correlation not in detailed:
            why = 'its "Change user license" entry carries no detail and no "Update user" of that operation was read'
            out.append(_Record(entry, (), why))
    return sorted(out, key=lambda r: (r.entry.when, r.entry.id), reverse=True)


def _license_change(record: _Record, sku: str) -> str | None:
    """ "removed" or "added" when the record changed the user's direct copy of `sku`; UNKNOWN when it is a
    license record whose detail cannot tell; None when it did not change the product."""
    if record.missing:
        return UNKNOWN if record.entry.activity in (LICENSE, UPDATE) else None
    props = {m.name: m for m in record.modified}
    detail = props.get("LicenseAssignmentDetail")
    if detail is not None:
        old, new = _direct(detail.old), _direct(detail.new)
        if old is not None and new is not None:
            if old.get(sku) != new.get(sku):
                return "removed" if sku not in new else "added"
            return None
    listed = props.get("AssignedLicense")
    if listed is None:
        return UNKNOWN if detail is not None else None  # a LicenseAssignmentDetail this cannot read
    was, now = _licenses(listed.old).get(sku), _licenses(listed.new).get(sku)
    if was != now:
        return "removed" if now is None else "added"
    # held before and after: a direct copy removed (or added) beside a group's leaves the list as it was
    return UNKNOWN if was is not None and detail is None else None


def _value(text: str | None) -> str | None:
    """A property's value as "Update user" writes it (a JSON array of one value, `["DE"]`), or None."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        value = text
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _in_group(target: Target, group: str) -> bool:
    return (target.type == "Group" and target.id.lower() == group) or any(
        p.name == "Group.ObjectID" and group in f"{p.old or ''} {p.new or ''}".lower() for p in target.modified
    )


def _membership_change(entry: AuditEntry, user: str, group: str) -> str | None:
    """ "add_member" or "remove_member" when the entry changed the user's membership of `group`."""
    if entry.activity not in (ADD_MEMBER, REMOVE_MEMBER):
        return None
    users = [t for t in entry.targets if t.type == "User" and t.id.lower() == user]
    if not users or not any(_in_group(t, group) for t in entry.targets):
        return None
    return "add_member" if entry.activity == ADD_MEMBER else "remove_member"


@dataclass
class AuditProof:
    """The audit log's entries for each user undo touches, read once at the call, and who this tool's
    credential is (its token's claims)."""

    client: GraphClient
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # the journal's done lines: the log is read once, for every user at once, from shortly before the first
    # of them was written (the directory audit log allows 5 requests in 10 seconds: one per user would wait
    # on them); without them, or when the log bears out none of the first lines, each user's last KEPT_DAYS
    # days, one request each
    lines: Sequence[JournalLine] = ()
    _who: tuple[str, str] | str | None = None  # ("app" | "user", id), or why it cannot be told
    _read: dict[str, list[AuditEntry] | str] = field(default_factory=dict)  # user -> entries, or the gap
    _window: list[AuditEntry] | str | None = None  # the entries since the journal's first write, the gap, or ""

    async def _writer(self) -> tuple[str, str] | str:
        if self._who is None:
            claims = await self.client.token_claims()
            if claims is None:
                self._who = "the credential's token is not a JWT: which app or user writes cannot be told"
            elif claims.delegated:
                self._who = ("user", claims.oid) if claims.oid else "the user's token names no oid"
            elif not claims.app:
                self._who = "the credential's token names no app (appid)"
            elif claims.roles is not None and not AUDIT_LOG.satisfied_by & set(claims.roles):
                self._who = (
                    "the directory audit log cannot be read: the token lacks the application permission "
                    "AuditLog.Read.All (GET /auditLogs/directoryAudits)"
                )
            else:
                self._who = ("app", claims.app)
        return self._who

    async def _entries(self, user: str) -> list[AuditEntry] | str:
        if self._window is None:
            start = await self._window_start()
            until = iso(self.now + timedelta(minutes=1))
            self._window = await self._listing(audit_path(iso(start - SKEW), until)) if start is not None else ""
        if self._window:  # one read for every user
            window = self._window
            return window if isinstance(window, str) else [e for e in window if _names(e, user)]
        return await self._user(user)

    async def _user(self, user: str) -> list[AuditEntry] | str:
        """The user's entries of the log's last KEPT_DAYS days (one request, kept)."""
        if user not in self._read:
            since = iso(self.now - timedelta(days=KEPT_DAYS))
            self._read[user] = await self._listing(audit_path(since, iso(self.now + timedelta(minutes=1)), target=user))
        return self._read[user]

    async def _window_start(self) -> datetime | None:
        """When, by the log's clock, the journal's first done line was written: the journal's own time moved
        by how far the log's clock is from it (this machine's; the demo's frozen moment), measured on the
        tool's latest write of one of the first users the log bears out (None: none of ANCHORS is)."""
        who = await self._writer()
        stamped = [(t, line) for line in self.lines if (t := timestamp_or_none(line.time, require_zone=True))]
        written = sorted(stamped, key=lambda pair: pair[0])
        if isinstance(who, str) or not written:
            return None
        for user in list(dict.fromkeys(line.change.user.lower() for _, line in written))[:ANCHORS]:
            entries = await self._user(user)
            if isinstance(entries, str):
                return None
            mine = [e for e in entries if (e.by_type, e.by_id.lower()) == (who[0], who[1].lower())]
            logged = timestamp_or_none(mine[0].at, require_zone=True) if mine else None
            if logged is not None:
                last = max(t for t, line in written if line.change.user.lower() == user)
                return written[0][0] + (logged - last)
        return None

    async def _listing(self, path: str) -> list[AuditEntry] | str:
        """The successful entries of `path`, newest first, or why the log could not be read."""
        try:
            found = [e async for page in entry_pages(self.client, path) for e in page]
        except GraphRequestError as exc:
            if exc.status != 403:
                raise
            return (
                f"the directory audit log cannot be read (GET /auditLogs/directoryAudits answered 403 "
                f"{exc.code}; it needs AuditLog.Read.All)"
            )
        except CollectionError as exc:
            return f"the directory audit log could not be read: {exc}"
        ok = [e for e in found if e.result in ("", "success")]
        return sorted(ok, key=lambda e: (e.when, e.id), reverse=True)

    async def unproven(self, line: JournalLine, inverse: Change, state: UserState | None = None) -> str | None:
        """Why the audit log does not bear out `line` as this credential's own write, for what its
        inverse sends (None: it does, or the change gives or takes nothing); `state`: the user as read
        just now, whose licenseAssignmentStates speak where the tool's own record cannot."""
        whole, each = await self.unproven_each(line, inverse, state)
        return whole or next((each[key] for key in sorted(each)), None)

    async def unproven_each(
        self, line: JournalLine, inverse: Change, state: UserState | None = None
    ) -> tuple[str | None, dict[str, str]]:
        """As `unproven`, product by product: (why none of the line is borne out, None when the log was read
        and the writer known; each product (skuId) of a license line the log does not bear out, and why)."""
        change = line.change
        if inverse.kind == "assign_license":
            body = inverse.body or {}
            skus = sorted(
                {str(a.get("skuId", "")).lower() for a in body.get("addLicenses") or [] if isinstance(a, dict)}
                | {str(r).lower() for r in body.get("removeLicenses") or []}
            )
            removed = {str(r).lower() for r in (change.body or {}).get("removeLicenses") or []}
            wanted = [(f"product {sku}", sku, "removed" if sku in removed else "added") for sku in skus]
        elif inverse.kind in ("add_member", "remove_member") and change.group:
            wanted = [(f"membership of group {change.group}", change.group.lower(), change.kind)]
        elif inverse.kind == "set_usage_location":
            wanted = [("usage location", "", change.kind)]
        else:
            return None, {}
        who = await self._writer()
        if isinstance(who, str):
            return f"{who}: undo cannot tell this tool made the change; not undone", {}
        entries = await self._entries(change.user.lower())
        if isinstance(entries, str):
            return f"{entries}: undo cannot tell this tool made the change; not undone", {}
        records = _records(entries, change.user.lower())
        each: dict[str, str] = {}
        for what, key, direction in wanted:
            if change.kind == "assign_license":
                why = _license_borne_out(records, line, what, key, direction, who, state)
                each.update({key: why} if why else {})
            elif change.kind == "set_usage_location":
                why = _location_borne_out(records, line, who)
            else:
                why = self._borne_out(entries, change, what, key, direction, who)
            if why and change.kind != "assign_license":
                return why, {}
        return None, each

    @staticmethod
    def _borne_out(
        entries: list[AuditEntry], change: Change, what: str, key: str, direction: str, who: tuple[str, str]
    ) -> str | None:
        user = change.user.lower()
        for entry in entries:  # newest first: the latest change of the membership decides
            made = _membership_change(entry, user, key)
            if made is None:
                continue
            return _judged(entry, change, what, who, made == direction)
        return _none_shown(change, what, who)


def _mine(entry: AuditEntry, who: tuple[str, str]) -> bool:
    return (entry.by_type, entry.by_id.lower()) == (who[0], who[1].lower())


def _judged(entry: AuditEntry, change: Change, what: str, who: tuple[str, str], as_recorded: bool) -> str | None:
    """The latest change of `what` bears out the line when this credential made it as the journal records."""
    if not _mine(entry, who):
        return (
            f"the directory audit log's latest change of the {what} for user {change.user} was made by "
            f"{entry.by or entry.by_id or 'an unnamed writer'} at {entry.at}, not by this tool's "
            f"credential ({who[0]} {who[1]}): undo does not overwrite it"
        )
    if not as_recorded:
        return (
            f"the directory audit log's latest change of the {what} for user {change.user} "
            f"({entry.at}) is not the one the journal's line records: not undone"
        )
    return None


def _none_shown(change: Change, what: str, who: tuple[str, str]) -> str:
    return (
        f"the directory audit log (GET /auditLogs/directoryAudits, the last {KEPT_DAYS} days) shows no change "
        f"of the {what} for user {change.user} by this tool's credential ({who[0]} {who[1]}): the journal's "
        "line is not borne out (the log takes some minutes to show a write: undo again later if it was "
        "just made)"
    )


def _license_borne_out(
    records: list[_Record],
    line: JournalLine,
    what: str,
    sku: str,
    direction: str,
    who: tuple[str, str],
    state: UserState | None,
) -> str | None:
    """The latest record that changed (or may have changed) the user's direct copy of `sku`."""
    change = line.change
    for record in records:  # newest first: the latest change of the product decides
        made = _license_change(record, sku)
        if made is None:
            continue
        if made != UNKNOWN:
            return _judged(record.entry, change, what, who, made == direction)
        entry = record.entry
        if not _mine(entry, who):
            return (
                f"the directory audit log's latest license record for user {change.user} ({entry.at}) was written "
                f"by {entry.by or entry.by_id or 'an unnamed writer'}, not this tool's credential, and "
                f"{record.missing or 'it cannot tell the ' + what}: undo does not overwrite it"
            )
        if _states_show(line, sku, direction, state):
            return None  # the tool's own latest license write, and the user's states show its effect
        why = record.missing or (
            "its license list is the same before and after (a group gives the product too) and it carries no "
            "LicenseAssignmentDetail"
        )
        return (
            f"the directory audit log's latest license record for user {change.user} ({entry.at}, this tool's) "
            f"cannot show the {what} direct assignment {direction}: {why}; nor do the user's licenseAssignmentStates "
            "read now: not undone"
        )
    return _none_shown(change, what, who)


def _states_show(line: JournalLine, sku: str, direction: str, state: UserState | None) -> bool:
    """Whether the user's licenseAssignmentStates read now show the direct copy of `sku` as the line left it
    (gone after a removal, held after an addition), where the journal's before says the other."""
    if state is None or not state.exists:
        return False
    before = {
        str(s.get("skuId", "")).lower()
        for s in (line.before or {}).get("licenseAssignmentStates", [])
        if s.get("assignedByGroup") is None
    }
    now = {s.lower() for s in state.direct()}
    return (sku in before and sku not in now) if direction == "removed" else (sku not in before and sku in now)


def _location_borne_out(records: list[_Record], line: JournalLine, who: tuple[str, str]) -> str | None:
    """The latest "Update user" of the user's UsageLocation must be this credential's, from the journal's
    before to the value the line set."""
    change = line.change
    was = ((line.before or {}).get("usageLocation") or "").upper() or None
    set_to = str((change.body or {}).get("usageLocation") or "").upper() or None
    for record in records:
        prop = next((m for m in record.modified if m.name == "UsageLocation"), None)
        if prop is None:
            continue
        recorded = (_value(prop.old), _value(prop.new)) == (was, set_to)
        return _judged(record.entry, change, "usage location", who, recorded)
    return _none_shown(change, "usage location", who)


async def not_borne_out(
    proof: AuditProof | None, line: JournalLine, change: Change, state: UserState | None = None
) -> str | None:
    """Why the directory audit log does not bear out `line` as this tool's own write (None: it does, or
    the log was not asked); `state`: the user as read just now."""
    return await proof.unproven(line, change, state) if proof is not None else None


async def borne_out_part(
    proof: AuditProof | None,
    line: JournalLine,
    change: Change,
    state: UserState,
    again: Callable[[Mapping[str, str]], Inverse],
    parts: Mapping[str, str],
) -> tuple[Change | None, str]:
    """What of `change`, the inverse of `line`, the directory audit log bears out, and why not the rest ("": all
    of it). A license line of several products the log bears out in part is undone for the products it does
    (`again`: the inverse leaving the products given, skuId -> `parts`' skuPartNumber), the others named each
    (issue 116, point 3: undo says what it cannot prove and still undoes the rest); none: (None, why)."""
    if proof is None:
        return change, ""
    whole, each = await proof.unproven_each(line, change, state)
    if whole:
        return None, whole
    why = "; ".join(each[sku] for sku in sorted(each))
    if not each or not change.skus() - set(each):
        return (None, why) if each else (change, "")
    return again({sku: parts.get(sku, "") for sku in each}).change, why


def _names(entry: AuditEntry, user: str) -> bool:
    return any(t.id.lower() == user for t in entry.targets)
