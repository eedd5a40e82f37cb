"""A nightly whose sign-in lane fails on a late page never writes a report that reads compliant.

The second night reads, beside the kept full read, the users quiet since the window's start in pages
of 500 (auditor.graph.kept_sign_ins). When Graph keeps answering a later page of that filtered read
with a 503 or a 429 past the client's retries, the lane has failed after the listing, the reads beside
it and the lane's first page came in: the run ends with the collection's exit code (3), leaves no
report.json in the output folder, and keeps the first night's in previous/ (complete, of its own
night). Through the CLI against the emulator; every retry is asked to wait 0 s (Retry-After: 0), so
nothing waits on the wall clock, and the lane's requests (its first page, then the late one and its
six retries) stay within the first ten of a minute, which go at once."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from emulator_faults import Fault, FaultKind
from graph_tenants import make_tenant

from auditor.cli import main
from auditor.common.errors import EXIT_COLLECTION
from auditor.data.model import TenantSnapshot
from auditor.graph.kept_sign_ins import full_night, utc_iso
from auditor.graph.pacing import forget_app_windows
from auditor_dev.emulator import GraphEmulator, app_token

WINDOW = 30
POLICY = f"""\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata:
  name: late-lane
hygiene:
  inactive_users:
    days: {WINDOW}
    severity: medium
"""
START = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
QUIET = 1_100  # users last signed in before the window: three pages of the filtered read


def _tenant() -> TenantSnapshot:
    """1,500 enabled users created a year before; the first QUIET last signed in 60 days before START,
    the others a day before."""
    base = make_tenant(1_500)
    users = []
    for i, u in enumerate(base.users):
        when = utc_iso(START - timedelta(days=60 if i < QUIET else 1))
        users.append(
            u.with_values(
                account_enabled=True,
                created_date_time=utc_iso(START - timedelta(days=365)),
                last_sign_in_date_time=when,
                last_non_interactive_sign_in_date_time=None,
                last_successful_sign_in_date_time=when,
            )
        )
    return dataclasses.replace(base, users=tuple(users), collected_at=utc_iso(START))


def _audit(graph: GraphEmulator, policy: Path, out: Path, when: datetime) -> int:
    forget_app_windows()  # each night is a run of its own
    return main(
        [
            "audit",
            "--graph-endpoint",
            graph.url,
            "--policies",
            str(policy),
            "--output-dir",
            str(out),
            "--format",
            "json",
            "--fail-on",
            "never",
            "--as-of",
            utc_iso(when),
            "--baseline",
            "previous",
        ]
    )


@pytest.mark.parametrize("kind", [FaultKind.UNAVAILABLE, FaultKind.THROTTLE])
def test_a_lane_that_fails_on_a_late_page_leaves_no_report_that_reads_compliant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: FaultKind
) -> None:
    snap = _tenant()
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    out = tmp_path / "nightly"
    # a first night whose next night is not the tenant's full read: that night reads the quiet users only
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    with GraphEmulator(snap, token=token) as graph:
        assert _audit(graph, policy, out, first) == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["complete"] is True
    # the next night: the filtered read's first page is answered, every later one fails on every try
    late = Fault(kind, match=r"^GET /v1\.0/users\?.*\$filter=signInActivity.*\$skiptoken=", count=None, retry_after=0)
    with GraphEmulator(snap, token=token, responders=[late]) as graph:
        code = _audit(graph, policy, out, first + timedelta(days=1))
        lane = [r for r in graph.requests_to("/users") if "signInActivity" in r.query.get("$filter", "")]
    assert code == EXIT_COLLECTION
    assert late.hits == 7 and len(lane) == 8  # the first page, the late one and its six retries
    assert not (out / "report.json").exists()
    kept = json.loads((out / "previous" / "report.json").read_text(encoding="utf-8"))
    assert kept["complete"] is True and kept["as_of"] == utc_iso(first)
