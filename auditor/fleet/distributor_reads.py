"""The distributor's seats beside Microsoft's (docs/msp.md, "The distributor's seats"): before the
tenants of `audit --tenants` are audited, each tenant whose entry has `distributor: {pax8: ...}` has
its Pax8 subscriptions read (read only: nothing is written to Pax8) and handed to its audit, whose
report and bill show them (auditor.billing.distributor_seats); after, OUTPUT_DIR/<key>/distributor.json
is the reconciliation its report.json holds.

How each subscription is matched to a tenant product and which findings follow: auditor.billing.distributor_seats.

An entry's `distributor: {sherweb: ...}` is read the same way from Sherweb's Partner API
(auditor.vendors.sherweb.client), its subscriptions turned into the records Pax8's are, so the reconciliation,
distributor.json and the roll-up are the same for both.

The MSP's Pax8 client credentials come from PAX8_CLIENT_ID and PAX8_CLIENT_SECRET (one per MSP),
Sherweb's from SHERWEB_CLIENT_ID, SHERWEB_CLIENT_SECRET and SHERWEB_SUBSCRIPTION_KEY; a customer the
distributor refuses (403 for a company not the partner's, a failed token) gets a distributor.json
with its `error` and a warning, the others go on; the run's exit code is not changed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path

import msgspec

from auditor.common.errors import UsageError, clean_message
from auditor.common.outputs import DISTRIBUTOR_FILE, write_text

from ..billing import distributor_seats as seats
from ..billing.distributor_records import Payload
from ..delivery.matrix import TenantJob
from ..formats.report_json import decode_report
from ..i18n import english_count
from ..vendors import distributor_sessions as sessions
from .rollup import Outcome

FILE_NAME = DISTRIBUTOR_FILE


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def wanted(jobs: Sequence[TenantJob]) -> bool:
    return any(job.distributor for job in jobs)


def read(
    jobs: Sequence[TenantJob],
    *,
    endpoint: str | None,
    env: Mapping[str, str] = os.environ,
    sherweb_endpoint: str | None = None,
) -> dict[str, Payload]:
    """Each job's Pax8 subscriptions (or the reading's error), read before the tenants are audited
    so that each tenant's own report and bill show them; one Pax8 session (one token) for all
    (auditor.vendors.distributor_sessions.read, which a one-tenant audit reads its own with)."""
    entries = {job.key: json.loads(job.distributor) for job in jobs if job.distributor}
    endpoints = {"pax8": endpoint, "sherweb": sherweb_endpoint}
    return sessions.read_any(entries, endpoints=endpoints, env=env) if entries else {}


def check(jobs: Sequence[TenantJob], env: Mapping[str, str]) -> None:
    """The credentials of each distributor the jobs name, before any tenant is audited (UsageError)."""
    sessions.check_credentials([json.loads(job.distributor) for job in jobs if job.distributor], env)


def audited(
    outcomes: Sequence[Outcome], root: Path, given: Collection[str], name: str
) -> Iterator[tuple[Outcome, Path, Path]]:
    """(outcome, its folder, the path of its file `name`) of each tenant in `given` that was audited;
    that file of an earlier night is removed first from every tenant's folder (never read as tonight's),
    even for a tenant that failed tonight or whose entry no longer names one, and nothing is written
    through a folder that is a link."""
    for outcome in outcomes:
        folder = root / outcome.job.key
        if folder.is_symlink():  # the tenant was refused for it (auditor.fleet.run): nothing through it
            continue
        path = folder / name
        path.unlink(missing_ok=True)
        if outcome.job.key in given and outcome.status != "failed":
            yield outcome, folder, path


def run(outcomes: Sequence[Outcome], root: Path, given: Mapping[str, Payload]) -> list[Path]:
    """distributor.json of every tenant of the run that names a distributor and was audited: the
    reconciliation its own report.json shows (`distributor`), so the figures are the same in both."""
    written = []
    for outcome, folder, path in audited(outcomes, root, given, FILE_NAME):
        try:
            report = decode_report((folder / "report.json").read_bytes(), str(folder / "report.json"))
            doc = report.distributor or seats.section(given[outcome.job.key], report)
        except (OSError, ValueError, UsageError) as exc:
            doc = seats.failed_section(given[outcome.job.key], type(exc).__name__)
        for warning in doc.warnings or []:
            _say(f"  {outcome.job.key}: distributor: {warning}")
        if doc.error:
            _say(f"  {outcome.job.key}: distributor: not read: {doc.error}")
        else:
            differ = seats.billed_otherwise(doc.findings or [])
            read = english_count(len(doc.products or []), "product", "products")
            _say(f"  {outcome.job.key}: distributor: {read} read, {differ} billed otherwise than Microsoft counts them")
        text = json.dumps(msgspec.to_builtins(doc), indent=1, ensure_ascii=False)
        write_text(path, text + "\n")  # renamed into place
        written.append(path)
    return written


__all__ = ["FILE_NAME", "audited", "check", "read", "run", "wanted"]
