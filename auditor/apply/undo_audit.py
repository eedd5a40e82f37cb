"""Whether the tenant's own record bears out a journal line before undo reverts it: the directory audit
log (GET /auditLogs/directoryAudits, AuditLog.Read.All) read at the call (docs/plan-and-apply.md,
"What undo reads at the call").

A journal is a file beside the plan: edited, it can name a change the tool never made (a license removed
by someone else, a removal that was skipped), and undo would then give the license back. So before undo
sends the reverse of a license or membership change, the audit log must show, as the latest change of
that user's product (or of that user's membership of that group), a write made by the credential undo
signs in with (initiatedBy.app.appId of an app's token, initiatedBy.user.id of a user's), in the
direction the journal records:

    assign_license   "Change user license" / "Update user" with AssignedLicense (modifiedProperties):
                     each product undo gives back or takes away was removed (or added) by that write
    add_member       "Add member to group" with the user and the group (targetResources)
    remove_member    "Remove member from group" likewise

A line the log does not bear out is refused (named, exit 3): no write in the log's 30 days (Entra ID keeps
them 30 days with P1 or P2, 7 without), another writer's change since (undo does not overwrite it), or one
in the other direction. A log that cannot be read (a token without AuditLog.Read.All, a 403) is a named gap,
and the change is refused too. The log takes some minutes to show a write: an undo just after an apply may
be refused, and succeeds when run again later. set_usage_location and reprocess are not checked: neither
gives or takes a license.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from auditor.common.errors import CollectionError
from auditor.common.timestamps import timestamp_or_none
from auditor.data.audit_entries import ADD_MEMBER, LICENSE, REMOVE_MEMBER, UPDATE, AuditEntry, Target

from ..formats.plan_json import Change
from ..graph.client import GraphClient
from ..graph.directory_audits import AUDIT_LOG, KEPT_DAYS, audit_path, entry_pages, iso
from ..graph.retries import GraphRequestError
from .journal import JournalLine

SKEW = timedelta(minutes=10)  # read the log from this much before the journal's first write says
ANCHORS = 3  # the journal's first users whose log entries tell the log's clock from the journal's
_SKU = re.compile(r"SkuId=([0-9a-fA-F-]{36})")


def _licenses(value: str | None) -> dict[str, str]:
    """skuId (lower case) -> its part of an AssignedLicense value ("[SkuName=…, SkuId=…, DisabledPlans=[…]]",
    Graph's text: the whole list in "Update user", the products changed in the emulator's entries)."""
    text = value or ""
    found = list(_SKU.finditer(text))
    return {
        m.group(1).lower(): text[m.start() : found[i + 1].start() if i + 1 < len(found) else len(text)]
        for i, m in enumerate(found)
    }


def _license_change(entry: AuditEntry, user: str, sku: str) -> str | None:
    """ "removed" or "added" when the entry changed the user's copy of `sku`, else None."""
    if entry.activity not in (LICENSE, UPDATE):
        return None
    for target in entry.targets:
        if target.id.lower() != user:
            continue
        for prop in target.modified:
            if prop.name != "AssignedLicense":
                continue
            old, new = _licenses(prop.old).get(sku), _licenses(prop.new).get(sku)
            if old != new:
                return "removed" if new is None else "added"
    return None


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

    async def unproven(self, line: JournalLine, inverse: Change) -> str | None:
        """Why the audit log does not bear out `line` as this credential's own write, for what its
        inverse sends (None: it does, or the change gives or takes no license)."""
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
        else:
            return None
        who = await self._writer()
        if isinstance(who, str):
            return f"{who}: undo cannot tell this tool made the change; not undone"
        entries = await self._entries(change.user.lower())
        if isinstance(entries, str):
            return f"{entries}: undo cannot tell this tool made the change; not undone"
        for what, key, direction in wanted:
            why = self._borne_out(entries, change, what, key, direction, who)
            if why:
                return why
        return None

    @staticmethod
    def _borne_out(
        entries: list[AuditEntry], change: Change, what: str, key: str, direction: str, who: tuple[str, str]
    ) -> str | None:
        user = change.user.lower()
        for entry in entries:  # newest first: the latest change of the product (or membership) decides
            made = (
                _license_change(entry, user, key)
                if change.kind == "assign_license"
                else _membership_change(entry, user, key)
            )
            if made is None:
                continue
            if (entry.by_type, entry.by_id.lower()) != (who[0], who[1].lower()):
                return (
                    f"the directory audit log's latest change of the {what} for user {change.user} was made by "
                    f"{entry.by or entry.by_id or 'an unnamed writer'} at {entry.at}, not by this tool's "
                    f"credential ({who[0]} {who[1]}): undo does not overwrite it"
                )
            if made != direction:
                return (
                    f"the directory audit log's latest change of the {what} for user {change.user} "
                    f"({entry.at}) is not the one the journal's line records: not undone"
                )
            return None
        return (
            f"the directory audit log (GET /auditLogs/directoryAudits, the last {KEPT_DAYS} days) shows no change "
            f"of the {what} for user {change.user} by this tool's credential ({who[0]} {who[1]}): the journal's "
            "line is not borne out (the log takes some minutes to show a write: undo again later if it was "
            "just made)"
        )


async def not_borne_out(proof: AuditProof | None, line: JournalLine, change: Change) -> str | None:
    """Why the directory audit log does not bear out `line` as this tool's own write (None: it does, or
    the log was not asked)."""
    return await proof.unproven(line, change) if proof is not None else None


def _names(entry: AuditEntry, user: str) -> bool:
    return any(t.id.lower() == user for t in entry.targets)
