"""Whether the nightly's dormant accounts did anything since its kept sign-in read, as the active-user
usage report shows it: when none did, the night sends no filtered sign-in request for them.

An account the kept read (kept_sign_ins.py) shows dormant (a licensed account a rule judges by sign-in,
its last successful sign-in before the cutoff: an open inactivity finding) can only change by a
sign-in. Before the night spends a request of the app's sign-in lane on it ("GET signInActivity": 10
a minute per app for all tenants), it asks the tenant's report

    GET /reports/getOffice365ActiveUserDetail(period='D30')   302 -> CSV (usage_reports.py reads it)

one request in the reports' own limit, per tenant ("Any request (CSV) | 14 requests per 10 minutes |
40 requests per 10 minutes", per app per tenant and per tenant for all apps, Microsoft's "Microsoft
Graph service-specific throttling limits"; the period the shortest one covering the days since the
kept read). When the policies read the report themselves over as many days (an inactivity check's
`mail_use`), their read answers (idle_in: no request more; the collector's idle_since). The filtered
request is sent (and the report's answer only noted) when any of these holds:

- one of the accounts has a last activity date (Exchange, OneDrive, SharePoint, Teams, Yammer) on
  or after the kept read's day, or no row in the report (one it leaves out is not taken as idle);
- the report conceals user names (`displayConcealedNames` in /admin/reportSettings, or rows of
  hashes), or cannot be read (no permission, a cloud without the report, an error, no rows);
- the report's Report Refresh Date is more than MAX_LAG before the night (Microsoft: "The data in
  each report usually covers up to the last 24 to 48 hours", and the reports "might sometimes take
  several days to become available"; older, it says too little of the nights since the kept read).

Otherwise the accounts keep the kept read's times, as on a night without a request, and the snapshot
says through which day the report showed them idle (sign_ins_usage_quiet): what a full read could
show otherwise is a sign-in since that the report does not count (one without any use of those
workloads, or after its refresh date); docs/graph.md, "Sign-in activity", says so, and apply reads
the sign-in activity again before it removes a license."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from auditor.common.errors import AuthError, CollectionError
from auditor.common.numbers import whole_number
from auditor.data.enums import Cloud
from auditor.data.model import Gap, User
from auditor.data.usage_data import ACTIVE_USERS, UsageReports, is_date
from auditor.data.usage_rows import RowReader

from .auth import TokenClaims
from .client import GraphClient, GraphRequestError
from .progress import Progress
from .usage_reports import NOT_READ, REPORTS_PERMISSION, UpnKeys, read_report, report_roles, reports_concealed

MAX_LAG = timedelta(days=4)  # the report's refresh date may be this far before the night
ACTIVITY = tuple(ACTIVE_USERS.columns.values())  # the last activity dates of the report's workloads


async def idle_through(
    client: GraphClient,
    progress: Progress,
    claims: TokenClaims | None,
    users: Sequence[User],
    since: datetime,
    now: datetime,
) -> tuple[str | None, str]:
    """(the report's refresh date, what it showed) when the active-user report shows none of `users`
    active on or after `since`'s day; (None, why the filtered sign-in read is sent) otherwise."""
    if client.cloud != Cloud.WORLDWIDE:
        return None, "Microsoft documents the usage reports for the global service only"
    roles = report_roles(claims)
    if roles is not None and not (REPORTS_PERMISSION.satisfied_by & roles):
        return None, f"the app lacks {REPORTS_PERMISSION.name} to read the active-user usage report"
    day = since.date()
    days = (now.date() - day).days + 1
    reader = RowReader(ACTIVE_USERS, UpnKeys(u.user_principal_name for u in users), frozenset(ACTIVITY))
    try:
        if await reports_concealed(client, progress, roles):
            return None, "the usage reports conceal user names (displayConcealedNames)"
        request = await read_report(client, ACTIVE_USERS, days, reader)
    except AuthError:
        raise
    except (GraphRequestError, CollectionError, *NOT_READ) as exc:
        return None, f"the active-user usage report could not be read ({str(exc)[:200]})"
    if reader.concealed:
        return None, "the active-user usage report conceals user names"
    names = reader.fields()

    def dates(user: User) -> list[str] | None:
        row = reader.rows.get(user.user_principal_name.lower())
        return None if row is None else [v for n, v in zip(names, row[1:], strict=True) if n in ACTIVITY and v]

    return _judged(reader.refreshed, dates, users, day, now, request)


def policies_read(usage: UsageReports | None, gaps: Sequence[Gap], covers: int) -> bool:
    """Whether the policies' own read of the usage reports (`usage`, `gaps`: UsageCollection.read) can
    answer for the active-user report over `covers` days: it holds that report, with a period as long."""
    read = usage.read(ACTIVE_USERS.name) if usage is not None else None
    days = whole_number(read.period[1:]) if read is not None else None
    return not gaps and days is not None and days >= covers


def idle_in(usage: UsageReports, users: Sequence[User], since: datetime, now: datetime) -> tuple[str | None, str]:
    """idle_through's answer from the policies' own read of the report (policies_read: no request more)."""
    read = usage.read(ACTIVE_USERS.name)
    assert read is not None  # policies_read checked it
    rows = usage.by_upn

    def dates(user: User) -> list[str] | None:
        row = rows.get(user.user_principal_name.lower())
        if row is None or ACTIVE_USERS.name not in row.reports:
            return None
        return [d for f in ACTIVITY if isinstance(d := getattr(row, f), str) and d]

    return _judged(read.refreshed, dates, users, since.date(), now, f"{read.request} (the policies' read)")


def _judged(
    refreshed: str | None,
    dates: Callable[[User], list[str] | None],
    users: Sequence[User],
    day: date,
    now: datetime,
    request: str,
) -> tuple[str | None, str]:
    """The report's refresh date when it is recent and `dates` (each user's last activity dates; None:
    no row) show none of `users` active on or after `day`; else (None, why not)."""
    if refreshed is None or not is_date(refreshed):
        return None, f"{request} gave no Report Refresh Date"
    if date.fromisoformat(refreshed) < now.date() - MAX_LAG:
        return None, f"the active-user usage report was refreshed on {refreshed}, more than {MAX_LAG.days} days ago"
    for user in users:
        found = dates(user)
        if found is None:
            return None, f"the active-user usage report has no row for {user.user_principal_name[:80]}"
        if any(is_date(d) and date.fromisoformat(d) >= day for d in found):
            return None, f"the active-user usage report shows {user.user_principal_name[:80]} active since {day}"
    return refreshed, f"{request}, refreshed {refreshed}, shows none of them active since {day}"
