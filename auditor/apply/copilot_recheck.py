"""An idle Copilot seat's move decided again at the call (copilot-seat-idle's changes).

The holder's removal rests on the Copilot usage report the audit read (`copilot_idle_since`: no use
of Copilot since the window's first day). Before it, apply reads the same report again, the same
request the collector makes
(`GET /copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')`, through
auditor.graph.usage_reports.read_report, D180 for a window over 90 days; Reports.Read.All), once per
run, and skips the removal when the holder's row shows use on or after that day, as the audit reads
it (auditor.data.copilot_use.last_copilot_use: any "... Last Activity Date" column, or an undated
all-apps count). A report that cannot be read (refused, not offered, without the v2 columns, for
another Report Period than the one asked for), one whose names are concealed (hashes), or one that
does not list the holder is a named gap: the removal is skipped, never made on the audit's word alone.

The candidate's assignment rests on their still waiting (`in_any_group`): apply reads
`GET /users/{id}/transitiveMemberOf?$select=id` (every page; a policy's groups count nested members
as the audit did) and skips the assignment when the candidate is in none of the `candidates` groups
now. That they are enabled and lack the seat is the assignment's other preconditions
(auditor.apply.state.unmet).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from weakref import WeakKeyDictionary

from auditor.common.errors import AuthError, CollectionError, Stopped
from auditor.data.copilot_use import COPILOT_USE_FIELDS, last_copilot_use
from auditor.data.usage_data import COPILOT, UserUsage
from auditor.data.usage_rows import RowReader, merge_rows

from ..formats.plan_json import GUID, Change
from ..graph.auth import Permission
from ..graph.client import GraphClient, GraphRequestError
from ..graph.usage_reports import REPORTS_PERMISSION, read_report
from .session import LineFailed, Session
from .state import UserState


@dataclass(frozen=True)
class CopilotReport:
    """The Copilot report as apply read it: each listed user's row, or why it could not be used."""

    rows: dict[str, UserUsage]  # upn (lower case) -> the row, as the collector keeps it
    since: date  # the earliest window start it was read for (its period covers it)
    error: str = ""  # the report cannot be used: why
    refreshed: str | None = None


GROUPS_MARK = "{groups}"  # where the groups' names go in a reason
_READ: WeakKeyDictionary[Session, CopilotReport] = WeakKeyDictionary()


async def read_copilot(client: GraphClient, since: date, today: date) -> CopilotReport:
    """The Copilot report in version v2 for a window from `since` to `today`."""
    days = max(1, (today - since).days + 1)
    reader = RowReader(COPILOT, None, COPILOT_USE_FIELDS, COPILOT.period(days))
    try:
        await read_report(client, COPILOT, days, reader)
    except (AuthError, Stopped):
        raise
    except GraphRequestError as exc:
        return CopilotReport({}, since, f"{COPILOT.name} answered {exc.status} {exc.code}")
    except Exception as exc:  # not offered, or not the report Microsoft documents: a named gap, whatever it is
        text = str(exc) or type(exc).__name__
        return CopilotReport({}, since, f"{COPILOT.name} could not be read ({text})"[:300])
    if reader.concealed:
        return CopilotReport(
            {}, since, f"{COPILOT.name} conceals user names (Org settings > Reports): no holder can be matched"
        )
    rows = {row.userPrincipalName.lower(): row for row in merge_rows([reader])}
    return CopilotReport(rows, since, refreshed=reader.refreshed)


def copilot_needed(changes: Sequence[Change]) -> tuple[Permission, ...]:
    """Reports.Read.All when a change rests on the Copilot report (asked before the first write)."""
    return (REPORTS_PERMISSION,) if any(_since(c) is not None for c in changes) else ()


def _since(change: Change) -> date | None:
    found = next((c["copilot_idle_since"] for c in change.precondition if "copilot_idle_since" in c), None)
    return date.fromisoformat(found) if found else None


def _groups(change: Change) -> list[str]:
    return next((list(c["in_any_group"]) for c in change.precondition if "in_any_group" in c), [])


async def copilot_unmet(session: Session, change: Change, state: UserState, now: datetime) -> list[str]:
    """Why the change's Copilot facts no longer hold (empty: they hold, or it names none)."""
    reasons: list[str] = []
    since = _since(change)
    if since is not None:
        reasons += await _idle_unmet(session, state, since, now.date())
    groups = _groups(change)
    if groups and not reasons:
        reasons += await _waiting_unmet(session.client, change.user, groups)
        if reasons:  # the groups by their names (a group that cannot be read stays an id)
            for gid in groups:
                with contextlib.suppress(LineFailed):
                    await session.group(gid)
            labels = session.group_labels()
            named = ", ".join(labels.get(g, g) for g in groups)
            reasons = [r.replace(GROUPS_MARK, named) for r in reasons]
    return reasons


async def _idle_unmet(session: Session, state: UserState, since: date, today: date) -> list[str]:
    report = _READ.get(session)
    if report is None or since < report.since:  # read once per run, for the widest window asked
        report = await read_copilot(session.client, since, today)
        _READ[session] = report
    what = f"whether the user used Copilot since {since.isoformat()} is not known"
    if report.error:
        return [f"the Copilot usage report could not be re-read: {report.error}; {what}"]
    row = report.rows.get(state.upn.lower()) if state.upn else None
    use = last_copilot_use(row) if row is not None else None
    if use is None:
        return [f"the Copilot usage report (re-read) does not list the user; {what}"]
    if not use.since(since):
        return []
    if use.day is not None:
        shown = f"use of {use.where} on {use.day}"
    else:  # a count no column dates (auditor.data.copilot_use)
        column, count = use.counted or ("", 0)
        shown = f"use without a date ({column}: {count})"
    return [
        f"the Copilot usage report (re-read) shows {shown}, since {since.isoformat()}; "
        "the change rests on no Copilot use in that time"
    ]


async def _waiting_unmet(client: GraphClient, user: str, groups: list[str]) -> list[str]:
    """Why the candidate no longer waits: in none of `groups` now (or the groups could not be read)."""
    found: set[str] = set()
    try:
        async for page in client.pages(f"/users/{user}/transitiveMemberOf?$select=id"):
            for item in page:
                oid = item.get("id") if isinstance(item, dict) else None
                if isinstance(oid, str) and GUID.match(oid):
                    found.add(oid.lower())
    except (AuthError, Stopped):
        raise
    except CollectionError as exc:
        return [f"the user's groups could not be re-read ({exc}); whether they still wait for the seat is not known"]
    if found & {g.lower() for g in groups}:
        return []
    return [f"the user is no longer a member of {GROUPS_MARK}, the groups of those who wait for the seat"]


def seat_left_free(session: Session, change: Change, by_n: dict[int, Change]) -> str:
    """When `change`, a moved seat's assignment to its candidate, did not go through after the holder's
    removal was made: what became of the seat and exactly how to give it back ("" for any other change).
    Apply does not give it back by itself: a write the plan does not hold would be a change nobody
    reviewed, and undo already reverts the removal from what the journal keeps."""
    added = (
        {lic["skuId"] for lic in (change.body or {}).get("addLicenses", [])}
        if change.kind == "assign_license"
        else set()
    )
    findings = set(change.findings)
    for dep in change.depends_on:
        take = by_n.get(dep)
        if take is None or take.kind != "assign_license" or dep not in session.tally.applied:
            continue
        freed = added & set((take.body or {}).get("removeLicenses", []))
        if not freed or not findings & set(take.findings):
            continue
        product = ", ".join(session.products.get(s, s) for s in sorted(freed))
        holder = session.users.get(take.user, take.user)
        journal = f" {session.journal.path}" if session.journal is not None else ""
        return (
            f"the seat of {product} taken from {holder} by change {dep} is free, not given to anyone: "
            f"`license-auditor undo{journal}` gives it back (undo reverts every change of this run, newest "
            f"first), or assign it to {holder} again (POST /users/{take.user}/assignLicense with the "
            f"disabledPlans the journal's line for change {dep} keeps in `before`)"
        )
    return ""
