"""What each customer is billed in the MSP's PSA (docs/msp.md, "What the customer is billed: the PSA"):
before the tenants of `audit --tenants` are audited, each tenant whose entry has `psa: {connectwise: ...}`
or `psa: {autotask: ...}` has the billing lines of its active agreements read (read only: nothing is
written to the PSA) and handed to its audit, whose report.json holds the three-way table
(auditor.billing.psa_table); after, OUTPUT_DIR/<key>/psa.json is the table its report.json holds.

The MSP's keys come from the environment (ConnectWise: CW_COMPANY_ID, CW_PUBLIC_KEY, CW_PRIVATE_KEY,
CW_CLIENT_ID; Autotask: AUTOTASK_INTEGRATION_CODE, AUTOTASK_USERNAME, AUTOTASK_SECRET), checked before
any tenant is read (exit 2). A customer the PSA refuses or cannot be read for gets a psa.json with its
`error` and a warning; the others go on, and the run's exit code is not changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from auditor.common.errors import UsageError, clean_message
from auditor.common.outputs import PSA_FILE, write_text

from ..billing.psa_records import PsaPayload, PsaSection
from ..billing.psa_table import differences, section
from ..delivery.matrix import TenantJob
from ..formats.report_json import decode_report
from ..i18n import english_count
from ..vendors import psa_sessions as sessions
from ..vendors.registry import NAMES
from .distributor_reads import audited
from .rollup import Outcome

FILE_NAME = PSA_FILE


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def wanted(jobs: Sequence[TenantJob]) -> bool:
    return any(job.psa for job in jobs)


def check(jobs: Sequence[TenantJob], env: Mapping[str, str]) -> None:
    """The keys of each PSA the jobs name (none: nothing to check), before any tenant is audited (UsageError)."""
    sessions.check_credentials((name for job in jobs if job.psa for name in json.loads(job.psa)), env)


def read(
    jobs: Sequence[TenantJob], *, endpoints: Mapping[str, str | None], env: Mapping[str, str], as_of: str | None
) -> dict[str, PsaPayload]:
    """Each job's billing lines in its PSA on the run's day (--as-of's, else today's in UTC), or the
    reading's error, read before the tenants are audited; one session per PSA for all."""
    entries = {job.key: json.loads(job.psa) for job in jobs if job.psa}
    on = as_of[:10] if as_of else datetime.now(UTC).date().isoformat()
    return sessions.read(entries, endpoints=endpoints, env=env, on=on) if entries else {}


def run(outcomes: Sequence[Outcome], root: Path, given: Mapping[str, PsaPayload]) -> list[Path]:
    """psa.json of every tenant of the run that names a PSA and was audited: the table its own report.json
    shows (`psa`), so the figures are the same in both."""
    written = []
    for outcome, folder, path in audited(outcomes, root, given, FILE_NAME):
        key = outcome.job.key
        try:
            report = decode_report((folder / "report.json").read_bytes(), str(folder / "report.json"))
            doc = report.psa or section(
                given[key], report, report.distributor or None, name=NAMES.get(given[key]["psa"])
            )
        except (OSError, ValueError, UsageError) as exc:
            doc = PsaSection(schema=1, psa=given[key]["psa"], company_id=None, error=type(exc).__name__)
        _say_table(key, doc)
        write_text(path, json.dumps(msgspec.to_builtins(doc), indent=1, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def _say_table(key: str, doc: PsaSection) -> None:
    for warning in doc.warnings or []:
        _say(f"  {key}: psa: {warning}")
    if doc.error:
        _say(f"  {key}: psa: not read: {doc.error}")
        return
    read = english_count(len(doc.products or []), "product", "products")
    _say(f"  {key}: psa: {read} in the three-way table, {differences(doc.findings or [])} with a difference")


__all__ = ["FILE_NAME", "check", "read", "run", "wanted"]
