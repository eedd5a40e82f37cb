"""The roll-up's rows and digest at their edges: which bill action is a tenant's next 7-day window,
an incomplete tenant under --allow-gaps, and a digest that stays under 100 KB however many tenants
fail with however long a reason, or are found in no shard."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.delivery.matrix import TenantJob
from auditor.fleet.arguments import FleetOptions
from auditor.fleet.rollup import Outcome, document, tenant_row, write_documents
from auditor.fleet.run import run_tenants
from auditor.formats.report_model import builtins
from auditor.pipeline.arguments import AuditOptions
from tests.billing.bills import bill_json
from tests.report.report_fixtures import build_sample


def _job(key: str) -> TenantJob:
    """A tenants file's entry `key` (one tenant id for all: the audit each test gives reads no Graph)."""
    return TenantJob(
        key=key,
        name=key.title(),
        tenant_id="00000000-0000-0000-0000-000000000001",
        client_id="c",
        cloud="worldwide",
        locale="",
        email_to="",
        policies="p.yaml",
        fail_on="high",
    )


def _report(folder: Path, actions: list[dict], complete: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    report = {**msgspec.to_builtins(build_sample(complete=complete)), "bill": bill_json(actions)}
    (folder / "report.json").write_text(json.dumps(report, default=builtins), "utf-8")


def test_the_next_window_is_a_7_day_window_not_a_renewal_or_an_extended_term(tmp_path: Path) -> None:
    _report(
        tmp_path / "a",
        [
            {"by": "2026-11-26", "window": "at_renewal", "monthly_saving": 90.0},
            {"by": "2026-11-27", "window": "est", "monthly_saving": 80.0},
            {"by": "2026-11-30", "window": "within_7_days", "monthly_saving": 12.5},
            {"by": "2026-12-02", "window": "within_7_days", "monthly_saving": 40.0},
        ],
    )
    row = tenant_row(Outcome(_job("a"), "ok", 1, None, 1.0, 3), tmp_path / "a")
    assert row["next_window"] == {"by": "2026-11-30", "monthly_saving": 12.5}
    _report(tmp_path / "b", [{"by": "2026-11-26", "window": "at_renewal", "monthly_saving": 90.0}])
    assert tenant_row(Outcome(_job("b"), "ok", 1, None, 1.0, 3), tmp_path / "b")["next_window"] is None


def test_an_incomplete_tenant_is_incomplete_even_when_allow_gaps_makes_its_exit_code_1(tmp_path: Path) -> None:
    def audit(options: AuditOptions) -> int:  # what `audit --allow-gaps` leaves for a tenant with a gap
        _report(Path(options.output_dir), [], complete=not options.output_dir.endswith("gappy"))
        return 1

    run = FleetOptions(AuditOptions(), concurrency=2, timeout=60.0)
    outcomes = run_tenants(run, [_job("whole"), _job("gappy")], tmp_path, audit=audit)
    # both exit 1; the gappy tenant's report.json says complete: false
    assert {o.job.key: (o.status, o.exit_code) for o in outcomes} == {"whole": ("ok", 1), "gappy": ("incomplete", 1)}


def test_a_report_the_reader_refuses_is_incomplete_not_a_crash(tmp_path: Path) -> None:
    def audit(options: AuditOptions) -> int:  # a report.json cut short, and one of an earlier version
        folder = Path(options.output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        text = '{"schema_version": 4, "complete": true}' if folder.name == "old" else '{"complete": tr'
        (folder / "report.json").write_text(text, "utf-8")
        return 0

    run = FleetOptions(AuditOptions(), concurrency=2, timeout=60.0)
    outcomes = run_tenants(run, [_job("cut"), _job("old")], tmp_path, audit=audit)
    assert {o.job.key: o.status for o in outcomes} == {"cut": "incomplete", "old": "incomplete"}


def test_the_digest_stays_small_with_a_thousand_failures_and_missing_tenants(tmp_path: Path) -> None:
    rows = [
        {
            "key": f"t{n:04d}",
            "name": f"Customer {n}",
            "tenant_id": "00000000-0000-0000-0000-000000000001",
            "status": "failed",
            "exit_code": 3,
            "findings": None,
            "unused_monthly": None,
            "plan_monthly_saving": None,
            "currency": None,
            "next_window": None,
            "seats_short": [],
            "seconds": 1.0,
            "requests": 1,
            "reason": "AADSTS7000215: " + "x" * 3000,
        }
        for n in range(1000)
    ]
    doc = document(rows, datetime(2026, 11, 25, 2, tzinfo=UTC), None, [f"missing-tenant-{n:04d}" for n in range(3000)])
    write_documents(tmp_path, doc, Locale.EN)
    digest = (tmp_path / "digest.html").read_text("utf-8")
    assert len(digest.encode()) < 100_000
    assert "1,000 tenants audited, 1,000 failed" in digest
    assert "3,000 tenants of the file are in no shard" in digest and "missing-tenant-0020" not in digest
    assert "990 more tenants failed" in digest
    # tenants.json keeps every reason whole
    assert ("x" * 3000) in (tmp_path / "tenants.json").read_text("utf-8")


def _row(**changes: Any) -> dict[str, Any]:
    row = {
        "key": "contoso",
        "name": "Contoso",
        "tenant_id": "00000000-0000-0000-0000-000000000001",
        "status": "ok",
        "exit_code": 1,
        "findings": {"critical": 0, "high": 1, "medium": 0, "low": 0},
        "unused_monthly": 50.0,
        "plan_monthly_saving": None,
        "currency": "EUR",
        "next_window": {"by": "2026-11-28", "monthly_saving": 10.0},
        "seats_short": [],
        "seconds": 1.0,
        "requests": 7,
        "reason": None,
    }
    return row | changes


@pytest.mark.parametrize(
    ("doc", "says"),
    [
        ({"tenants": [[]]}, "a tenant row is not an object with a key"),
        ({"tenants": [{"status": "ok"}]}, "a tenant row is not an object with a key"),
        ({"tenants": [_row(status="great")]}, "tenant 'contoso': status is not as tenant_row writes it"),
        ({"tenants": [_row(exit_code="1")]}, "exit_code is not"),
        ({"tenants": [_row(findings={"high": "1"})]}, "findings is not"),
        ({"tenants": [_row(unused_monthly="50")]}, "unused_monthly is not"),
        ({"tenants": [_row(next_window={"by": "soon"})]}, "next_window is not"),
        ({"tenants": [_row(seats_short="SPE_E5")]}, "seats_short is not"),
        ({"tenants": [_row(reason=["x"])]}, "reason is not"),
        ({"tenants": [_row(invoices={"source": "pax8"})]}, "invoices is not"),
        # an invoice not read that says no differences: the roll-up would read it as a clean invoice
        (
            {"tenants": [_row(invoices=[{"source": "pax8", "invoice_id": "I1", "gap": "HTTP 403", "differences": 0}])]},
            "invoices is not",
        ),
        ({"tenants": [_row()], "generated_at": "yesterday"}, "generated_at 'yesterday' is not an ISO 8601 time"),
    ],
)
def test_a_malformed_shard_roll_up_is_a_usage_error_naming_the_file(
    tmp_path: Path, doc: dict[str, Any], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shard = tmp_path / "shard"
    shard.mkdir()
    (shard / "tenants.json").write_text(
        json.dumps({"schema_version": 1, "generated_at": "2026-11-25T02:00:00+00:00", **doc}), "utf-8"
    )
    assert main(["rollup", str(shard), "--output-dir", str(tmp_path / "all")]) == 2
    err = capsys.readouterr().err
    assert f"{shard / 'tenants.json'}: " in err and says in err
    assert not (tmp_path / "all" / "tenants.json").exists()
    # the row as tenant_row writes it is joined
    (shard / "tenants.json").write_text(
        json.dumps({"schema_version": 1, "generated_at": "2026-11-25T02:00:00+00:00", "tenants": [_row()]}), "utf-8"
    )
    assert main(["rollup", str(shard), "--output-dir", str(tmp_path / "all")]) == 1


def test_a_tenant_whose_entry_dropped_its_distributor_keeps_no_earlier_file(tmp_path: Path) -> None:
    """Last night's distributor.json/psa.json of a tenant whose entry no longer names a distributor or PSA is
    removed, never read by the roll-up as tonight's; a tenant still naming one is walked."""
    from types import SimpleNamespace

    from auditor.fleet.vendor_reads import audited

    for key in ("dropped", "kept"):
        (tmp_path / key).mkdir()
        (tmp_path / key / "psa.json").write_text("{}", "utf-8")
    outcomes = [SimpleNamespace(job=SimpleNamespace(key=k), status="ok") for k in ("dropped", "kept")]
    walked = [o.job.key for o, _, _ in audited(outcomes, tmp_path, {"kept": {}}, "psa.json")]  # type: ignore[arg-type]
    assert walked == ["kept"]
    assert not (tmp_path / "dropped" / "psa.json").exists()
    assert not (tmp_path / "kept" / "psa.json").exists()
