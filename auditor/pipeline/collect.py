"""The second stage: the tenant, its seats at its distributor and the bill's commerce facts
(auditor/pipeline/__init__.py). Collected hands the snapshot on to the evaluation, which frees it."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from auditor.billing.arguments import with_bill_reads
from auditor.billing.distributor_records import Payload
from auditor.billing.file import BillingFile
from auditor.common.errors import UsageError
from auditor.data.model import TenantSnapshot
from auditor.graph.arguments import save_evidence
from auditor.pipeline.arguments import AuditOptions
from auditor.policyset.protection_export import with_protection_rules
from auditor.rules.requests import requests_of, sign_in_judges
from auditor.snapshot import load_snapshot

from .prepare import say
from .values import Collected, Handover, Prepared


def collect(prepared: Prepared) -> Collected:
    """Read the tenant as the options say, with the protection rules of the export, then what the bill
    and the distributor say of its subscriptions."""
    options = prepared.options
    # the mailbox purposes are read for the accounts the rules could flag at the audit's clock
    snapshot = _snapshot(prepared, prepared.given.take())
    snapshot = with_protection_rules(snapshot, prepared.protection, prepared.policies)  # or a gap naming them
    from auditor.billing.distributor_seats import dated  # the billing package: loaded only by an audit that runs

    # the distributor's seats (read only), counted as billed on the audit's day (distributor_seats.billed_on)
    seats = dated(distributor_seats(options, snapshot), prepared.as_of.date())
    billing, billing_gaps = commerce(options, snapshot, prepared.billing, seats)  # the billing APIs, then the file
    # only the rows of this tenant's subscriptions go on (the rest are counted: config_problems)
    billing = billing.matched_only(snapshot.subscriptions) if billing is not None else None
    return Collected(prepared, Handover(snapshot), seats, billing, billing_gaps)


def _snapshot(prepared: Prepared, given: TenantSnapshot | None) -> TenantSnapshot:
    """The tenant, read from Graph or --snapshot (`given`: read already, before the folder was touched)."""
    options, policies, nightly = prepared.options, prepared.policies, prepared.nightly
    source = options.graph_source()
    if source is not None:
        from auditor.graph_cli import read_tenant  # the Graph SDK loads here, and only here

        return read_tenant(
            replace(source, kept_sign_ins=prepared.kept_sign_ins),
            group_refs=policies.group_refs,
            requests=with_bill_reads(options.bill, requests_of(policies)),
            as_of=prepared.as_of,
            attributes=nightly.attributes,
            audits_since=nightly.audits_since,
            env=options.environment,
            sign_in_judges=sign_in_judges(policies),
        )
    if options.snapshot:
        snapshot = given if given is not None else load_snapshot(options.snapshot)
        save_evidence(options.source.save_snapshot, snapshot)  # asked for, so never ignored
        return snapshot
    raise UsageError("no tenant data: give --snapshot FILE, --graph (live tenant) or --demo")


def distributor_seats(options: AuditOptions, snapshot: TenantSnapshot | None) -> Payload | None:
    """The tenant's seats at its distributor: as audit --tenants gives them, or for a one-tenant audit
    with --distributor FILE read as that run reads them (auditor.vendors.distributor_sessions.read), with
    the `distributor:` block of the tenant's entry in FILE (its tenant_id: --tenant-id as given, or the
    tenant's id). Without a snapshot: the checks made before the tenant is read (the file, the distributor's
    credentials: exit 2)."""
    if options.distributor_seats or not options.distributor:
        return options.distributor_seats
    from auditor.delivery.matrix import load_tenants  # the tenants file's reader (YAML): for an audit that names one
    from auditor.vendors import distributor_sessions as sessions
    from auditor.vendors.mappings import Book, Proof
    from auditor.vendors.protocols import check_credentials
    from auditor.vendors.registry import DISTRIBUTORS

    env = options.environment or os.environ
    jobs = load_tenants(Path(options.distributor))
    if snapshot is None:
        named = (name for job in jobs if job.distributor for name in json.loads(job.distributor))
        check_credentials(DISTRIBUTORS, named, env)
        return None
    wanted = {t.lower() for t in (options.source.tenant_id, snapshot.tenant_id) if t}
    found = [job for job in jobs if job.tenant_id.lower() in wanted]
    if len(found) != 1 or not found[0].distributor:
        what = "names no distributor" if found and len(found) == 1 else "is not one entry of the file"
        raise UsageError(f"--distributor {options.distributor}: tenant {', '.join(sorted(wanted))} {what}")
    # the customer proven the tenant's first (auditor.vendors.mappings): the mappings kept in the output folder
    proof = Proof(
        Book.load(Path(options.output_dir)),
        {"": (snapshot.tenant_id, found[0].tenant_id)},
        keep=True,
        since=options.as_of or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    entry = {"": json.loads(found[0].distributor)}
    given = sessions.read_any(entry, endpoints=options.endpoints, env=env, proof=proof)[""]
    unsaved = proof.book.save()
    for line in [*proof.book.first, *([unsaved] if unsaved else [])]:
        say(f"license-auditor: mapping: {line}")
    if given.get("error"):
        say(f"license-auditor: distributor: not read: {given['error']}")
    return given


def commerce(
    options: AuditOptions, snapshot: TenantSnapshot, billing: BillingFile | None, seats: Payload | None
) -> tuple[BillingFile | None, tuple[str, ...]]:
    """The bill's commerce facts: the billing APIs the sources allow, then the file (docs/bill.md);
    and the sources that could not be read (the bill's `gaps`)."""
    # the billing clients (azure-mgmt-billing, httpx) load only for an audit that reads them
    from auditor.billing.distributor_seats import with_terms
    from auditor.billing_cli import read_commerce

    # a many-tenant run gives each tenant its own environment (its tenant id, the run's one client id)
    env = options.environment or os.environ
    got = read_commerce(
        options.bill, snapshot.subscriptions, snapshot.tenant_id, billing, env, live=options.reads_graph, say=say
    )
    # the distributor's commitment term end where no API (nor the file) gives a renewal (audit --tenants)
    return with_terms(got.billing, snapshot.subscriptions, seats), got.gaps
