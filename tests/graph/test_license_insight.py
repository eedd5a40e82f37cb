"""Microsoft's own counts (Graph's beta report azureADPremiumLicenseInsight) beside the auditor's, read
by the real collector from the emulator: the counts reach report.json and the rendered reports; a
403 missingLicense is a note and the audit completes; another cloud is not asked; a snapshot without
the section still loads."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from msgspec import UNSET

from auditor.data.license_insight_data import InsightComparison

sys.path.insert(0, str(Path(__file__).parent.parent / "core"))

from factory import AS_OF
from test_entitlements import document

from auditor.common.errors import SnapshotError
from auditor.data.license_insight_data import LICENSE_INSIGHT, LicenseInsight
from auditor.data.model import AuditResult, Cloud, Locale, TenantSnapshot
from auditor.evaluation.engine import evaluate
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.policyset.load import load_policies
from auditor.render.text import md_escape
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.document import build_document
from auditor.report.view import PageContext
from auditor.report.wording_api import default_wording
from auditor.snapshot import load_snapshot, save_snapshot, snapshot_from_json
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, LoggedRequest, app_token

INSIGHT = "/beta/reports/azureADPremiumLicenseInsight"
POLICY = """apiVersion: license-auditor/v1
kind: LicensePolicy
metadata: {name: p}
catalog:
  - {sku: AAD_PREMIUM, price: {monthly: 6.0, currency: EUR}}
entitlements: {}
"""
# Microsoft's counts for document(): the auditor counts 12 seats carrying P1 (10 of Microsoft 365
# E3, 1 of P1, 1 of P2), 1 carrying P2, 9 members and 1 guest reached by Conditional Access (ann,
# bob, fay, gus, hal, kim, lou, mo, ned; eve) and 1 member by its risk-based policy (fay).
# Microsoft counts who used a feature: fewer.
MICROSOFT = LicenseInsight(
    entitled_p1=11,
    entitled_p2=1,
    entitled_total=12,
    conditional_access=7,
    conditional_access_guests=1,
    risk_based=1,
    risk_based_guests=0,
)


def collected(
    snapshot: TenantSnapshot, roles: tuple[str, ...] = DEMO_ROLES, cloud: Cloud | None = None
) -> tuple[TenantSnapshot, list[LoggedRequest]]:
    token = app_token(snapshot.tenant_id, roles)
    with GraphEmulator(snapshot, token=token) as graph:

        async def run() -> TenantSnapshot:
            client = GraphClient(
                base_url=graph.url,
                credential=StaticTokenCredential(token),
                cloud=cloud or snapshot.cloud,
                progress=Progress(None, interval=0),
            )
            try:
                return await collect(client, CollectOptions(access_scope=True), clock=lambda: AS_OF)
            finally:
                await client.aclose()

        return asyncio.run(run()), graph.requests_to(INSIGHT)


def tenant(insight: LicenseInsight | None = MICROSOFT, cloud: str = "worldwide") -> TenantSnapshot:
    doc = document()
    doc["tenant"]["cloud"] = cloud
    if insight is not None:
        doc[LICENSE_INSIGHT] = insight.to_graph()
    return snapshot_from_json(doc)


def audit(tmp_path: Path, snapshot: TenantSnapshot) -> AuditResult:
    path = tmp_path / "p.yaml"
    path.write_text(POLICY)
    return evaluate(load_policies([str(path)]), snapshot, AS_OF)


def rows(result: AuditResult) -> dict[str, tuple[int | None, int | None]]:
    assert result.license_insight is not None
    return {r.count: (r.microsoft, r.auditor) for r in result.license_insight.rows}


def test_microsofts_counts_reach_report_json_and_the_reports(tmp_path: Path) -> None:
    snapshot, asked = collected(tenant())
    assert snapshot.license_insight == MICROSOFT and LICENSE_INSIGHT in snapshot.collected_datasets
    assert [r.status for r in asked] == [200] and not snapshot.notes
    result = audit(tmp_path, snapshot)
    assert rows(result) == {
        "premium_licenses": (12, 12),
        "p2_licenses": (1, 1),
        "conditional_access_users": (7, 9),
        "conditional_access_guests": (1, 1),
        "risk_based_users": (1, 1),
        "risk_based_guests": (0, 0),
    }
    document_ = build_document(result, generated_at=datetime(2026, 11, 2, tzinfo=UTC))
    block = document_.license_insight
    assert isinstance(block, InsightComparison)
    assert block.differs is True and block.microsoft["entitledP1LicenseCount"] == 11
    assert block.source == "GET /beta/reports/azureADPremiumLicenseInsight"
    html = render_page(HTML, document_, PageContext(Locale.EN, Cloud.WORLDWIDE, default_wording()))
    markdown = render_page(MARKDOWN, document_, PageContext(Locale.EN, Cloud.WORLDWIDE, default_wording()))
    assert "Microsoft&#39;s own counts" in html and md_escape("Microsoft's own counts") in markdown
    for text in (html, markdown):
        assert "the users who used a feature" in text and "every user in scope" in text
    label, why = "Conditional Access: members", "1 disabled account not counted"  # dan, below
    assert f"| {md_escape(label)} ({md_escape(why)}) | 7 | 9 |" in markdown
    cell = f'<td>{label}<br><span style="font-size:11px;color:#7a4b00;">{why}</span></td>'
    assert f'{cell}<td align="right">7</td><td align="right">9</td>' in html


def test_equal_counts_say_nothing_more(tmp_path: Path) -> None:
    same = LicenseInsight(
        entitled_p1=11,
        entitled_p2=1,
        entitled_total=12,
        conditional_access=9,
        conditional_access_guests=1,
        risk_based=1,
        risk_based_guests=0,
    )
    result = audit(tmp_path, collected(tenant(same))[0])
    assert result.license_insight is not None and result.license_insight.differs is False
    document_ = build_document(result, generated_at=datetime(2026, 11, 2, tzinfo=UTC))
    markdown = render_page(MARKDOWN, document_, PageContext(Locale.EN, Cloud.WORLDWIDE, default_wording()))
    assert md_escape("Microsoft's own counts") in markdown and "who used a feature" not in markdown


def test_a_tenant_without_p1_or_p2_is_a_note_and_the_audit_completes(tmp_path: Path) -> None:
    snapshot, asked = collected(tenant(insight=None))  # the emulator answers 403 missingLicense
    assert [r.status for r in asked] == [403]
    assert snapshot.license_insight is None and LICENSE_INSIGHT not in snapshot.collected_datasets
    assert not snapshot.gaps
    [note] = snapshot.notes
    assert "403 missingLicense" in note and "P1 or P2 license" in note
    result = audit(tmp_path, snapshot)
    assert result.complete and result.license_insight is None and note in result.warnings
    document_ = build_document(result, generated_at=datetime(2026, 11, 2, tzinfo=UTC))
    assert document_.license_insight is UNSET  # not written in report.json


def test_without_reports_read_all_the_note_names_the_permission() -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "Reports.Read.All")
    snapshot, asked = collected(tenant(), roles)
    assert [r.status for r in asked] == [403] and not snapshot.gaps
    [note] = snapshot.notes
    assert "Authorization_RequestDenied" in note and "Reports.Read.All" in note


@pytest.mark.parametrize("cloud", [Cloud.USGOV, Cloud.USGOV_DOD, Cloud.CHINA])
def test_another_cloud_is_not_asked(cloud: Cloud) -> None:
    snapshot, asked = collected(tenant(), cloud=cloud)
    assert asked == [] and snapshot.license_insight is None and not snapshot.notes and not snapshot.gaps
    assert snapshot.access_scope is not None  # the entitlement reads themselves still ran


def test_not_asked_without_an_entitlements_section() -> None:
    snapshot = tenant()
    token = app_token(snapshot.tenant_id)
    with GraphEmulator(snapshot, token=token) as graph:

        async def run() -> TenantSnapshot:
            client = GraphClient(
                base_url=graph.url,
                credential=StaticTokenCredential(token),
                cloud=snapshot.cloud,
                progress=Progress(None, interval=0),
            )
            try:
                return await collect(client, CollectOptions(), clock=lambda: AS_OF)
            finally:
                await client.aclose()

        got = asyncio.run(run())
        assert graph.requests_to(INSIGHT) == [] and got.license_insight is None


def test_the_snapshot_keeps_the_counts_and_an_old_one_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "tenant.json"
    save_snapshot(tenant(), path)
    assert load_snapshot(path).license_insight == MICROSOFT
    old = tmp_path / "old.json"
    save_snapshot(tenant(insight=None), old)
    assert LICENSE_INSIGHT not in old.read_text()
    assert load_snapshot(old).license_insight is None


def test_a_count_graph_sends_as_text_is_refused_when_the_snapshot_is_read(tmp_path: Path) -> None:
    """The block shows numbers and the catalog's labels only: a count that is no number (tenant data
    is untrusted) stops the snapshot's loading, naming the field, and is never printed."""
    path = tmp_path / "tenant.json"
    save_snapshot(tenant(), path)
    path.write_text(path.read_text().replace('"entitledP1LicenseCount": 11', '"entitledP1LicenseCount": "<b>"'))
    with pytest.raises(SnapshotError, match=r"azureADPremiumLicenseInsight\.entitledP1LicenseCount"):
        load_snapshot(path)


def test_each_row_that_differs_says_why(tmp_path: Path) -> None:
    """The Conditional Access members differ (Microsoft 7, the auditor 9): Microsoft counts who used
    it, and dan, a disabled member that "Require MFA for all users" reaches, is in no count of the
    auditor's. With gus excluded from that policy, his eligibility for Global Administrator (a role
    the report-only policy names) is counted under PIM instead, and the row says so too."""
    result = audit(tmp_path, collected(tenant())[0])
    assert result.license_insight is not None
    why = {r.count: r.why for r in result.license_insight.rows}
    assert why["conditional_access_users"] == {"usage": None, "disabled_members": 1}
    assert why["premium_licenses"] is UNSET  # 12 on both sides: nothing to explain
    doc = document()
    ca_1 = doc["accessScope"]["conditionalAccessPolicies"][0]
    ca_1["conditions"]["users"]["excludeUsers"].append("id-gus")
    changed = collected(snapshot_from_json({**doc, LICENSE_INSIGHT: MICROSOFT.to_graph()}))[0]
    result = audit(tmp_path, changed)
    assert result.license_insight is not None
    rows = {r.count: r for r in result.license_insight.rows}
    assert rows["conditional_access_users"].auditor == 8
    assert rows["conditional_access_users"].why == {"usage": None, "disabled_members": 1, "pim_roles": 1}
    document_ = build_document(result, generated_at=datetime(2026, 11, 2, tzinfo=UTC))
    markdown = render_page(MARKDOWN, document_, PageContext(Locale.EN, Cloud.WORLDWIDE, default_wording()))
    html = render_page(HTML, document_, PageContext(Locale.EN, Cloud.WORLDWIDE, default_wording()))
    label = "Conditional Access: members"
    why = "1 disabled account not counted; 1 user eligible for a named role, counted under PIM"
    assert f"| {md_escape(label)} ({md_escape(why)}) | 7 | 8 |" in markdown
    assert f'<td>{label}<br><span style="font-size:11px;color:#7a4b00;">{why}</span></td>' in html
