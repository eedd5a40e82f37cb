"""`audit --tenants FILE`: every tenant of a tenants file, audited in one process (docs/msp.md).

Each tenant runs as a one-tenant `audit` would, with its own arguments (its tenant id, client id,
cloud, policies, endpoint), into OUTPUT_DIR/<key>/, so `merge`, `plan`, `apply`, `history` and
`email` read its folder unchanged. Up to --tenant-concurrency tenants run at once, each in a thread
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

import argparse
import hashlib
import io
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from auditor.common.errors import (
    EXIT_COLLECTION,
    EXIT_INTERNAL,
    AuditorError,
    PolicyError,
    StopSignal,
    UsageError,
    clean_message,
)

from ..billing.partner_center import PartnerCenter
from ..commands import REPORT_FILES, cmd_audit
from ..delivery.content import run_url_from_env
from ..delivery.matrix import TenantJob, TenantsFile, load_tenants, read_tenants_file
from ..delivery.options import Transport
from ..delivery.send import send_mail
from ..graph.auth import TOKEN_ENV
from ..report import licensed_users
from ..report.baseline import LAST_RUN
from . import distributor_reads as distributor
from . import partner
from .arguments import RollupOptions
from .rollup import Outcome, join, rollup_mail, write_documents, write_rollup

# `audit` flags that name one tenant's files: with --tenants they come from the file, per tenant
_PER_TENANT = ("snapshot", "demo", "tenant_id", "history", "migration", "exchange_export")
_REQUESTS = re.compile(r"with ([\d,]+) Graph requests")


def slice_of(key: str, count: int) -> int:
    """The 1-based slice a tenant key falls in: a hash of the key alone, so adding a tenant moves none."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % count + 1


def select(jobs: Sequence[TenantJob], part: tuple[int, int] | None) -> list[TenantJob]:
    if part is None:
        return list(jobs)
    k, n = part
    return [job for job in jobs if slice_of(job.key, n) == k]


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


def _tenant_args(
    args: argparse.Namespace,
    job: TenantJob,
    folder: Path,
    stop: StopSignal,
    partner_session: PartnerCenter | None = None,
) -> argparse.Namespace:
    """The arguments of a one-tenant `audit` for `job`: the run's own flags, the tenant's from the file."""
    values = {name: value for name, value in vars(args).items() if name not in _PER_TENANT}
    baseline_dir = getattr(args, "baseline", None)
    baseline = Path(baseline_dir) / job.key / "report.json" if baseline_dir and baseline_dir != LAST_RUN else None
    sending = bool(getattr(args, "smtp_host", None) or getattr(args, "sender", None))
    values.update(
        output_dir=str(folder),
        tenant_id=job.tenant_id,
        tenant_label=job.name or job.key,  # the licence list's `tenant` column: the customer as the file names it
        cloud=job.cloud,
        locale=job.locale or args.locale,
        policies=[job.policies],
        fail_on=job.fail_on,
        billing=job.billing or None,
        migration=job.migration or None,
        # the tenant's own billing source and account; "auto" in the file leaves the run's --billing-source
        billing_source=job.billing_source if job.billing_source != "auto" else args.billing_source,
        billing_account=job.billing_account or args.billing_account,
        graph=True,
        graph_endpoint=job.graph_endpoint or args.graph_endpoint,
        snapshot=None,
        demo=False,
        # each tenant's own history in its own folder, kept across nights: its trends and forecast
        history=str(folder / history_name(args)),
        exchange_export=None,
        # `previous`: each tenant's own last report, in its folder (the one-tenant audit finds it)
        baseline=LAST_RUN if baseline_dir == LAST_RUN else str(baseline) if baseline and baseline.exists() else None,
        save_snapshot=str(folder / "snapshot.json") if args.save_snapshot else None,
        email_to=[a for a in job.email_to.split(",") if a] if sending and job.email_to else None,
        # the credential signs in to this tenant as the run's one app (the client id from the file)
        environment={
            **os.environ,
            "AZURE_TENANT_ID": job.tenant_id,
            "AZURE_CLIENT_ID": job.client_id,
            **({TOKEN_ENV: tokens[job.key]} if job.key in (tokens := getattr(args, "tokens", None) or {}) else {}),
            **(getattr(args, "tenant_env", None) or {}).get(job.key, {}),
        },
        **(getattr(args, "per_tenant", None) or {}).get(job.key, {}),  # the demo's stand-ins, per sample tenant
        stop=stop,  # set when the tenant runs past --tenant-timeout
        # Partner Center: the run's one session with the partner's credential (None: the file names no partner)
        partner_session=partner_session,
        distributor_seats=(getattr(args, "distributor_seats", None) or {}).get(job.key),  # its Pax8 subscriptions
    )
    return argparse.Namespace(**values)


HISTORY = "history.jsonl"  # each tenant's history, in its folder, unless --history names the file otherwise


def history_name(args: argparse.Namespace) -> str:
    """The name of the history file each tenant keeps in its own folder: --history's, which must be a
    bare file name (one path would mix every tenant's records in one file), else history.jsonl."""
    given = getattr(args, "history", None)
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
    args: argparse.Namespace,
    job: TenantJob,
    folder: Path,
    logs: _TenantLogs,
    audit: Callable[[argparse.Namespace], int],
    stop: StopSignal,
    partner_session: PartnerCenter | None,
) -> tuple[int, str | None]:
    """Run one tenant's audit with its log; (exit code, one-line reason when it failed)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "audit.log").open("w", encoding="utf-8") as log:
        logs.local.log = log
        try:
            return audit(_tenant_args(args, job, folder, stop, partner_session)), None
        except PolicyError as exc:
            for issue in exc.issues:
                log.write(clean_message(str(issue)) + "\n")
            return exc.exit_code, f"{len(exc.issues)} policy error(s): {exc.issues[0]}" if exc.issues else str(exc)
        except AuditorError as exc:
            return exc.exit_code, str(exc)
        except Exception as exc:  # a defect in a rule or a renderer: this tenant fails, the others go on
            return EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}"
        finally:
            logs.local.log = None


def _requests(folder: Path) -> int | None:
    """The Graph requests the tenant's collection made, as its log's last line about them says."""
    try:
        found = _REQUESTS.findall((folder / "audit.log").read_text("utf-8", errors="replace"))
    except OSError:
        return None
    return int(found[-1].replace(",", "")) if found else None


def _complete(folder: Path) -> bool:
    """The tenant's report.json exists and says its data is complete (with --allow-gaps an
    incomplete tenant exits as a complete one would)."""
    try:
        return json.loads((folder / "report.json").read_text("utf-8")).get("complete") is True
    except (OSError, ValueError, AttributeError):
        return False


def _clear(folder: Path) -> None:
    """A tenant ended as failed keeps no report that could be read as today's."""
    for name in (*REPORT_FILES, "snapshot.json"):
        (folder / name).unlink(missing_ok=True)


def run_tenants(
    args: argparse.Namespace,
    jobs: Sequence[TenantJob],
    root: Path,
    audit: Callable[[argparse.Namespace], int] = cmd_audit,
    partner_session: PartnerCenter | None = None,
) -> list[Outcome]:
    """Audit `jobs` into root/<key>/, tenant_concurrency at a time; one Outcome per job, in the file's order.
    `partner_session`: Partner Center with the partner's credential, for every customer."""
    logs = _TenantLogs(sys.stderr)
    slots = threading.Semaphore(args.tenant_concurrency)
    results: dict[str, tuple[int, str | None]] = {}
    started: dict[str, float] = {}
    ended: dict[str, float] = {}
    stops = {job.key: StopSignal(f"ended after {args.tenant_timeout:g} s (--tenant-timeout)") for job in jobs}
    lock = threading.Lock()

    def work(job: TenantJob) -> None:
        result = _audit_one(args, job, root / job.key, logs, audit, stops[job.key], partner_session)
        with lock:
            mine = job.key not in results  # else its time limit ended it, and gave its slot away then
            if mine:
                results[job.key] = result
                ended[job.key] = time.monotonic()
        if mine:
            slots.release()
        else:  # ended by its time limit: anything it wrote since is not a report either
            _clear(root / job.key)

    threads: dict[str, threading.Thread] = {}
    previous, sys.stderr = sys.stderr, logs
    try:
        for job in jobs:
            while not slots.acquire(timeout=0.05):  # a slot held past its time limit is taken back meanwhile
                _reap(threads, started, results, ended, lock, args.tenant_timeout, slots, root, stops)
            started[job.key] = time.monotonic()
            threads[job.key] = threading.Thread(target=work, args=(job,), name=f"tenant-{job.key}", daemon=True)
            threads[job.key].start()
        while any(key not in results for key in threads):
            _reap(threads, started, results, ended, lock, args.tenant_timeout, slots, root, stops)
            time.sleep(0.05)
    finally:
        sys.stderr = previous
    outcomes = []
    for job in jobs:
        code, reason = results[job.key]
        folder = root / job.key
        complete = code not in (EXIT_COLLECTION,) and _complete(folder)
        status = "failed" if reason is not None else ("ok" if complete else "incomplete")
        outcomes.append(
            Outcome(
                job,
                status,
                code,
                clean_message(reason).replace("\n", " ") if reason else None,
                round(ended[job.key] - started[job.key], 2),
                _requests(folder),
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
    slots: threading.Semaphore,
    root: Path,
    stops: dict[str, StopSignal],
) -> None:
    """End every tenant past its time limit as failed (its StopSignal set), and give its slot to the next tenant."""
    now = time.monotonic()
    for key, thread in threads.items():
        if thread.is_alive() and now - started[key] > limit:
            with lock:
                if key in results:
                    continue
                results[key] = (EXIT_COLLECTION, stops[key].reason)
                ended[key] = now
            stops[key].set()
            _clear(root / key)
            slots.release()


def _demo_tenants(args: argparse.Namespace) -> int:
    """`audit --demo --tenants`: the bundled sample tenants, each read through its own emulator as a
    tenants file's tenant is read through Graph, then the roll-up; nothing leaves the machine. Each
    sample is audited as its one-tenant demo audits it: as of the moment it was collected (demo.CLOCK,
    the collector's clock too), Contoso's bill read from the commerce stand-ins (its billing account,
    and Partner Center through the run's one partner session), so Contoso's findings, bill and money
    are those of `audit --demo`. --shard K/N audits the samples of slice K, as for a tenants file."""
    from .. import demo  # the sample tenants and their emulators: only this demo loads them
    from ..billing.sources import BILLING_TOKEN_ENV, PARTNER_CENTER_TOKEN_ENV, EnvToken

    if args.tenants:
        raise UsageError("--demo --tenants audits the bundled sample tenants: leave out the tenants file")
    history_name(args)  # a path is refused before any tenant, as for a tenants file
    with (
        demo.tenants() as served,
        demo.commerce() as (billing_url, billing_token, partner_url, partner_token),
        demo.distributor() as pax8,
    ):
        seats_at_pax8 = json.dumps({"pax8": {"company_id": pax8.company_id, "products": pax8.products}}, sort_keys=True)
        jobs = [
            TenantJob(
                key=tenant.name.lower(),
                name=tenant.name,
                tenant_id=tenant.tenant_id,
                client_id="",
                cloud="worldwide",
                locale="",
                email_to="",
                policies=str(tenant.policy),
                fail_on=args.fail_on,
                # the stand-ins serve Contoso's commerce; Fabrikam's bill has no source, as before
                billing_source="auto" if tenant.commerce else "none",
                graph_endpoint=tenant.url,
                distributor=seats_at_pax8 if tenant.commerce else "",  # Contoso's seats at the sample's Pax8
            )
            for tenant in served
        ]
        args.auth = "token"
        args.tokens = {job.key: tenant.token for job, tenant in zip(jobs, served, strict=True)}
        args.tenant_env = {
            job.key: {BILLING_TOKEN_ENV: billing_token} for job, t in zip(jobs, served, strict=True) if t.commerce
        }
        args.per_tenant = {
            job.key: {"billing_endpoint": billing_url} for job, t in zip(jobs, served, strict=True) if t.commerce
        }
        # the samples are a frozen moment (demo.CLOCK): read and judged then, so the demo reads the same any day
        args.as_of = args.as_of or demo.CLOCK.strftime("%Y-%m-%dT%H:%M:%SZ")
        args.collect_clock = lambda: demo.CLOCK.replace(tzinfo=UTC)
        args.pax8_endpoint = pax8.url
        args.distributor_env = {"PAX8_CLIENT_ID": pax8.client_id, "PAX8_CLIENT_SECRET": pax8.client_secret}
        with PartnerCenter(EnvToken(PARTNER_CENTER_TOKEN_ENV, partner_token), partner_url) as partner_session:
            return _run_and_roll_up(args, select(jobs, args.shard), None, partner_session)


def cmd_tenants(args: argparse.Namespace) -> int:
    """`audit --tenants FILE`: the tenants of the file (or of its --shard), then the roll-up."""
    if getattr(args, "demo", False):
        return _demo_tenants(args)
    if not args.tenants:
        raise UsageError("--tenants: give the tenants file (or --demo to try it on the bundled sample tenants)")
    history_name(args)
    for flag in ("snapshot", "demo", "tenant_id", "exchange_export", "migration"):
        if getattr(args, flag, None):
            raise UsageError(
                f"--tenants: --{flag.replace('_', '-')} names one tenant; set it per tenant in the "
                "tenants file, or run audit without --tenants"
            )
    tenants = read_tenants_file(Path(args.tenants))
    partner.check(tenants, args.billing_source)  # before any tenant: a missing `partner:` block is exit 2
    jobs = select(tenants.jobs, args.shard)
    if distributor.wanted(jobs):
        distributor.credentials(os.environ)  # before any tenant: no Pax8 credentials is exit 2
    return _run_and_roll_up(args, jobs, tenants)


def _run_and_roll_up(
    args: argparse.Namespace,
    jobs: list[TenantJob],
    tenants: TenantsFile | None,
    given_session: PartnerCenter | None = None,
) -> int:
    """Audit `jobs` into --output-dir, then write the roll-up; the run's exit code. `given_session`:
    the demo's Partner Center stand-in (a tenants file's run makes its session from the file's block)."""
    root = Path(args.output_dir)
    root.mkdir(parents=True, exist_ok=True)
    began = datetime.now(UTC)
    # the distributor's seats (read only), read before the tenants: each tenant's report and bill show them
    args.distributor_seats = distributor.read(
        jobs, endpoint=getattr(args, "pax8_endpoint", None), env=getattr(args, "distributor_env", None) or os.environ
    )
    with partner.session(
        partner.wanted(tenants, args.billing_source) if tenants is not None else None,
        auth=args.auth,
        endpoint=args.partner_center_endpoint,
        env=os.environ,
    ) as partner_session:
        outcomes = run_tenants(args, jobs, root, partner_session=given_session or partner_session)
    extra = distributor.run(
        outcomes, root, args.distributor_seats
    )  # each tenant's reconciliation, as its report has it
    part = f"{args.shard[0]}/{args.shard[1]}" if args.shard else None
    written = extra + write_rollup(
        root, outcomes, generated_at=began, shard=part, locale=args.locale, history=history_name(args)
    )
    written.append(all_licensed_users(root, outcomes))
    failed = [o for o in outcomes if o.status == "failed"]
    print(
        clean_message(
            f"license-auditor: {len(outcomes)} tenants audited, {len(failed)} failed; "
            f"roll-up in {', '.join(str(p) for p in written)}"
        ),
        file=sys.stderr,
    )
    for outcome in failed:
        print(clean_message(f"  {outcome.job.key}: exit {outcome.exit_code}: {outcome.reason}"), file=sys.stderr)
    return worst([o.exit_code for o in outcomes], bool(failed), args.allow_gaps)


def all_licensed_users(root: Path, outcomes: Sequence[Outcome]) -> Path:
    """licensed-users.csv in the run's folder: every tenant's licence list of this run, in the file's order. A failed
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
    written = write_documents(root, doc, options.locale)
    # the shards' licence lists, joined (each shard's list holds its own tenants: they are disjoint)
    written.append(
        licensed_users.join([Path(d) / licensed_users.FILE_NAME for d in options.dirs], root / licensed_users.FILE_NAME)
    )
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
        print(f"license-auditor: roll-up sent to {len(mail_options.recipients)} recipient(s)", file=sys.stderr)
    failed = any(row["status"] == "failed" for row in doc["tenants"]) or bool(doc.get("missing"))
    return worst([int(row.get("exit_code") or 0) for row in doc["tenants"]], failed, options.allow_gaps)
