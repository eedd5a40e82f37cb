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
Field names follow the reports' JSON form (camelCase of the CSV columns). Only rows that name a
user of the snapshot are kept: usage data is personal data, and rows nobody can be joined to are
of no use to any rule.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypedDict

import msgspec

from auditor.common.numbers import whole_number
from auditor.data.enums import Cloud

USAGE_REPORTS = "usageReports"  # snapshot section, Gap.dataset and collectedParts entry
CONCEALED_REASON = (
    "usage reports conceal user names; an admin can change this under Org settings > Reports "
    "(Microsoft 365 admin center), then re-run"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
COPILOT_VERSION = "v2"
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
)
REPORTS: dict[str, Report] = {r.name: r for r in (ACTIVE_USERS, APPS, MAILBOXES, ONEDRIVE, COPILOT)}
STORAGE_REPORTS = (MAILBOXES.name, ONEDRIVE.name)  # the evidence of data size (auditor/index.py)
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
_NUMBERS = frozenset(("storageUsedInBytes", "itemCount", "oneDriveStorageUsedInBytes"))
_TEXTS = frozenset(("recipientType",))


class ReportReadJson(TypedDict):
    """A usage report as the snapshot names it: which, its period and refresh date, the request."""

    name: str
    period: str
    reportRefreshDate: str | None
    request: str


@dataclass(frozen=True)
class ReportRead:
    name: str
    period: str
    refreshed: str | None  # Report Refresh Date (YYYY-MM-DD)
    request: str  # as sent, e.g. "GET /beta/copilot/reports/...", for the report's evidence

    def to_json(self) -> ReportReadJson:
        return {"name": self.name, "period": self.period, "reportRefreshDate": self.refreshed, "request": self.request}


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


def usage_from_json(raw: Any) -> UsageReports:
    if not isinstance(raw, dict):
        raise BadUsage("expected an object")
    reports = raw.get("reports")
    users = raw.get("users")
    if not isinstance(reports, list) or not isinstance(users, list):
        raise BadUsage("reports and users must be lists")
    read: list[ReportRead] = []
    for i, item in enumerate(reports):
        if not isinstance(item, dict) or item.get("name") not in REPORTS or not isinstance(item.get("period"), str):
            raise BadUsage(f"reports[{i}]: expected {{name: one of {sorted(REPORTS)}, period, reportRefreshDate}}")
        refreshed = item.get("reportRefreshDate")
        if refreshed is not None and not is_date(refreshed):
            raise BadUsage(f"reports[{i}].reportRefreshDate: {refreshed!r} is not YYYY-MM-DD")
        read.append(ReportRead(item["name"], item["period"], refreshed, str(item.get("request") or "")))
    rows: list[UserUsage] = []
    for i, item in enumerate(users):
        try:
            row = msgspec.convert(item, UserUsage)
        except msgspec.ValidationError as exc:
            raise BadUsage(f"users[{i}]: {exc}") from None
        for name in FIELDS:
            value = getattr(row, name)
            if name.endswith("Date") and value is not None and not is_date(value):
                raise BadUsage(f"users[{i}].{name}: {value!r} is not YYYY-MM-DD")
            if name in _NUMBERS and value is not None and value < 0:
                raise BadUsage(f"users[{i}].{name}: {value!r} is negative")
        rows.append(row)
    return UsageReports(tuple(read), tuple(rows))


def usage_to_json(usage: UsageReports) -> tuple[list[ReportReadJson], Iterator[UserUsage]]:
    """(reports, users) as the snapshot writes them: each user's row is encoded where it is written
    (msgspec.to_builtins, auditor.snapshot.write)."""
    return [r.to_json() for r in usage.reports], iter(usage.users)


# --- reading a report's CSV --------------------------------------------------------------------


class BadReport(ValueError):
    """A report's CSV is not what Microsoft documents (unreadable values, rows shorter than the header)."""


class ColumnsMissing(BadReport):
    """The report lacks a column a rule of the run reads (Microsoft renames and drops columns): the
    collector turns it into a named gap, not a failed audit."""

    def __init__(self, report: Report, columns: list[str]) -> None:
        self.report = report
        self.columns = columns
        super().__init__(f"the CSV lacks the column(s) {', '.join(columns)}")

    def reason(self) -> str:
        """The gap's reason: the report, the columns, and what cannot be evaluated without them."""
        fields = {self.report.columns.get(c) for c in self.columns}
        uses = sorted(w.title for w in WORKLOADS.values() if w.report is self.report and w.field in fields)
        if self.report.name in STORAGE_REPORTS:
            uses.append("the mailbox and OneDrive sizes the removals rest on")
        if self.report.key in self.columns:
            uses = ["every column (the report names no user)"]
        return (
            f"{self.report.name} has no column {', '.join(repr(c) for c in self.columns)} (Microsoft may have "
            f"renamed or dropped it; docs/graph.md lists the columns read), which {', '.join(uses) or 'a rule'} "
            "needs: the usage rules are not evaluated for any user in this run; the rest of the audit ran"
        )


def _value(column: str, name: str, text: str) -> Any:
    """The value of CSV column `column` (snapshot field `name`) in a row."""
    text = text.strip()
    if not text:
        return None
    if name in _NUMBERS:
        if (number := whole_number(text)) is None:
            raise BadReport(f"{column} {text[:30]!r} is not a number")
        return number
    if name == "hasArchive":
        low = text.lower()
        if low not in ("true", "false"):
            raise BadReport(f"{column} {text[:30]!r} is not True or False")
        return low == "true"
    if name in _TEXTS:
        return text[:100]
    if not is_date(text):
        raise BadReport(f"a last activity date {text[:30]!r} is not YYYY-MM-DD")
    return text


class RowReader:
    """Turns one report's CSV rows into {upn (lower case): {field: value}}, column order from the
    header (Microsoft adds columns over time: only the named ones are read). Rows of deleted users
    are skipped; `keep` says which UPNs are worth keeping (the tenant's users)."""

    def __init__(self, report: Report, keep: Container[str] | None, fields: Container[str] | None = None) -> None:
        self.report = report
        self.keep = keep
        self.needed = fields  # the snapshot fields a rule of the run reads (None: every documented column)
        self.reset()

    def reset(self) -> None:
        """Forget every row read (the report is read again from its start)."""
        self.index: dict[str, int] | None = None
        # upn (lower case) -> (upn as written, the values of report.columns in order): tuples, and
        # each distinct date once, keep a million rows small
        self.rows: dict[str, tuple[Any, ...]] = {}
        self._texts: dict[Any, Any] = {}
        self._wanted: list[tuple[int, str, str]] = []  # (cell, CSV column, snapshot field)
        self.refreshed: str | None = None
        self.seen = 0  # data rows, kept or not
        self.named = 0  # rows whose UPN looks like a UPN (concealed reports carry hashes)

    def header(self, cells: list[str]) -> None:
        names = [c.strip().lstrip("\ufeff") for c in cells]
        report = self.report
        # only the columns a rule of the run reads must be there; the other documented ones are read
        # when present
        wanted = [report.key, *(c for c, f in report.columns.items() if self.needed is None or f in self.needed)]
        missing = [c for c in wanted if c not in names]
        if missing:
            raise ColumnsMissing(report, missing)
        self.index = {
            name: names.index(name)
            for name in (*wanted, *report.columns, *report.optional, "Report Refresh Date", "Is Deleted")
            if name in names
        }
        columns = {**report.columns, **report.optional}
        self._wanted = [
            (self.index[column], column, field) for column, field in columns.items() if column in self.index
        ]

    def row(self, cells: list[str]) -> None:
        if self.index is None:
            self.header(cells)
            return
        if not any(c.strip() for c in cells):
            return
        index = self.index
        if len(cells) < len(index) or max(index.values()) >= len(cells):
            raise BadReport(f"row {self.seen + 1} has {len(cells)} columns, fewer than the header")
        self.seen += 1
        if "Is Deleted" in index and cells[index["Is Deleted"]].strip().lower() == "true":
            return
        upn = cells[index[self.report.key]].strip()
        if "@" in upn:
            self.named += 1
        if "Report Refresh Date" in index and self.refreshed is None:
            refreshed = cells[index["Report Refresh Date"]].strip()
            self.refreshed = refreshed if is_date(refreshed) else None
        key = upn.lower()
        if not upn or (self.keep is not None and key not in self.keep):
            return
        texts = self._texts
        values = [_value(column, name, cells[i]) for i, column, name in self._wanted]
        # only texts (the dates) are shared: True == 1 and False == 0, so sharing numbers beside
        # the archive flag would turn an item count of 1 into True
        self.rows[key] = (upn, *(texts.setdefault(v, v) if isinstance(v, str) else v for v in values))

    def fields(self) -> tuple[str, ...]:
        """The snapshot fields of the values in `rows`, in order."""
        return tuple(name for _, _, name in self._wanted)

    @property
    def concealed(self) -> bool:
        """Rows whose user names are all hashes: the tenant conceals names in reports."""
        return self.seen > 0 and self.named == 0


def merge_rows(readers: Iterable[RowReader]) -> tuple[UserUsage, ...]:
    """One UserUsage per user, from every report that listed the user, sorted by UPN. Each
    reader's rows are dropped once merged (only one copy of a million rows at a time)."""
    merged: dict[str, UserUsage] = {}
    replace = msgspec.structs.replace
    for reader in sorted(readers, key=lambda r: r.report.name):
        name, fields = reader.report.name, reader.fields()
        for key, (upn, *values) in reader.rows.items():
            found = merged.get(key)
            extra = dict(zip(fields, values, strict=True))
            merged[key] = (
                UserUsage(upn, **extra, reports=(name,))
                if found is None
                else replace(found, **extra, reports=(*found.reports, name))
            )
        reader.rows = {}
    return tuple(merged[key] for key in sorted(merged))


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
