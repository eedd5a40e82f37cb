"""`--demo`: the bundled sample tenant, read through the Graph emulator as a live tenant would be, and the
MSP's systems through their stand-ins.

The emulator, the sample and the stand-ins are developer tools (auditor_dev); production code never
imports them: the command line registers this module with the seam auditor.demo (auditor.cli), which
every --demo path goes through, so `audit --demo` runs from a plain install (auditor_dev ships in the same
distribution) and an import-linter contract (pyproject.toml, docs/architecture.md) holds the rest."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from auditor.common.errors import UsageError
from auditor.common.outputs import write_text
from auditor.data.enums import Cloud
from auditor.data.model import TenantSnapshot
from auditor.snapshot import load_snapshot
from auditor_dev.sample import REFERENCE

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


def policies() -> list[Path]:
    """The policy files the demos bundle, `audit --demo`'s example policy first, then each tenant's of `audit
    --demo --tenants` (tenants()): what `apply --demo` may judge a plan under when given no --policies."""
    return [demo_file(name) for name in ("example-policy.yaml", "contoso-msp-policy.yaml", "fabrikam-policy.yaml")]


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
    psa: str = "autotask"  # the PSA its customer is billed in (psa()): connectwise, autotask, halo
    sherweb: bool = False  # its seats at the sample's Sherweb (sherweb()): Fabrikam's Exchange Online


NORTHWIND = "3c1f7a52-8e94-4b6d-a0c3-5f2e9d8b1a47"  # the Halo customer's tenant: the sample tenant, another id


def northwind(sample: TenantSnapshot) -> TenantSnapshot:
    """The demo's Halo customer (Northwind): the sample tenant's people and seats under a tenant of its own."""
    return replace(sample, tenant_id=NORTHWIND, tenant_name="Northwind")


@contextmanager
def tenants() -> Iterator[list[DemoTenant]]:
    """The bundled sample tenants that differ from each other (Contoso: 260 users, every rule broken
    at least once, billed in ConnectWise, its seats at Pax8; Fabrikam: 40 users, nearly clean, billed in
    Autotask, its Exchange Online at Sherweb), and Northwind (the sample tenant's people under another
    tenant id, its seats at Pax8, billed in Halo), each served by an emulator on 127.0.0.1 with its own
    policy, while the block runs: what `audit --demo --tenants` audits as a tenants file's tenants would
    be. Fabrikam stays the last: it buys direct (partner_billing)."""
    from auditor_dev.emulator import DEMO_ROLES, Budgets, GraphEmulator, app_token  # for --demo only, as above

    sample = sample_tenant()
    samples = [
        # the example policy and three spare F3 seats, bought at the sample's Pax8 (contoso-msp-policy.yaml)
        (sample, "contoso-msp-policy.yaml", "licensing@contoso.example", "connectwise"),
        (northwind(sample), "example-policy.yaml", "it@northwind.example", "halo"),  # vendor registration: halo
        (target_tenant(), "fabrikam-policy.yaml", "it@fabrikam.example", "autotask"),
    ]
    at_sherweb = samples[-1][0].tenant_id  # Fabrikam: its Exchange Online at the sample's Sherweb
    with ExitStack() as stack:
        served: list[DemoTenant] = []
        for snapshot, policy, email_to, in_psa in samples:
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
                    psa=in_psa,
                    sherweb=snapshot.tenant_id == at_sherweb,
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


SAMPLE_INVOICE = "G016907411"  # the sample partner's invoice from Microsoft (Fabrikam's seats, bought direct)
INVOICING = ("pax8",)  # the distributors whose stand-ins invoice the sample partner (their latest, by default)


@contextmanager
def partner_billing(customers: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """What Microsoft invoiced the sample MSP (SAMPLE_INVOICE), served by the partner billing export's
    stand-in on 127.0.0.1 while the block runs: (its Graph URL, a token). The last customer (tenant id,
    name) buys direct: Microsoft 365 E3 invoiced above its enabled seats, Power BI Pro for seats nobody
    holds, and a product the tenant does not hold (Microsoft Defender for Business); the others buy
    through the distributor."""
    from auditor_dev.commerce import PartnerBillingStandIn, billed_line  # for --demo only

    tenant_id, name = customers[-1]
    common = {"partner": PARTNER_TENANT, "customer": tenant_id, "customer_name": name, "invoice": SAMPLE_INVOICE}
    lines = [
        billed_line(**common, subscription="5b1c9a0e-e3e3-4e3e-8e3e-00000000f0e3", product_id="CFQ7TTC0LFLZ",
             sku_name="Microsoft 365 E3", quantity=55, unit_price=33.75),
        billed_line(**common, subscription="5b1c9a0e-b1b1-4b1b-8b1b-00000000f0b1", product_id="CFQ7TTC0L3PB",
             sku_name="Power BI Pro", quantity=2, unit_price=12.10),
        billed_line(**common, subscription="5b1c9a0e-d4d4-4d4d-8d4d-00000000f0d4", product_id="CFQ7TTC0HHVL",
             sku_name="Microsoft Defender for Business", quantity=3, unit_price=2.70),
    ]  # fmt: skip
    billing = PartnerBillingStandIn(PARTNER_TENANT, {SAMPLE_INVOICE: lines}, running_polls=1, retry_after=1)
    with billing:
        yield billing.graph_url, str(billing.token)


@dataclass(frozen=True)
class DemoDistributor:
    """The sample tenant's distributor (Pax8) as `audit --demo --tenants` reads it."""

    url: str
    client_id: str
    client_secret: str
    company_id: str
    products: dict[str, str]
    northwind: str  # Northwind's company there (its subscriptions name their Microsoft ones: no products map)
    # the subscriptions as the writes so far have left them (apply and undo --distributor --demo keep them)
    current: Callable[[], list[dict[str, object]]] = list
    # and each one's history at Pax8 (Get Subscription History), which undo --distributor reads
    history: Callable[[], dict[str, list[dict[str, object]]]] = dict


@contextmanager
def distributor(
    subscriptions: list[dict[str, object]] | None = None, history: dict[str, list[dict[str, object]]] | None = None
) -> Iterator[DemoDistributor]:
    """Contoso's and Northwind's seats at Pax8, served by the Pax8 stand-in on 127.0.0.1 while the block runs;
    with `subscriptions` and their `history`, as an earlier apply or undo --distributor --demo left them."""
    from auditor_dev.commerce import (  # for --demo only
        NORTHWIND_COMPANY,
        NORTHWIND_PAX8,
        SAMPLE_CLIENT_ID,
        SAMPLE_COMPANY,
        Pax8StandIn,
        sample_pax8,
        sample_pax8_f3,
        sample_pax8_invoice,
    )

    companies, sample, products = sample_pax8(CLOCK.isoformat())
    f3, mapped = sample_pax8_f3()  # where the many-tenant demo buys (issue 108)
    sample, products = [*sample, f3], {**products, **mapped}
    invoices, items = sample_pax8_invoice(sample)  # October's: Northwind's seats came in November
    secret = secrets.token_urlsafe(16)  # the demo's own, made up each run
    stand_in = Pax8StandIn(
        client_id=SAMPLE_CLIENT_ID,
        client_secret=secret,
        companies=[*companies, NORTHWIND_COMPANY],
        subscriptions=subscriptions or [*sample, *NORTHWIND_PAX8],
        invoices=invoices,
        invoice_items=items,
        history=history,
    )
    with stand_in as pax8:
        yield DemoDistributor(
            pax8.url,
            SAMPLE_CLIENT_ID,
            secret,
            SAMPLE_COMPANY,
            products,
            str(NORTHWIND_COMPANY["id"]),
            lambda: [dict(s) for s in stand_in.subscriptions],
            lambda: {k: [dict(v) for v in vs] for k, vs in stand_in.history.items()},
        )


DEMO_TICKETS = "demo-connectwise.json"  # `tickets --demo`: the sample MSP's ConnectWise tickets between nights
# `tickets --demo`: the sample MSP's PSAs with a ticket stand-in, and the sample customer whose findings go
# there (psa_tickets serves them); the first is the PSA without --psa
TICKETS = {"connectwise": "contoso", "halo": "northwind"}


@dataclass(frozen=True)
class DemoSherweb:
    """Fabrikam's seats at the sample's Sherweb, served by the Sherweb stand-in: its URL, the MSP's keys the
    run reads and writes with (made up each run), Fabrikam's customer id, and the subscriptions as the writes
    so far have left them (apply and undo --distributor --demo keep them)."""

    url: str
    env: dict[str, str]
    customer_id: str
    current: Callable[[], dict[str, list[dict[str, object]]]]


@contextmanager
def sherweb(subscriptions: dict[str, list[dict[str, object]]] | None = None) -> Iterator[DemoSherweb]:
    """Fabrikam's seats at Sherweb, served by the Sherweb stand-in on 127.0.0.1 while the block runs; with
    `subscriptions`, as an earlier apply or undo --distributor --demo left them."""
    from auditor_dev.commerce import (  # the stand-ins load for a --demo run that asks for Sherweb only
        SAMPLE_CUSTOMERS,
        SAMPLE_SHERWEB_CLIENT,
        SAMPLE_SHERWEB_CUSTOMER,
        SherwebStandIn,
        sample_sherweb,
    )

    sample, catalogs = sample_sherweb()
    secret, key = secrets.token_urlsafe(16), secrets.token_urlsafe(16)  # the demo's own, made up each run
    stand_in = SherwebStandIn(
        client_id=SAMPLE_SHERWEB_CLIENT,
        client_secret=secret,
        subscription_key=key,
        subscriptions=subscriptions or sample,
        catalogs=catalogs,
        customers=SAMPLE_CUSTOMERS,
    )
    env = {"SHERWEB_CLIENT_ID": SAMPLE_SHERWEB_CLIENT, "SHERWEB_CLIENT_SECRET": secret, "SHERWEB_SUBSCRIPTION_KEY": key}
    with stand_in as served:
        yield DemoSherweb(
            served.url,
            env,
            SAMPLE_SHERWEB_CUSTOMER,
            lambda: {c: [dict(s) for s in subs] for c, subs in stand_in.subscriptions.items()},
        )


@contextmanager
def psa_tickets(psa: str, folder: Path) -> Iterator[tuple[str, dict[str, str], str]]:
    """The sample MSP's PSA `psa` (connectwise, halo) with service tickets, served on 127.0.0.1 while the
    block runs: (its URL, the keys to write with, the demo customer's tenants entry's psa block naming
    where its tickets go). Its tickets and notes are read from folder/demo-<psa>.json and written back
    there, so a second night finds the first's."""
    from auditor_dev.commerce import (  # for --demo only
        SAMPLE_HALO_CLIENT,
        SAMPLE_HALO_PRODUCTS,
        SAMPLE_HALO_TEAM,
        SAMPLE_TICKETS_BLOCK,
        kept_halo,
        kept_tickets,
        sample_connectwise_tickets,
        sample_halo_tickets,
    )

    path = folder / (DEMO_TICKETS if psa == "connectwise" else f"demo-{psa}.json")
    state = json.loads(path.read_text("utf-8")) if path.is_file() else None
    if psa == "halo":  # vendor registration
        halo, keys = sample_halo_tickets(state)
        products = {k.casefold(): v for k, v in SAMPLE_HALO_PRODUCTS.items()}
        block = {"halo": {"company_id": SAMPLE_HALO_CLIENT, "products": products, "team": SAMPLE_HALO_TEAM}}
        with halo:
            yield halo.url, keys, json.dumps(block, sort_keys=True)
        write_text(path, json.dumps(kept_halo(halo), indent=1, ensure_ascii=False) + "\n")
        return
    stand_in, keys = sample_connectwise_tickets(state)
    with stand_in:
        yield stand_in.url, keys, json.dumps(SAMPLE_TICKETS_BLOCK, sort_keys=True)
    write_text(path, json.dumps(kept_tickets(stand_in), indent=1, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class DemoPsa:
    """The sample MSP's PSAs as `audit --demo --tenants` reads them: Contoso's agreements in ConnectWise,
    Fabrikam's contract in Autotask, Northwind's recurring invoice in Halo (each tenants entry's `psa`
    block as compact JSON, by its PSA), their stand-ins' URLs and the keys the run reads them with (made
    up each run; Halo's URL among them, HALO_URL)."""

    blocks: dict[str, str]
    connectwise_url: str
    autotask_url: str
    env: dict[str, str]


@contextmanager
def psa() -> Iterator[DemoPsa]:
    """Contoso's ConnectWise, Fabrikam's Autotask and Northwind's Halo, served by their stand-ins on
    127.0.0.1 while the block runs."""
    from auditor_dev.commerce import sample_psa  # for --demo only

    with sample_psa() as served:
        # the tenants entries' psa blocks, as auditor.billing.psa_block keeps them (its keys casefolded)
        kept = {
            name: json.dumps(
                {name: {"company_id": company, "products": {k.casefold(): v for k, v in products.items()}}},
                sort_keys=True,
            )
            for name, (company, products) in served.blocks.items()
        }
        yield DemoPsa(kept, served.connectwise_url, served.autotask_url, served.env)


# the sample's distributors' subscriptions, as apply and undo --distributor --demo left them (beside their journals):
# Contoso's at Pax8 and their history, Fabrikam's at Sherweb
DEMO_PAX8 = "demo-pax8.json"
DEMO_SHERWEB = "demo-sherweb.json"


@contextmanager
def distributors(folder: Path, keep: bool) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """The sample's distributors for `apply --distributor --demo` and its undo: Contoso's Pax8 and
    Fabrikam's Sherweb, served by their stand-ins on 127.0.0.1 as the last such run left them
    (DEMO_PAX8 and DEMO_SHERWEB in `folder`) while the block runs: (each one's URL by its registry key,
    the keys the run writes with). With `keep`, what the writes leave is kept there again."""
    kept, kept_sherweb = folder / DEMO_PAX8, folder / DEMO_SHERWEB
    state = json.loads(kept.read_text("utf-8")) if kept.exists() else None
    at_sherweb = json.loads(kept_sherweb.read_text("utf-8")) if kept_sherweb.exists() else None
    with (
        distributor(state["subscriptions"], state["history"]) if state else distributor() as pax8,
        sherweb(at_sherweb) as served,
    ):
        env = {"PAX8_CLIENT_ID": pax8.client_id, "PAX8_CLIENT_SECRET": pax8.client_secret, **served.env}
        try:
            yield {"pax8": pax8.url, "sherweb": served.url}, env
        finally:
            if keep:
                kept.write_text(
                    json.dumps({"subscriptions": pax8.current(), "history": pax8.history()}, indent=1) + "\n", "utf-8"
                )
                kept_sherweb.write_text(json.dumps(served.current(), indent=1) + "\n", "utf-8")


DEMO_PSA = "demo-psa.json"  # the sample's PSAs as apply and undo --psa --demo left them (beside their journals)


@contextmanager
def psas(folder: Path, keep: bool) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """The sample's PSAs for `apply --psa --demo` and its undo (Contoso's ConnectWise, Fabrikam's Autotask,
    Northwind's Halo), served by their stand-ins as the last such run left them (DEMO_PSA in `folder`) while the
    block runs: (each one's URL by its registry key, the keys the run writes with). With `keep`, what the
    writes leave is kept there again."""
    from auditor_dev.commerce import sample_psa  # for --demo only

    kept = folder / DEMO_PSA
    state = json.loads(kept.read_text("utf-8")) if kept.exists() else None
    with sample_psa(state) as served:
        try:
            yield {"connectwise": served.connectwise_url, "autotask": served.autotask_url,
                   "halo": served.halo_url}, served.env  # fmt: skip
        finally:
            if keep:
                kept.write_text(json.dumps(served.current(), indent=1) + "\n", "utf-8")


@dataclass(frozen=True)
class DemoVendors:
    """The sample MSP's distributors and PSAs as `audit --demo --tenants` reads them, served by their
    stand-ins: each one's URL by its registry key, the keys the run reads them with (made up each run),
    and each sample tenant's entry's `distributor` and `psa` blocks (compact JSON; "": none)."""

    endpoints: dict[str, str]
    distributor_env: dict[str, str]
    psa_env: dict[str, str]
    blocks: Callable[[DemoTenant], tuple[str, str]]  # a sample tenant's (distributor block, psa block)


@contextmanager
def vendors() -> Iterator[DemoVendors]:
    """Contoso's and Northwind's seats at Pax8, Fabrikam's at Sherweb, and each sample's PSA (psa), served
    on 127.0.0.1 while the block runs."""
    with distributor() as pax8, sherweb() as at_sherweb, psa() as in_psa:
        at_pax8 = json.dumps({"pax8": {"company_id": pax8.company_id, "products": pax8.products}}, sort_keys=True)
        at_nw = json.dumps({"pax8": {"company_id": pax8.northwind, "products": {}}}, sort_keys=True)
        at_sw = json.dumps({"sherweb": {"customer_id": at_sherweb.customer_id}}, sort_keys=True)

        def blocks(tenant: DemoTenant) -> tuple[str, str]:
            at = at_pax8 if tenant.commerce else at_sw if tenant.sherweb else ""
            return (at_nw if tenant.tenant_id == NORTHWIND else at), in_psa.blocks[tenant.psa]

        yield DemoVendors(
            endpoints={
                "pax8": pax8.url,
                "sherweb": at_sherweb.url,
                "connectwise": in_psa.connectwise_url,
                "autotask": in_psa.autotask_url,
            },
            distributor_env={
                "PAX8_CLIENT_ID": pax8.client_id,
                "PAX8_CLIENT_SECRET": pax8.client_secret,
                **at_sherweb.env,
            },
            psa_env=in_psa.env,
            blocks=blocks,
        )
