"""The usage reports read from the emulator with the real SDK: one request per report, the 302
download read without the bearer token, the Copilot report on v1.0 or beta, concealed names and
national clouds as named gaps, and redirects that must not be followed."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest
from emulator_faults import Fault, FaultKind

from auditor.cli import main
from auditor.common.errors import CollectionError
from auditor.data.model import Cloud, TenantSnapshot
from auditor.data.usage_data import (
    ACTIVE_USERS,
    APPS,
    COPILOT,
    MAILBOXES,
    REPORTS,
    STORAGE_REPORTS,
    USAGE_REPORTS,
    ReportRead,
    UsageNeed,
    UsageReports,
    UserUsage,
)
from auditor.graph import CollectOptions, GraphClient, Progress, RetryPolicy, StaticTokenCredential, collect
from auditor.rules.usage.activity import Rightsize
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor.snapshot import load_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, Reply, ReportOptions, Request, app_token, error_document
from auditor_dev.sample.generate import generate_tenant
from tests.loopback import http

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contoso-policy.yaml"
FAST = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_cap=0.05, max_retry_after=1, max_total_wait=5)
ALL = UsageNeed(frozenset(REPORTS), 60)


def tenant_with_usage() -> TenantSnapshot:
    """A generated tenant whose usage section lists 30 users in every report, some display names
    holding what a CSV must quote (commas, quotes, a line break)."""
    snap = generate_tenant(60, seed=3)
    users = [u for u in snap.users if u.assigned_licenses][:30]
    odd = {0: 'Comma, "Quoted"', 1: "TextRef\nBreak", 2: "Ünïcødé ✓"}
    changed = list(snap.users)
    for i, name in odd.items():
        pos = changed.index(users[i])
        changed[pos] = _renamed(changed[pos], name)
    rows = tuple(
        sorted(
            (
                UserUsage(
                    u.user_principal_name,
                    teamsLastActivityDate=f"2026-10-{i % 28 + 1:02d}" if i % 3 else None,
                    exchangeLastActivityDate="2026-09-15" if i % 2 else None,
                    m365AppsLastActivityDate="2026-08-01" if i % 5 == 0 else None,
                    copilotLastActivityDate="2026-07-04" if i % 4 == 0 else None,
                    copilotChatWorkLastActivityDate="2026-10-20" if i % 6 == 0 else None,
                    copilotAgentLastActivityDate="2026-10-02" if i % 8 == 0 else None,
                    storageUsedInBytes=i * 1_000_000,
                    hasArchive=i % 7 == 0,
                    reports=tuple(sorted(REPORTS)),
                )
                for i, u in enumerate(users)
            ),
            key=lambda r: r.userPrincipalName.lower(),
        )
    )
    reads = tuple(ReportRead(name, "D90", "2026-10-30", "") for name in sorted(REPORTS))
    return dataclasses.replace(snap, users=tuple(changed), usage_reports=UsageReports(reads, rows))


def _renamed(user: Any, name: str) -> Any:
    import msgspec

    return msgspec.structs.replace(user, display_name=name)


class Run:
    def __init__(
        self,
        snapshot: TenantSnapshot,
        *,
        options: ReportOptions | None = None,
        roles: tuple[str, ...] = DEMO_ROLES,
        responders: Sequence[Any] = (),
        cloud: Cloud | None = None,
    ):
        self.snapshot = snapshot
        self.token = app_token(snapshot.tenant_id, roles)
        self.graph = GraphEmulator(snapshot, token=self.token, reports=options, responders=responders)
        self.cloud = cloud or snapshot.cloud
        self.stderr = io.StringIO()

    def collect(self, need: UsageNeed | None = ALL) -> TenantSnapshot:
        async def go() -> TenantSnapshot:
            client = GraphClient(
                base_url=self.graph.url,
                credential=StaticTokenCredential(self.token),
                cloud=self.cloud,
                retry=FAST,
                progress=Progress(self.stderr, interval=0),
            )
            try:
                return await collect(client, CollectOptions(usage_reports=need))
            finally:
                await client.aclose()

        with self.graph:
            return asyncio.run(go())

    def paths(self) -> list[tuple[str, int]]:
        return [
            (r.path, r.status)
            for r in self.graph.requests
            if r.path.startswith(("/reports", "/download", "/beta", "/copilot", "/admin"))
        ]


def test_every_report_is_read_whole_with_one_request_each_and_matches_the_tenant() -> None:
    snap = tenant_with_usage()
    run = Run(snap)
    got = run.collect()
    assert got.gaps == () and USAGE_REPORTS in got.collected_datasets
    assert got.usage_reports is not None and snap.usage_reports is not None
    assert got.usage_reports.users == snap.usage_reports.users  # quoted names, line breaks, the BOM: all read back
    # the storage reports with D7 (their sizes are those of the refresh date in every period)
    assert [(r.name, r.period, r.refreshed) for r in got.usage_reports.reports] == [
        (name, "D7" if name in STORAGE_REPORTS else "D90", "2026-10-30") for name in sorted(REPORTS)
    ]
    paths = run.paths()
    assert paths[0] == ("/admin/reportSettings", 200)
    report_requests = [p for p, _ in paths if p.startswith(("/reports/", "/copilot/", "/beta/"))]
    # one request per report (the Copilot one on v1.0 under /copilot, in version v2, as Microsoft documents it)
    assert sorted(report_requests) == sorted(
        [
            "/reports/getOffice365ActiveUserDetail(period='D90')",
            "/reports/getM365AppUserDetail(period='D90')",
            "/reports/getMailboxUsageDetail(period='D7')",
            "/reports/getOneDriveUsageAccountDetail(period='D7')",
            "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')",
        ]
    )
    assert [s for p, s in paths if p.startswith("/reports/")] == [302, 302, 302, 302]
    assert len([p for p, s in paths if p.startswith("/download/") and s == 200]) == 4
    # the downloads are on another host name: the bearer token never went there
    assert run.graph.reports.token_leaks == 0
    copilot = got.usage_reports.read(COPILOT.name)
    assert copilot is not None and not copilot.request.endswith("(beta)")


def test_the_copilot_report_is_asked_on_beta_where_v1_does_not_know_it() -> None:
    """An endpoint whose v1.0 does not know /copilot yet (400 for the segment): the same path on beta."""
    run = Run(tenant_with_usage(), options=ReportOptions(copilot_v1=False))
    got = run.collect(UsageNeed(frozenset((COPILOT.name,)), 60))
    assert got.gaps == () and got.usage_reports is not None
    assert [p for p, _ in run.paths() if "copilot" in p] == [
        "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')",
        "/beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')",
    ]
    copilot = got.usage_reports.read(COPILOT.name)
    assert copilot is not None and copilot.request.endswith("(beta)")
    chat = {u.userPrincipalName: u.copilotChatWorkLastActivityDate for u in got.usage_reports.users}
    assert "2026-10-20" in chat.values()


def test_the_v2_columns_are_read_and_a_v1_answer_is_a_named_gap() -> None:
    """The Chat (work) and agent dates come only with version v2: a report without them (a v1 answer,
    here the emulator dropping the v2 column) is the named gap of its columns, never "idle"."""
    snap = tenant_with_usage()
    got = Run(snap).collect(UsageNeed(frozenset((COPILOT.name,)), 60))
    assert got.usage_reports is not None and snap.usage_reports is not None
    want = {u.userPrincipalName: u.copilotAgentLastActivityDate for u in snap.usage_reports.users}
    assert {u.userPrincipalName: u.copilotAgentLastActivityDate for u in got.usage_reports.users} == want
    assert any(want.values())
    fields = frozenset({"copilotLastActivityDate", "copilotChatWorkLastActivityDate"})
    dropped = Run(snap, options=ReportOptions(renamed={"Copilot Chat (work) Last Activity Date": ""}))
    gone = dropped.collect(UsageNeed(frozenset((COPILOT.name,)), 60, fields))
    [gap] = gone.gaps
    assert gone.usage_reports is None
    assert "'Copilot Chat (work) Last Activity Date'" in gap.reason and "Copilot Chat" in gap.reason


def test_every_date_column_and_the_counts_of_the_copilot_report_are_read() -> None:
    """Each "... Last Activity Date" column beside the three named ones (v2's Chat on the web, the
    Microsoft 365 Copilot app, Edge; v1's per app; one Microsoft renames) and the all-apps counts are
    kept by column name, with the header; a report for another Report Period is a named gap."""
    snap = tenant_with_usage()
    assert snap.usage_reports is not None
    first, second = snap.usage_reports.users[:2]
    activity: dict[str, dict[str, str | int]] = {
        first.userPrincipalName: {
            "Copilot Chat (web) Last Activity Date": "2026-10-28",
            "Edge Last Activity Date": "2026-10-27",
            "Prompts submitted for all apps": 57,
            "Active Usage Days for all apps": 21,
        },
        second.userPrincipalName: {"Loop Copilot Last Activity Date": "2026-10-26"},
    }
    rows = tuple(
        msgspec.structs.replace(u, copilotActivity=activity.get(u.userPrincipalName)) for u in snap.usage_reports.users
    )
    snap = dataclasses.replace(snap, usage_reports=dataclasses.replace(snap.usage_reports, users=rows))
    renamed = {"Loop Copilot Last Activity Date": "Copilot Pages Last Activity Date"}
    got = Run(snap, options=ReportOptions(renamed=renamed)).collect(UsageNeed(frozenset((COPILOT.name,)), 60))
    assert got.gaps == () and got.usage_reports is not None
    read = {u.userPrincipalName: u.copilotActivity for u in got.usage_reports.users}
    assert read[first.userPrincipalName] == activity[first.userPrincipalName]
    assert read[second.userPrincipalName] == {"Copilot Pages Last Activity Date": "2026-10-26"}
    kept = got.usage_reports.read(COPILOT.name)
    assert kept is not None and kept.columns is not None
    assert "Edge Last Activity Date" in kept.columns and kept.columns[-1] == "Report Period"

    other = Run(snap, options=ReportOptions(report_period={COPILOT.name: "7"}))
    gone = other.collect(UsageNeed(frozenset((COPILOT.name,)), 60))
    [gap] = gone.gaps
    assert gone.usage_reports is None and gap.dataset == USAGE_REPORTS
    assert "Report Period '7'" in gap.reason and "asked D90" in gap.reason


def test_the_emulator_refuses_what_the_copilot_report_does_not_take() -> None:
    """v1 is the default version; v2 takes D28 and not D30, v1 the other way round; no v3."""
    run = Run(tenant_with_usage())
    base = "/copilot/reports/getMicrosoft365CopilotUsageUserDetail"
    with run.graph:
        auth = {"Authorization": f"Bearer {run.token}"}

        def ask(args: str) -> int:
            return http.get(f"{run.graph.url}{base}({args})", headers=auth).status_code

        assert ask("period='D28',version='v2'") == 200
        assert ask("period='D30',version='v2'") == 400
        assert ask("period='D30'") == 200 and ask("period='D28'") == 400
        assert ask("period='D90',version='v3'") == 400
        v1 = http.get(f"{run.graph.url}{base}(period='D90')", headers=auth).text
        v2 = http.get(f"{run.graph.url}{base}(period='D90',version='v2')", headers=auth).text
    assert "Copilot Agent Last Activity Date" in v2 and "Copilot Agent Last Activity Date" not in v1


def test_the_settings_are_read_beside_the_users_and_the_reports_all_at_once() -> None:
    """/admin/reportSettings does not wait for the users (held a second here), and no report waits
    for another (the mailbox report is held a second: the others are asked meanwhile)."""
    snap = tenant_with_usage()
    users = Fault(FaultKind.SLOW, r"^GET /v1.0/users\?", count=1, delay=1.0)
    mailbox = Fault(FaultKind.SLOW, r"getMailboxUsageDetail", count=1, delay=1.0)
    run = Run(snap, responders=[users, mailbox])
    got = run.collect()
    assert got.gaps == () and got.usage_reports is not None and got.usage_reports.users == snap.usage_reports.users  # type: ignore[union-attr]
    logged = run.graph.requests
    listing = next(r for r in logged if r.path == "/users")
    settings = next(r for r in logged if r.path == "/admin/reportSettings")
    assert settings.at < listing.at + users.delay
    held = next(r for r in logged if "getMailboxUsageDetail" in r.path)
    others = [r for r in logged if r.path.startswith(("/reports/", "/copilot/")) and r is not held]
    assert len(others) == len(REPORTS) - 1
    assert all(held.at - 0.5 < r.at < held.at + mailbox.delay for r in others)


def test_the_emulator_catches_a_token_sent_to_the_download_host() -> None:
    """The check the test above relies on can fail: a download with the token is refused and counted."""

    run = Run(tenant_with_usage())
    with run.graph:
        auth = {"Authorization": f"Bearer {run.token}"}
        answer = http.get(f"{run.graph.url}/reports/getM365AppUserDetail(period='D30')", headers=auth)
        assert answer.status_code == 302
        location = answer.headers["location"]
        assert location.startswith("http://localhost:")
        assert http.get(location, headers=auth).status_code == 400
        assert run.graph.reports.token_leaks == 1
        assert http.get(location).status_code == 200


def test_the_copilot_report_on_v1_is_not_asked_again_on_beta() -> None:
    run = Run(tenant_with_usage(), options=ReportOptions(copilot_v1=True))
    got = run.collect(UsageNeed(frozenset((COPILOT.name,)), 30))
    assert got.gaps == () and got.usage_reports is not None
    assert [p for p, _ in run.paths() if "copilot" in p] == [
        "/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')"
    ]  # D28 < 30 days: D90
    assert got.usage_reports.read(COPILOT.name).request == (  # type: ignore[union-attr]
        "GET /copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')"
    )


def test_only_the_needed_reports_are_read_with_the_shortest_period_that_covers_the_window() -> None:
    run = Run(tenant_with_usage())
    got = run.collect(UsageNeed(frozenset((ACTIVE_USERS.name,)), 30))
    assert [p for p, _ in run.paths() if p.startswith("/reports/")] == [
        "/reports/getOffice365ActiveUserDetail(period='D30')"
    ]
    assert got.usage_reports is not None
    assert {r for u in got.usage_reports.users for r in u.reports} == {ACTIVE_USERS.name}
    assert all(u.storageUsedInBytes is None for u in got.usage_reports.users)


def test_concealed_names_are_a_named_gap_and_no_report_is_read() -> None:
    run = Run(tenant_with_usage(), options=ReportOptions(concealed=True))
    got = run.collect()
    assert got.usage_reports is None and USAGE_REPORTS not in got.collected_datasets
    [gap] = got.gaps
    assert gap.dataset == USAGE_REPORTS and "conceal user names" in gap.reason
    assert "Org settings > Reports" in gap.reason
    assert run.paths() == [("/admin/reportSettings", 200)]


def forbid_settings(request: Request) -> Reply | None:
    if request.path == "/admin/reportSettings":
        return Reply(403, error_document("Authorization_RequestDenied", "Insufficient privileges."))
    return None


def test_concealed_names_are_told_from_the_rows_when_the_setting_cannot_be_read() -> None:
    run = Run(tenant_with_usage(), options=ReportOptions(concealed=True), responders=[forbid_settings])
    got = run.collect(UsageNeed(frozenset((APPS.name,)), 30))
    [gap] = got.gaps
    assert "conceal user names" in gap.reason and gap.request == "GET /reports/getM365AppUserDetail(period='D30')"
    assert got.usage_reports is None
    assert "concealed names are told from the reports" in run.stderr.getvalue()


def test_without_reports_read_all_nothing_is_asked_and_the_gap_names_the_permission() -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "Reports.Read.All")
    run = Run(tenant_with_usage(), roles=roles)
    got = run.collect()
    [gap] = got.gaps
    assert "Reports.Read.All" in gap.reason and gap.dataset == USAGE_REPORTS
    assert run.paths() == []


def test_a_403_on_a_report_is_a_gap() -> None:
    def forbid(request: Request) -> Reply | None:
        return Reply(403, error_document("UnknownError", "")) if "getMailboxUsageDetail" in request.path else None

    got = Run(tenant_with_usage(), responders=[forbid]).collect()
    [gap] = got.gaps
    assert gap.request == "GET /reports/getMailboxUsageDetail(period='D7')" and "Reports.Read.All" in gap.reason


@pytest.mark.parametrize("cloud", [Cloud.USGOV, Cloud.USGOV_DOD, Cloud.CHINA])
def test_national_clouds_get_a_gap_per_report_and_no_request(cloud: Cloud) -> None:
    run = Run(tenant_with_usage(), cloud=cloud)
    got = run.collect(UsageNeed(frozenset((COPILOT.name, MAILBOXES.name)), 30))
    # the mailbox report is evidence of size, not a rule's data: no gap (tests/graph/test_storage_evidence.py)
    assert [(g.dataset, g.request) for g in got.gaps] == [
        (USAGE_REPORTS, "GET /copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90',version='v2')")
    ]
    assert all("global service only" in g.reason for g in got.gaps)
    assert run.paths() == []


def redirect_to(location: str) -> Any:
    def responder(request: Request) -> Reply | None:
        if request.path.startswith("/reports/"):
            return Reply(302, b"", {"Location": location}, content_type="text/plain")
        return None

    return responder


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://reports.example/data/download/x", "not an https URL"),
        ("https://user:secret@reports.example/data/download/x", "user credentials"),
        ("/v1.0/../admin/reportSettings", "outside the Graph endpoint"),
        ("", "without a Location"),
        ("/v1.0/reports/getM365AppUserDetail(period='D30')", "a page already read"),
    ],
)
def test_unsafe_redirects_are_not_followed(location: str, message: str) -> None:
    """Nothing is sent to the redirect; the report is the usage's gap, naming why (issue 95: a malformed
    answer of an optional read is that part's gap, not the end of the audit)."""
    run = Run(tenant_with_usage(), responders=[redirect_to(location)])
    got = run.collect(UsageNeed(frozenset((APPS.name,)), 30))
    assert got.usage_reports is None
    [gap] = got.gaps
    assert gap.dataset == USAGE_REPORTS and message in gap.reason
    assert not [p for p, _ in run.paths() if p.startswith("/download/")]


def test_an_expired_download_asks_for_the_report_again() -> None:
    state = {"n": 0}

    def expire_first(request: Request) -> Reply | None:
        if request.path.startswith("/download/") and state["n"] == 0:
            state["n"] += 1
            return Reply(404, error_document("NotFound", "The download URL has expired."))
        return None

    run = Run(tenant_with_usage(), responders=[expire_first])
    got = run.collect(UsageNeed(frozenset((APPS.name,)), 30))
    assert got.gaps == () and got.usage_reports is not None and len(got.usage_reports.users) == 30
    assert [s for p, s in run.paths() if p.startswith("/reports/")] == [302, 302]


def test_a_report_whose_column_a_rule_reads_was_renamed_is_a_named_gap() -> None:
    """Microsoft renamed "Yammer Last Activity Date" (Viva Engage): the audit goes on, and the gap
    names the report, the column and the workload that reads it."""
    run = Run(
        tenant_with_usage(),
        options=ReportOptions(renamed={"Yammer Last Activity Date": "Viva Engage Last Activity Date"}),
    )
    got = run.collect(UsageNeed(frozenset((ACTIVE_USERS.name, APPS.name)), 30))
    assert got.usage_reports is None
    [gap] = got.gaps
    assert gap.dataset == USAGE_REPORTS
    assert gap.request == "GET /reports/getOffice365ActiveUserDetail(period='D30')"
    assert gap.reason.startswith(
        "getOffice365ActiveUserDetail has no column 'Yammer Last Activity Date' (Microsoft "
        "may have renamed or dropped it; docs/graph.md lists the columns read), which Viva "
        "Engage needs: the usage rules are not evaluated for any user in this run"
    )


def test_only_the_columns_a_rule_of_the_run_reads_must_be_there() -> None:
    """The Skype for Business-like drop of a column no rule of the run reads is no gap."""
    run = Run(tenant_with_usage(), options=ReportOptions(renamed={"Yammer Last Activity Date": ""}))
    need = UsageNeed(frozenset((ACTIVE_USERS.name,)), 30, frozenset(("teamsLastActivityDate",)))
    got = run.collect(need)
    assert got.gaps == () and got.usage_reports is not None
    assert all(u.yammerLastActivityDate is None for u in got.usage_reports.users)
    assert any(u.teamsLastActivityDate for u in got.usage_reports.users)


def test_an_empty_report_is_a_named_gap_of_a_tenant_without_data_yet() -> None:
    run = Run(tenant_with_usage(), options=ReportOptions(empty=frozenset((APPS.name,))))
    got = run.collect(UsageNeed(frozenset((APPS.name,)), 30))
    [gap] = got.gaps
    assert gap.reason.startswith(
        "getM365AppUserDetail is empty (not even its header row): a new tenant's reports hold no data yet"
    )


def test_a_report_without_the_column_naming_its_users_is_a_named_gap() -> None:
    def bare(request: Request) -> Reply | None:
        if request.path.startswith("/download/"):
            return Reply(
                200,
                b"\xef\xbb\xbfReport Refresh Date,Last Activity Date\r\n2026-10-30,2026-10-01\r\n",
                content_type="application/octet-stream",
            )
        return None

    got = Run(tenant_with_usage(), responders=[bare]).collect(UsageNeed(frozenset((APPS.name,)), 30))
    [gap] = got.gaps
    assert "no column 'User Principal Name'" in gap.reason and "every column (the report names no user)" in gap.reason


def test_the_demo_audit_from_graph_equals_the_audit_of_its_saved_snapshot(tmp_path: Path) -> None:
    out_graph, out_snap, snap = tmp_path / "graph", tmp_path / "snap", tmp_path / "tenant.json"
    assert (
        main(
            [
                "audit",
                "--demo",
                "--output-dir",
                str(out_graph),
                "--format",
                "json",
                "--fail-on",
                "never",
                "--save-snapshot",
                str(snap),
            ]
        )
        == 0
    )
    saved = load_snapshot(snap)
    assert saved.usage_reports is not None
    assert {r.name for r in saved.usage_reports.reports} == {COPILOT.name, ACTIVE_USERS.name, *STORAGE_REPORTS}
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(snap),
                "--policies",
                str(EXAMPLE),
                "--output-dir",
                str(out_snap),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
                # the sample's billing file: --demo reads the same terms from its billing account, and a
                # seat finding's amount is the bill's (one answer per product)
                "--billing",
                str(ROOT / "auditor_dev" / "sample" / "sample-billing.csv"),
            ]
        )
        == 0
    )

    def findings(folder: Path) -> list[tuple[str, str, Any]]:
        doc = json.loads((folder / "report.json").read_text())
        return [(f["id"], f["rule"], f["monthly_cost"]) for f in doc["findings"]]

    from_graph = findings(out_graph)
    assert from_graph == findings(out_snap)
    rules = {rule for _, rule, _ in from_graph}
    assert {CopilotSeatIdle.id, Rightsize.id} <= rules


def test_redact_leaves_no_usage_finding_naming_its_user(tmp_path: Path) -> None:
    """Usage data is personal data: with --redact the HTML, Markdown and CSV name nobody the usage
    rules found (report.json, the machine record, stays whole)."""
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "--demo",
                "--redact",
                "--output-dir",
                str(out),
                "--format",
                "json,html,md,csv",
                "--fail-on",
                "never",
            ]
        )
        == 0
    )
    doc = json.loads((out / "report.json").read_text())
    people = [
        (f["subject"]["upn"], f["subject"]["display_name"])
        for f in doc["findings"]
        if f["rule"] in (CopilotSeatIdle.id, Rightsize.id)
    ]
    assert len(people) == 10
    # the person an idle Copilot seat moves to is a person the findings name too
    people += [
        (f["details"]["candidate"], f["details"]["candidate_name"])
        for f in doc["findings"]
        if f["rule"] == CopilotSeatIdle.id and "candidate" in f["details"]
    ]
    for name in ("report.html", "report.md", "findings.csv"):
        text = (out / name).read_text("utf-8-sig")
        for upn, display in people:
            local = upn.split("@")[0]
            assert local not in text and (len(display) < 3 or display not in text), (name, upn)
        assert "Person " in text or "person-" in text


@pytest.mark.parametrize(
    ("options", "cloud", "reason"),
    [
        (ReportOptions(concealed=True), "worldwide", "usage reports conceal user names"),
        (ReportOptions(), "usgov", "global service only"),
    ],
)
def test_the_audit_names_the_usage_gap_and_exits_3(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    options: ReportOptions,
    cloud: str,
    reason: str,
) -> None:
    sample = load_snapshot(ROOT / "auditor_dev" / "sample" / "sample-tenant.json")
    token = app_token(sample.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    out = tmp_path / "out"
    with GraphEmulator(sample, token=token, reports=options) as graph:
        code = main(
            [
                "audit",
                "--graph-endpoint",
                graph.url,
                "--cloud",
                cloud,
                "--auth",
                "token",
                "--policies",
                str(EXAMPLE),
                "--output-dir",
                str(out),
                "--format",
                "json",
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--fail-on",
                "never",
            ]
        )
    assert code == 3
    assert reason in capsys.readouterr().err
    doc = json.loads((out / "report.json").read_text())
    assert doc["complete"] is False and any(reason in g["reason"] for g in doc["gaps"])
    assert {n["rule"] for n in doc["not_evaluated"]} == {CopilotSeatIdle.id, Rightsize.id}
    assert not [f for f in doc["findings"] if f["rule"] in (CopilotSeatIdle.id, Rightsize.id)]


def test_report_rows_are_kept_for_the_tenants_users_in_any_case() -> None:
    from auditor.graph.usage_reports import UpnKeys
    from auditor.snapshot import UserDecoder

    users = UserDecoder(with_sign_in=False).values(
        [{"id": f"id-{i}", "userPrincipalName": f"User{i}@Contoso.example"} for i in range(1000)]
    )
    keys = UpnKeys(u.user_principal_name for u in users)
    assert "user7@contoso.example" in keys and "USER999@CONTOSO.EXAMPLE" in keys
    assert "user1000@contoso.example" not in keys and "" not in keys and None not in keys


# --- large reports and long lines ---------------------------------------------------------------

PAGE_LIMIT = 256 * 1024  # the client's page limit in these tests (64 MiB in production)


def _padded_apps_report(run: Run) -> bytes:
    """The tenant's getM365AppUserDetail CSV, followed by rows of users who are not the tenant's
    (the reader skips them): a report larger than PAGE_LIMIT, as a large tenant's is larger than 64 MiB."""
    own = run.graph.reports.csv(APPS.name, "D30")
    extra = "".join(
        f"2026-10-30,someone{i}@elsewhere.example,,,30,Yes,No,No,No,Yes,Yes,Yes,No,No,No\r\n" for i in range(8000)
    ).encode()
    body = own + extra
    assert len(body) > 2 * PAGE_LIMIT
    return body


def _collect_with_page_limit(run: Run, need: UsageNeed) -> TenantSnapshot:
    async def go() -> TenantSnapshot:
        client = GraphClient(
            base_url=run.graph.url,
            credential=StaticTokenCredential(run.token),
            retry=FAST,
            progress=Progress(run.stderr, interval=0),
            max_answer_bytes=PAGE_LIMIT,
        )
        try:
            return await collect(client, CollectOptions(usage_reports=need))
        finally:
            await client.aclose()

    with run.graph:
        return asyncio.run(go())


@pytest.mark.parametrize(
    "how",
    [
        "200 on the report request",
        pytest.param(
            "302 to a Location on the Graph host",
            marks=pytest.mark.off_contract("a download path on Graph's host, which its metadata does not carry"),
        ),
    ],
)
def test_a_report_answered_by_graph_itself_gets_the_download_limit_not_the_page_limit(how: str) -> None:
    body: dict[str, bytes] = {}

    def answer(request: Request) -> Reply | None:
        if request.path.startswith("/reports/getM365AppUserDetail"):
            if how.startswith("200"):
                return Reply(200, body["csv"], content_type="application/octet-stream")
            return Reply(302, b"", {"Location": "/v1.0/reportData/apps.csv"}, content_type="text/plain")
        if request.path == "/reportData/apps.csv":
            return Reply(200, body["csv"], content_type="application/octet-stream")
        return None

    run = Run(tenant_with_usage(), responders=[answer])
    body["csv"] = _padded_apps_report(run)
    got = _collect_with_page_limit(run, UsageNeed(frozenset((APPS.name,)), 30))
    assert got.gaps == () and got.usage_reports is not None and len(got.usage_reports.users) == 30
    assert "8,0" in run.stderr.getvalue()  # "(8,030 rows, 30 of the tenant's users)": every row was read


def _long_line_csv(length: int, quoted: bool) -> bytes:
    """A getM365AppUserDetail CSV whose first data row goes on with `length` characters of extra
    columns (Microsoft adds columns over time; the auditor reads only the named ones): plain
    ones, or quoted ones that each hold a line break."""
    header = ",".join(
        (
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
        )
    )
    extra = (',"' + "x" * 48 + "\n" + "x" * 47 + '"' if quoted else "," + "x" * 99) * (length // 100)
    return (
        f"\ufeff{header}\r\n2026-10-30,ann@contoso.example,,2026-10-01,30,Yes,No,No,No,Yes,Yes,Yes,No,No,No"
        f"{extra}\r\n2026-10-30,bob@contoso.example,,,30,No,No,No,No,No,No,No,No,No,No\r\n"
    ).encode()


def _time_to_read(data: bytes, chunk: int) -> float:
    """CPU seconds this thread spends reading `data` fed in `chunk`-byte pieces (best of three runs): the
    reading's own work, not the wall time a busy machine gave it (time lent to other processes is not in it)."""
    import time

    from auditor.data.usage_rows import RowReader
    from auditor.graph.usage_reports import _parse

    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    best = float("inf")
    for _ in range(3):
        reader = RowReader(APPS, None)
        started = time.thread_time()
        _parse(reader, pieces, "GET /reports/getM365AppUserDetail(period='D30')")
        best = min(best, time.thread_time() - started)
        assert sorted(reader.rows) == ["ann@contoso.example", "bob@contoso.example"]
    return best


@pytest.mark.parametrize("quoted", [False, True], ids=["one long line", "quoted fields with line breaks"])
def test_reading_a_very_long_line_takes_time_linear_in_its_length(quoted: bool) -> None:
    """8x the line, not 64x the time (a reader that re-joins what it holds at each piece of the
    answer takes 64x). Compared with itself on this machine, so no absolute timing."""
    small = _time_to_read(_long_line_csv(64 * 1024, quoted), 64)
    large = _time_to_read(_long_line_csv(8 * 64 * 1024, quoted), 64)
    # measured: about 1 ms and 25 ms (allocation, not the algorithm, adds the rest); 34 ms and 2.2 s before
    assert large < 24 * small + 0.1, f"{small:.4f}s for 1x, {large:.4f}s for 8x"


def test_a_row_longer_than_any_report_writes_stops_the_run_instead_of_filling_memory() -> None:
    from auditor.data.usage_rows import RowReader
    from auditor.graph.usage_reports import MAX_RECORD, _parse

    data = _long_line_csv(MAX_RECORD + 1000, quoted=False)
    for chunk in (64 * 1024, len(data)):  # the line across many pieces, or in one
        with pytest.raises(CollectionError, match="longer than 1,048,576 characters"):
            _parse(RowReader(APPS, None), [data[i : i + chunk] for i in range(0, len(data), chunk)], "GET /reports/x")
