"""The tenant's evidence of data size: getMailboxUsageDetail and getOneDriveUsageAccountDetail read
with the real msgraph-sdk from the emulator when a policy's changes depend on data size, kept per
user in the snapshot's usageReports, and given to rules by the tenant index as plain values. No
permission, or concealed names, is a named gap: never sizes that read as "fits"."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import msgspec
import pytest
from test_usage_reports import Run as UsageRun

from auditor.cli import main
from auditor.common.errors import SnapshotError
from auditor.data.model import Cloud, TenantSnapshot, User
from auditor.data.usage_data import (
    MAILBOXES,
    ONEDRIVE,
    STORAGE_REPORTS,
    USAGE_REPORTS,
    ReportRead,
    UsageNeed,
    UsageReports,
    UserUsage,
)
from auditor.data.usage_rows import RowReader, merge_rows
from auditor.graph import RetryPolicy
from auditor.policy.index import TenantIndex
from auditor.policy.objects import Assignment, HygieneCheck, Policy, PolicySet, Selector, UsageEntry
from auditor.reference.storage import SHARED_MAILBOX, storage_limits
from auditor.rules.requests import requests_of
from auditor.snapshot import load_snapshot, save_snapshot, snapshot_from_json, write_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, Reply, ReportOptions, Request, app_token, error_document
from auditor_dev.emulator.reports import BOM, COLUMNS, ReportServer
from auditor_dev.sample.generate import generate_tenant

ROOT = Path(__file__).resolve().parents[2]
FAST = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_cap=0.05, max_retry_after=1, max_total_wait=5)
GIB = 1024**3
STORAGE = UsageNeed(frozenset(STORAGE_REPORTS), 0)
LEAVERS = Policy("leavers", "leavers.yaml", hygiene={"disabled_users": HygieneCheck()})


def storage_tenant() -> tuple[TenantSnapshot, dict[str, User]]:
    """A test tenant (the sample's reports must not change, so the shared mailbox over 50 GB lives
    here): two E3 holders with 1.1 GB and 8.4 GB mailboxes (the larger with an archive), a shared
    mailbox of 60 GB, OneDrive sizes, and one E3 holder the reports do not list."""
    snap = generate_tenant(40, seed=5)
    e3 = [
        u
        for u in snap.users
        if any(lic.sku_id == "05e9a617-0261-4cee-bb44-138d3ef5d965" for lic in u.assigned_licenses)
    ]
    small, large, shared, unlisted = e3[:4]
    users = list(snap.users)
    users[users.index(shared)] = shared = shared.with_values(mailbox_purpose="shared")
    rows = (
        UserUsage(
            small.user_principal_name,
            storageUsedInBytes=round(1.1 * GIB),
            hasArchive=False,
            itemCount=4_210,
            oneDriveStorageUsedInBytes=round(0.4 * GIB),
            reports=STORAGE_REPORTS,
        ),
        UserUsage(
            large.user_principal_name,
            storageUsedInBytes=round(8.4 * GIB),
            hasArchive=True,
            itemCount=61_877,
            oneDriveStorageUsedInBytes=round(1.6 * GIB),
            reports=STORAGE_REPORTS,
        ),
        UserUsage(
            shared.user_principal_name,
            storageUsedInBytes=60 * GIB,
            hasArchive=False,
            itemCount=300_000,
            reports=(MAILBOXES.name,),
        ),
    )
    reads = tuple(ReportRead(name, "D7", "2026-10-30", "") for name in STORAGE_REPORTS)
    usage = UsageReports(reads, tuple(sorted(rows, key=lambda r: r.userPrincipalName.lower())))
    who = {"small": small, "large": large, "shared": shared, "unlisted": unlisted}
    return dataclasses.replace(snap, users=tuple(users), usage_reports=usage), who


class Run(UsageRun):
    """The usage reports' test run, reading the storage reports unless told otherwise."""

    def collect(self, need: UsageNeed | None = STORAGE) -> TenantSnapshot:
        return super().collect(need)

    def paths(self) -> list[tuple[str, int]]:
        return [(r.path, r.status) for r in self.graph.requests if r.path.startswith(("/reports", "/download"))]


# --- which policies read them -------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        LEAVERS,
        Policy("p", "p.yaml", hygiene={"inactive_users": HygieneCheck(days=90)}),
        Policy("p", "p.yaml", hygiene={"guest_users": HygieneCheck()}),
        Policy("p", "p.yaml", hygiene={"shared_mailboxes": HygieneCheck()}),
        Policy("p", "p.yaml", usage=(UsageEntry(days=90, rightsize=("SPE_E5", "SPE_E3")),)),
        Policy("p", "p.yaml", assignments=(Assignment("frontline", Selector(all=True), allowed=("SPE_F1",)),)),
        Policy("p", "p.yaml", assignments=(Assignment("one", Selector(all=True), exclusive=(("SPE_E3", "SPE_E5"),)),)),
    ],
)
def test_a_policy_whose_changes_depend_on_data_size_reads_both_storage_reports(policy: Policy) -> None:
    need = requests_of(PolicySet((policy,))).usage_need
    assert need is not None and set(STORAGE_REPORTS) <= need.reports
    assert [r.request(need.days) for r in need.report_list() if r.name in STORAGE_REPORTS] == [
        "/reports/getMailboxUsageDetail(period='D7')",
        "/reports/getOneDriveUsageAccountDetail(period='D7')",
    ]


def test_a_policy_whose_changes_end_no_data_reads_no_report() -> None:
    policy = Policy(
        "p",
        "p.yaml",
        hygiene={"assignment_errors": HygieneCheck()},
        assignments=(Assignment("all", Selector(all=True), forbidden=("SPE_E5",)),),
    )
    assert requests_of(PolicySet((policy,))).usage_need is None


# --- read from the emulator with the real SDK ---------------------------------------------------


def test_both_reports_are_read_with_the_sdk_and_the_index_gives_each_users_sizes() -> None:
    snap, who = storage_tenant()
    run = Run(snap)
    got = run.collect(requests_of(PolicySet((LEAVERS,))).usage_need)
    assert got.gaps == () and USAGE_REPORTS in got.collected_datasets
    # one request each, answered 302, the CSV downloaded from the pre-authenticated URL without the token
    reports = [(p, s) for p, s in run.paths() if p.startswith("/reports/")]
    assert sorted(reports) == [
        ("/reports/getMailboxUsageDetail(period='D7')", 302),
        ("/reports/getOneDriveUsageAccountDetail(period='D7')", 302),
    ]
    assert len([p for p, s in run.paths() if p.startswith("/download/") and s == 200]) == 2
    assert run.graph.reports.token_leaks == 0
    assert got.usage_reports is not None and snap.usage_reports is not None
    assert got.usage_reports.users == snap.usage_reports.users
    assert [(r.name, r.period, r.refreshed) for r in got.usage_reports.reports] == [
        (name, "D7", "2026-10-30") for name in STORAGE_REPORTS
    ]
    index = TenantIndex(got)
    small, large, shared, unlisted = (who[k] for k in ("small", "large", "shared", "unlisted"))
    assert (
        index.mailbox_size(small),
        index.mailbox_has_archive(small),
        index.mailbox_items(small),
        index.onedrive_size(small),
    ) == (round(1.1 * GIB), False, 4_210, round(0.4 * GIB))
    assert (index.mailbox_size(large.user_principal_name.upper()), index.mailbox_has_archive(large)) == (
        round(8.4 * GIB),
        True,
    )
    # a shared mailbox over the 50 GB a shared mailbox may hold without a license
    assert (index.mailbox_size(shared) or 0) > (storage_limits()[SHARED_MAILBOX].mailbox_bytes or 0)
    assert index.onedrive_size(shared) is None  # the OneDrive report does not list it: unknown, not 0
    assert index.mailbox_size(unlisted) is None and index.onedrive_size(unlisted) is None
    assert index.mailbox_shared(shared) is None  # Graph's documented columns carry no Recipient Type
    assert index.storage_unknown() is None


def test_the_collected_snapshot_round_trips_and_an_older_one_still_loads(tmp_path: Path) -> None:
    snap, who = storage_tenant()
    got = Run(snap).collect()
    path = tmp_path / "tenant.json"
    save_snapshot(got, path)
    again = load_snapshot(path)
    assert again.usage_reports is not None and got.usage_reports is not None
    assert again.usage_reports.users == got.usage_reports.users
    assert again.usage_reports.reports == got.usage_reports.reports
    assert TenantIndex(again).mailbox_items(who["large"]) == 61_877
    # a snapshot written before the OneDrive report and the item count were read
    doc = json.loads(path.read_text())
    doc[USAGE_REPORTS] = {
        "reports": [{"name": MAILBOXES.name, "period": "D90", "reportRefreshDate": "2026-10-30"}],
        "users": [
            {
                "userPrincipalName": who["small"].user_principal_name,
                "storageUsedInBytes": 5,
                "hasArchive": False,
                "reports": [MAILBOXES.name],
            }
        ],
    }
    old = TenantIndex(snapshot_from_json(doc))
    assert old.mailbox_size(who["small"]) == 5 and old.mailbox_items(who["small"]) is None
    assert old.onedrive_size(who["small"]) is None
    assert old.storage_unknown() == f"tenant data not collected: {USAGE_REPORTS} ({', '.join(STORAGE_REPORTS)})"


def test_a_negative_size_in_a_snapshot_file_is_refused_naming_the_file_and_field(tmp_path: Path) -> None:
    snap, _ = storage_tenant()
    buffer = io.StringIO()
    write_snapshot(snap, buffer)
    doc = json.loads(buffer.getvalue())
    doc[USAGE_REPORTS]["users"][0]["oneDriveStorageUsedInBytes"] = -1
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(
        SnapshotError,
        match=r"tenant.json: invalid snapshot: usageReports.users\[0\]."
        r"oneDriveStorageUsedInBytes: -1 is negative",
    ):
        load_snapshot(path)


# --- gaps: never sizes that read as "fits" ------------------------------------------------------


def test_without_reports_read_all_the_sizes_are_a_named_gap_and_nothing_is_asked() -> None:
    snap, who = storage_tenant()
    run = Run(snap, roles=tuple(r for r in DEMO_ROLES if r != "Reports.Read.All"))
    got = run.collect()
    [gap] = got.gaps
    assert gap.dataset == USAGE_REPORTS and "Reports.Read.All" in gap.reason
    assert gap.request == "GET /reports/getMailboxUsageDetail(period='D7')"
    assert got.usage_reports is None and run.paths() == []
    index = TenantIndex(got)
    assert index.mailbox_size(who["small"]) is None and index.onedrive_size(who["small"]) is None
    unknown = index.storage_unknown()
    assert unknown is not None and "Reports.Read.All" in unknown


def test_a_403_on_the_onedrive_report_is_a_gap_naming_it() -> None:
    def forbid(request: Request) -> Reply | None:
        if "getOneDriveUsageAccountDetail" in request.path:
            return Reply(403, error_document("Authorization_RequestDenied", "Insufficient privileges."))
        return None

    got = Run(storage_tenant()[0], responders=(forbid,)).collect()
    [gap] = got.gaps
    assert gap.request == "GET /reports/getOneDriveUsageAccountDetail(period='D7')" and "Reports.Read.All" in gap.reason
    assert got.usage_reports is None


def test_concealed_names_are_a_named_gap() -> None:
    run = Run(storage_tenant()[0], options=ReportOptions(concealed=True))
    got = run.collect()
    [gap] = got.gaps
    assert gap.dataset == USAGE_REPORTS and "conceal user names" in gap.reason and got.usage_reports is None
    assert run.paths() == []


def test_concealed_owner_names_in_the_onedrive_report_are_told_from_its_rows() -> None:
    """Without ReportSettings.Read.All the setting cannot be read: the hashed Owner Principal Name
    column itself shows that names are concealed (a join of hashes would find no one)."""
    run = Run(
        storage_tenant()[0],
        options=ReportOptions(concealed=True),
        roles=tuple(r for r in DEMO_ROLES if r != "ReportSettings.Read.All"),
    )
    got = run.collect(UsageNeed(frozenset((ONEDRIVE.name,)), 0))
    [gap] = got.gaps
    assert gap.request == "GET /reports/getOneDriveUsageAccountDetail(period='D7')"
    assert "conceal user names" in gap.reason and got.usage_reports is None


@pytest.mark.parametrize("cloud", [Cloud.USGOV, Cloud.USGOV_DOD, Cloud.CHINA])
def test_in_a_national_cloud_nothing_is_asked_no_gap_is_made_and_the_sizes_say_why_unknown(cloud: Cloud) -> None:
    """Microsoft offers both reports in the global service only: a gap there could never be closed
    and would fail every audit of a leaver policy; the sizes stay unknown, with the reason."""
    snap, who = storage_tenant()
    run = Run(dataclasses.replace(snap, cloud=cloud))
    got = run.collect(requests_of(PolicySet((LEAVERS,))).usage_need)
    assert got.gaps == () and run.paths() == []
    assert "global service only" in run.stderr.getvalue()
    index = TenantIndex(got)
    assert index.mailbox_size(who["small"]) is None
    assert index.storage_unknown() == (
        f"Microsoft Graph offers the mailbox and OneDrive usage reports in the global service only ({cloud.value})"
    )


def test_the_audit_of_a_leaver_policy_without_the_permission_names_the_gap_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snap, _ = storage_tenant()
    policy = tmp_path / "leavers.yaml"
    policy.write_text(
        "apiVersion: license-auditor/v1\nkind: LicensePolicy\nmetadata: {name: leavers}\n"
        "hygiene:\n  disabled_users: {severity: high}\n"
    )
    token = app_token(snap.tenant_id, tuple(r for r in DEMO_ROLES if r != "Reports.Read.All"))
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    out = tmp_path / "out"
    with GraphEmulator(snap, token=token) as graph:
        code = main(
            [
                "audit",
                "--graph-endpoint",
                graph.url,
                "--auth",
                "token",
                "--policies",
                str(policy),
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
    doc = json.loads((out / "report.json").read_text())
    assert doc["complete"] is False
    assert [g["part"] for g in doc["gaps"]] == [USAGE_REPORTS]
    assert "Reports.Read.All" in doc["gaps"][0]["reason"] and "Reports.Read.All" in capsys.readouterr().err


# --- the emulator's report files ----------------------------------------------------------------


@pytest.mark.parametrize("concealed", [False, True])
def test_the_emulator_serves_graphs_documented_columns_with_the_byte_order_mark(concealed: bool) -> None:
    snap, who = storage_tenant()
    server = ReportServer(snap, ReportOptions(concealed=concealed))
    for name in STORAGE_REPORTS:
        text = server.csv(name, "D7").decode("utf-8")
        assert text.startswith(BOM)
        header, *rows = text[len(BOM) :].splitlines()
        assert header.split(",") == list(COLUMNS[name])
        assert len(rows) == (3 if name == MAILBOXES.name else 2)
    onedrive = server.csv(ONEDRIVE.name, "D7").decode("utf-8")
    upn = who["small"].user_principal_name
    local, domain = upn.split("@")
    site = f"https://{domain.split('.')[0]}-my.sharepoint.com/personal/" + f"{local}_{domain}".replace(".", "_")
    assert (upn in onedrive and site in onedrive) is not concealed
    assert str(round(0.4 * GIB)) in onedrive


def test_a_recipient_type_column_is_read_when_a_report_carries_one() -> None:
    """Graph's reference lists no Recipient Type; a report that has the column keeps it per user."""
    reader = RowReader(MAILBOXES, None)
    header = [*COLUMNS[MAILBOXES.name][:-1], "Recipient Type", "Report Period"]
    reader.row(header)
    for upn, kind in (("box@contoso.example", "Shared"), ("ann@contoso.example", "User")):
        cells = dict.fromkeys(header, "")
        cells.update(
            {
                "User Principal Name": upn,
                "Is Deleted": "False",
                "Storage Used (Byte)": "7",
                "Item Count": "3",
                "Has Archive": "False",
                "Recipient Type": kind,
            }
        )
        reader.row([cells[c] for c in header])
    rows = merge_rows([reader])
    snap, _ = storage_tenant()
    index = TenantIndex(
        dataclasses.replace(snap, usage_reports=UsageReports((ReportRead(MAILBOXES.name, "D7", None, ""),), rows))
    )
    assert (index.mailbox_shared("box@contoso.example"), index.mailbox_shared("ann@contoso.example")) == (True, False)
    assert index.mailbox_items("box@contoso.example") == 3


def test_a_count_of_one_or_zero_beside_an_archive_flag_stays_a_number() -> None:
    """Equal values are stored once to keep a million rows small; True == 1 and False == 0 in
    Python, so an item count of 1 became True (and a snapshot no one could load again)."""
    reader = RowReader(MAILBOXES, None)
    header = list(COLUMNS[MAILBOXES.name])
    reader.row(header)
    for upn, items, size, archive in (
        ("a@contoso.example", "9", "5", "True"),
        ("b@contoso.example", "1", "0", "False"),
        ("c@contoso.example", "0", "1", "True"),
    ):
        cells = dict.fromkeys(header, "")
        cells.update(
            {
                "User Principal Name": upn,
                "Is Deleted": "False",
                "Storage Used (Byte)": size,
                "Item Count": items,
                "Has Archive": archive,
            }
        )
        reader.row([cells[c] for c in header])
    rows = {r.userPrincipalName: r for r in merge_rows([reader])}
    b, c = rows["b@contoso.example"], rows["c@contoso.example"]
    assert (type(b.itemCount), type(b.storageUsedInBytes), type(b.hasArchive)) == (int, int, bool)
    assert (b.itemCount, b.storageUsedInBytes, b.hasArchive) == (1, 0, False)
    assert (type(c.itemCount), type(c.storageUsedInBytes), c.itemCount, c.storageUsedInBytes) == (int, int, 0, 1)
    loaded = snapshot_from_json(
        {
            **json.loads(_written(storage_tenant()[0])),
            USAGE_REPORTS: {"reports": [{"name": MAILBOXES.name, "period": "D7"}], "users": [msgspec.to_builtins(b)]},
        }
    )
    assert loaded.usage_reports is not None and loaded.usage_reports.users[0].itemCount == 1


def _written(snapshot: TenantSnapshot) -> str:
    buffer = io.StringIO()
    write_snapshot(snapshot, buffer)
    return buffer.getvalue()
