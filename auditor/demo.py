"""`--demo`: the bundled sample tenant, read through the Graph emulator as a live tenant would be.

The emulator and the sample builder are developer tools (auditor_dev); this module is the one place
production code reaches them, and an import-linter contract (pyproject.toml, docs/architecture.md)
holds every other module to it."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from auditor.common.errors import UsageError
from auditor.data.enums import Cloud
from auditor.data.model import TenantSnapshot
from auditor_dev.sample import REFERENCE

from .snapshot import load_snapshot

CLOCK = REFERENCE  # the moment the sample tenant was collected: `audit --demo` judges it as of then


def frozen_for() -> float:
    """Hours since CLOCK: the demo's data is as old as that moment, not stale, so the write path's
    --max-age (plan --demo, apply --demo) counts from it."""
    return max((datetime.now(UTC) - CLOCK.replace(tzinfo=UTC)).total_seconds() / 3600, 0.0)


_PACKAGE = "auditor_dev"  # the package whose sample/ folder holds the tenant and the example policy


def sample_tenant() -> TenantSnapshot:
    """The bundled sample tenant served by `--demo`."""
    ref = resources.files(_PACKAGE).joinpath("sample", "sample-tenant.json")
    if not ref.is_file():
        raise UsageError(
            f"the bundled sample tenant ({_PACKAGE}/sample/sample-tenant.json) is missing from this install"
        )
    with resources.as_file(ref) as path:
        return load_snapshot(path)


def target_tenant() -> TenantSnapshot:
    """The bundled target tenant (Fabrikam) of `migrate --demo`."""
    with resources.as_file(demo_file("target-tenant.json")) as path:
        return load_snapshot(path)


def demo_file(name: str, *folder: str) -> Path:
    """A file the demos bundle in auditor_dev/sample (`folder` below it), e.g. the migration's users.csv."""
    ref = resources.files(_PACKAGE).joinpath("sample", *folder, name)
    with resources.as_file(ref) as path:
        if not path.is_file():
            raise UsageError(
                f"the bundled demo file {_PACKAGE}/sample/{'/'.join((*folder, name))} is missing from this install"
            )
        return path


@contextmanager
def example_policy() -> Iterator[Path]:
    """--demo without --policies: the example policy shipped with the package (examples/contoso-policy.yaml
    in the repository), so the demo runs from any directory after `pip install`."""
    ref = resources.files(_PACKAGE).joinpath("sample", "example-policy.yaml")
    with resources.as_file(ref) as path:
        if not path.is_file():
            raise UsageError(
                f"the bundled example policy ({_PACKAGE}/sample/example-policy.yaml) is missing from "
                "this install; give --policies"
            )
        yield path


@contextmanager
def emulator(snapshot: TenantSnapshot) -> Iterator[tuple[str, str]]:
    """The Graph emulator serving `snapshot` on 127.0.0.1, while the block runs: (its URL, an app
    token it accepts)."""
    # an HTTP server and the tenant's state machine: loaded for --demo only, not by every audit
    from auditor_dev.emulator import DEMO_ROLES, Budgets, GraphEmulator, app_token

    # every permission the audit asks for, and the leave dates the example policy's grace_days use
    token = app_token(snapshot.tenant_id, (*DEMO_ROLES, "User-LifeCycleInfo.Read.All"))
    # with Graph's published throttling budgets, as a live tenant keeps them (docs/graph.md)
    with GraphEmulator(snapshot, token=token, budgets=Budgets()) as graph:
        yield graph.url, token


@dataclass(frozen=True)
class DemoTenant:
    """One sample tenant of `audit --demo --tenants`, served by its own Graph emulator."""

    name: str
    tenant_id: str
    url: str
    token: str
    policy: Path
    commerce: bool = False  # its billing account and partner are served by the commerce stand-ins (commerce())
    email_to: str = ""  # its customer's recipient (an example address): where `--smtp-host` sends its report


@contextmanager
def tenants() -> Iterator[list[DemoTenant]]:
    """The bundled sample tenants that differ from each other (Contoso: 260 users, every rule broken
    at least once; Fabrikam: 40 users, nearly clean), each served by an emulator on 127.0.0.1 with
    its own policy, while the block runs: what `audit --demo --tenants` audits as a tenants file's
    tenants would be."""
    from auditor_dev.emulator import DEMO_ROLES, Budgets, GraphEmulator, app_token  # for --demo only, as above

    samples = [
        (sample_tenant(), "example-policy.yaml", "licensing@contoso.example"),
        (target_tenant(), "fabrikam-policy.yaml", "it@fabrikam.example"),
    ]
    with ExitStack() as stack:
        served: list[DemoTenant] = []
        for snapshot, policy, email_to in samples:
            token = app_token(snapshot.tenant_id, (*DEMO_ROLES, "User-LifeCycleInfo.Read.All"))
            # with Graph's published throttling budgets, as `audit --demo` serves its tenant
            graph = stack.enter_context(GraphEmulator(snapshot, token=token, budgets=Budgets()))
            name = snapshot.tenant_name or snapshot.tenant_id
            served.append(
                DemoTenant(
                    name,
                    snapshot.tenant_id,
                    graph.url,
                    token,
                    demo_file(policy),
                    commerce=not served,
                    email_to=email_to,
                )
            )
        yield served


# what `apply --demo` and `undo --demo` write with, beside what the audit reads with
WRITE_ROLES = ("LicenseAssignment.ReadWrite.All", "GroupMember.ReadWrite.All", "User.ReadWrite.All")


@contextmanager
def writable_emulator(snapshot: TenantSnapshot) -> Iterator[tuple[str, str, Callable[[], TenantSnapshot]]]:
    """The Graph emulator serving `snapshot` for the write path (plan, apply and undo --demo): (its
    URL, a token with the write permissions, the tenant as the changes so far have left it). Who is
    a member through a nested group is read from the sample as shipped: no change writes a nested
    group, and a saved snapshot shows a user who is both a direct and a nested member as direct only."""
    from auditor_dev.emulator import DEMO_ROLES, GraphEmulator, app_token  # for --demo only, as above

    token = app_token(snapshot.tenant_id, (*DEMO_ROLES, *WRITE_ROLES))
    # the demo keeps its own clock: what the changes write (a license's times, the audit log's
    # entries and its end) is dated at the sample's moment, not the day the demo runs, so the tenant
    # kept in demo-tenant.json is audited as of that moment as the sample is (a log ending weeks later
    # would leave the leavers' 30 days unshown)
    moment = CLOCK.replace(tzinfo=UTC)
    with GraphEmulator(snapshot, token=token, nested_from=sample_tenant(), now=lambda: moment) as graph:
        yield graph.url, token, graph.snapshot


@contextmanager
def commerce() -> Iterator[tuple[str, str, str, str]]:
    """The sample tenant's billing account and partner served on 127.0.0.1 by the commerce stand-ins,
    while the block runs: (billing URL, its token, Partner Center URL, its token)."""
    # two HTTP servers and the sample's commerce facts: loaded for --demo only
    from auditor_dev.commerce import BillingStandIn, PartnerCenterStandIn, sample_commerce

    facts = sample_commerce(sample_tenant(), CLOCK)
    with (
        BillingStandIn(facts.accounts, display_names=facts.display_names, now=CLOCK) as billing,
        PartnerCenterStandIn(facts.customers) as partner,
    ):
        yield billing.url, str(billing.token), partner.url, str(partner.token)


PARTNER_TENANT = "5d8c2f0e-3a47-4b1f-9e62-0c7d4a91b3f8"  # the sample MSP's own (partner) tenant


@contextmanager
def partner_graph(customers: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """The sample MSP's partner tenant served by the Graph emulator while the block runs, listing a GDAP
    relationship with each customer (tenant id, name): (its URL, a token with
    DelegatedAdminRelationship.Read.All). The first customer's ends 20 days after CLOCK and is not extended
    automatically (the demo's roll-up names it); the others' are extended by 180 days."""
    from auditor_dev.emulator import RELATIONSHIP_ROLES, GraphEmulator, app_token, relationship  # for --demo only

    moment = CLOCK.replace(tzinfo=UTC)
    listed = [
        relationship(
            customer_tenant_id=tenant_id,
            customer_name=name,
            display_name=f"{name} license audit",
            status="active",
            ends=moment + timedelta(days=20 if not i else 200, hours=-6),
            auto_extend="PT0S" if not i else "P180D",
        )
        for i, (tenant_id, name) in enumerate(customers)
    ]
    partner = TenantSnapshot(PARTNER_TENANT, "Sample MSP", Cloud.WORLDWIDE, moment.isoformat(), (), (), (), ())
    token = app_token(PARTNER_TENANT, RELATIONSHIP_ROLES[:1])
    with GraphEmulator(partner, token=token, relationships=listed) as graph:
        yield graph.url, token


@dataclass(frozen=True)
class DemoDistributor:
    """The sample tenant's distributor (Pax8) as `audit --demo --tenants` reads it."""

    url: str
    client_id: str
    client_secret: str
    company_id: str
    products: dict[str, str]
    # the subscriptions as the writes so far have left them (apply and undo --distributor --demo keep them)
    current: Callable[[], list[dict[str, object]]] = list


@contextmanager
def distributor(subscriptions: list[dict[str, object]] | None = None) -> Iterator[DemoDistributor]:
    """Contoso's seats at Pax8, served by the Pax8 stand-in on 127.0.0.1 while the block runs; with
    `subscriptions`, as an earlier apply or undo --distributor --demo left them."""
    from auditor_dev.commerce import SAMPLE_CLIENT_ID, SAMPLE_COMPANY, Pax8StandIn, sample_pax8  # for --demo only

    companies, sample, products = sample_pax8(CLOCK.isoformat())
    secret = secrets.token_urlsafe(16)  # the demo's own, made up each run
    stand_in = Pax8StandIn(
        client_id=SAMPLE_CLIENT_ID, client_secret=secret, companies=companies, subscriptions=subscriptions or sample
    )
    with stand_in as pax8:
        yield DemoDistributor(
            pax8.url,
            SAMPLE_CLIENT_ID,
            secret,
            SAMPLE_COMPANY,
            products,
            lambda: [dict(s) for s in stand_in.subscriptions],
        )
