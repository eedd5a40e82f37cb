"""The nightly's kept sign-in read is input like any other (auditor.graph.kept_trust): a file with
this tenant's header that tonight's user listing does not corroborate makes the night read every
user's sign-in activity, says why among the report's warnings, and finds what a full read finds.
Two nights of `audit --baseline previous` through the CLI and the real collector against the Graph
emulator on loopback; between them the kept file is rewritten as a restored artifact or cache could
hold it."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graph_tenants import make_tenant
from test_kept_sign_ins import POLICY, START, WINDOW, _iso

from auditor.cli import main
from auditor.data.model import TenantSnapshot, User
from auditor.graph.kept_sign_ins import KEPT_FILE, full_night, load, save, times
from auditor.graph.pacing import forget_app_windows
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor_dev.emulator import GraphEmulator, app_token

USERS = 300
Times = dict[str, tuple[str | None, str | None, str | None]]


def _tenant() -> TenantSnapshot:
    """make_tenant's users, enabled, created a year before START: one in ten never signed in, one in
    five last signed in 20 to 90 days before, the others within the last 20 days."""
    rng = random.Random(85)
    base = make_tenant(USERS)
    users: list[User] = []
    for u in base.users:
        u = u.with_values(account_enabled=True, created_date_time=_iso(START - timedelta(days=365)))
        draw = rng.random()
        when = (
            None
            if draw < 0.1
            else _iso(START - timedelta(days=rng.uniform(20, 90) if draw < 0.3 else rng.uniform(0, 20)))
        )
        users.append(
            u.with_values(
                last_sign_in_date_time=when,
                last_non_interactive_sign_in_date_time=None,
                last_successful_sign_in_date_time=when,
            )
        )
    return dataclasses.replace(base, users=tuple(users), collected_at=_iso(START))


def _audit(graph: GraphEmulator, policy: Path, out: Path, when: datetime, nightly: bool) -> dict[str, Any]:
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
            "json",
            "--fail-on",
            "never",
            "--as-of",
            _iso(when),
            *(["--baseline", "previous"] if nightly else []),
        ]
    )
    assert code == 0
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def _inactive(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The inactivity findings by user, but for the full read's date (and what a baseline adds)."""
    return {
        f["subject"]["id"]: {
            **{k: v for k, v in f.items() if k not in ("change", "first_seen")},
            "details": {k: v for k, v in f["details"].items() if k != "sign_ins_read_at"},
        }
        for f in report["findings"]
        if f["rule"] == InactiveUserLicensed.id
    }


def _sign_in_reads(graph: GraphEmulator) -> tuple[int, int]:
    """The sign-in requests of a run: (every user's, filtered)."""
    reads = [r for r in graph.requests_to("/users") if "signInActivity" in r.query.get("$select", "")]
    return sum("$filter" not in r.query for r in reads), sum("$filter" in r.query for r in reads)


def _licensed_active(snap: TenantSnapshot) -> list[str]:
    recent = _iso(START - timedelta(days=20))
    return [
        u.id
        for u in snap.users
        if u.assigned_licenses and u.last_successful_sign_in_date_time and u.last_successful_sign_in_date_time > recent
    ]


def _no_users(kept: Times, snap: TenantSnapshot) -> Times:
    return {}


def _half_dropped(kept: Times, snap: TenantSnapshot) -> Times:
    return dict(list(kept.items())[: len(kept) // 2])


def _five_dropped(kept: Times, snap: TenantSnapshot) -> Times:
    gone = set(_licensed_active(snap)[:5])
    return {uid: t for uid, t in kept.items() if uid not in gone}


def _nulled(kept: Times, snap: TenantSnapshot) -> Times:
    return dict.fromkeys(kept, (None, None, None))


def _in_2099(kept: Times, snap: TenantSnapshot) -> Times:
    return dict.fromkeys(kept, ("2099-01-01T00:00:00Z", None, "2099-01-01T00:00:00Z"))


def _not_a_time(kept: Times, snap: TenantSnapshot) -> Times:
    uid = _licensed_active(snap)[0]
    return kept | {uid: ("yesterday", None, "yesterday")}


def _padded(kept: Times, snap: TenantSnapshot) -> Times:
    recent = _iso(START - timedelta(days=1))
    return kept | {f"00000000-0000-4000-8000-{n:012d}": (recent, None, recent) for n in range(100)}


CASES: dict[str, tuple[Callable[[Times, TenantSnapshot], Times], str]] = {
    "count 0": (_no_users, "the kept read holds 0 users and tonight's listing 300, more than 30 apart"),
    "half the users dropped": (_half_dropped, "the kept read holds 150 users and tonight's listing 300"),
    "five active users dropped": (_five_dropped, "the kept read lacks 5 of the users listed tonight"),
    "every time null": (_nulled, "the kept read holds no successful sign-in for "),
    "times in 2099": (_in_2099, "the kept read holds a sign-in time after it was made ('2099-01-01T00:00:00Z'"),
    "a time that is not one": (_not_a_time, "the kept read holds a sign-in time after it was made ('yesterday'"),
    "padded with unknown users": (_padded, "the kept read holds 400 users and tonight's listing 300"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_kept_read_the_tenant_does_not_corroborate_is_read_again_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    rewrite, why = CASES[case]
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    snap = _tenant()
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    # a first night whose next night is not the tenant's night for a full read
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    second = first + timedelta(days=1)
    nightly = tmp_path / "nightly"
    with GraphEmulator(snap, token=token) as graph:
        _audit(graph, policy, nightly, first, True)
    kept, _ = load(nightly / KEPT_FILE)
    assert kept is not None and kept.count == USERS
    written = {uid: t for chunk in times(kept) for uid, t in chunk.items()}
    # this tenant's header, this window, the first night's time: only the users' lines differ
    save(nightly / KEPT_FILE, snap.tenant_id, first, WINDOW, rewrite(written, snap))
    with GraphEmulator(snap, token=token) as graph:
        got = _audit(graph, policy, nightly, second, True)
        reads = _sign_in_reads(graph)
        reference = _audit(graph, policy, tmp_path / "full", second, False)
    # every user's; the filtered read, sent while the listing was awaited, is dropped with its note
    assert reads[0] == math.ceil(USERS / 500) and reads[1] <= 1
    assert not [w for w in got["warnings"] if w.startswith("signInActivity: ")]
    [warning] = [w for w in got["warnings"] if w.startswith("the kept sign-in read was not used")]
    assert why in warning and warning.endswith("every user's sign-in activity was read")
    assert got["complete"] is True and got["sign_ins_read_at"] == _iso(second)
    assert _inactive(got) == _inactive(reference) and _inactive(got)
    # tonight's full read is kept in its place
    again, _ = load(nightly / KEPT_FILE)
    assert again is not None and again.count == USERS and again.read_at == _iso(second)


def test_a_kept_read_the_tenant_corroborates_is_used_though_users_joined_and_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Users created since the full read (not in it) and users deleted since (only in it), within the
    count's tolerance: the night reads only what can have changed, as before."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    snap = _tenant()
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    second = first + timedelta(days=1)
    with GraphEmulator(snap, token=token) as graph:
        _audit(graph, policy, tmp_path / "nightly", first, True)
    joined = [
        u.with_values(
            id=f"11111111-0000-4000-8000-{n:012d}",
            user_principal_name=f"joiner{n}@contoso.example",
            created_date_time=_iso(first + timedelta(hours=6)),
            last_sign_in_date_time=None,
            last_non_interactive_sign_in_date_time=None,
            last_successful_sign_in_date_time=None,
        )
        for n, u in enumerate(snap.users[:8])
    ]
    changed = dataclasses.replace(snap, users=(*snap.users[8:], *joined))  # 8 left, 8 joined
    with GraphEmulator(changed, token=token) as graph:
        got = _audit(graph, policy, tmp_path / "nightly", second, True)
        reads = _sign_in_reads(graph)
    assert reads[0] == 0
    assert not [w for w in got["warnings"] if w.startswith("the kept sign-in read was not used")]
    assert [w for w in got["warnings"] if w.startswith("signInActivity: ")]  # the kept read was used
    assert got["sign_ins_read_at"] == _iso(first)
