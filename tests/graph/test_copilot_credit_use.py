"""The month's use of Copilot Credits (issue 118.4): Microsoft's Copilot cost management usage reports
(Graph beta) served by the emulator in Microsoft's shapes, read by the real collector, a refused or absent
report a named gap (never zero, never the audit's end), and the figures per service and per funding
source shown beside the Copilot seats in the report and in the MSP roll-up."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest

from auditor.cli import main
from auditor.data.copilot_credit_use_data import COPILOT_CREDIT_USE, FUNDING_PATH, SERVICES_PATH, CopilotCreditUse
from auditor.data.model import Locale, TenantSnapshot
from auditor.delivery.matrix import TenantJob
from auditor.fleet.credit_cells import markdown as credit_markdown
from auditor.fleet.rollup import Outcome, document, tenant_row
from auditor.graph import CollectOptions, GraphClient, Progress, StaticTokenCredential, collect
from auditor.graph.copilot_credit_use import month_days
from auditor.i18n import translations
from auditor.plan.credit_use import credit_use
from auditor.snapshot import load_snapshot, save_snapshot
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, LoggedRequest, app_token
from auditor_dev.emulator.hooks import Reply, Request, Responder
from auditor_dev.sample.credits import SAMPLE_CREDIT_USE

SAMPLE = Path(__file__).parents[2] / "auditor_dev" / "sample" / "sample-tenant.json"
AS_OF = "2026-11-01T06:00:00Z"
SERVICES, FUNDING = f"/beta{SERVICES_PATH}", f"/beta{FUNDING_PATH}"


def _sample() -> TenantSnapshot:
    return load_snapshot(SAMPLE)


def _collected(
    snapshot: TenantSnapshot, roles: tuple[str, ...], responders: tuple[Responder, ...] = ()
) -> tuple[TenantSnapshot, list[LoggedRequest]]:
    token = app_token(snapshot.tenant_id, roles)
    with GraphEmulator(snapshot, token=token, responders=responders) as graph:

        async def run() -> TenantSnapshot:
            client = GraphClient(
                base_url=graph.url,
                credential=StaticTokenCredential(token),
                cloud=snapshot.cloud,
                progress=Progress(None, interval=0),
            )
            try:
                clock = datetime.fromisoformat(snapshot.collected_at.replace("Z", "+00:00"))
                return await collect(client, CollectOptions(copilot_credits=True), clock=lambda: clock)
            finally:
                await client.aclose()

        return asyncio.run(run()), graph.requests_to(SERVICES) + graph.requests_to(FUNDING)


def test_the_emulator_serves_the_reports_in_microsofts_shapes() -> None:
    snapshot = _sample()
    token = app_token(snapshot.tenant_id)
    with GraphEmulator(snapshot, token=token) as graph:
        base = graph.url.removesuffix("/v1.0")

        def get(path: str) -> tuple[int, dict[str, object]]:
            request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
            try:
                with urllib.request.urlopen(request) as answer:
                    return answer.status, json.loads(answer.read())
            except HTTPError as exc:
                return exc.code, json.loads(exc.read())

        status, day = get(f"{SERVICES}?startDate=2026-10-05&endDate=2026-10-05")
        assert status == 200 and day["value"] == [
            {"serviceId": "cowork", "consumedQuantity": 40.0, "unit": "copilotCredit"}
        ]
        assert str(day["@odata.nextLink"]).startswith(base + SERVICES + "?")  # paged: the client follows it
        status, month = get(f"{FUNDING}?month=2026-10")
        assert status == 200 and "@odata.nextLink" not in month  # a closed set: not paged
        rows = month["value"]
        assert isinstance(rows, list) and [(r["id"], r["fundingClass"], r["consumedQuantity"]) for r in rows] == [
            ("prepaidCredits", "prepaidCredits", 1400.0),
            ("payAsYouGo", "payAsYouGo", 212.0),
        ]
        # "Current-day, future, and multi-day ranges are rejected"; every report needs its time selector
        for asked in ("startDate=2026-11-01&endDate=2026-11-01", "startDate=2026-10-01&endDate=2026-10-02", ""):
            assert get(f"{SERVICES}?{asked}")[0] == 400, asked
        assert get(f"{FUNDING}")[0] == 400
        assert get("/beta/copilot/costManagement/usageReports")[0] == 404  # the root is not readable


def test_the_collector_reads_the_month_of_the_latest_completed_day() -> None:
    assert [d.isoformat() for d in month_days(date(2026, 11, 1))][::30] == ["2026-10-01", "2026-10-31"]
    assert [d.isoformat() for d in month_days(date(2026, 11, 3))] == ["2026-11-01", "2026-11-02"]
    snapshot, asked = _collected(_sample(), DEMO_ROLES)
    assert snapshot.copilot_credit_use == SAMPLE_CREDIT_USE and COPILOT_CREDIT_USE in snapshot.collected_datasets
    assert all(r.status == 200 for r in asked) and len(asked) == 31 * 2 + 1  # each day's two pages, the month
    assert SAMPLE_CREDIT_USE.by_service() == {"cowork": 1240.0, "workIQ": 372.0}


def test_a_refused_report_is_a_named_gap_never_zero_nor_the_audits_end(tmp_path: Path) -> None:
    roles = tuple(r for r in DEMO_ROLES if r != "CopilotCostManagement.Read.All")
    snapshot, asked = _collected(_sample(), roles)
    assert {r.status for r in asked} == {403} and len(asked) == 2  # the first day refused: no other day asked
    assert snapshot.copilot_credit_use == CopilotCreditUse("2026-10", None, None)
    gaps = {g.request.split("?")[0]: g.reason for g in snapshot.gaps if g.dataset == COPILOT_CREDIT_USE}
    assert set(gaps) == {f"GET {SERVICES}", f"GET {FUNDING}"}
    assert all(
        "403 Authorization_RequestDenied" in r and "CopilotCostManagement-Reports.Read.All" in r for r in gaps.values()
    )
    sample = _sample()  # the whole sample, with the refused reports as collected: one audit that reads both
    refused = replace(
        sample,
        copilot_credit_use=snapshot.copilot_credit_use,
        gaps=(*sample.gaps, *(g for g in snapshot.gaps if g.dataset == COPILOT_CREDIT_USE)),
        collected_datasets=sample.collected_datasets - {COPILOT_CREDIT_USE},
    )
    save_snapshot(refused, tmp_path / "refused.json")
    out = tmp_path / "out"
    policy = str(Path(__file__).parents[2] / "examples" / "contoso-policy.yaml")
    argv = ["audit", "--snapshot", str(tmp_path / "refused.json"), "--policies", policy, "--output-dir", str(out)]
    argv += ["--billing", str(SAMPLE.with_name("sample-billing.csv")), "--billing-source", "file"]
    assert main([*argv, "--fail-on", "never", "--as-of", AS_OF, "--format", "json,md"]) == 0  # complete: no exit 3
    report = json.loads((out / "report.json").read_text("utf-8"))
    use = report["bill"]["copilot_credits"]["use"]
    assert use["services"] is None and use["funding"] is None
    assert "403 Authorization_RequestDenied" in use["services_gap"] and "403" in use["funding_gap"]
    said = (out / "report.md").read_text("utf-8")
    assert said.count("not read, so not known \\(not zero\\)") >= 2, said


def _audit_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, roles: tuple[str, ...]
) -> tuple[int, dict[str, Any], str, list[LoggedRequest]]:
    """`audit` through the real CLI against the emulator (app-only token with `roles`), with a bill."""
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    tenant = _sample()
    token = app_token(tenant.tenant_id, roles)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    policy = str(Path(__file__).parents[2] / "examples" / "contoso-policy.yaml")
    with GraphEmulator(tenant, token=token) as graph:
        argv = ["audit", "--graph-endpoint", graph.url, "--tenant-id", tenant.tenant_id, "--auth", "token"]
        argv += ["--policies", policy, "--as-of", AS_OF, "--format", "json,md", "--fail-on", "never"]
        argv += ["--billing", str(SAMPLE.with_name("sample-billing.csv")), "--billing-source", "file"]
        code = main(argv)
        asked = graph.requests_to(SERVICES) + graph.requests_to(FUNDING)
    out = tmp_path / "reports"
    return code, json.loads((out / "report.json").read_text("utf-8")), (out / "report.md").read_text("utf-8"), asked


def test_the_cli_against_graph_shows_the_months_use_and_a_refusal_is_a_named_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, report, said, asked = _audit_graph(tmp_path / "granted", monkeypatch, DEMO_ROLES)
    assert code == 0 and report["complete"] is True and {r.status for r in asked} == {200}
    use = report["bill"]["copilot_credits"]["use"]
    assert use["services"] == [{"service": "cowork", "consumed": 1240.0}, {"service": "workIQ", "consumed": 372.0}]
    assert [(f["funding_class"], f["consumed"]) for f in use["funding"]] == [
        ("prepaidCredits", 1400.0),
        ("payAsYouGo", 212.0),
    ]
    assert "cowork 1,240; workIQ 372" in said.replace("\\", "")
    # without CopilotCostManagement(-Reports).Read.All: 403 on both reports, each a named gap, never zero; the
    # use is the bill's context, no part a rule reads, so the audit stays complete (docs/graph.md, exit 0 here)
    roles = tuple(r for r in DEMO_ROLES if r != "CopilotCostManagement.Read.All")
    code, report, said, asked = _audit_graph(tmp_path / "refused", monkeypatch, roles)
    assert code == 0 and report["complete"] is True and {r.status for r in asked} == {403}
    use = report["bill"]["copilot_credits"]["use"]
    assert use["services"] is None and use["funding"] is None
    assert "403 Authorization_RequestDenied" in use["services_gap"] and "403" in use["funding_gap"]
    assert "CopilotCostManagement-Reports.Read.All" in use["services_gap"]
    assert said.count("not read, so not known \\(not zero\\)") >= 2 and "cowork" not in said


def test_an_absent_report_is_a_gap_of_its_own_and_the_other_is_still_read() -> None:
    """A tenant or cloud where Microsoft does not offer the funding report (404): its gap, never zero; the
    services' report is read all the same."""

    def absent(request: Request) -> Reply | None:
        if request.path.endswith("/fundingUsageRecords"):
            return Reply(404, {"error": {"code": "NotFound", "message": "Resource not found."}})
        return None

    snapshot, _ = _collected(_sample(), DEMO_ROLES, (absent,))
    use = snapshot.copilot_credit_use
    assert use is not None and use.funding is None and use.by_service() == {"cowork": 1240.0, "workIQ": 372.0}
    (gap,) = [g for g in snapshot.gaps if g.dataset == COPILOT_CREDIT_USE]
    assert gap.request == f"GET {FUNDING}?month=2026-10" and gap.reason.startswith("answered 404 NotFound")
    json_use = credit_use(use, snapshot.gaps)
    assert json_use is not None and json_use.funding is None and "404 NotFound" in str(json_use.funding_gap)


def test_the_report_and_the_rollup_show_the_month_per_service_and_funding_source(tmp_path: Path) -> None:
    folder = tmp_path / "contoso"
    assert main(["audit", "--demo", "--output-dir", str(folder), "--fail-on", "never", "--format", "json,md"]) == 0
    use = json.loads((folder / "report.json").read_text("utf-8"))["bill"]["copilot_credits"]["use"]
    assert use["month"] == "2026-10" and use["days"] == 31
    assert use["services"] == [{"service": "cowork", "consumed": 1240.0}, {"service": "workIQ", "consumed": 372.0}]
    assert [(f["funding_class"], f["consumed"]) for f in use["funding"]] == [
        ("prepaidCredits", 1400.0),
        ("payAsYouGo", 212.0),
    ]
    assert use["policies"] == {
        "read": False,
        "reason": "delegated_only",
        "permission": "CopilotCostManagement-Policy.Read.All",
    }
    said = (folder / "report.md").read_text("utf-8").replace("\\", "")
    assert "Copilot Credits used per service, Oct 1, 2026 to Oct 31, 2026: cowork 1,240; workIQ 372." in said
    assert "unbilled included: Prepaid Copilot Credits 1,400; Pay-as-you-go 212." in said
    assert "Spending policies are not read" in said and "CopilotCostManagement-Policy.Read.All" in said
    job = TenantJob("contoso", "Contoso", "t", "c", "worldwide", "", "", "p.yaml", "high")
    row = tenant_row(Outcome(job, "ok", 0, None, 1.0, 3), folder)
    assert row.get("copilot_credits") == {
        "month": "2026-10",
        "services": {"cowork": 1240.0, "workIQ": 372.0},
        "funding": {"prepaidCredits": 1400.0, "payAsYouGo": 212.0},
    }
    lines = "\n".join(
        credit_markdown(document([row], datetime(2026, 11, 1, tzinfo=UTC), None), translations(Locale.EN), Locale.EN)
    )
    assert (
        "| Contoso (contoso) | 2026-10 | cowork 1,240; workIQ 372 | payAsYouGo 212; prepaidCredits 1,400 |"
        in lines.replace("\\", "")
    )
    # the real `rollup` command over a shard's tenants.json: the figures, and a refused report never as zero
    refused = {**row, "key": "fabrikam", "name": "Fabrikam", "tenant_id": "t2"}
    refused["copilot_credits"] = {"month": "2026-10", "services": None, "funding": {"payAsYouGo": 5.0}}
    shard = tmp_path / "shard"
    shard.mkdir()
    doc = {"schema_version": 1, "shard": None, "tenants": [row, refused], "generated_at": "2026-11-01T06:00:00+00:00"}
    (shard / "tenants.json").write_text(json.dumps(doc), "utf-8")
    assert main(["rollup", str(shard), "--output-dir", str(tmp_path / "all")]) in (0, 1)
    joined = json.loads((tmp_path / "all" / "tenants.json").read_text("utf-8"))
    assert {r["key"]: r["copilot_credits"]["services"] for r in joined["tenants"]} == {
        "contoso": {"cowork": 1240.0, "workIQ": 372.0},
        "fabrikam": None,
    }
    md = (tmp_path / "all" / "tenants.md").read_text("utf-8").replace("\\", "")
    assert "| Contoso (contoso) | 2026-10 | cowork 1,240; workIQ 372 |" in md
    assert "| Fabrikam (fabrikam) | 2026-10 | not read (not zero) | payAsYouGo 5 |" in md, md


@pytest.mark.off_contract("asks v1.0 for a beta-only API on purpose")
def test_v1_does_not_serve_them() -> None:
    snapshot = _sample()
    token = app_token(snapshot.tenant_id)
    with GraphEmulator(snapshot, token=token) as graph:
        request = urllib.request.Request(
            f"{graph.url}{SERVICES_PATH}?startDate=2026-10-05&endDate=2026-10-05",
            headers={"Authorization": f"Bearer {token}"},
        )
        with pytest.raises(HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 400
