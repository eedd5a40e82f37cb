"""The nightly reads again only the sign-in activity that can have changed (auditor.graph.kept_sign_ins):
`audit --baseline previous` keeps its last full read beside its reports, and on the nights after it
reads only the users without a successful sign-in since the window's start (Graph's documented `le`
filter), everyone else from the kept read. Through the CLI, the real collector and msgraph-sdk
against the emulator on loopback; the clock is the audit's `--as-of` and apply's injected clock, and
nothing waits on the wall clock: each run's sign-in lane holds fewer than ten requests (the first ten
of a minute go at once), and each run starts its app's windows afresh (forget_app_windows).

Thirty nights: people sign in (most of them using Exchange too, as the active-user usage report
shows two days later), go quiet, come back, join and leave between nights; each night the nightly's
inactivity findings are compared with those of a run that reads every user. The differences allowed,
and found: an account without a successful sign-in in the kept full read that signs in before the
next full read is still reported until then; so is a dormant account (an open inactivity finding)
that signs in on a night the usage report shows it idle since the kept read (a sign-in without use,
or after the report's refresh date: auditor.graph.dormant_usage). Apply reads their sign-in activity
again and skips their removal."""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from emulator_faults import Fault, FaultKind
from graph_tenants import make_tenant

from auditor.cli import main
from auditor.data.model import TenantSnapshot, User
from auditor.data.usage_data import ACTIVE_USERS, ReportRead, UsageReports, UserUsage
from auditor.graph.kept_sign_ins import (
    KEPT_FILE,
    SignInPlan,
    full_night,
    full_read_reason,
    load,
    load_quiet,
    merge,
    quiet_since,
    times,
)
from auditor.graph.pacing import forget_app_windows
from auditor.rules.hygiene.accounts import InactiveUserLicensed
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token
from auditor_dev.emulator.budgets import Budgets
from auditor_dev.emulator.reports import ReportOptions

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
NEVER = "0001-01-01T00:00:00Z"  # Graph's "never"


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


def _audit(
    graph: GraphEmulator,
    policy: Path,
    out: Path,
    when: datetime,
    nightly: bool,
    *extra: str,
    formats: str = "json,html,md",
) -> dict[str, Any]:
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
            formats,
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
    """The inactivity findings, but for the date of the full read they rest on, the usage report that
    stood in for a sign-in read (and what a baseline adds)."""
    return {
        uid: {
            **{k: v for k, v in f.items() if k not in ("change", "first_seen")},
            "details": {k: v for k, v in f["details"].items() if k not in ("sign_ins_read_at", "usage_quiet_through")},
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
    assert kept is not None and kept.tenant_id == snap.tenant_id and kept.count == 1_200
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
    # both times of the note in one format, the kept read's own (and the filter's)
    said = f"without a successful sign-in since {_iso(cutoff)}; every other user's is the full read of {_iso(first)}"
    assert any(said in w for w in got["warnings"]), got["warnings"]
    # the report's header and the digest say so, in the report's language
    read = f"{first:%b} {first.day}, {first.year}"  # "Nov 1, 2026"
    html, md = (nightly / "report.html").read_text("utf-8"), (nightly / "report.md").read_text("utf-8")
    assert (
        f"Sign-in activity read in full</td><td>{read}" in html and "| Sign\\-in activity read in full | " + read in md
    )
    assert f"Sign-in activity read in full on {read}" in (nightly / "digest.txt").read_text("utf-8")
    assert f"Sign-in activity read in full on {read}" in (nightly / "digest.html").read_text("utf-8")
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


def test_the_merge_keeps_nothing_stale_but_a_never_signed_in_user(tmp_path: Path) -> None:
    cutoff = START - timedelta(days=WINDOW - 1)
    old, recent = _iso(cutoff - timedelta(days=3)), _iso(cutoff + timedelta(days=3))
    kept_users = {
        "went-quiet": (recent, None, recent),  # answered tonight
        "came-back": (old, None, old),  # not answered: signed in since the cutoff
        "still-active": (recent, None, recent),
        "never": (None, None, None),
        "failed-only": (old, None, None),
    }
    from auditor.graph.kept_sign_ins import save

    save(tmp_path / KEPT_FILE, "t", START - timedelta(days=1), WINDOW, kept_users | {"ever": (old, None, NEVER)})
    kept, _ = load(tmp_path / KEPT_FILE)
    assert kept is not None
    # the only users the answer can change: a successful sign-in kept, not after the cutoff
    assert quiet_since(kept, cutoff) == ["came-back"]
    save(tmp_path / KEPT_FILE, "t", START - timedelta(days=1), WINDOW, kept_users)
    kept, _ = load(tmp_path / KEPT_FILE)
    assert kept is not None
    answer = {"went-quiet": (old, None, old)}
    merged = {uid: t for chunk in merge(kept, answer, cutoff) for uid, t in chunk.items()}
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


def test_no_request_when_no_licensed_user_can_have_gone_quiet_and_one_when_one_can(
    tmp_path: Path, policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every licensed user the kept read saw signing in successfully did so after the cutoff (some
    never did): the filter can change none of them, so the second night sends no sign-in request and
    finds what a full read finds. An unlicensed user quiet since before the cutoff changes nothing
    (the rule does not judge it); one licensed user quiet since then costs one filtered request."""
    base = _tenant(300)
    cutoff_ago = timedelta(days=WINDOW - 2)  # the second night's cutoff is WINDOW - 1 days back
    users = []
    for n, u in enumerate(base.users):
        ok = u.last_successful_sign_in_date_time
        if ok is not None and ok <= _iso(START - timedelta(days=20)):  # the quiet ones, 20 to 90 days
            u = _signed_in(u, START - timedelta(days=3)) if n % 2 else u.with_values(assigned_licenses=())
        users.append(u)
    unlicensed_quiet = [u.id for u in users if not u.assigned_licenses and u.last_successful_sign_in_date_time]
    never = [u.id for u in users if u.assigned_licenses and u.last_successful_sign_in_date_time is None]
    assert unlicensed_quiet and never
    snap = dataclasses.replace(base, users=tuple(users))
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    second = first + timedelta(days=1)
    with GraphEmulator(snap, token=token) as graph:
        _audit(graph, policy, tmp_path / "nightly", first, True)
    with GraphEmulator(snap, token=token) as graph:
        got = _audit(graph, policy, tmp_path / "nightly", second, True)
        assert _sign_in_reads(graph) == ([], [])
        reference = _audit(graph, policy, tmp_path / "full", second, False)
    assert _same(got) == _same(reference) and set(_same(got)) >= set(never)
    assert got["sign_ins_read_at"] == _iso(first)
    assert any(w.startswith("signInActivity: no request") for w in got["warnings"])
    # one licensed user last seen before the cutoff: one filtered request, and it is found
    quiet = next(u for u in users if u.assigned_licenses and u.last_successful_sign_in_date_time)
    again = dataclasses.replace(
        snap,
        users=tuple(_signed_in(u, second - cutoff_ago - timedelta(days=5)) if u is quiet else u for u in users),
    )
    with GraphEmulator(again, token=token) as graph:
        _audit(graph, policy, tmp_path / "again", first, True)
    with GraphEmulator(again, token=token) as graph:
        got = _audit(graph, policy, tmp_path / "again", second, True)
        full, filtered = _sign_in_reads(graph)
        reference = _audit(graph, policy, tmp_path / "full-again", second, False)
    assert (full, len(filtered)) == ([], 1)
    assert _same(got) == _same(reference) and quiet.id in _same(got)


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


def test_the_policy_sets_the_nights_between_full_reads_and_the_command_line_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    every_night = tmp_path / "every-night.yaml"
    every_night.write_text(POLICY + "    sign_in_full_every: 1\n", encoding="utf-8")
    snap = _tenant(300)
    token = app_token(snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    # a first night whose next is not the tenant's night for a full read at the default 7
    first = next(
        START + timedelta(days=d) for d in range(7) if not full_night(snap.tenant_id, START + timedelta(days=d + 1), 7)
    )
    for night in range(2):
        with GraphEmulator(snap, token=token) as graph:
            _audit(graph, every_night, tmp_path / "policy", first + timedelta(days=night), True)
        full, filtered = _sign_in_reads(graph)
        assert (len(full), filtered) == (1, []), night  # the policy's one night: a full read each night
    for night in range(2):
        with GraphEmulator(snap, token=token) as graph:
            when = first + timedelta(days=night)
            _audit(graph, every_night, tmp_path / "cli", when, True, "--sign-in-full-every", "7")
        full, filtered = _sign_in_reads(graph)
        assert (len(full), len(filtered)) == ((1, 0) if night == 0 else (0, 1)), night  # the command line wins


# --- thirty nights ---------------------------------------------------------------------------------

NIGHTS = 30
# users at the start (about one more each night): above Graph's 500 a page, so a full read is two pages;
# correctness, not scale (tests marked slow measure that)
USERS = 520
USED = 0.7  # the share of sign-ins with a use of Exchange the active-user usage report shows
LAG = timedelta(days=2)  # the report's refresh date, this long before the night


class _Tenant:
    """A tenant whose people sign in, go quiet, come back, join and leave between nights (seeded);
    its active-user usage report refreshed LAG before each night."""

    def __init__(self, snap: TenantSnapshot, seed: int = 30) -> None:
        self.rng = random.Random(seed)
        self.usage_rng = random.Random(seed + 1)  # apart: the sign-ins are drawn as before
        self.used: dict[str, list[str]] = {}  # user id -> the days it used Exchange
        self.refreshed = ""
        self.snap = snap
        self.users = {u.id: u for u in snap.users}
        never = [u.id for u in snap.users if u.last_successful_sign_in_date_time is None]
        self.quiet = set(never) | {u.id for u in snap.users if self.rng.random() < 0.15}  # do not sign in
        self.hires = 0

    def night(self, when: datetime) -> None:
        rng = self.rng
        for uid in list(self.users):
            if uid in self.quiet:
                if rng.random() < 0.02:  # comes back (a never-signed-in user too: the allowed difference)
                    self.quiet.discard(uid)
            elif rng.random() < 0.02:
                self.quiet.add(uid)  # goes quiet for good, unless it comes back
            elif rng.random() < 0.4:  # signs in tonight
                self.users[uid] = _signed_in(self.users[uid], when - timedelta(hours=rng.uniform(1, 20)))
                if self.usage_rng.random() < USED:
                    self.used.setdefault(uid, []).append(self.users[uid].last_successful_sign_in_date_time[:10])
        for uid in rng.sample(sorted(self.users), 2):  # leavers
            del self.users[uid]
            self.quiet.discard(uid)
        template = next(u for u in self.users.values() if u.assigned_licenses)
        for _ in range(3):  # new hires: some never sign in
            self.hires += 1
            uid = f"00000000-0000-4000-8000-{self.hires:012d}"
            self.users[uid] = template.with_values(
                id=uid,
                user_principal_name=f"hire{self.hires}@contoso.example",
                display_name=f"Hire {self.hires}",
                created_date_time=_iso(when - timedelta(hours=2)),
                last_sign_in_date_time=None,
                last_non_interactive_sign_in_date_time=None,
                last_successful_sign_in_date_time=None,
            )
            if rng.random() < 0.5:
                self.quiet.add(uid)
        groups = tuple(
            msgspec.structs.replace(
                g,
                members=tuple(m for m in g.members if m in self.users),
                direct_members=tuple(m for m in g.direct_members if m in self.users)
                if g.direct_members is not None
                else None,
            )
            for g in self.snap.groups
        )
        self.refreshed = (when - LAG).date().isoformat()
        rows = tuple(
            UserUsage(u.user_principal_name, exchangeLastActivityDate=self.last_use(uid), reports=(ACTIVE_USERS.name,))
            for uid, u in self.users.items()
            if self.last_use(uid) is not None
        )
        report = ReportRead(ACTIVE_USERS.name, "D30", self.refreshed, f"GET {ACTIVE_USERS.request(30)}")
        self.snap = dataclasses.replace(
            self.snap,
            users=tuple(self.users.values()),
            groups=groups,
            usage_reports=UsageReports((report,), tuple(sorted(rows, key=lambda r: r.userPrincipalName.lower()))),
        )

    def last_use(self, uid: str) -> str | None:
        """The user's last use of Exchange as the report refreshed tonight shows it."""
        return max((d for d in self.used.get(uid, ()) if d <= self.refreshed), default=None)


class _Nightly:
    """One nightly's thirty nights (`--baseline previous` into one folder, a full read every `every`), each
    night's inactivity findings judged against the full read's of the same night."""

    def __init__(self, folder: Path, every: int, policy: Path) -> None:
        self.folder, self.every, self.policy = folder, every, policy
        self.rarer = [] if every == 7 else ["--sign-in-full-every", str(every)]
        self.kinds: list[str] = []
        self.differences: dict[int, set[str]] = {}
        self.by_usage: dict[int, set[str]] = {}  # nights the usage report stood in for the filtered request

    def run(self, night: int, when: datetime, graph: GraphEmulator) -> tuple[dict[str, Any], list[Any], list[Any], int]:
        """Tonight's nightly, the first run on `graph`: its report and its requests (sign-in reads: every
        user's, filtered; usage report reads)."""
        formats = "json,html,md" if night == NIGHTS else "json"  # the other formats on the last night only
        got = _audit(graph, self.policy, self.folder, when, True, *self.rarer, formats=formats)
        full, filtered = _sign_in_reads(graph)
        return got, full, filtered, len(graph.requests_to(r"/reports/getOffice365ActiveUserDetail.*"))

    def night(
        self,
        night: int,
        when: datetime,
        tenant: _Tenant,
        ran: tuple[dict[str, Any], list[Any], list[Any], int],
        reference: dict[str, Any],
    ) -> None:
        """Tonight's nightly judged against the full read of the night."""
        got, full, filtered, asked = ran
        users = len(tenant.snap.users)
        kept, _ = load(self.folder / KEPT_FILE)
        assert kept is not None
        if kept.read_at != _iso(when):  # what can have changed: one filtered request (none: nobody quiet)
            assert full == [] and len(filtered) <= 1, night
            assert got["sign_ins_read_at"] == kept.read_at
            self.kinds.append("changed")
        else:
            assert len(full) == math.ceil(users / 500) and kept.read_at == _iso(when), night
            self.kinds.append("full")
        mine, theirs = _same(got), _same(reference)
        assert set(theirs) <= set(mine), f"night {night}: the nightly missed {set(theirs) - set(mine)}"
        for uid in set(theirs):
            assert mine[uid] == theirs[uid], f"night {night}: {uid} differs"
        extra = set(mine) - set(theirs)
        kept_times = {uid: t for chunk in times(kept) for uid, t in chunk.items()}
        idle = any("by the active-user usage report" in w for w in got["warnings"])
        if idle:  # no sign-in request, the report asked instead; each dormant finding says so
            assert self.kinds[-1] == "changed" and filtered == [] and asked >= 1, night
            self.by_usage[night] = set()
        signed = {uid for uid, f in mine.items() if f["details"]["last_sign_in"] is not None}
        quiet = {uid for uid, f in _inactive(got).items() if "usage_quiet_through" in f["details"]}
        assert quiet == (signed if idle else set()), night
        assert all(_inactive(got)[uid]["details"]["usage_quiet_through"] == tenant.refreshed for uid in quiet)
        for uid in extra:  # the allowed differences
            assert tenant.users[uid].last_successful_sign_in_date_time is not None
            assert tenant.users[uid].last_successful_sign_in_date_time > kept.read_at
            if kept_times[uid][2] is None:
                continue  # no successful sign-in in the kept read
            # dormant in the kept read: the usage report showed it idle since, and said so in its finding
            assert idle and uid in quiet, f"night {night}: {uid} had a successful sign-in in the kept read"
            last = tenant.last_use(uid)
            assert last is None or last < kept.read_at[:10], night
            self.by_usage[night].add(uid)
        if extra:
            self.differences[night] = extra

    def judged(self, tenant: _Tenant) -> None:
        """The nights, whole: a full read at most every `every` nights, the differences on the other nights."""
        kinds, every, differences, by_usage = self.kinds, self.every, self.differences, self.by_usage
        # a full read at most every `every` nights (the first night's, then the tenant's own night in each cycle)
        fulls = [n for n, kind in enumerate(kinds, 1) if kind == "full"]
        assert fulls[0] == 1 and all(b - a <= every for a, b in itertools.pairwise(fulls))
        assert NIGHTS // every <= len(fulls) <= NIGHTS // every + 2 and kinds.count("changed") >= NIGHTS - 6
        assert all(full_night(tenant.snap.tenant_id, START + timedelta(days=n), every) for n in fulls[1:])
        # the differences happened on nights that read what can have changed, never on a full night
        assert differences, "no never-signed-in user signed in between full reads: the test proves nothing"
        print("nights the usage report stood in:", {n: len(v) for n, v in by_usage.items()})
        assert by_usage, "the usage report never stood in for a filtered request: the test proves nothing"
        assert any(by_usage.values()), "no dormant user signed in unseen by the usage report: the test proves nothing"
        assert all(kinds[n - 1] == "changed" for n in differences)

    def applied(self, tenant: _Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Apply, on the last night's plan, reads each such user's sign-in activity again and skips it."""
        extra, nightly, policy = self.differences[NIGHTS], self.folder, self.policy
        assert main(["plan", "--report-dir", str(nightly)]) == 0
        plan = json.loads((nightly / "plan.json").read_text(encoding="utf-8"))
        changes = {c["user"]: c for c in plan["changes"] if c["user"] in extra}
        assert changes and all({"no_sign_in_within_days": WINDOW} in c["precondition"] for c in changes.values())
        # only their changes (apply reads each user's signInActivity again: ten a minute in the lane)
        (tmp_path / "theirs.json").write_text(
            json.dumps({**plan, "changes": [{**c, "n": n} for n, c in enumerate(changes.values(), 1)]}),
            encoding="utf-8",
        )
        writer = app_token(tenant.snap.tenant_id, (*DEMO_ROLES, "LicenseAssignment.ReadWrite.All"))
        monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", writer)
        monkeypatch.setattr("auditor.apply.run.clock", lambda: START + timedelta(days=NIGHTS, hours=1))
        journal = tmp_path / "journal.jsonl"
        with GraphEmulator(tenant.snap, token=writer) as graph:
            main(
                [
                    "apply",
                    str(tmp_path / "theirs.json"),
                    "--graph-endpoint",
                    graph.url,
                    "--auth",
                    "token",
                    "--tenant-id",
                    tenant.snap.tenant_id,
                    "--policies",  # the operator's policy, the one the nights were audited with
                    str(policy),
                    "--yes",
                    "--wait",
                    "0",
                    "--journal",
                    str(journal),
                ]
            )
            removed = {w.path.split("/")[2] for w in graph.writes() if w.path.endswith("/assignLicense")}
        lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
        outcomes = {
            x["action"]["user"]: x for x in lines if "outcome" in x and x.get("action", {}).get("user") in changes
        }
        assert set(outcomes) == set(changes) and removed.isdisjoint(changes)
        for line in outcomes.values():
            assert line["outcome"] == "skipped" and line["note"].startswith("the user signed in successfully at")


def test_thirty_nights_find_what_a_full_read_finds_but_for_the_named_difference(
    tmp_path: Path, policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each night the nightly (--baseline previous, one folder) and an audit that reads every user,
    against the same emulator (its active-user report listing every licensed user, as Microsoft's);
    their inactivity findings may differ only by users who signed in since the kept full read, and
    whose kept read held no successful sign-in, or who were dormant in it on a night the usage report
    showed them idle since (reported until the next full read, or a night the report shows the use).
    With a full read every 7 nights (the default) and every 14 (`--sign-in-full-every 14`, the rarer
    full read an MSP may choose for its app's lane: docs/graph.md): the same differences, no other.
    The two nightlies run side by side on the same tenant's nights, each judged against the one full
    read of the night (an audit without a baseline reads the same, whichever nightly runs beside it)."""
    # a seed whose last night holds a difference apply must skip (the checks below say when one proves nothing)
    tenant = _Tenant(_tenant(USERS), seed=31)
    token = app_token(tenant.snap.tenant_id)
    monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
    nightlies = [_Nightly(tmp_path / f"nightly-{every}", every, policy) for every in (7, 14)]
    throttled = 0
    for night in range(1, NIGHTS + 1):
        when = START + timedelta(days=night)
        tenant.night(when)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(when.timestamp())))
        # every Graph limit kept, the sign-in lane's among them
        listed = ReportOptions(licensed_rows=True)
        ran = []
        for nightly in nightlies:  # each nightly the first run on an emulator of its own, as when run alone
            with GraphEmulator(tenant.snap, token=token, budgets=Budgets(), reports=listed) as graph:
                ran.append(nightly.run(night, when, graph))
                if nightly is nightlies[0]:  # the full read after it, on the same emulator
                    # the findings are judged in report.json: the other formats on the last night only
                    formats = "json,html,md" if night == NIGHTS else "json"
                    reference = _audit(graph, policy, tmp_path / f"full-{night:02d}", when, False, formats=formats)
                throttled += sum(1 for r in graph.requests if r.status == 429)
        for nightly, got in zip(nightlies, ran, strict=True):
            nightly.night(night, when, tenant, got, reference)
    assert throttled == 0
    for nightly in nightlies:
        nightly.judged(tenant)
    for nightly in nightlies:
        where = tmp_path / f"apply-{nightly.every}"
        where.mkdir()
        nightly.applied(tenant, where, monkeypatch)


def test_the_kept_read_is_read_a_chunk_at_a_time_and_checked_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines of CHUNK users after the header; a file cut short, or one written before (schema 1: one
    JSON object), is no kept read; the merge applies chunk by chunk, in place, to the listed users."""
    from auditor.graph import kept_sign_ins
    from auditor.graph.kept_sign_ins import save, signed_in

    monkeypatch.setattr(kept_sign_ins, "CHUNK", 2)
    path = tmp_path / KEPT_FILE
    old, recent = "2026-01-01T00:00:00Z", "2026-10-30T00:00:00Z"
    kept_users = {f"u{i}": (recent, None, recent) for i in range(5)} | {"quiet": (old, old, old)}
    save(path, "t", START - timedelta(days=1), WINDOW, kept_users)
    assert len(gzip.decompress(path.read_bytes()).splitlines()) == 1 + 3
    kept, why = load(path)
    assert kept is not None and kept.count == 6 and why == ""
    for chunk in times(kept):  # the successful time is the interactive one's string, as a full read's
        assert all(t[2] is t[0] for t in chunk.values())
    users = [User.new(uid, f"{uid}@x") for uid in ("new", *kept_users)]
    cutoff = START - timedelta(days=WINDOW - 1)
    same = signed_in(users, merge(kept, {"u1": (old, None, old)}, cutoff))
    assert same is users and [u.id for u in users] == ["new", *kept_users]
    got = {u.id: (u.last_sign_in_date_time, u.last_successful_sign_in_date_time) for u in users}
    assert got["new"] == (None, None) and got["u0"] == (recent, recent) and got["u1"] == (old, old)
    assert got["quiet"] == (old, _iso(cutoff))  # not answered: signed in since the cutoff
    # the nightly's one pass over the file (load_quiet): load's answer and quiet_since's, whatever the chunks
    assert load_quiet(path, cutoff) == (kept, "", quiet_since(kept, cutoff)) and quiet_since(kept, cutoff) == ["quiet"]
    path.write_bytes(gzip.compress(b"\n".join(gzip.decompress(path.read_bytes()).splitlines()[:-1])))
    assert "holds 4 users of 6" in load(path)[1]
    assert load_quiet(path, cutoff) == (None, load(path)[1], [])
    path.write_bytes(gzip.compress(b'{"schema":1,"tenant_id":"t","read_at":"2026-01-01T00:00:00Z","users":{}}'))
    assert load(path) == (None, "the kept read is of another version")
