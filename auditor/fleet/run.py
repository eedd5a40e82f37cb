"""`audit --tenants FILE`: every tenant of a tenants file, audited in one process (docs/msp.md).

Each tenant runs as a one-tenant `audit` would, with its own arguments (its tenant id, client id,
cloud, policies, endpoint), into OUTPUT_DIR/<key>/, so `merge`, `plan`, `apply`, `history` and
`email` read its folder unchanged. Up to --tenant-concurrency tenants run at once (a tenant waiting
for the app's sign-in lane gives its place to the next meanwhile: tenant_places.py), each in a thread
of its own with its own event loop, each keeping --concurrency Graph reads: Graph throttles per app
and tenant, and also per app across tenants (150,000 resource units per 20 s): the tenants of one
app share that budget, one limiter in the process (auditor.graph.pacing.app_budget). What one
tenant prints goes to its own OUTPUT_DIR/<key>/audit.log.

A tenant that fails (sign-in refused, 403, Graph 5xx after the retries, a bad policy, a crash in a
rule) is written up with its one-line reason and exit code, and the others go on; one that runs
past --tenant-timeout is ended as failed: its StopSignal cancels its Graph collection at once, its
audit writes and sends nothing once the signal is set, and whatever it wrote is removed so that its
folder never reads as a report. Partner Center is read for every customer with the partner's one
credential (the file's `partner:` block; auditor.fleet.partner), in one session the tenants share.
--shard K/N audits the tenants whose key hashes to
slice K of N: stable when a tenant is added, and the N slices are disjoint and cover the file.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from auditor.common.errors import (
    EXIT_COLLECTION,
    EXIT_INTERNAL,
    EXIT_USAGE,
    AuditorError,
    PolicyError,
    StopSignal,
    UsageError,
    clean_message,
)
from auditor.common.outputs import fresh_text, output_lock
from auditor.common.run_record import RECORD, RunKind, claim, record
from auditor.data.enums import Cloud, Locale
from auditor.pipeline.arguments import AuditOptions

from ..billing.arguments import BillingSource
from ..billing.commerce_records import PartnerSession
from ..delivery.content import run_url_from_env
from ..delivery.lanes import of_app, slice_of
from ..delivery.matrix import TenantJob, TenantsFile, load_tenants, read_tenants_file
from ..delivery.options import Transport
from ..delivery.send import send_mail
from ..graph.arguments import AuthMode
from ..graph.auth import TOKEN_ENV, StaticTokenCredential
from ..graph.pacing import LANE_WAIT
from ..i18n import english_count
from ..pipeline import audit as tenant_audit
from ..report import licensed_users
from ..report.baseline import LAST_RUN
from ..vendors.registry import PARTNER_CENTER
from . import gdap, invoice_reads, partner, vendor_reads
from .arguments import FleetOptions, RollupOptions
from .mailed import say_mailed
from .rollup import Outcome, join, rollup_mail, write_documents, write_rollup
from .sign_in_lane import lane_tonight, shares_tonight
from .tenant_folder import clear, reads_complete, requests_made
from .tenant_places import Places, Seat

# The clock each tenant's --tenant-timeout is kept on (seconds; a test moves its own).
clock: Callable[[], float] = time.monotonic


def select(jobs: Sequence[TenantJob], part: tuple[int, int] | None, total: int | None = None) -> list[TenantJob]:
    """The tenants of slice K of N; an empty slice of more slices than the file's `total` tenants (a run
    that would audit nothing and exit 0) is a usage error."""
    if part is None:
        return list(jobs)
    k, n = part
    count = len(jobs) if total is None else total
    chosen = [job for job in jobs if slice_of(job.key, n) == k]
    if n > count and not chosen:  # no matrix gives more slices than tenants: a mistyped N, not an empty night
        raise UsageError(f"--shard {k}/{n}: more slices than the {count} tenants, and this one holds none of them")
    return chosen


class _TenantLogs(io.TextIOBase):
    """sys.stderr while tenants run: a thread that audits a tenant writes to that tenant's log,
    every other thread to the real stderr. Nothing one tenant prints reaches another's log."""

    def __init__(self, real: TextIO) -> None:
        self.real = real
        self.local = threading.local()

    def write(self, text: str) -> int:
        target: TextIO = getattr(self.local, "log", None) or self.real
        return target.write(text)

    def flush(self) -> None:
        target: TextIO = getattr(self.local, "log", None) or self.real
        target.flush()


def _tenant_options(
    options: FleetOptions,
    job: TenantJob,
    folder: Path,
    stop: StopSignal,
    partner_session: PartnerSession | None = None,
) -> AuditOptions:
    """The options of a one-tenant `audit` for `job`: the run's own, the tenant's from the file."""
    run = options.audit
    cloud = Cloud(job.cloud) if job.cloud else None
    # the tenant's own billing source; "auto" in the file leaves the run's --billing-source
    billing_source = job.billing_source if job.billing_source != "auto" else run.bill.source
    baseline_dir = run.baseline
    baseline = Path(baseline_dir) / job.key / "report.json" if baseline_dir and baseline_dir != LAST_RUN else None
    recipients = [a for a in job.email_to.split(",") if a]
    email = options.mail_to(recipients) if options.mail_to is not None and recipients else None
    return replace(
        run,
        output_dir=str(folder),
        formats=options.tenant_formats(mailed=email is not None),
        policies=(job.policies,),
        fail_on=job.fail_on,
        locale=Locale(job.locale) if job.locale else run.locale,
        snapshot=None,
        graph=True,
        source=replace(
            run.source,
            demo=False,
            tenant_id=job.tenant_id,
            cloud=cloud,
            endpoint=job.graph_endpoint or run.source.endpoint,
            stop=stop,  # set when the tenant runs past --tenant-timeout
            sign_in_full_tonight=options.lane.get(job.key),  # the fleet's lane budget (sign_in_lane.py)
            save_snapshot=str(folder / "snapshot.json") if run.source.save_snapshot else None,
        ),
        billing_file=job.billing or None,
        bill=replace(
            run.bill,
            source=BillingSource(billing_source) if billing_source else None,
            account=job.billing_account or run.bill.account,
            billing_endpoint=options.billing_endpoints.get(job.key, run.bill.billing_endpoint),  # the demo's stand-in
            demo=False,
            tenant_id=job.tenant_id,
            cloud=cloud,
            # Partner Center: the run's one session with the partner's credential (None: the file names no partner)
            in_fleet=True,
            partner_session=partner_session,
        ),
        exchange_export=None,
        demo_exchange=run.source.demo,  # the demo's samples: the sample's Defender rules (docs/exchange-export.md)
        migration=job.migration or None,
        # each tenant's own history in its own folder, kept across nights: its trends and forecast
        nightly=replace(run.nightly, history=str(folder / history_name(run.nightly.history))),
        # `previous`: each tenant's own last report, in its folder (the one-tenant audit finds it)
        baseline=LAST_RUN if baseline_dir == LAST_RUN else str(baseline) if baseline and baseline.exists() else None,
        email=email,
        tenant_label=job.name or job.key,  # the license list's `tenant` column: the customer as the file names it
        # the credential signs in to this tenant as the run's one app (the client id from the file)
        environment={
            **os.environ,
            "AZURE_TENANT_ID": job.tenant_id,
            "AZURE_CLIENT_ID": job.client_id,
            **options.tenant_env.get(job.key, {}),
        },
        distributor_seats=options.distributor_seats.get(job.key),  # its subscriptions at its distributor
        psa_billed=options.psa_billed.get(job.key),  # what its PSA bills the customer
    )


HISTORY = "history.jsonl"  # each tenant's history, in its folder, unless --history names the file otherwise


def history_name(given: str | None) -> str:
    """The name of the history file each tenant keeps in its own folder: --history's (`given`), which
    must be a bare file name (one path would mix every tenant's records in one file), else history.jsonl."""
    if not given:
        return HISTORY
    name = Path(given).name
    if name != given or name in ("", ".", ".."):
        raise UsageError(
            f"--tenants: --history {given!r}: each tenant keeps its own history in its folder; give a file "
            f"name only (e.g. --history {HISTORY}), or leave it out"
        )
    return name


def _audit_one(
    options: FleetOptions,
    job: TenantJob,
    folder: Path,
    logs: _TenantLogs,
    audit: Callable[[AuditOptions], int],
    stop: StopSignal,
    partner_session: PartnerSession | None,
) -> tuple[int, str | None]:
    """Run one tenant's audit with its log; (exit code, one-line reason when it failed)."""
    if folder.is_symlink():  # planted (a cache restored into the output folder): never written through
        return EXIT_USAGE, f"{folder} is a symbolic link, not a folder of the output folder: remove it"
    folder.mkdir(parents=True, exist_ok=True)
    with fresh_text(folder / "audit.log") as log:  # a link planted at audit.log is removed, not written through
        logs.local.log = log
        try:
            return audit(_tenant_options(options, job, folder, stop, partner_session)), None
        except PolicyError as exc:
            for issue in exc.issues:
                log.write(clean_message(str(issue)) + "\n")
            return (
                exc.exit_code,
                f"{len(exc.issues)} policy error{'' if len(exc.issues) == 1 else 's'}: {exc.issues[0]}"
                if exc.issues
                else str(exc),
            )
        except AuditorError as exc:
            return exc.exit_code, str(exc)
        except Exception as exc:  # a defect in a rule or a renderer: this tenant fails, the others go on
            return EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}"
        finally:
            logs.local.log = None


def run_tenants(
    options: FleetOptions,
    jobs: Sequence[TenantJob],
    root: Path,
    audit: Callable[[AuditOptions], int] = tenant_audit,
    partner_session: PartnerSession | None = None,
) -> list[Outcome]:
    """Audit `jobs` into root/<key>/, tenant_concurrency at a time; one Outcome per job, in the file's order.
    `partner_session`: Partner Center with the partner's credential, for every customer."""
    logs = _TenantLogs(sys.stderr)
    # a tenant waiting for the app's sign-in lane gives its place to the next meanwhile (tenant_places.py)
    places = Places(options.concurrency)
    seats: dict[str, Seat] = {}
    results: dict[str, tuple[int, str | None]] = {}
    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    stops = {job.key: StopSignal(f"ended after {options.timeout:g} s (--tenant-timeout)") for job in jobs}
    lock = threading.Lock()

    def work(job: TenantJob, seat: Seat) -> None:
        LANE_WAIT.set(seat)  # this thread's context: the tenant's event loop runs in a copy of it
        result = _audit_one(options, job, root / job.key, logs, audit, stops[job.key], partner_session)
        with lock:
            mine = job.key not in results  # else its time limit ended it, and gave its place away then
            if mine:
                results[job.key] = result
                ended[job.key] = clock()
        seat.give()
        if not mine:  # ended by its time limit: anything it wrote since is not a report either
            clear(root / job.key)

    threads: dict[str, threading.Thread] = {}
    previous, sys.stderr = sys.stderr, logs
    try:
        for job in jobs:
            while (seat := places.seat(timeout=0.05)) is None:  # a place held past its time limit is taken back
                _reap(threads, started, results, ended, lock, options.timeout, seats, root, stops)
            seats[job.key] = seat
            started[job.key] = clock()
            threads[job.key] = threading.Thread(target=work, args=(job, seat), name=f"tenant-{job.key}", daemon=True)
            threads[job.key].start()
        while any(key not in results for key in threads):
            _reap(threads, started, results, ended, lock, options.timeout, seats, root, stops)
            time.sleep(0.05)
    finally:
        sys.stderr = previous
    outcomes = []
    for job in jobs:
        code, reason = results[job.key]
        folder = root / job.key
        complete = code not in (EXIT_COLLECTION,) and reads_complete(folder)
        status = "failed" if reason is not None else ("ok" if complete else "incomplete")
        outcomes.append(
            Outcome(
                job,
                status,
                code,
                clean_message(reason).replace("\n", " ") if reason else None,
                round(ended[job.key] - started[job.key], 2),
                requests_made(folder),
            )
        )
    return outcomes


def _reap(
    threads: dict[str, threading.Thread],
    started: dict[str, float],
    results: dict[str, tuple[int, str | None]],
    ended: dict[str, float],
    lock: threading.Lock,
    limit: float,
    seats: dict[str, Seat],
    root: Path,
    stops: dict[str, StopSignal],
) -> None:
    """End every tenant past its time limit as failed (its StopSignal set), and give its place to the next tenant."""
    now = clock()
    for key, thread in threads.items():
        if thread.is_alive() and now - started[key] > limit:
            with lock:
                if key in results:
                    continue
                results[key] = (EXIT_COLLECTION, stops[key].reason)
                ended[key] = now
            stops[key].set()
            clear(root / key)
            seats[key].give()


def _demo_tenants(options: FleetOptions) -> int:
    """`audit --demo --tenants`: the bundled sample tenants, each read through its own emulator as a
    tenants file's tenant is read through Graph, then the roll-up; nothing leaves the machine. Each
    sample is audited as its one-tenant demo audits it: as of the moment it was collected (demo.CLOCK,
    the collector's clock too), Contoso's bill read from the commerce stand-ins (its billing account,
    and Partner Center through the run's one partner session), so Contoso's findings, bill and money
    are those of `audit --demo`. --shard K/N audits the samples of slice K, as for a tenants file."""
    from .. import demo  # the sample tenants and their emulators: only this demo loads them
    from ..vendors.commerce_sources import BILLING_TOKEN_ENV, PARTNER_CENTER_TOKEN_ENV, EnvToken

    if options.tenants:
        raise UsageError("--demo --tenants audits the bundled sample tenants: leave out the tenants file")
    options.audit.source.refuse_beside_demo()  # each sample has its own emulator and token
    run = options.audit
    history_name(run.nightly.history)  # a path is refused before any tenant, as for a tenants file
    with (
        demo.tenants() as served,
        demo.commerce() as (billing_url, billing_token, partner_url, partner_token),
        demo.vendors() as vendors,  # the sample MSP's distributors and PSAs, served by their stand-ins
    ):
        jobs = [
            TenantJob(
                key=tenant.name.lower(),
                name=tenant.name,
                tenant_id=tenant.tenant_id,
                client_id="",
                cloud="worldwide",
                locale="",
                email_to=tenant.email_to,  # an example address: the customer's e-mail, sent with --smtp-host
                policies=str(tenant.policy),
                fail_on=run.fail_on,
                # the stand-ins serve Contoso's commerce; Fabrikam's bill has no source, as before
                billing_source="auto" if tenant.commerce else "none",
                graph_endpoint=tenant.url,
                # the sample's seats at its distributor (if any), and its PSA's block
                distributor=vendors.blocks(tenant)[0],
                psa=vendors.blocks(tenant)[1],
            )
            for tenant in served
        ]
        samples = list(zip(jobs, served, strict=True))
        # each sample signs in with its emulator's token, and reads its bill from the commerce stand-ins
        tenant_env = {
            job.key: {TOKEN_ENV: t.token, **({BILLING_TOKEN_ENV: billing_token} if t.commerce else {})}
            for job, t in samples
        }
        # the samples are a frozen moment (demo.CLOCK): read and judged then, so the demo reads the same any day
        run = replace(
            run,
            source=replace(run.source, auth=AuthMode.TOKEN, clock=lambda: demo.CLOCK.replace(tzinfo=UTC)),
            bill=replace(run.bill, auth=AuthMode.TOKEN),
            as_of=run.as_of or demo.CLOCK.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        options = replace(
            options,
            audit=run,
            tenant_env=tenant_env,
            billing_endpoints={job.key: billing_url for job, t in samples if t.commerce},
            endpoints={**options.endpoints, **vendors.endpoints},
            distributor_env=vendors.distributor_env,
            psa_env=vendors.psa_env,
        )
        customers = [(t.tenant_id, t.name) for t in served]
        with (
            PARTNER_CENTER.open(EnvToken(PARTNER_CENTER_TOKEN_ENV, partner_token), partner_url) as partner_session,
            demo.partner_graph(customers) as (gdap_url, gdap_token),
            demo.partner_billing(customers) as invoice_graph,
        ):
            # what Microsoft (the export's stand-in) and the distributors invoiced the sample MSP, beside the seats
            options = replace(
                options, invoices=invoice_reads.for_demo(options.invoices, invoice_graph, vendors.endpoints)
            )

            # the partner tenant's GDAP relationships, served by an emulator of its own
            def relationships() -> gdap.Reading:
                return gdap.from_graph(gdap_url, StaticTokenCredential(gdap_token), "the demo partner's token")

            return _run_and_roll_up(options, select(jobs, options.shard), None, partner_session, relationships)


def cmd_tenants(options: FleetOptions) -> int:
    """`audit --tenants FILE`: the tenants of the file (or of its --shard), then the roll-up."""
    run = options.audit
    # the flags that name one tenant's files: with --tenants they come from the file, per tenant (the
    # demo's from its samples), so they are refused before anything is read or written
    one_tenant = {
        "snapshot": run.snapshot,
        "tenant_id": run.source.tenant_id,
        "exchange_export": run.exchange_export,
        "migration": run.migration,
        "distributor": run.distributor,
    }
    for flag, given in one_tenant.items():
        if given:
            raise UsageError(
                f"--tenants: --{flag.replace('_', '-')} names one tenant; set it per tenant in the "
                "tenants file, or run audit without --tenants"
            )
    if run.source.demo:
        return _demo_tenants(options)
    if not options.tenants:
        raise UsageError("--tenants: give the tenants file (or --demo to try it on the bundled sample tenants)")
    history_name(run.nightly.history)
    tenants = read_tenants_file(Path(options.tenants))
    partner.check(tenants, run.bill.source)  # before any tenant: a missing `partner:` block is exit 2
    if options.app is not None and not of_app(tenants.jobs, options.app):
        raise UsageError(f"--app: no tenant of {options.tenants} has the client_id {options.app}")
    jobs = select(of_app(tenants.jobs, options.app), options.shard, len(tenants.jobs))
    vendor_reads.check(jobs, os.environ)  # before any tenant: a distributor's or a PSA's keys missing is exit 2
    invoice_reads.check(options.invoices, os.environ)  # a distributor's invoice without its keys: exit 2
    return _run_and_roll_up(options, jobs, tenants)


def _run_and_roll_up(
    options: FleetOptions,
    jobs: list[TenantJob],
    tenants: TenantsFile | None,
    given_session: PartnerSession | None = None,
    given_relationships: gdap.Reader | None = None,
) -> int:
    """Audit `jobs` into --output-dir, then write the roll-up; the run's exit code. `given_session`,
    `given_relationships`: the demo's Partner Center stand-in and partner tenant (a tenants file's run
    reads both with the file's `partner:` block)."""
    root = Path(options.audit.output_dir)
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise UsageError(f"--output-dir: {root} is a symbolic link or not a folder")
    root.mkdir(parents=True, exist_ok=True)
    # one run at a time in the folder, and the folder of one kind of run (auditor.common.run_record): a one-tenant
    # audit's reports there are refused (exit 2) before anything is read or written, never written over
    with output_lock(root):
        claim(root, RunKind.FLEET)
        (root / RECORD).unlink(missing_ok=True)  # the last run's record goes first: a run that fails leaves none
        return _audit_and_roll_up(options, jobs, tenants, root, given_session, given_relationships)


def _audit_and_roll_up(
    options: FleetOptions,
    jobs: list[TenantJob],
    tenants: TenantsFile | None,
    root: Path,
    given_session: PartnerSession | None,
    given_relationships: gdap.Reader | None,
) -> int:
    run = options.audit
    began = datetime.now(UTC)
    # the distributor's seats (read only), read before the tenants: each tenant's report and bill show them
    env = options.distributor_env or os.environ
    # each customer there proven the tenant's first (auditor.vendors.mappings): the mappings kept in the folder
    proof = vendor_reads.proof(jobs, root, run.as_of or began.strftime("%Y-%m-%dT%H:%M:%SZ"))
    seats = vendor_reads.read_distributors(jobs, endpoints=options.endpoints, env=env, proof=proof)
    # what the PSA bills each customer (read only), read before the tenants: each tenant's report shows the table
    billed = vendor_reads.read_psas(
        jobs, endpoints=options.endpoints, env=options.psa_env or os.environ, as_of=run.as_of, proof=proof
    )
    vendor_reads.kept(proof)
    # the shard's share of each app's limits across tenants (shards of one app at once), then the night's
    # full sign-in reads within the lane's budget
    shares = shares_tonight(options, of_app(tenants.jobs, options.app) if tenants is not None else jobs)
    lane = lane_tonight(options, jobs, root, shares)
    options = replace(options, distributor_seats=seats, psa_billed=billed, lane=lane.verdicts if lane else {})
    with partner.session(
        partner.wanted(tenants, run.bill.source) if tenants is not None else None,
        auth=run.source.auth.value,
        endpoint=run.bill.partner_endpoint,
        env=os.environ,
    ) as partner_session:
        outcomes = run_tenants(options, jobs, root, partner_session=given_session or partner_session)
    # each tenant's reconciliation and three-way table, as its report has them
    extra = vendor_reads.write(vendor_reads.DISTRIBUTOR, outcomes, root, seats)
    extra += vendor_reads.write(vendor_reads.PSA, outcomes, root, billed)
    extra += invoice_reads.beside(options, tenants, outcomes, root)  # what Microsoft and distributors invoiced
    part = f"{options.shard[0]}/{options.shard[1]}" if options.shard else None
    locale = run.locale.value if run.locale else None
    relationships = (given_relationships or _partner_relationships(options, tenants))()
    gdap.say(relationships)
    written = extra + write_rollup(
        root,
        outcomes,
        generated_at=began,
        shard=part,
        locale=locale,
        history=history_name(run.nightly.history),
        relationships=relationships,
        judged_on=datetime.fromisoformat(run.as_of.replace("Z", "+00:00")).date() if run.as_of else None,
    )
    written.append(all_licensed_users(root, outcomes))
    written += [lane.write(root)] if lane else []
    # the roll-up shows every customer and the MSP's cost and margin: `email` never sends it (run_record)
    record(root, RunKind.FLEET, written, generated_at=f"{began:%Y-%m-%dT%H:%M:%SZ}", msp_cost=True)
    failed = [o for o in outcomes if o.status == "failed"]
    print(
        clean_message(
            f"license-auditor: {english_count(len(outcomes), 'tenant', 'tenants')} audited, {len(failed)} failed; "
            f"roll-up in {', '.join(str(p) for p in written)}"
        ),
        file=sys.stderr,
    )
    for outcome in failed:
        print(clean_message(f"  {outcome.job.key}: exit {outcome.exit_code}: {outcome.reason}"), file=sys.stderr)
    say_mailed(outcomes, root, sends=options.mail_to is not None)
    return worst([o.exit_code for o in outcomes], bool(failed), run.allow_gaps)


def _partner_relationships(options: FleetOptions, tenants: TenantsFile | None) -> gdap.Reader:
    """The partner tenant's GDAP relationships, read with the file's `partner:` block (auditor.fleet.gdap)."""
    run = options.audit
    block = tenants.partner if tenants is not None else None
    return lambda: gdap.for_partner(block, auth=run.source.auth.value, endpoint=run.source.endpoint, env=os.environ)


def all_licensed_users(root: Path, outcomes: Sequence[Outcome]) -> Path:
    """licensed-users.csv in the run's folder: every tenant's license list of this run, in the file's order. A failed
    tenant's folder may hold an earlier night's list: its rows are left out, never shown as tonight's."""
    lists = [root / o.job.key / licensed_users.FILE_NAME for o in outcomes if o.status != "failed"]
    return licensed_users.join(lists, root / licensed_users.FILE_NAME)


# the order in which one tenant's exit code outweighs another's: a defect, then missing data, then a
# failed e-mail, then findings
_WEIGHT = {EXIT_INTERNAL: 5, EXIT_COLLECTION: 4, 2: 3, 4: 2, 1: 1, 0: 0}


def worst(codes: Sequence[int], any_failed: bool, allow_gaps: bool) -> int:
    """The run's exit code: 3 when a tenant failed (unless --allow-gaps), else the worst tenant's."""
    if any_failed and not allow_gaps:
        return EXIT_COLLECTION
    kept = [c for c in codes if not (allow_gaps and c in (EXIT_COLLECTION, 2, EXIT_INTERNAL))]
    return max(kept, key=lambda c: _WEIGHT.get(c, 0), default=0)


def cmd_rollup(options: RollupOptions) -> int:
    """`rollup DIR...`: the shards' tenants.json joined into one roll-up in --output-dir."""
    expected = load_tenants(Path(options.tenants)) if options.tenants else None
    doc = join([Path(d) for d in options.dirs], expected)
    root = Path(options.output_dir)
    root.mkdir(parents=True, exist_ok=True)
    with output_lock(root):
        claim(root, RunKind.FLEET)  # a one-tenant audit's folder is refused (exit 2), never written over
        (root / RECORD).unlink(missing_ok=True)
        written = write_documents(root, doc, options.locale)
        # the shards' license lists, joined (each shard's list holds its own tenants: they are disjoint)
        written.append(
            licensed_users.join(
                [Path(d) / licensed_users.FILE_NAME for d in options.dirs], root / licensed_users.FILE_NAME
            )
        )
        record(root, RunKind.FLEET, written, generated_at=str(doc.get("generated_at") or ""), msp_cost=True)
    print(
        clean_message(
            f"license-auditor: {len(doc['tenants'])} tenants joined, {len(doc.get('missing', []))} "
            f"missing; roll-up in {', '.join(str(p) for p in written)}"
        ),
        file=sys.stderr,
    )
    mail_options = options.mail()
    if mail_options is not None:
        if mail_options.via is Transport.GRAPH:
            raise UsageError(
                "rollup: the roll-up is sent through SMTP (--smtp-host); Graph's sendMail signs in to one tenant"
            )
        mail = rollup_mail(
            root,
            options.locale,
            attachment_limit=mail_options.effective_attachment_limit,
            run_url=run_url_from_env(os.environ),
        )
        send_mail(mail, mail_options, os.environ)
        sent = english_count(len(mail_options.recipients), "recipient", "recipients")
        print(f"license-auditor: roll-up sent to {sent}", file=sys.stderr)
    failed = any(row["status"] == "failed" for row in doc["tenants"]) or bool(doc.get("missing"))
    return worst([int(row.get("exit_code") or 0) for row in doc["tenants"]], failed, options.allow_gaps)
