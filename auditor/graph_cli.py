"""Command-line options for reading a tenant from Microsoft Graph, and the glue that runs them.

The flags live in arguments.py (the parser must not load the Graph SDK); the CLI calls
snapshot_from_args() to get a TenantSnapshot from Graph (or None when the run reads a --snapshot
file instead) and collect_command() for `license-auditor collect`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import urlsplit

from kiota_abstractions.request_adapter import RequestAdapter

from auditor import demo
from auditor.common.errors import (
    EXIT_COLLECTION,
    EXIT_OK,
    CollectionError,
    SnapshotError,
    StopSignal,
    UsageError,
    clean_message,
)
from auditor.data.model import Cloud, TenantSnapshot
from auditor.data.reads import Requests
from auditor.data.usage_data import UsageNeed
from auditor.graph.arguments import AuthMode, save_evidence, wants_graph
from auditor.graph.auth import StaticTokenCredential, build_credential
from auditor.graph.client import GraphClient
from auditor.graph.clouds import endpoints
from auditor.graph.collector import collect
from auditor.graph.kept_sign_ins import FULL_EVERY, SignInPlan
from auditor.graph.options import CollectOptions
from auditor.graph.progress import Progress
from auditor.snapshot import save_snapshot

NOTHING = Requests()  # no rule's reads: the listings every collection makes, and no more
_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")


def mail_adapter_factory(
    args: argparse.Namespace, env: Mapping[str, str] | None = None
) -> Callable[[], RequestAdapter]:
    """A factory for a Graph request adapter signed in like the audit, for e-mail through sendMail.

    Called inside the sending event loop, so the HTTP client belongs to that loop.
    """

    def build() -> RequestAdapter:
        cloud = Cloud(getattr(args, "cloud", None) or Cloud.WORLDWIDE.value)
        ep = endpoints(cloud)
        cred = build_credential(
            AuthMode(args.auth), tenant_id=args.tenant_id, cloud=ep, env=os.environ if env is None else env
        )
        client = GraphClient(
            base_url=getattr(args, "graph_endpoint", None) or ep.graph_v1,
            credential=cred.credential,
            cloud=cloud,
            scope=ep.scope,
            auth_description=cred.description,
        )
        return client.adapter

    return build


def sign_in_plan(args: argparse.Namespace, requests: Requests, as_of: datetime | None) -> SignInPlan | None:
    """The nightly's kept sign-in activity (auditor.graph.kept_sign_ins): for an audit with
    `--baseline previous` (the nightly, one output folder from night to night) whose policies check
    inactivity; None otherwise (every user's sign-in activity is read). The nights between full reads:
    --sign-in-full-every, else the policies' `inactive_users.sign_in_full_every` (the fewest), else FULL_EVERY."""
    folder = getattr(args, "kept_sign_ins", None)
    if folder is None or not requests.sign_in or requests.sign_in_days is None:
        return None
    every = getattr(args, "sign_in_full_every", None) or requests.sign_in_full_every or FULL_EVERY
    return SignInPlan(folder, requests.sign_in_days, as_of, every)


def snapshot_from_args(
    args: argparse.Namespace,
    *,
    group_refs: Sequence[str],
    requests: Requests = NOTHING,
    as_of: datetime | None = None,
    env: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
    attributes: Sequence[str] = (),
    audits_since: datetime | None = None,
) -> TenantSnapshot | None:
    """Collect from Graph as the arguments say; None when no Graph source was asked for.

    `requests`: what the configured rules read; with `attributes` (a cost allocation's) and
    `audits_since`, the collection's options (auditor.graph.options.CollectOptions.of).

    --demo starts the emulator on the bundled sample for the duration of the collection;
    --save-snapshot writes what was read (gaps included) before returning.
    """
    if not wants_graph(args):
        return None
    if getattr(args, "snapshot", None):
        raise UsageError("--snapshot reads a file; it cannot be combined with --graph, --graph-endpoint or --demo")
    env = os.environ if env is None else env
    progress = Progress(stderr if stderr is not None else sys.stderr)
    options = CollectOptions.of(
        requests,
        as_of,
        group_refs=group_refs,
        attributes=attributes,
        audits_since=audits_since,
        concurrency=getattr(args, "concurrency", None),
        sign_in_plan=sign_in_plan(args, requests, as_of),
    )
    clock = getattr(args, "collect_clock", None)  # a frozen sample (`audit --demo --tenants`): read as of then
    if getattr(args, "demo", False):
        if args.graph_endpoint:
            raise UsageError("--demo serves its own Graph endpoint; leave out --graph-endpoint")
        snapshot = _collect_demo(options, progress, clock)
    else:
        snapshot = _collect_live(args, options, env, progress, clock)
    save_evidence(args, snapshot)
    return snapshot


def collect_command(
    args: argparse.Namespace,
    *,
    group_refs: Sequence[str],
    requests: Requests = NOTHING,
    env: Mapping[str, str] | None = None,
) -> int:
    """Body of `license-auditor collect`: write the snapshot; exit 3 when it has gaps (unless --allow-gaps)."""
    snapshot = snapshot_from_args(args, group_refs=group_refs, requests=requests, env=env)
    assert snapshot is not None
    try:
        save_snapshot(snapshot, args.output)
    except OSError as exc:
        raise SnapshotError(f"{args.output}: cannot write snapshot: {exc.strerror}") from None
    if snapshot.gaps and not getattr(args, "allow_gaps", False):
        for gap in snapshot.gaps:
            print(clean_message(f"incomplete: {gap.dataset}: {gap.reason} ({gap.request})"), file=sys.stderr)
        return EXIT_COLLECTION
    return EXIT_OK


def collect_served(sample: TenantSnapshot, usage_reports: UsageNeed | None = None) -> TenantSnapshot:
    """`sample` served by the built-in emulator and read by the collector (the demos of other commands)."""
    return _collect_demo(CollectOptions(usage_reports=usage_reports), Progress(sys.stderr), sample=sample)


def _collect_demo(
    options: CollectOptions,
    progress: Progress,
    clock: Callable[[], datetime] | None = None,
    sample: TenantSnapshot | None = None,
) -> TenantSnapshot:
    sample = sample or demo.sample_tenant()
    with demo.emulator(sample) as (url, token):
        client = GraphClient(
            base_url=url,
            credential=StaticTokenCredential(token),
            cloud=sample.cloud,
            auth_description="demo token",
            progress=progress,
        )
        # the demo is a frozen moment: its collector reads the tenant, and the directory audit log's
        # span, at the sample's clock
        frozen = clock or (lambda: demo.CLOCK.replace(tzinfo=UTC))
        return asyncio.run(_run(client, options, frozen))


def _collect_live(
    args: argparse.Namespace,
    options: CollectOptions,
    env: Mapping[str, str],
    progress: Progress,
    clock: Callable[[], datetime] | None = None,
) -> TenantSnapshot:
    cloud = Cloud(args.cloud or Cloud.WORLDWIDE.value)
    ep = endpoints(cloud)
    base_url = args.graph_endpoint or ep.graph_v1
    try:
        host = urlsplit(base_url).hostname
    except ValueError:
        host = None
    if not re.match(r"^https?://[^/]+", base_url) or not host:
        raise UsageError(f"--graph-endpoint {base_url!r} is not an http(s) URL")
    cred = build_credential(AuthMode(args.auth), tenant_id=args.tenant_id, cloud=ep, env=env)
    try:
        client = GraphClient(
            base_url=base_url,
            credential=cred.credential,
            cloud=cloud,
            scope=ep.scope,
            auth_description=cred.description,
            progress=progress,
        )
    except CollectionError as exc:
        raise UsageError(str(exc)) from None
    expected = args.tenant_id
    domain = expected if expected and not _GUID.match(expected) else None
    snapshot = asyncio.run(_stoppable(_run(client, options, clock, domain), getattr(args, "stop", None)))
    if expected and _GUID.match(expected) and snapshot.tenant_id and snapshot.tenant_id.lower() != expected.lower():
        raise CollectionError(
            f"the credential reads tenant {snapshot.tenant_id}, not --tenant-id {expected}; check the app registration"
        )
    return snapshot


async def _stoppable(work: Coroutine[Any, Any, TenantSnapshot], stop: StopSignal | None) -> TenantSnapshot:
    """`work`, cancelled (and its client closed) when `stop` is set from another thread."""
    if stop is None:
        return await work
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None

    def cancel() -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the collection is over anyway
            loop.call_soon_threadsafe(task.cancel)

    forget = stop.on_set(cancel)
    try:
        return await work
    except asyncio.CancelledError:
        stop.check()  # raises Stopped: the cancel was the signal's
        raise
    finally:
        forget()


async def _run(
    client: GraphClient,
    options: CollectOptions,
    clock: Callable[[], datetime] | None = None,
    domain: str | None = None,
) -> TenantSnapshot:
    try:
        snapshot = await collect(client, options, clock=clock)
        if domain is not None:
            await _check_domain(client, domain, snapshot.tenant_id)
        return snapshot
    finally:
        await client.aclose()


async def _check_domain(client: GraphClient, domain: str, tenant_id: str) -> None:
    """--tenant-id given as a domain: the tenant read must have it among its verified domains (GET
    /organization?$select=verifiedDomains), as a GUID must be the tenant's id; else CollectionError
    (exit 3), so that a static token for another tenant never audits that one under this name."""
    what = "GET /organization?$select=verifiedDomains"
    try:
        doc = await client.get("/organization?$select=verifiedDomains")
    except CollectionError as exc:
        raise CollectionError(
            f"--tenant-id {domain}: {what} could not be read ({exc}), so whether tenant {tenant_id} is "
            f"{domain} is not known; give --tenant-id as the tenant's id (a GUID)"
        ) from None
    orgs = doc.get("value") if isinstance(doc, dict) else None
    names = {
        str(d.get("name", "")).lower()
        for org in (orgs if isinstance(orgs, list) else [])
        if isinstance(org, dict)
        for d in (org.get("verifiedDomains") or [])
        if isinstance(d, dict)
    }
    if domain.lower() not in names:
        raise CollectionError(
            f"the credential reads tenant {tenant_id}, whose verified domains do not include --tenant-id {domain}; "
            "check the credential (a static token is for one tenant) and the app registration"
        )
