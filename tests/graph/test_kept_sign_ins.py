"""The nightly reads again only the sign-in activity that can have changed (auditor.graph.kept_sign_ins):
`audit --baseline previous` keeps its last full read beside its reports, and on the nights after it
reads only the users without a successful sign-in since the window's start (Graph's documented `le`
filter), everyone else from the kept read. Through the CLI, the real collector and msgraph-sdk
against the emulator on loopback; the clock is the audit's `--as-of` (no night waits on the wall
clock: each night's lane holds fewer than ten sign-in requests, which go at once)."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from emulator_faults import Fault, FaultKind
from graph_tenants import make_tenant

from auditor.cli import main
from auditor.data.model import TenantSnapshot, User
from auditor.graph.kept_sign_ins import (
    KEPT_FILE,
    SignInPlan,
    full_night,
    full_read_reason,
    load,
    merge,
)
from auditor.graph.pacing import forget_app_windows
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor_dev.emulator import GraphEmulator, app_token

WINDOW = 30
POLICY = f"""\
apiVersion: license-auditor/v1
kind: LicensePolicy
metadata:
  name: nightly
catalog:
  - sku: SPE_E3
    price: {{monthly: 33.75, currency: EUR}}
hygiene:
  inactive_users:
    days: {WINDOW}
    severity: medium
"""
START = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signed_in(user: User, when: datetime) -> User:
    return user.with_values(
        last_sign_in_date_time=_iso(when),
        last_non_interactive_sign_in_date_time=None,
        last_successful_sign_in_date_time=_iso(when),
    )


def _tenant(users: int, seed: int = 76) -> TenantSnapshot:
    """make_tenant's users, enabled, created a year before: one in ten never signed in, one in five
    last signed in successfully 20 to 90 days before START, the others within the last 20 days."""
    rng = random.Random(seed)
    out = []
    for u in make_tenant(users).users:
        u = u.with_values(account_enabled=True, created_date_time=_iso(START - timedelta(days=365)))
        draw = rng.random()
        if draw < 0.1:
            out.append(
                u.with_values(
                    last_sign_in_date_time=None,
                    last_non_interactive_sign_in_date_time=None,
                    last_successful_sign_in_date_time=None,
                )
            )
        else:
            days = rng.uniform(20, 90) if draw < 0.3 else rng.uniform(0, 20)
            out.append(_signed_in(u, START - timedelta(days=days)))
    return dataclasses.replace(make_tenant(users), users=tuple(out), collected_at=_iso(START))


def _audit(graph: GraphEmulator, policy: Path, out: Path, when: datetime, nightly: bool, *extra: str) -> dict[str, Any]:
    forget_app_windows()  # each audit is a run of its own (a day apart)
    code = main(
        [
            "audit",
            "--graph-endpoint",
            graph.url,
            "--policies",
            str(policy),
            "--output-dir",
            str(out),
            "--format",
            "json,html,md",
            "--fail-on",
            "never",
            "--as-of",
            _iso(when),
            *(["--baseline", "previous"] if nightly else []),
            *extra,
        ]
    )
    assert code == 0
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _inactive(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["subject"]["id"]: f for f in report["findings"] if f["rule"] == InactiveUserLicensed.id}


def _same(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The inactivity findings, but for the date of the full read they rest on (and what a baseline adds)."""
    return {
        uid: {
            **{k: v for k, v in f.items() if k not in ("change", "first_seen")},
            "details": {k: v for k, v in f["details"].items() if k != "sign_ins_read_at"},
        }
        for uid, f in _inactive(report).items()
    }


def _sign_in_reads(graph: GraphEmulator) -> tuple[list[Any], list[Any]]:
    """The sign-in requests of a run: (every user's, filtered)."""
    reads = [r for r in graph.requests_to("/users") if "signInActivity" in r.query.get("$select", "")]
    return [r for r in reads if "$filter" not in r.query], [r for r in reads if "$filter" in r.query]


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_the_second_night_reads_only_the_quiet_users_and_finds_what_a_full_read_finds(
    tmp_path: Path, policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = _tenant(1_200)
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    nightly = tmp_path / "nightly"
    # the first night reads everyone and keeps it; pick a first night that is not the tenant's full night
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    with GraphEmulator(snap, token=token) as graph:
        _audit(graph, policy, nightly, first, True)
    full, filtered = _sign_in_reads(graph)
    assert (len(full), filtered) == (math.ceil(1_200 / 500), [])
    kept, _ = load(nightly / KEPT_FILE)
    assert kept is not None and kept.tenant_id == snap.tenant_id and len(kept.users) == 1_200
    assert kept.read_at == _iso(first)
    # the next night: only the users without a successful sign-in since the window's start + a day
    second = first + timedelta(days=1)
    with GraphEmulator(snap, token=token) as graph:
        got = _audit(graph, policy, nightly, second, True)
        full, filtered = _sign_in_reads(graph)
        reference = _audit(graph, policy, tmp_path / "full", second, False)
    assert full == [] and len(filtered) == 1
    cutoff = second - timedelta(days=WINDOW - 1)
    assert filtered[0].query["$filter"] == f"signInActivity/lastSuccessfulSignInDateTime le {_iso(cutoff)}"
    quiet = [
        u
        for u in snap.users
        if u.last_successful_sign_in_date_time and u.last_successful_sign_in_date_time <= _iso(cutoff)
    ]
    assert 0 < len(quiet) < 500
    assert _same(got) == _same(reference) and _same(got)
    assert {f["details"]["sign_ins_read_at"] for f in _inactive(got).values()} == {_iso(first)}
    # a run without --baseline previous reads everyone: its own collection is the full read (collected_at)
    assert all("sign_ins_read_at" not in f["details"] for f in _inactive(reference).values())
    assert "sign_ins_read_at" not in reference
    assert got["sign_ins_read_at"] == _iso(first)
    assert any("the full read of " + _iso(first) in w for w in got["warnings"])
    # the report's header and the digest say so, in the report's language
    read = f"{first:%b} {first.day}, {first.year}"  # "Nov 1, 2026"
    html, md = (nightly / "report.html").read_text("utf-8"), (nightly / "report.md").read_text("utf-8")
    assert (
        f"Sign-in activity read in full</td><td>{read}" in html and "| Sign\\-in activity read in full | " + read in md
    )
    assert f"Sign-in activity read in full {read}" in (nightly / "digest.txt").read_text("utf-8")
    assert f"Sign-in activity read in full {read}" in (nightly / "digest.html").read_text("utf-8")
    for page in (tmp_path / "full" / "report.html", tmp_path / "full" / "digest.txt"):
        assert "Sign-in activity read in full" not in page.read_text("utf-8")


def test_a_full_read_when_the_kept_one_is_missing_old_of_another_tenant_or_window(tmp_path: Path) -> None:
    plan = SignInPlan(tmp_path, WINDOW, every=7)
    tenant = "11111111-2222-3333-4444-555555555555"
    night = next(START + timedelta(days=d) for d in range(7) if not full_night(tenant, START + timedelta(days=d), 7))
    kept, why = load(plan.path())
    assert kept is None and full_read_reason(plan, kept, why, tenant, night) == "no kept read yet"
    (tmp_path / KEPT_FILE).write_bytes(b"not gzip")
    kept, why = load(plan.path())
    assert kept is None and "not one this auditor wrote" in (full_read_reason(plan, kept, why, tenant, night) or "")
    from auditor.graph.kept_sign_ins import save

    save(plan.path(), tenant, night - timedelta(days=1), WINDOW, {"u": (None, None, None)})
    kept, why = load(plan.path())
    assert kept is not None and full_read_reason(plan, kept, why, tenant, night) is None
    assert full_read_reason(plan, kept, why, "99999999-2222-3333-4444-555555555555", night) == (
        "the kept read is of another tenant"
    )
    assert "the policy's is 60" in (
        full_read_reason(dataclasses.replace(plan, window_days=60), kept, why, tenant, night) or ""
    )
    assert full_read_reason(plan, kept, why, tenant, night + timedelta(days=7)) == "the kept read is 8 days old"
    assert (
        full_read_reason(plan, kept, why, tenant, night - timedelta(days=2)) == "the kept read is newer than the clock"
    )
    # a window shorter than the nights between full reads: read in full before the window passes
    short = dataclasses.replace(plan, window_days=3)
    save(plan.path(), tenant, night - timedelta(days=2), 3, {"u": (None, None, None)})
    kept, why = load(plan.path())
    assert full_read_reason(short, kept, why, tenant, night) == "the kept read is 2 days old"


def test_a_fleet_spreads_its_full_reads_over_the_nights() -> None:
    """1,000 tenants, 7 nights: each tenant has one full night in seven, each night about a seventh."""
    rng = random.Random(1)
    tenants = [f"{rng.getrandbits(128):032x}" for _ in range(1_000)]
    nights = [START + timedelta(days=d) for d in range(14)]
    per_night = [sum(full_night(t, n, 7) for t in tenants) for n in nights]
    assert all(110 <= count <= 180 for count in per_night), per_night
    for t in tenants:
        fulls = [d for d, n in enumerate(nights) if full_night(t, n, 7)]
        assert len(fulls) == 2 and fulls[1] - fulls[0] == 7


def test_the_merge_keeps_nothing_stale_but_a_never_signed_in_user() -> None:
    cutoff = START - timedelta(days=WINDOW - 1)
    old, recent = _iso(cutoff - timedelta(days=3)), _iso(cutoff + timedelta(days=3))
    kept_users = {
        "went-quiet": (recent, None, recent),  # answered tonight
        "came-back": (old, None, old),  # not answered: signed in since the cutoff
        "still-active": (recent, None, recent),
        "never": (None, None, None),
        "failed-only": (old, None, None),
    }
    from auditor.graph.kept_sign_ins import KeptRead

    kept = KeptRead(1, "t", _iso(START - timedelta(days=1)), WINDOW, kept_users)
    answer = {"went-quiet": (old, None, old)}
    merged = merge(kept, answer, cutoff)
    assert merged["went-quiet"] == (old, None, old)
    assert merged["came-back"] == (old, None, _iso(cutoff))  # its earliest: after the cutoff
    assert merged["still-active"] == kept_users["still-active"]
    assert merged["never"] == (None, None, None) and merged["failed-only"] == (old, None, None)


def test_a_refused_filter_reads_everyone(tmp_path: Path, policy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snap = _tenant(300)
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    with GraphEmulator(snap, token=token) as graph:
        _audit(graph, policy, tmp_path / "n", first, True)
    refuse = Fault(FaultKind.UNSUPPORTED, match=r"^GET /v1\.0/users\?.*\$filter=signInActivity", count=None)
    with GraphEmulator(snap, token=token, responders=[refuse]) as graph:
        got = _audit(graph, policy, tmp_path / "n", first + timedelta(days=1), True)
        full, filtered = _sign_in_reads(graph)
    assert len(full) == 1 and len(filtered) == 1
    assert got["sign_ins_read_at"] == _iso(first + timedelta(days=1))
    assert any("Graph refused the filter on signInActivity" in w for w in got["warnings"])


def test_every_night_reads_in_full_with_every_one_and_without_baseline_previous(
    tmp_path: Path, policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = _tenant(300)
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    for night in range(2):
        with GraphEmulator(snap, token=token) as graph:
            _audit(graph, policy, tmp_path / "every", START + timedelta(days=night), True, "--sign-in-full-every", "1")
            _audit(graph, policy, tmp_path / "plain", START + timedelta(days=night), False)
        full, filtered = _sign_in_reads(graph)
        assert (len(full), filtered) == (2, [])
    assert not (tmp_path / "plain" / KEPT_FILE).exists()
