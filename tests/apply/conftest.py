"""A small tenant, plan.json files built as `license-auditor plan` writes them, and a CLI runner
that applies them with the real msgraph-sdk adapter against the Graph emulator on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "graph"))  # the emulator fault catalogue

from auditor.cli import main
from auditor.data.model import (
    AssignedLicense,
    Cloud,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    ServicePlan,
    Sku,
    TenantSnapshot,
    User,
)
from auditor.graph.pacing import Pacing
from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, Reply, Request, VirtualTime, app_token, error_document

TENANT = "7a1c0f3e-5b2d-4e8f-9a6b-1c2d3e4f5a6b"
OTHER_TENANT = "0b9e8d7c-6f5a-4b3c-8d2e-1f0a9b8c7d6e"
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
EXCHANGE = "efb87545-963c-4e0d-99df-69c6916d9eb0"  # a service plan of E3
TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"  # a service plan of E5
# users
ANNA = "11111111-1111-4111-8111-111111111111"  # E5 directly (Teams switched off)
BEN = "22222222-2222-4222-8222-222222222222"  # E5 directly, no plans off
CARL = "33333333-3333-4333-8333-333333333333"  # E5 from group G_E5
DORA = "44444444-4444-4444-8444-444444444444"  # nothing
# groups
G_E3 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"  # assigns E3
G_E5 = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"  # assigns E5
APPLY_NOW = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)  # apply's clock in these tests: an hour after plan_doc's plan
WRITE = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")
ALL_ROLES = (*DEMO_ROLES, *WRITE)


def _user(uid: str, name: str, states: Sequence[LicenseAssignmentState]) -> User:
    held: dict[str, tuple[str, ...]] = {}
    for st in states:
        held.setdefault(st.sku_id, st.disabled_plans)
    return User.new(
        uid,
        f"{name.lower()}@contoso.example",
        name,
        usage_location="DE",
        assigned_licenses=tuple(AssignedLicense(s, p) for s, p in held.items()),
        license_assignment_states=tuple(states),
    )


def make_tenant(*, e3_seats: int = 10, e5_seats: int = 10) -> TenantSnapshot:
    users = (
        _user(ANNA, "Anna", [LicenseAssignmentState(E5, None, "Active", "None", (TEAMS,))]),
        _user(BEN, "Ben", [LicenseAssignmentState(E5, None, "Active", "None")]),
        _user(CARL, "Carl", [LicenseAssignmentState(E5, G_E5, "Active", "None")]),
        _user(DORA, "Dora", []),
    )
    skus = (
        Sku(
            f"{TENANT}_{E3}",
            E3,
            "SPE_E3",
            "User",
            "Enabled",
            0,
            PrepaidUnits(e3_seats, 0, 0, 0),
            (ServicePlan(EXCHANGE, "EXCHANGE_S_ENTERPRISE", "Success", "User"),),
        ),
        Sku(
            f"{TENANT}_{E5}",
            E5,
            "SPE_E5",
            "User",
            "Enabled",
            3,
            PrepaidUnits(e5_seats, 0, 0, 0),
            (ServicePlan(TEAMS, "TEAMS1", "Success", "User"),),
        ),
    )
    groups = (
        Group(
            G_E3,
            "License - E3",
            (AssignedLicense(E3),),
            (),
            has_members_with_license_errors=False,
            group_types=(),
            mail_enabled=False,
        ),
        Group(
            G_E5,
            "License - E5",
            (AssignedLicense(E5),),
            (CARL,),
            has_members_with_license_errors=False,
            group_types=(),
            mail_enabled=False,
        ),
    )
    return TenantSnapshot(
        tenant_id=TENANT,
        tenant_name="Contoso",
        cloud=Cloud.WORLDWIDE,
        collected_at="2026-11-01T00:00:00Z",
        skus=skus,
        subscriptions=(),
        users=users,
        groups=groups,
    )


# --- plan.json as `license-auditor plan` writes it ---------------------------------------------


def assign(
    user: str,
    *,
    add: Sequence[tuple[str, Sequence[str]]] = (),
    remove: Sequence[str] = (),
    precondition: Sequence[dict[str, Any]] | None = None,
    seats: dict[str, int] | None = None,
    description: str = "Change licenses",
) -> dict[str, Any]:
    if precondition is None:
        precondition = [*({"lacks": s} for s, _ in add), *({"holds": s, "how": "direct"} for s in remove)]
    return {
        "kind": "assign_license",
        "method": "POST",
        "path": f"/users/{user}/assignLicense",
        "body": {
            "addLicenses": [{"disabledPlans": list(p), "skuId": s} for s, p in add],
            "removeLicenses": list(remove),
        },
        "description": description,
        "user": user,
        "group": None,
        "precondition": list(precondition),
        "seats": seats or {},
    }


# what each group of make_tenant assigns, and the products its users hold directly: a join or
# leave's seats name the products it moves, as plan writes them
GROUP_PRODUCTS = {G_E3: (E3, "SPE_E3"), G_E5: (E5, "SPE_E5")}
HELD_DIRECTLY = {ANNA: {E5}, BEN: {E5}}


def _group_seats(user: str, group: str, delta: int, seats: dict[str, int] | None) -> dict[str, int]:
    """The seats a join (+1) or leave (-1) of one of make_tenant's groups moves: none for a user who
    holds its product directly (a move), else one; `seats` when the test gives them."""
    if seats is not None:
        return seats
    if group not in GROUP_PRODUCTS or GROUP_PRODUCTS[group][0] in HELD_DIRECTLY.get(user, set()):
        return {}
    return {GROUP_PRODUCTS[group][1]: delta}


def add_member(
    user: str, group: str, description: str = "Join the group", *, seats: dict[str, int] | None = None
) -> dict[str, Any]:
    return {
        "kind": "add_member",
        "method": "POST",
        "path": f"/groups/{group}/members/$ref",
        "body": {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user}"},
        "description": description,
        "user": user,
        "group": group,
        "precondition": [{"not_member_of": group}],
        "seats": _group_seats(user, group, 1, seats),
    }


def remove_member(
    user: str, group: str, description: str = "Leave the group", *, seats: dict[str, int] | None = None
) -> dict[str, Any]:
    return {
        "kind": "remove_member",
        "method": "DELETE",
        "path": f"/groups/{group}/members/{user}/$ref",
        "body": None,
        "description": description,
        "user": user,
        "group": group,
        "precondition": [{"member_of": group}],
        "seats": _group_seats(user, group, -1, seats),
    }


def reprocess(user: str) -> dict[str, Any]:
    return {
        "kind": "reprocess",
        "method": "POST",
        "path": f"/users/{user}/reprocessLicenseAssignment",
        "body": None,
        "description": "Reprocess group licenses",
        "user": user,
        "group": None,
        "precondition": [{"exists": True}],
        "seats": {},
    }


def plan_doc(
    changes: Sequence[dict[str, Any]],
    *,
    tenant: str = TENANT,
    cloud: str = "worldwide",
    depends: dict[int, list[int]] | None = None,
    created_at: str = "2026-11-01T06:05:00Z",
) -> dict[str, Any]:
    numbered = []
    for i, change in enumerate(changes, start=1):
        numbered.append({"n": i, **change, "findings": [f"finding-{i}"], "depends_on": (depends or {}).get(i, [])})
    return {
        "plan_version": 1,
        "tenant_id": tenant,
        "tenant_name": "Contoso",
        "cloud": cloud,
        "report_generated_at": "2026-11-01T06:00:00Z",
        "created_at": created_at,
        "currency": "EUR",
        "net_monthly": 10.0,
        "changes": numbered,
        "seats": {},
        "stopped": None,
        "skipped": [],
    }


def wall_clock() -> str:
    """Now, as plan.json's created_at: for a plan applied in another process, which the pinned clock
    (apply_clock) does not reach."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_plan(directory: Path, changes: Sequence[dict[str, Any]], *, name: str = "plan.json", **kwargs: Any) -> Path:
    path = directory / name
    path.write_text(json.dumps(plan_doc(changes, **kwargs), indent=2), encoding="utf-8")
    return path


def journal_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def outcome_lines(path: Path) -> list[dict[str, Any]]:
    """The journal's lines without the `sending` lines written ahead of each write."""
    return [line for line in journal_lines(path) if line["outcome"] != "sending"]


# --- running the CLI against the emulator ------------------------------------------------------


@dataclass
class Graph:
    emulator: GraphEmulator
    token: str
    clock: VirtualTime  # the emulator's group-licensing delay and apply's --wait run on it (apply_waits)

    @property
    def url(self) -> str:
        return self.emulator.url

    def writes(self) -> list[Any]:
        return [
            r for r in self.emulator.requests if r.method != "GET" and not (r.method == "POST" and r.path == "/$batch")
        ]

    def user(self, uid: str) -> User:
        [found] = [u for u in self.emulator.snapshot().users if u.id == uid]
        return found

    def direct(self, uid: str) -> dict[str, tuple[str, ...]]:
        """The user's direct assignments now: skuId -> disabledPlans."""
        return {
            s.sku_id.lower(): tuple(sorted(p.lower() for p in s.disabled_plans))
            for s in self.user(uid).license_assignment_states
            if s.assigned_by_group is None
        }

    def by_group(self, uid: str) -> set[tuple[str, str]]:
        """The user's group assignments now: (skuId, group id)."""
        return {
            (s.sku_id.lower(), (s.assigned_by_group or "").lower())
            for s in self.user(uid).license_assignment_states
            if s.assigned_by_group is not None
        }

    def member(self, uid: str, gid: str) -> bool:
        [group] = [g for g in self.emulator.snapshot().groups if g.id == gid]
        return uid in group.members

    def consumed(self, sku: str) -> int:
        [found] = [s for s in self.emulator.snapshot().skus if s.sku_id == sku]
        return found.consumed_units


@pytest.fixture(autouse=True)
def apply_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """apply measures a plan's age and the sign-in windows against its clock: pin it (no sleeps)."""
    monkeypatch.setattr("auditor.apply.run.clock", lambda: APPLY_NOW)


@pytest.fixture(autouse=True)
def apply_waits(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    """apply's waits on a virtual clock, the one the emulator keeps group_license_delay on: its
    --wait for a group's license, and its GraphClient's pacing and Retry-After (every client built
    without a pacing of its own). A test moves the clock on (graph.clock.advance) instead of
    sleeping, and a wait costs no wall time; how long apply waited is graph.clock.now() later.
    Only in this process: apply run as a subprocess waits on the wall clock."""
    clock = VirtualTime()
    monkeypatch.setattr("auditor.apply.wait.timer", clock)
    monkeypatch.setattr("auditor.graph.client.Pacing", functools.partial(Pacing, timer=clock))
    return clock


@pytest.fixture
def graph_for(monkeypatch: pytest.MonkeyPatch, apply_waits: VirtualTime) -> Iterator[Any]:
    """graph_for(snapshot, roles=..., responders=[...]): a running emulator whose token the CLI uses."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    started: list[GraphEmulator] = []

    def make(
        snapshot: TenantSnapshot | None = None,
        *,
        roles: Sequence[str] = ALL_ROLES,
        responders: Sequence[Any] = (),
        tenant_claim: str | None = None,
        token: str | None = None,
        server_roles: Sequence[str] | None = None,
        group_license_delay: float = 0.0,
        group_properties: dict[str, dict[str, Any]] | None = None,
    ) -> Graph:
        """`roles`: the token's claim; `server_roles`: what Graph really allows (default: the claim);
        `group_license_delay`: seconds (on graph.clock) before a new group member gets the group's licenses;
        `group_properties`: a group's isAssignableToRole, resourceProvisioningOptions, appRoleAssignments."""
        snapshot = snapshot or make_tenant()
        token = token or app_token(tenant_claim or snapshot.tenant_id, tuple(roles))
        extra = {"group_properties": group_properties} if group_properties else {}
        emulator = GraphEmulator(
            snapshot,
            token=token,
            responders=list(responders),
            roles=server_roles,
            group_license_delay=group_license_delay,
            clock=apply_waits.now,
            **extra,
        )
        emulator.start()
        started.append(emulator)
        monkeypatch.setenv("AUDITOR_ACCESS_TOKEN", token)
        monkeypatch.setenv("AZURE_TENANT_ID", snapshot.tenant_id)  # the operator names the tenant, never the plan
        return Graph(emulator, token, apply_waits)

    yield make
    for emulator in started:
        emulator.stop()


class RereadFails:
    """A responder: the first read of a user after each write is refused (403), so that a write whose
    answer settles nothing keeps its outcome unknown (apply re-reads the user to settle it). Put it
    before the responders that answer the writes: it only watches them go by."""

    def __init__(self, write: str = "") -> None:
        self.write = write  # only a write to this path (else any write) arms it
        self.armed = False

    def __call__(self, request: Request) -> Reply | None:
        if request.method in ("POST", "DELETE", "PATCH"):
            self.armed = self.armed or request.path == self.write or not self.write
            return None
        if (
            self.armed
            and request.method == "GET"
            and request.path.count("/") == 2
            and request.path.startswith("/users/")
        ):
            self.armed = False
            return Reply(
                403, error_document("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            )
        return None


def run(command: str, target: Path, graph: Graph, *extra: str) -> int:
    return main([command, str(target), "--graph-endpoint", graph.url, "--auth", "token", *extra])


def apply_yes(plan: Path, graph: Graph, policy: Path, journal: Path, *extra: str) -> int:
    """`apply PLAN --yes` at `graph` under the operator's `policy`, journaled to `journal` (and `extra`): how
    the tests that audit and plan a tenant of their own then apply its plan."""
    return run("apply", plan, graph, "--yes", "--policies", str(policy), "--journal", str(journal), *extra)


def held_skus(emulator: GraphEmulator, uid: str) -> set[str]:
    """The products the user holds now, in any way (skuIds, as the emulator's tenant has them)."""
    [user] = [u for u in emulator.snapshot().users if u.id == uid]
    return {s.sku_id for s in user.license_assignment_states}
