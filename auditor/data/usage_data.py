"""Microsoft 365 usage reports: which reports and columns the usage rules read, the workload names
a policy may use, and the snapshot's `usageReports` section (read, written, looked up).

No Graph SDK here: the collector (auditor/graph/usage_reports.py), the emulator (auditor_dev/emulator/reports.py),
the rules (auditor/rules/usage/activity.py) and the snapshot reader all build on this module.

Snapshot layout (optional; a snapshot without it was collected without usage rules):
    "usageReports": {
      "reports": [{"name": "getOffice365ActiveUserDetail", "period": "D90", "reportRefreshDate": "2026-10-30",
                   "request": "GET /reports/getOffice365ActiveUserDetail(period='D90')"}],
      "users": [{"userPrincipalName": "ann@contoso.example", "teamsLastActivityDate": "2026-10-29", ...}]
    }
A report read by the collector also keeps its header, "columns": [...] (the Copilot rule needs it: an
older snapshot lacks the Copilot report's other date columns). Field names follow the reports' JSON
form (camelCase of the CSV columns), except `copilotActivity`, which keeps the Copilot report's other
"... Last Activity Date" columns and its all-apps counts by their CSV names, e.g.
{"Edge Last Activity Date": "2026-10-28", "Prompts submitted for all apps": 57}. Only rows that name a
user of the snapshot are kept: usage data is personal data, and rows nobody can be joined to are
of no use to any rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Required, TypedDict

import msgspec

from auditor.common import shapes
from auditor.data.enums import Cloud

USAGE_REPORTS = "usageReports"  # snapshot section, Gap.dataset and collectedParts entry
CONCEALED_REASON = (
    "usage reports conceal user names; an admin can change this under Org settings > Reports "
    "(Microsoft 365 admin center), then re-run"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD = "Report Period"  # the column saying which period a report's rows cover (7, 28, 30, 90, 180)


def is_date(text: object) -> bool:
    """A real calendar date written YYYY-MM-DD (2026-13-45 has the shape but is no date)."""
    if not isinstance(text, str) or not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Report:
    """One Microsoft Graph usage report the auditor reads (one request per report)."""

    name: str  # the reportRoot function
    path: str  # relative to the Graph endpoint; {period} is filled in
    periods: tuple[int, ...]  # the D<n> values it takes that a window of days can use, ascending
    columns: Mapping[str, str]  # CSV header -> snapshot field (documented: a report without one stops the run)
    # Where Microsoft documents the report (each page's national cloud table): the global service only
    clouds: frozenset[Cloud] = frozenset((Cloud.WORLDWIDE,))
    beta_fallback: bool = False  # asked on /beta when v1.0 does not know it (the Copilot report)
    key: str = "User Principal Name"  # the column naming the user (OneDrive: "Owner Principal Name")
    # CSV header -> snapshot field, read when the report has the column (Graph's reference lists
    # none of them; Microsoft adds columns over time)
    optional: Mapping[str, str] = field(default_factory=dict)
    # The snapshot field that gathers, by CSV name, every "... Last Activity Date" column the report
    # has beside `columns` (those Microsoft documents and any it adds) and the `counters`, blank ones
    # left out (the Copilot report: auditor.data.copilot_use reads it)
    gathered: str | None = None
    gathered_required: tuple[str, ...] = ()  # gathered columns a report without stops the run (a named gap)
    counters: tuple[str, ...] = ()  # whole-number columns gathered when the report has them
    # the report's "Report Period" column must be there and say the period asked for (else a named gap);
    # a report without the flag is checked when it has the column
    period_column: bool = False

    @property
    def fields(self) -> frozenset[str]:
        """Every snapshot field the report can fill."""
        gathered = (self.gathered,) if self.gathered else ()
        return frozenset((*self.columns.values(), *self.optional.values(), *gathered))

    def period(self, days: int) -> str:
        """The shortest period that covers `days` (a blank date then means no activity in the window)."""
        return f"D{next((p for p in self.periods if p >= days), self.periods[-1])}"

    def request(self, days: int) -> str:
        return self.path.format(period=self.period(days))


ACTIVE_USERS = Report(
    "getOffice365ActiveUserDetail",
    "/reports/getOffice365ActiveUserDetail(period='{period}')",
    (30, 90, 180),
    {
        "Exchange Last Activity Date": "exchangeLastActivityDate",
        "OneDrive Last Activity Date": "oneDriveLastActivityDate",
        "SharePoint Last Activity Date": "sharePointLastActivityDate",
        "Teams Last Activity Date": "teamsLastActivityDate",
        "Yammer Last Activity Date": "yammerLastActivityDate",
    },
)
APPS = Report(
    "getM365AppUserDetail",
    "/reports/getM365AppUserDetail(period='{period}')",
    (30, 90, 180),
    {"Last Activity Date": "m365AppsLastActivityDate"},
)
# The storage reports: each row's sizes are the state on its Report Refresh Date, whatever the
# period (the period only sets the window of the activity columns, which are not read), so the
# shortest one, D7 (also the one Microsoft's examples use), is asked for.
MAILBOXES = Report(
    "getMailboxUsageDetail",
    "/reports/getMailboxUsageDetail(period='{period}')",
    (7,),
    {"Item Count": "itemCount", "Storage Used (Byte)": "storageUsedInBytes", "Has Archive": "hasArchive"},
    optional={"Recipient Type": "recipientType"},
)
ONEDRIVE = Report(
    "getOneDriveUsageAccountDetail",
    "/reports/getOneDriveUsageAccountDetail(period='{period}')",
    (7,),
    {"Storage Used (Byte)": "oneDriveStorageUsedInBytes"},
    key="Owner Principal Name",
)
# The Copilot report, asked in version v2 (Microsoft's page: "The supported values are `v1` (default)
# and `v2`"; v2 adds, among others, "Copilot Chat (work) Last Activity Date" and "Copilot Agent Last
# Activity Date"). v2 takes D7, D28, D90, D180 and ALL, v1 D7, D30, D90, D180 and ALL: D90 and D180
# are in both. It lists only the users who hold a Microsoft 365 Copilot license.
# Every other "... Last Activity Date" column (v1's per-app ones, v2's Copilot Chat (web),
# Microsoft 365 Copilot and Edge, and any Microsoft adds) and v2's all-apps counters are gathered in
# `copilotActivity`: use in any of them is use of the seat (auditor.data.copilot_use).
COPILOT_VERSION = "v2"
COPILOT_ACTIVITY = "copilotActivity"
LAST_ACTIVITY = "Last Activity Date"  # how every date column of the Copilot report ends
COPILOT = Report(
    "getMicrosoft365CopilotUsageUserDetail",
    "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='{period}',version='" + COPILOT_VERSION + "')",
    (90, 180),
    {
        "Last Activity Date": "copilotLastActivityDate",
        "Copilot Chat (work) Last Activity Date": "copilotChatWorkLastActivityDate",
        "Copilot Agent Last Activity Date": "copilotAgentLastActivityDate",
    },
    beta_fallback=True,
    gathered=COPILOT_ACTIVITY,
    gathered_required=(
        "Copilot Chat (web) Last Activity Date",
        "Microsoft 365 Copilot Last Activity Date",
        "Edge Last Activity Date",
    ),
    # v2's; Microsoft's page lists them, but a report without them is read on its dates alone
    counters=("Prompts submitted for all apps", "Active Usage Days for all apps"),
    period_column=True,
)
REPORTS: dict[str, Report] = {r.name: r for r in (ACTIVE_USERS, APPS, MAILBOXES, ONEDRIVE, COPILOT)}
STORAGE_REPORTS = (MAILBOXES.name, ONEDRIVE.name)  # the evidence of data size (auditor/policy/index.py)
MAX_DAYS = 180  # the longest period the reports take: a longer window could not tell "unused"


@dataclass(frozen=True)
class Workload:
    """A name a policy's `usage:` entries use. `report`/`field`: where its last activity date comes
    from; None when Microsoft Graph has no per-user usage report for it (it cannot be measured)."""

    name: str
    title: str  # as people know it (a brand name: the same in every language)
    report: Report | None = None
    field: str | None = None

    @property
    def measured(self) -> bool:
        return self.report is not None


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload("exchange", "Exchange Online", ACTIVE_USERS, "exchangeLastActivityDate"),
        Workload("onedrive", "OneDrive", ACTIVE_USERS, "oneDriveLastActivityDate"),
        Workload("sharepoint", "SharePoint", ACTIVE_USERS, "sharePointLastActivityDate"),
        Workload("teams", "Microsoft Teams", ACTIVE_USERS, "teamsLastActivityDate"),
        Workload("viva_engage", "Viva Engage", ACTIVE_USERS, "yammerLastActivityDate"),
        Workload("office_apps", "Microsoft 365 Apps", APPS, "m365AppsLastActivityDate"),
        Workload("copilot", "Microsoft Copilot for Microsoft 365", COPILOT, "copilotLastActivityDate"),
        # the v2 report's own columns: Copilot Chat used at work, and Copilot agents
        Workload("copilot_chat", "Copilot Chat", COPILOT, "copilotChatWorkLastActivityDate"),
        Workload("copilot_agents", "Copilot agents", COPILOT, "copilotAgentLastActivityDate"),
        # No per-user usage report in Microsoft Graph: valid in `rightsize.unless_active`, where the
        # finding then asks a person to check them (never a ready-to-run change).
        Workload("teams_phone", "Teams Phone"),
        Workload("audio_conferencing", "Teams Audio Conferencing"),
        Workload("power_bi", "Power BI"),
        Workload("defender", "Microsoft Defender"),
        Workload("purview", "Microsoft Purview"),
    )
}
MEASURED = tuple(name for name, w in WORKLOADS.items() if w.measured)


def workload_title(name: str) -> str:
    found = WORKLOADS.get(name)
    return found.title if found else name


class UserUsage(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    """One user's row(s) across the reports read: last activity dates (YYYY-MM-DD, None = no
    activity in the report's period) and the mailbox's size and archive."""

    userPrincipalName: str
    exchangeLastActivityDate: str | None = None
    oneDriveLastActivityDate: str | None = None
    sharePointLastActivityDate: str | None = None
    teamsLastActivityDate: str | None = None
    yammerLastActivityDate: str | None = None
    m365AppsLastActivityDate: str | None = None
    copilotLastActivityDate: str | None = None
    copilotChatWorkLastActivityDate: str | None = None  # the Copilot report's v2 columns
    copilotAgentLastActivityDate: str | None = None
    # the Copilot report's other "... Last Activity Date" columns (YYYY-MM-DD) and its all-apps counters
    # (whole numbers), by CSV name, blank ones left out: one field, so users without Copilot cost one slot
    copilotActivity: dict[str, str | int] | None = None
    storageUsedInBytes: int | None = None  # the mailbox's (getMailboxUsageDetail)
    hasArchive: bool | None = None
    itemCount: int | None = None
    recipientType: str | None = None  # only from a mailbox report that carries the column
    oneDriveStorageUsedInBytes: int | None = None  # getOneDriveUsageAccountDetail
    # the reports that listed this user (a user absent from a report is not judged on it)
    reports: tuple[str, ...] = ()

    def last(self, workload: Workload) -> str | None:
        value = getattr(self, workload.field, None) if workload.field else None
        return value if isinstance(value, str) else None


FIELDS = frozenset(UserUsage.__struct_fields__)
NUMBER_FIELDS = frozenset(("storageUsedInBytes", "itemCount", "oneDriveStorageUsedInBytes"))
TEXT_FIELDS = frozenset(("recipientType",))


class ReportReadJson(TypedDict, total=False):
    """A usage report as the snapshot names it: which, its period and refresh date, the request, and
    the columns its header had (absent in snapshots collected before they were kept)."""

    name: Required[str]
    period: Required[str]
    reportRefreshDate: Required[str | None]
    request: Required[str]
    columns: list[str]


@dataclass(frozen=True)
class ReportRead:
    name: str
    period: str
    refreshed: str | None  # Report Refresh Date (YYYY-MM-DD)
    request: str  # as sent, e.g. "GET /beta/copilot/reports/...", for the report's evidence
    # the report's header as served (None: not kept, an older snapshot): which columns the use was read from
    columns: tuple[str, ...] | None = None

    def to_json(self) -> ReportReadJson:
        doc: ReportReadJson = {
            "name": self.name,
            "period": self.period,
            "reportRefreshDate": self.refreshed,
            "request": self.request,
        }
        if self.columns is not None:
            doc["columns"] = list(self.columns)
        return doc


@dataclass(frozen=True)
class UsageReports:
    reports: tuple[ReportRead, ...]
    users: tuple[UserUsage, ...] = field(repr=False, default=())

    @cached_property
    def by_upn(self) -> dict[str, UserUsage]:
        return {u.userPrincipalName.lower(): u for u in self.users}

    def read(self, name: str) -> ReportRead | None:
        return next((r for r in self.reports if r.name == name), None)


# --- snapshot section ------------------------------------------------------------------------


class BadUsage(ValueError):
    """A malformed `usageReports` section; the message names the field (auditor.snapshot.decode adds the file)."""


SHARED_MAILBOX_LIMIT = 50 * 1024**3  # bytes a shared mailbox may hold without a license (50 GB)


def shared_mailbox_needs(row: UserUsage) -> str | None:
    """Why a shared mailbox with this mailbox usage row needs a license, as Microsoft's "Remove a
    license from a shared mailbox" says ("An Exchange Online Plan 2 license is required" when it "has
    more than 50 GB of storage in use" or "uses in-place archiving"): "over_50_gb", "archive", or
    None (litigation hold is not in the report)."""
    if (row.storageUsedInBytes or 0) > SHARED_MAILBOX_LIMIT:
        return "over_50_gb"
    return "archive" if row.hasArchive else None


def usage_from_json(raw: object) -> UsageReports:
    if not isinstance(raw, dict):
        raise BadUsage("expected an object")
    reports = raw.get("reports")
    users = raw.get("users")
    if not isinstance(reports, list) or not isinstance(users, list):
        raise BadUsage("reports and users must be lists")
    read = [_read_from_json(i, item) for i, item in enumerate(reports)]
    return UsageReports(tuple(read), tuple(_row_from_json(i, item) for i, item in enumerate(users)))


def _read_from_json(i: int, item: object) -> ReportRead:
    if not isinstance(item, dict) or item.get("name") not in REPORTS or not isinstance(item.get("period"), str):
        raise BadUsage(f"reports[{i}]: expected {{name: one of {sorted(REPORTS)}, period, reportRefreshDate}}")
    refreshed = item.get("reportRefreshDate")
    if refreshed is not None and not is_date(refreshed):
        raise BadUsage(f"reports[{i}].reportRefreshDate: {refreshed!r} is not YYYY-MM-DD")
    columns = item.get("columns")
    if columns is not None and (not isinstance(columns, list) or not all(isinstance(c, str) for c in columns)):
        raise BadUsage(f"reports[{i}].columns: expected a list of column names")
    request = str(item.get("request") or "")
    return ReportRead(item["name"], item["period"], refreshed, request, None if columns is None else tuple(columns))


def _row_from_json(i: int, item: object) -> UserUsage:
    try:
        row = shapes.convert(item, UserUsage)
    except msgspec.ValidationError as exc:
        raise BadUsage(f"users[{i}]: {exc}") from None
    for name in FIELDS:
        value = getattr(row, name)
        if name.endswith("Date") and value is not None and not is_date(value):
            raise BadUsage(f"users[{i}].{name}: {value!r} is not YYYY-MM-DD")
        if name in NUMBER_FIELDS and value is not None and value < 0:
            raise BadUsage(f"users[{i}].{name}: {value!r} is negative")
    for column, value in (row.copilotActivity or {}).items():
        if not _gathered_ok(COPILOT, column, value):
            raise BadUsage(
                f"users[{i}].{COPILOT_ACTIVITY}[{column!r}]: expected a '... {LAST_ACTIVITY}' column with "
                f"YYYY-MM-DD or one of {', '.join(COPILOT.counters)} with a whole number"
            )
    return row


def _gathered_ok(report: Report, column: str, value: object) -> bool:
    """A value `report.gathered` may hold: a date in a "... Last Activity Date" column, a count in a counter."""
    if column.endswith(LAST_ACTIVITY):
        return is_date(value)
    return column in report.counters and isinstance(value, int) and not isinstance(value, bool) and value >= 0


def usage_to_json(usage: UsageReports) -> tuple[list[ReportReadJson], Iterator[UserUsage]]:
    """(reports, users) as the snapshot writes them: each user's row is encoded where it is written
    (msgspec.to_builtins, auditor.snapshot.write)."""
    return [r.to_json() for r in usage.reports], iter(usage.users)


# --- what a set of policies needs --------------------------------------------------------------


# The columns of the storage reports: what a rule whose removals or replacements end or shrink a
# mailbox or a OneDrive reads (auditor.data.reads.Reads.usage), since whether the change is safe rests on
# the data's size: the hygiene removals (leavers, inactive accounts, guests, shared mailboxes: a
# shared mailbox over 50 GB or archived needs its license), `usage:` rightsizing to a smaller
# product, and the replacements `allowed` and `exclusive` lead to.
STORAGE_FIELDS = frozenset(f for name in STORAGE_REPORTS for f in REPORTS[name].columns.values())
# The active-user report's columns the inactivity rule reads: an enabled account's mailbox ends only
# when neither was used within the window (mail_use)
MAIL_USE_FIELDS = frozenset({"exchangeLastActivityDate", "oneDriveLastActivityDate"})


@dataclass(frozen=True)
class UsageNeed:
    """The reports the policies' usage rules read, and the longest window (for the period)."""

    reports: frozenset[str]
    days: int
    fields: frozenset[str] | None = None  # the UserUsage fields the rules read (None: every documented column)

    def report_list(self) -> list[Report]:
        return [REPORTS[name] for name in sorted(self.reports)]
