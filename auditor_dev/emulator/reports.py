"""The Microsoft 365 usage reports, served from the snapshot's `usageReports` section.

    GET /v1.0/admin/reportSettings                      {"displayConcealedNames": ...}
    GET /v1.0/reports/{getOffice365ActiveUserDetail|getM365AppUserDetail|getMailboxUsageDetail|
                       getOneDriveUsageAccountDetail}(period='Dn')
        302, Location: http://localhost:PORT/download/{token}   (another host than 127.0.0.1: the
        client must not send its bearer token there; a download that carries one is refused with 400
        and counted in `ReportServer.token_leaks`)
    GET /download/{token}                               200 text/csv, with the byte order mark of
                                                        Microsoft's report files; no token needed
    GET /{v1.0,beta}/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='Dn',version='v2')
                                                        200 CSV; version v1 (the default) or v2, whose
                                                        nine more columns Microsoft lists; a period the
                                                        version does not take (v2: D28, not D30) is 400
    GET /beta/reports/azureADPremiumLicenseInsight      Microsoft's own P1/P2 counts (license_insight.py)
    GET /beta/copilot/costManagement/getTenantCreditBalance   the Copilot Credits balance (copilot_credits.py);
    GET /beta/copilot/costManagement/usageReports/{serviceUsageRecords,fundingUsageRecords}   the month's
                                                        Copilot Credits use (copilot_credit_use.py);
                                                        on /v1.0 400 "Resource not found for the segment
                                                        'costManagement'" (beta only)
    GET /v1.0/copilot/reports/...                       400 "Resource not found for the segment
                                                        'copilot'" with ReportOptions(copilot_v1=False)
                                                        (an endpoint that has not moved it yet)

Columns are the ones Microsoft documents for each report, in its order (the auditor reads only
some, by name); the Copilot report's other dates and counters come from each row's
`copilotActivity`, by column name. Periods outside each report's documented values are 400. With
ReportOptions(concealed=True) reportSettings says so and the user principal and display names in
the CSVs are hashes, as Microsoft conceals them. With ReportOptions(licensed_rows=True) the
active-user report lists every licensed user, as Microsoft's does, blank dates where the snapshot
holds no usage row for them. With ReportOptions(report_period={name: "7"}) a report's Report Period
column says another period than the one asked for (a service that answers for another window).
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from auditor.data.model import TenantSnapshot
from auditor.data.usage_data import ACTIVE_USERS, COPILOT, REPORTS, UserUsage

from .copilot_credit_use import FUNDING, SERVICES, credit_use
from .copilot_credit_use import ROOT_SEGMENTS as USE_SEGMENTS
from .copilot_credits import CREDITS_SEGMENTS, copilot_credits
from .errors import GraphError, error_document
from .license_insight import license_insight

# Microsoft's documented columns per report (Graph v1.0 reference, CSV), in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "getOffice365ActiveUserDetail": (
        "Report Refresh Date",
        "User Principal Name",
        "Display Name",
        "Is Deleted",
        "Deleted Date",
        "Has Exchange License",
        "Has OneDrive License",
        "Has SharePoint License",
        "Has Skype For Business License",
        "Has Yammer License",
        "Has Teams License",
        "Exchange Last Activity Date",
        "OneDrive Last Activity Date",
        "SharePoint Last Activity Date",
        "Skype For Business Last Activity Date",
        "Yammer Last Activity Date",
        "Teams Last Activity Date",
        "Exchange License Assign Date",
        "OneDrive License Assign Date",
        "SharePoint License Assign Date",
        "Skype For Business License Assign Date",
        "Yammer License Assign Date",
        "Teams License Assign Date",
        "Assigned Products",
    ),
    "getM365AppUserDetail": (
        "Report Refresh Date",
        "User Principal Name",
        "Last Activation Date",
        "Last Activity Date",
        "Report Period",
        "Windows",
        "Mac",
        "Mobile",
        "Web",
        "Outlook",
        "Word",
        "Excel",
        "PowerPoint",
        "OneNote",
        "Teams",
    ),
    "getMailboxUsageDetail": (
        "Report Refresh Date",
        "User Principal Name",
        "Display Name",
        "Is Deleted",
        "Deleted Date",
        "Created Date",
        "Last Activity Date",
        "Item Count",
        "Storage Used (Byte)",
        "Issue Warning Quota (Byte)",
        "Prohibit Send Quota (Byte)",
        "Prohibit Send/Receive Quota (Byte)",
        "Deleted Item Count",
        "Deleted Item Size (Byte)",
        "Deleted Item Quota (Byte)",
        "Has Archive",
        "Report Period",
    ),
    "getOneDriveUsageAccountDetail": (
        "Report Refresh Date",
        "Site URL",
        "Owner Display Name",
        "Is Deleted",
        "Last Activity Date",
        "File Count",
        "Active File Count",
        "Storage Used (Byte)",
        "Storage Allocated (Byte)",
        "Owner Principal Name",
        "Report Period",
    ),
    "getMicrosoft365CopilotUsageUserDetail": (
        "Report Refresh Date",
        "User Principal Name",
        "Display Name",
        "Last Activity Date",
        "Copilot Chat Last Activity Date",
        "Microsoft Teams Copilot Last Activity Date",
        "Word Copilot Last Activity Date",
        "Excel Copilot Last Activity Date",
        "PowerPoint Copilot Last Activity Date",
        "Outlook Copilot Last Activity Date",
        "OneNote Copilot Last Activity Date",
        "Loop Copilot Last Activity Date",
        "Report Period",
    ),
}
# Version v2 of the Copilot report: "all of the information from version 1, with the following
# additional information" (Microsoft's page lists these nine; their place among v1's is not
# documented: after v1's, before Report Period, here)
COPILOT_V2_EXTRA = (
    "Prompts submitted for all apps",
    "Prompts submitted for Copilot Chat (work)",
    "Prompts submitted for Copilot Chat (web)",
    "Active Usage Days for all apps",
    "Copilot Chat (work) Last Activity Date",
    "Copilot Chat (web) Last Activity Date",
    "Microsoft 365 Copilot Last Activity Date",
    "Edge Last Activity Date",
    "Copilot Agent Last Activity Date",
)
PERIODS: dict[str, tuple[str, ...]] = {name: ("D7", "D30", "D90", "D180") for name in COLUMNS}
# the Copilot report's periods per version ("For `v1`, they are: `D7`, `D30`, `D90`, `D180`, `ALL`.
# For `v2`, they are `D7`, `D28`, `D90`, `D180`, `ALL`."); `v1` is the default
COPILOT_PERIODS = {"v1": ("D7", "D30", "D90", "D180", "ALL"), "v2": ("D7", "D28", "D90", "D180", "ALL")}
PERIODS["getMicrosoft365CopilotUsageUserDetail"] = COPILOT_PERIODS["v2"]
BOM = "\ufeff"


def documented(name: str, version: str = "v2") -> tuple[str, ...]:
    """The columns Microsoft documents for report `name` (the Copilot report's in `version`), in order."""
    columns = COLUMNS[name]
    if name == COPILOT.name and version == "v2":
        return (*columns[:-1], *COPILOT_V2_EXTRA, columns[-1])
    return columns


@dataclass
class ReportOptions:
    concealed: bool = False  # displayConcealedNames: true, and hashed names in the reports
    # the Copilot report on v1.0 too, as Microsoft documents it now (False: only on beta, as first documented)
    copilot_v1: bool = True
    # CSV column -> the name the report gives it now ("" drops it): Microsoft renames and drops columns
    renamed: Mapping[str, str] = field(default_factory=dict)
    empty: frozenset[str] = frozenset()  # reports served as an empty body (a new tenant: no data yet)
    # getOffice365ActiveUserDetail lists every licensed user, as Microsoft's does ("Has ... License"
    # columns): one without a usage row comes with blank dates (no activity in the period)
    licensed_rows: bool = False
    # report name -> the Report Period its rows say, whatever period was asked for
    report_period: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ReportServer:
    snapshot: TenantSnapshot
    options: ReportOptions = field(default_factory=ReportOptions)
    token_leaks: int = 0  # downloads that arrived with an Authorization header
    _downloads: dict[str, bytes] = field(default_factory=dict)
    _rendered: dict[tuple[str, str, str, bool], bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def serves(path: str) -> bool:
        return (
            path.startswith(("/download/", "/beta/", "/v1.0/reports/", "/v1.0/copilot/"))
            or path == "/v1.0/admin/reportSettings"
        )

    def csv(self, name: str, period: str, version: str = "v2") -> bytes:
        """The report as Microsoft's download serves it. Rendered once per report, period, version
        (the Copilot report's) and concealment: Microsoft serves reports it has already generated (at
        a million users the rendering took seconds of the emulator's CPU on every request)."""
        if name in self.options.empty:
            return b""
        key = (name, period, version, self.options.concealed)
        with self._lock:
            done = self._rendered.get(key)
        if done is None:
            done = self._render(name, period, version)
            with self._lock:
                self._rendered[key] = done
        return done

    def prepare(self, days: int) -> None:
        """Render now each report for the period a rule of `days` days reads (GraphEmulator.prepare)."""
        for name, report in REPORTS.items():
            self.csv(name, report.period(days))

    def _render(self, name: str, period: str, version: str) -> bytes:
        usage = self.snapshot.usage_reports
        read = usage.read(name) if usage is not None else None
        refreshed = read.refreshed if read and read.refreshed else self.snapshot.collected_at[:10]
        renamed = self.options.renamed
        columns = [c for c in documented(name, version) if renamed.get(c, c)]
        wanted = {**REPORTS[name].columns, **REPORTS[name].optional}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([renamed.get(c, c) for c in columns])
        names = {u.user_principal_name.lower(): u.display_name for u in self.snapshot.users}
        rows = [row for row in (usage.users if usage is not None else ()) if name in row.reports]
        if self.options.licensed_rows and name == ACTIVE_USERS.name:
            listed = {row.userPrincipalName.lower() for row in rows}
            rows += [
                UserUsage(u.user_principal_name, reports=(name,))
                for u in self.snapshot.users
                if u.assigned_licenses and u.user_principal_name.lower() not in listed
            ]
        said = self.options.report_period.get(name) or (period.lstrip("D") if period != "ALL" else "180")
        for row in rows:
            writer.writerow([self._cell(column, row, wanted, refreshed, said, names) for column in columns])
        return (BOM + out.getvalue()).encode("utf-8")

    def _cell(
        self, column: str, row: UserUsage, wanted: dict[str, str], refreshed: str, period: str, names: dict[str, str]
    ) -> str:
        if column == "Report Refresh Date":
            return refreshed
        if column == "Report Period":
            return period
        if column in ("User Principal Name", "Display Name", "Owner Principal Name", "Owner Display Name", "Site URL"):
            upn = row.userPrincipalName
            text = (
                upn
                if column.endswith("Principal Name")
                else _site(upn)
                if column == "Site URL"
                else names.get(upn.lower(), "")
            )
            return _conceal(text) if self.options.concealed else text
        if column == "Is Deleted":
            return "False"
        field_name = wanted.get(column)
        # the Copilot report's other columns, by name (no other report has a column of that name)
        value = getattr(row, field_name) if field_name else (row.copilotActivity or {}).get(column)
        if isinstance(value, bool):
            return "True" if value else "False"
        return "" if value is None else str(value)

    # --- HTTP --------------------------------------------------------------------------------

    def _credit_use(
        self, version: str, segments: list[str], query: Mapping[str, str], roles: frozenset[str] | None, port: int
    ) -> tuple[int, bytes, str, dict[str, str]]:
        """The Copilot cost management usage reports (copilot_credit_use.py)."""
        if version != "beta":
            return _error(400, "BadRequest", "Resource not found for the segment 'costManagement'.")
        if len(segments) != 4 or segments[3] not in (SERVICES, FUNDING):
            return _error(404, "NotFound", "The usage report root is not readable.")
        link = f"http://127.0.0.1:{port}/beta/{'/'.join(segments)}"
        try:
            return 200, _json(credit_use(self.snapshot, segments[3], query, roles, link)), "application/json", {}
        except GraphError as exc:
            return _error(exc.status, exc.code, exc.message)

    def answer(
        self,
        method: str,
        path: str,
        sent_token: bool,
        authorized: bool,
        port: int,
        roles: frozenset[str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes, str, dict[str, str]]:
        """(status, body, content type, extra headers) for a request `serves` accepted. `roles`: the
        token's application permissions (None: not checked); `query`: its query parameters."""
        if path.startswith("/download/"):
            if sent_token:
                with self._lock:
                    self.token_leaks += 1
                return _error(
                    400,
                    "BadRequest",
                    "The download URL is pre-authenticated; an Authorization header must not be sent to it.",
                )
            data = self._downloads.get(path[len("/download/") :])
            if data is None:
                return _error(404, "NotFound", "The download URL has expired.")
            return 200, data, "application/octet-stream", {}
        if not authorized:
            return _error(401, "InvalidAuthenticationToken", "Access token is empty.")
        if method != "GET":
            return _error(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        version, _, rest = path[1:].partition("/")
        segments = [unquote(s) for s in rest.split("/") if s]
        if version == "v1.0" and segments == ["admin", "reportSettings"]:
            doc = {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#admin/reportSettings/$entity",
                "displayConcealedNames": self.options.concealed,
            }
            return 200, _json(doc), "application/json", {}
        if version == "beta" and segments == ["reports", "azureADPremiumLicenseInsight"]:
            try:
                return 200, _json(license_insight(self.snapshot, roles)), "application/json", {}
            except GraphError as exc:
                return _error(exc.status, exc.code, exc.message)
        if segments == CREDITS_SEGMENTS:
            if version != "beta":
                return _error(400, "BadRequest", "Resource not found for the segment 'costManagement'.")
            try:
                return 200, _json(copilot_credits(self.snapshot, roles)), "application/json", {}
            except GraphError as exc:
                return _error(exc.status, exc.code, exc.message)
        if segments[:3] == USE_SEGMENTS:
            return self._credit_use(version, segments, query or {}, roles, port)
        copilot = segments[:2] == ["copilot", "reports"] and len(segments) == 3
        if copilot and version == "v1.0" and not self.options.copilot_v1:
            return _error(400, "BadRequest", "Resource not found for the segment 'copilot'.")
        if version == "v1.0" and segments[:1] == ["reports"] and len(segments) == 2:
            name, period = _function(segments[1])
            if name not in COLUMNS or name == "getMicrosoft365CopilotUsageUserDetail":
                return _error(400, "BadRequest", f"Resource not found for the segment '{segments[1]}'.")
            if period not in PERIODS[name]:
                return _error(400, "BadRequest", f"Invalid value for parameter 'period': {period!r}.")
            token = secrets.token_urlsafe(16)
            data = self.csv(name, period)
            with self._lock:
                self._downloads[token] = data
            # another host name for the same server: the download is cross-origin, as reports.office.com is
            return 302, b"", "text/plain", {"Location": f"http://localhost:{port}/download/{token}"}
        if copilot:
            name, args = _arguments(segments[2])
            if name != COPILOT.name:
                return _error(400, "BadRequest", f"Resource not found for the segment '{segments[2]}'.")
            version = args.get("version", "v1")  # "Optional. ... `v1` (default) and `v2`."
            if version not in COPILOT_PERIODS:
                return _error(400, "BadRequest", f"Invalid value for parameter 'version': {version!r}.")
            period = args.get("period", "")
            if period not in COPILOT_PERIODS[version]:
                return _error(400, "BadRequest", f"Invalid value for parameter 'period': {period!r}.")
            return 200, self.csv(name, period, version), "application/octet-stream", {}
        return _error(400, "BadRequest", f"Resource not found for the segment '{segments[-1] if segments else ''}'.")


def _function(segment: str) -> tuple[str, str]:
    """("getX", "D90") from "getX(period='D90')"."""
    name, args = _arguments(segment)
    return name, args.get("period", "") if set(args) == {"period"} else ""


def _arguments(segment: str) -> tuple[str, dict[str, str]]:
    """("getX", {"period": "D90", "version": "v2"}) from "getX(period='D90',version='v2')"."""
    name, _, args = segment.partition("(")
    found: dict[str, str] = {}
    for part in args.rstrip(")").split(","):
        key, _, value = part.partition("=")
        if key.strip():
            found[key.strip()] = value.strip().strip("'")
    return name, found


def _site(upn: str) -> str:
    """The OneDrive address Microsoft makes from a UPN: its '@' and '.' become '_' under the
    tenant's -my.sharepoint.com host (the tenant part here is the UPN's domain, a stand-in)."""
    local, _, domain = upn.partition("@")
    person = f"{local}_{domain}".replace(".", "_")
    return f"https://{domain.split('.')[0] or 'tenant'}-my.sharepoint.com/personal/{person}"


def _conceal(value: str) -> str:
    return hashlib.md5(value.encode(), usedforsecurity=False).hexdigest().upper() if value else ""


def _json(doc: Any) -> bytes:
    import json

    return json.dumps(doc, separators=(",", ":")).encode()


def _error(status: int, code: str, message: str) -> tuple[int, bytes, str, dict[str, str]]:
    return status, _json(error_document(code, message)), "application/json", {}


__all__ = ["COLUMNS", "GraphError", "ReportOptions", "ReportServer", "documented"]
