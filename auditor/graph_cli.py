"""Reading a tenant from Microsoft Graph as a command asks, and the glue that runs it.

The flags live in auditor/graph/arguments.py (the parser must not load the Graph SDK), which turns
them into a typed GraphSource (GraphSource.of); the commands call read_tenant() with it to get a
TenantSnapshot from Graph, and collect_command() for `license-auditor collect`.
"""

from __future__ import annotations

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
from auditor.graph.arguments import GraphSource, save_evidence
from auditor.graph.auth import StaticTokenCredential, build_credential
from auditor.graph.client import GraphClient
from auditor.graph.clouds import endpoints
from auditor.graph.collector import collect
from auditor.graph.kept_sign_ins import FULL_EVERY, SignInPlan
from auditor.graph.options import CollectOptions
from auditor.graph.progress import Progress
from auditor.policy.objects import SignInJudges
from auditor.snapshot import save_snapshot

NOTHING = Requests()  # no rule's reads: the listings every collection makes, and no more
_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")


def mail_adapter_factory(source: GraphSource, env: Mapping[str, str] | None = None) -> Callable[[], RequestAdapter]:
    """A factory for a Graph request adapter signed in like the audit, for e-mail through sendMail.

    Called inside the sending event loop, so the HTTP client belongs to that loop.
    """

    def build() -> RequestAdapter:
        cloud = source.cloud or Cloud.WORLDWIDE
        ep = endpoints(cloud)
        cred = build_credential(
            source.auth, tenant_id=source.tenant_id, cloud=ep, env=os.environ if env is None else env
        )
        client = GraphClient(
            base_url=source.endpoint or ep.graph_v1,
            credential=cred.credential,
            cloud=cloud,
            scope=ep.scope,
            auth_description=cred.description,
        )
        return client.adapter

    return build


def sign_in_plan(source: GraphSource, requests: Requests, as_of: datetime | None) -> SignInPlan | None:
    """The nightly's kept sign-in activity (auditor.graph.kept_sign_ins): for an audit with
    `--baseline previous` (the nightly, one output folder from night to night) whose policies check
    inactivity; None otherwise (every user's sign-in activity is read). The nights between full reads:
    --sign-in-full-every, else the policies' `inactive_users.sign_in_full_every` (the fewest), else FULL_EVERY."""
    if source.kept_sign_ins is None or not requests.sign_in or requests.sign_in_days is None:
        return None
    every = source.sign_in_full_every or requests.sign_in_full_every or FULL_EVERY
    return SignInPlan(source.kept_sign_ins, requests.sign_in_days, as_of, every, source.sign_in_full_tonight)


def read_tenant(
    source: GraphSource,
    *,
    group_refs: Sequence[str],
    requests: Requests = NOTHING,
    as_of: datetime | None = None,
    env: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
    attributes: Sequence[str] = (),
    audits_since: datetime | None = None,
    sign_in_judges: SignInJudges | None = None,
) -> TenantSnapshot:
    """Collect from Graph as `source` says.

    `requests`: what the configured rules read; with `attributes` (a cost allocation's),
    `audits_since` and `sign_in_judges` (whom the rules judge by sign-in times: the nightly's
    sign-in read asks only about them), the collection's options (auditor.graph.options.CollectOptions.of).

    --demo starts the emulator on the bundled sample for the duration of the collection;
    --save-snapshot writes what was read (gaps included) before returning.
    """
    env = os.environ if env is None else env
    progress = Progress(stderr if stderr is not None else sys.stderr)
    options = CollectOptions.of(
        requests,
        as_of,
        group_refs=group_refs,
        attributes=attributes,
        audits_since=audits_since,
        concurrency=source.concurrency,
        sign_in_plan=sign_in_plan(source, requests, as_of),
        sign_in_judges=sign_in_judges,
    )
    if source.demo:
        source.refuse_beside_demo()
        snapshot = _collect_demo(options, progress, source.clock)  # a frozen sample's clock (`audit --demo --tenants`)
    else:
        snapshot = _collect_live(source, options, env, progress)
    save_evidence(source.save_snapshot, snapshot)
    return snapshot


def collect_command(
    source: GraphSource,
    output: str,
    *,
    allow_gaps: bool,
    group_refs: Sequence[str],
    requests: Requests = NOTHING,
    env: Mapping[str, str] | None = None,
) -> int:
    """Body of `license-auditor collect`: write the snapshot to `output`; exit 3 when it has gaps
    (unless `allow_gaps`)."""
    snapshot = read_tenant(source, group_refs=group_refs, requests=requests, env=env)
    try:
        save_snapshot(snapshot, output)
    except OSError as exc:
        raise SnapshotError(f"{output}: cannot write snapshot: {exc.strerror}") from None
    if snapshot.gaps and not allow_gaps:
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
    source: GraphSource, options: CollectOptions, env: Mapping[str, str], progress: Progress
) -> TenantSnapshot:
    cloud = source.cloud or Cloud.WORLDWIDE
    ep = endpoints(cloud)
    base_url = source.endpoint or ep.graph_v1
    try:
        host = urlsplit(base_url).hostname
    except ValueError:
        host = None
    if not re.match(r"^https?://[^/]+", base_url) or not host:
        raise UsageError(f"--graph-endpoint {base_url!r} is not an http(s) URL")
    cred = build_credential(source.auth, tenant_id=source.tenant_id, cloud=ep, env=env)
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
    expected = source.tenant_id
    domain = expected if expected and not _GUID.match(expected) else None
    snapshot = asyncio.run(_stoppable(_run(client, options, source.clock, domain), source.stop))
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
