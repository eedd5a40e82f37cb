"""apply's fresh compile: the plan compiled again at the call, from the tenant as the source says now.

The audit's own stages read the tenant with apply's connection under the operator's policy files (apply's
--policies, as audit takes them; never the files plan.json names: a plan recorded under other files than
the ones read is refused, auditor.apply.operator_policy) and hand over the document they build, writing no
file, and `plan`'s own function compiles it with the filters apply was given, which the plan's must equal
(auditor.plan.command.compile_document). auditor.apply.agree then keeps the plan file's changes that
this compile's typed changes hold equal in every field (docs/plan-and-apply.md, "The file selects, the source decides").

Its memory stays close to the audit's: the audit hands over its document and each finding's calls
(AuditOptions.handed) and stops there (nothing rendered, written or locked), and `plan`'s function compiles
those in memory, so no report is decoded beside what the audit's heap keeps of its peak (docs/performance.md
has the figures).

Its sign-in read costs what a second night's does: the nightly's kept read beside the plan
(auditor.graph.kept_sign_ins.KEPT_FILE), checked as the nightly checks it (tenant, window, age, the
user listing's corroboration) and the filtered request for the users who can have gone quiet since. A
user whose sign-in is newer than the kept read is judged on the answer (sign-in times only move
forward), never on the kept time; without a usable kept read apply reads every user's, and says so.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from auditor.apply.arguments import WriteOptions
from auditor.apply.fresh import FreshPlan
from auditor.apply.operator_policy import check_filters, check_policies, operator_digests
from auditor.apply.psa import entry_of as psa_entry_of
from auditor.billing.distributor_records import Payload
from auditor.billing.psa_records import PsaPayload
from auditor.common.errors import CollectionError
from auditor.common.timestamps import timestamp_or_none
from auditor.data.enums import Format
from auditor.distributor.distributor_rederive import entry_of, mapping_of
from auditor.formats.plan_json import PlanFile, PlanFileError
from auditor.formats.plan_records import Filters
from auditor.formats.report_model import ReportDocument
from auditor.graph.kept_sign_ins import KEPT_FILE
from auditor.pipeline.arguments import AuditOptions
from auditor.plan.actions import Remediation
from auditor.plan.arguments import PlanOptions
from auditor.plan.command import REPORT, compile_document
from auditor.vendors.distributor_sessions import read_any
from auditor.vendors.mappings import Proof
from auditor.vendors.psa_sessions import read as read_psa

from .run import audit

KEPT_LINES = 5  # of what the fresh audit said, quoted when it wrote no report
FULL_READ = "signInActivity: a full read ("  # the collection's note when it reads every user's sign-in activity


def recompile(plan: PlanFile, options: WriteOptions, now: datetime) -> FreshPlan:
    """The plan `plan` would write now for `plan`'s tenant, under the operator's policy files and filters
    (`options`: --policies, --rules, --min-severity, --findings), read with `options`' connection and judged
    at `now` (apply's clock; --demo: the sample's moment, options.as_of); CollectionError when no report
    could be written, PlanFileError when the plan records other policy files or filters than those."""
    if not plan.policy_sha256:
        raise PlanFileError(
            f"{plan.path}: policy_sha256: the plan records no policy file it was audited under, so it cannot be "
            "checked against your policy files nor compiled again at the call; audit and plan again"
        )
    filters = Filters(options.rules, options.min_severity, options.findings)
    check_filters(plan, filters)
    check_policies(plan, operator_digests(options.policies))
    moment = (timestamp_or_none(options.as_of, require_zone=True) if options.as_of else None) or now
    said = io.StringIO()
    handed: list[tuple[ReportDocument, Remediation]] = []  # the audit's document, and its findings' calls
    with tempfile.TemporaryDirectory(prefix="license-auditor-fresh-") as folder:
        source = replace(options.graph, demo=False, clock=lambda: moment, kept_sign_ins=_kept(plan, Path(folder)))
        out = Path(folder) / "report"  # named, never made: a handed audit writes no file (auditor.pipeline.run)
        audit_options = AuditOptions(
            output_dir=str(out),
            policies=options.policies,
            graph=True,
            source=source,
            formats=(Format.JSON,),
            fail_on="never",
            as_of=moment.isoformat().replace("+00:00", "Z"),
            bill=options.billing,
            # the demo's audit reads the sample's protection rules; so does its fresh compile
            demo_exchange=options.graph.demo,
            distributor_seats=_distributor(plan, options),
            psa_billed=_psa(plan, options, moment.date().isoformat()),
            endpoints=options.endpoints,
            handed=lambda document, calls: handed.append((document, calls)),
        )
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            code = audit(audit_options)
        _say_full_read(said.getvalue())
        if not handed:
            lines = [line for line in said.getvalue().splitlines() if line.strip()][-KEPT_LINES:]
            raise CollectionError(
                f"the tenant could not be read again to compile the plan at the call (the audit ended with exit "
                f"{code}): " + " / ".join(lines)
            )
        # the audit's document, never written nor decoded (module docstring): its calls are the audit's own, which
        # the plan beside them was compiled from (auditor.plan.read checks a file's)
        document, calls = handed.pop()
        # the bytes the fresh audit judged by, which a file changed since the check above would betray
        check_policies(plan, dict(document.policy_sha256 or {}))
        gaps = tuple(f"{gap.part}: {gap.reason} ({gap.request})" for gap in document.gaps)
        compiled = compile_document(
            PlanOptions(
                report_dir=str(out),
                rules=filters.rules,
                min_severity=filters.min_severity,
                findings=filters.findings,
            ),
            document,
            out / REPORT,  # named in what the compile says, which apply does not print
            say=lambda _text: None,
            check_filters=False,
            remediation=calls,
        )
        del document, calls
    # the changes as `plan` compiled them (plan.json encodes these records): apply holds only what it compares
    return FreshPlan(compiled.changes, compiled.bill, gaps)


def _psa(plan: PlanFile, options: WriteOptions, on: str) -> PsaPayload | None:
    """apply --psa: the customer's lines in its PSA, read again now as of the day `on` with the company and the
    products map the report beside the plan names (apply.psa.entry_of); None for every other write."""
    if not options.psa:
        return None
    entry = psa_entry_of(plan)
    if not entry:
        raise PlanFileError(
            f"{plan.path}: the report beside the plan has no table of the customer's PSA: its psa changes cannot "
            "be compiled again at the call; audit --tenants and plan again"
        )
    # the company proven the plan's tenant's by the mappings kept beside the report (auditor.vendors.mappings), as
    # audit --tenants proved it: a company not proven is the table's error, and every psa change is refused
    mapped = mapping_of(plan, keep=False, since=f"{on}T00:00:00Z")
    proof = Proof(mapped.book, {"": mapped.tenant}, keep=False, since=mapped.since)
    return read_psa({"": entry}, endpoints=options.endpoints, env=os.environ, on=on, proof=proof)[""]


def _kept(plan: PlanFile, folder: Path) -> Path:
    """A folder of the fresh compile's own holding a copy of the nightly's kept sign-in read beside the plan
    (when there is one): the compile uses it as a second night would, and a full read it makes instead is
    kept there and goes with it, never over the nightly's."""
    kept = folder / "kept"
    kept.mkdir()
    with contextlib.suppress(FileNotFoundError):
        shutil.copyfile(plan.path.parent / KEPT_FILE, kept / KEPT_FILE)
    return kept


def _say_full_read(said: str) -> None:
    """One console line when the fresh compile read every user's sign-in activity, and why (no usable
    kept read beside the plan): the whole sign-in lane again, as the audit paid it."""
    line = next((line for line in said.splitlines() if FULL_READ in line), None)
    if line is not None:
        why = line.split(FULL_READ, 1)[1].rstrip().removesuffix(")")
        print(f"apply: the fresh compile reads every user's sign-in activity ({why})", file=sys.stderr)


def _distributor(plan: PlanFile, options: WriteOptions) -> Payload | None:
    """apply --distributor: the tenant's subscriptions at its distributor, read again now with the tenants
    entry's block the audit read them with (report.json beside the plan: it selects the customer); None for
    the license and commerce changes, which do not rest on it."""
    if not options.distributor and not options.psa:
        return None
    entry = entry_of(plan)
    if not entry and options.psa:  # a PSA's rule that reads the distributor plans nothing without it
        return None
    if not entry:
        raise PlanFileError(
            f"{plan.path}: the report beside the plan does not say with which tenants entry its distributor was "
            "read (a report written before it was kept): the distributor's changes cannot be compiled again at "
            "the call; audit and plan again"
        )
    return read_any({"": entry}, endpoints=options.endpoints, env=os.environ)[""]
