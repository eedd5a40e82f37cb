"""The MSP's systems beside each tenant's seats, in `audit --tenants` (docs/msp.md, "The distributor's seats",
"What the customer is billed: the PSA"): before the tenants are audited, each tenant whose entry names a
distributor (`distributor: {<name>: ...}`) has its subscriptions there read, and each whose entry names a PSA
(`psa: {<name>: ...}`) the billing lines of its active agreements (read only: nothing is written to either),
through one session per vendor (auditor.vendors.distributor_sessions, psa_sessions; which vendors there are:
auditor.vendors.registry), and handed to its audit, whose report.json holds the reconciliation (`distributor`:
auditor.billing.distributor_seats) and the three-way table (`psa`: auditor.billing.psa_table). After, each such
tenant gets OUTPUT_DIR/<key>/distributor.json and psa.json: the sections its report.json holds.

    DISTRIBUTOR, PSA        the two kinds of reading: the tenants entry's key, the file, the section
    check(jobs, env)        each named vendor's keys from the environment, before any tenant is audited
                            (UsageError: exit 2)
    read_distributors(...)  each job's subscriptions at its distributor (or the reading's error)
    read_psas(...)          each job's billing lines in its PSA on the run's day (or the reading's error)
    proof(jobs, root, ...)  what proves each job's customers there (auditor.vendors.mappings: the mappings
                            kept in OUTPUT_DIR/mappings.json); kept(proof) writes it back and names each
                            mapping kept the first time
    write(kind, ...)        the kind's file of every tenant that names one and was audited, and a line
                            each on stderr

A customer a vendor refuses or cannot be read for, or whose mapping is not proven the tenant's (a customer
another tenant's confirmed mapping names, a tenant whose confirmed customer is another, the vendor's record
of it changed), gets the file with its `error` and a warning; the others go on, and the run's exit code is
not changed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, cast

import msgspec

from auditor.common.errors import UsageError, clean_message
from auditor.common.outputs import DISTRIBUTOR_FILE, PSA_FILE, write_text

from ..billing import distributor_seats as seats
from ..billing import psa_table
from ..billing.distributor_records import Block, DistributorSection, Payload, keyed
from ..billing.psa_records import PsaBlock, PsaPayload, PsaSection
from ..delivery.matrix import TenantJob
from ..formats.report_json import decode_report
from ..formats.report_model import ReportDocument
from ..i18n import english_count
from ..vendors import distributor_sessions, psa_sessions
from ..vendors.mappings import Book, Proof
from ..vendors.protocols import check_credentials
from ..vendors.registry import DISTRIBUTORS, NAMES, PSAS
from .rollup import Outcome


class _Section(Protocol):
    """What a stderr line reads of a vendor's section (DistributorSection, PsaSection)."""

    @property
    def error(self) -> Any: ...
    @property
    def warnings(self) -> Any: ...


_Given = TypeVar("_Given", Payload, PsaPayload)
_Doc = TypeVar("_Doc", DistributorSection, PsaSection)
_Block = TypeVar("_Block", Block, PsaBlock)


@dataclass(frozen=True)
class Kind(Generic[_Given, _Doc]):
    """One kind of the MSP's systems a tenant's entry names: its entry's key (and the stderr lines' word),
    the tenant's file of it, and its section: as report.json holds it, else made from the reading, else
    (report.json unread) the reading's head with why."""

    key: str  # distributor, psa
    file_name: str
    block: Callable[[TenantJob], str]  # the job's block, compact JSON ("" when none)
    section: Callable[[ReportDocument, _Given], _Doc]
    unread: Callable[[_Given, str], _Doc]
    summary: Callable[[_Doc], str]  # the line of a section that was read


def _distributor_summary(doc: DistributorSection) -> str:
    differ = seats.billed_otherwise(doc.findings or [])
    read = english_count(len(doc.products or []), "product", "products")
    return f"{read} read, {differ} billed differently from Microsoft's count"


def _psa_summary(doc: PsaSection) -> str:
    read = english_count(len(doc.products or []), "product", "products")
    return f"{read} in the three-way table, {psa_table.differences(doc.findings or [])} with a difference"


DISTRIBUTOR: Kind[Payload, DistributorSection] = Kind(
    "distributor",
    DISTRIBUTOR_FILE,
    lambda job: job.distributor,
    # read back from the tenant's report.json: its customer under its distributor's key again
    lambda report, given: (
        keyed(report.distributor, given["seller"].scope)
        if isinstance(report.distributor, DistributorSection)
        else seats.section(given, report)
    ),
    seats.failed_section,
    _distributor_summary,
)
PSA: Kind[PsaPayload, PsaSection] = Kind(
    "psa",
    PSA_FILE,
    lambda job: job.psa,
    lambda report, given: (
        report.psa or psa_table.section(given, report, report.distributor or None, name=NAMES.get(given["psa"]))
    ),
    lambda given, error: PsaSection(schema=1, psa=given["psa"], company_id=None, error=error),
    _psa_summary,
)


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def wanted(kind: Kind[Any, Any], jobs: Sequence[TenantJob]) -> bool:
    return any(kind.block(job) for job in jobs)


def _entries(kind: Kind[Any, Any], jobs: Sequence[TenantJob], _of: type[_Block]) -> dict[str, dict[str, _Block]]:
    """Each job's block of the kind by its key (`{<vendor>: {...}}`, as the tenants file's check left it:
    auditor.delivery.matrix), the jobs naming none left out."""
    return {job.key: cast(dict[str, _Block], json.loads(kind.block(job))) for job in jobs if kind.block(job)}


def check(jobs: Sequence[TenantJob], env: Mapping[str, str]) -> None:
    """The keys of each distributor and PSA the jobs name (none: nothing to check), before any tenant is
    audited (UsageError)."""
    if wanted(DISTRIBUTOR, jobs):
        check_credentials(
            DISTRIBUTORS, (name for entry in _entries(DISTRIBUTOR, jobs, Block).values() for name in entry), env
        )
    check_credentials(PSAS, (name for entry in _entries(PSA, jobs, PsaBlock).values() for name in entry), env)


def proof(jobs: Sequence[TenantJob], root: Path, since: str) -> Proof:
    """What proves each job's customers at its vendors: the mappings kept in the run's folder, each job's tenant
    as its entry names it; a mapping seen the first time is kept (trust on first use)."""
    return Proof(Book.load(root), {job.key: (job.tenant_id,) for job in jobs}, keep=True, since=since)


def kept(proof: Proof) -> None:
    """The mappings kept the first time in this run, written and named on stderr (each to be checked once)."""
    unsaved = proof.book.save()
    for line in proof.book.first:
        _say(f"  mapping: {line}")
    if unsaved:  # kept again the next night, the first time again: no write rests on it before
        _say(f"  mapping: {unsaved}")


def read_distributors(
    jobs: Sequence[TenantJob],
    *,
    endpoints: Mapping[str, str | None],
    env: Mapping[str, str],
    proof: Proof | None = None,
) -> dict[str, Payload]:
    """Each job's subscriptions at its distributor (or the reading's error), read before the tenants are
    audited so that each tenant's own report and bill show them; one session (one token) per distributor
    (auditor.vendors.distributor_sessions.read_any, which a one-tenant audit reads its own with)."""
    entries = _entries(DISTRIBUTOR, jobs, Block)
    return distributor_sessions.read_any(entries, endpoints=endpoints, env=env, proof=proof) if entries else {}


def read_psas(
    jobs: Sequence[TenantJob],
    *,
    endpoints: Mapping[str, str | None],
    env: Mapping[str, str],
    as_of: str | None,
    proof: Proof | None = None,
) -> dict[str, PsaPayload]:
    """Each job's billing lines in its PSA on the run's day (--as-of's, else today's in UTC), or the
    reading's error, read before the tenants are audited; one session per PSA for all."""
    entries = _entries(PSA, jobs, PsaBlock)
    on = as_of[:10] if as_of else datetime.now(UTC).date().isoformat()
    return psa_sessions.read(entries, endpoints=endpoints, env=env, on=on, proof=proof) if entries else {}


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


def write(kind: Kind[_Given, _Doc], outcomes: Sequence[Outcome], root: Path, given: Mapping[str, _Given]) -> list[Path]:
    """The kind's file of every tenant of the run that names one and was audited: the section its own
    report.json shows, so the figures are the same in both."""
    written = []
    for outcome, folder, path in audited(outcomes, root, given, kind.file_name):
        key = outcome.job.key
        try:
            report = decode_report((folder / "report.json").read_bytes(), str(folder / "report.json"))
            doc = kind.section(report, given[key])
        except (OSError, ValueError, UsageError) as exc:
            doc = kind.unread(given[key], type(exc).__name__)
        _say_section(kind, key, doc)
        write_text(path, json.dumps(msgspec.to_builtins(doc), indent=1, ensure_ascii=False) + "\n")  # renamed in
        written.append(path)
    return written


def _say_section(kind: Kind[Any, _Doc], key: str, doc: _Doc) -> None:
    section: _Section = doc
    for warning in section.warnings or []:
        _say(f"  {key}: {kind.key}: {warning}")
    if section.error:
        _say(f"  {key}: {kind.key}: not read: {section.error}")
    else:
        _say(f"  {key}: {kind.key}: {kind.summary(doc)}")


__all__ = [
    "DISTRIBUTOR",
    "PSA",
    "Kind",
    "audited",
    "check",
    "kept",
    "proof",
    "read_distributors",
    "read_psas",
    "wanted",
    "write",
]
