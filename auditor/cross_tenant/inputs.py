"""Read the per-tenant output folders: report.json plus the snapshot.json saved beside it.

Each snapshot is reduced, as soon as it is read, to what the cross-tenant rules need (seat
counts per product and the identity index), so only one tenant's full snapshot is ever in
memory. Anything wrong with a folder is a UsageError/SnapshotError (exit 2) naming the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from auditor.common.errors import UsageError
from auditor.data.model import Cloud, LicenseAssignmentState, TenantSnapshot

from ..formats.report_json import decode_report
from ..formats.report_model import ReportDocument
from ..snapshot import load_snapshot
from .identity import IdentityMap, PaidProducts

REPORT = "report.json"
SNAPSHOT = "snapshot.json"
COUNT_VIOLATION = "CountViolation"


@dataclass(frozen=True, slots=True)
class Account:
    """One licensed account of a person, in one tenant."""

    tenant: int  # position in the merge's tenant list
    user_id: str
    upn: str
    display_name: str
    paid: frozenset[str]  # paid skuIds, lower-case
    states: tuple[LicenseAssignmentState, ...]


@dataclass(frozen=True, slots=True)
class Seats:
    sku_id: str
    part: str
    enabled: int
    consumed: int
    count_violations: int  # users whose assignment failed for lack of seats

    @property
    def unused(self) -> int:
        return self.enabled - self.consumed


@dataclass
class TenantFacts:
    """One tenant as the merge sees it: its report document and the facts kept from its snapshot."""

    folder: Path
    id: str
    name: str
    cloud: Cloud
    report: ReportDocument
    seats: dict[str, Seats] = field(default_factory=dict)  # skuId (lower) -> seats
    group_names: dict[str, str] = field(default_factory=dict)  # license-assigning groups: id -> name
    missing: frozenset[str] = frozenset()  # snapshot datasets not collected (Gap.dataset)
    warnings: list[str] = field(default_factory=list)


class IdentityIndex:
    """identity -> licensed accounts holding paid products; linear in the number of users.

    Most people have one account, so an identity maps to a bare Account until a second one
    turns up, which keeps the index small for tenants of 100k+ users.
    """

    def __init__(self, identity: IdentityMap) -> None:
        self.identity = identity
        self._by_key: dict[str, Account | list[Account]] = {}

    def add(self, tenant: int, snapshot: TenantSnapshot, paid: PaidProducts) -> None:
        known = {s.sku_id.lower() for s in snapshot.skus}
        paid_ids = paid.paid_ids((s.sku_id, s.sku_part_number) for s in snapshot.skus)
        layouts: dict[frozenset[str], frozenset[str]] = {}
        by_key = self._by_key
        key = self.identity.key
        for u in snapshot.users:
            if not u.sku_ids:
                continue
            held = layouts.get(u.sku_ids)
            if held is None:
                held = layouts[u.sku_ids] = frozenset(s for s in u.sku_ids if s in paid_ids or s not in known)
            if not held:
                continue
            account = Account(tenant, u.id, u.user_principal_name, u.display_name, held, u.license_assignment_states)
            k = key(u.user_principal_name)
            seen = by_key.get(k)
            if seen is None:
                by_key[k] = account
            elif isinstance(seen, list):
                seen.append(account)
            else:
                by_key[k] = [seen, account]

    def shared(self) -> Iterable[tuple[str, list[Account]]]:
        """Identities with accounts in two or more tenants, sorted by identity."""
        for k in sorted(k for k, v in self._by_key.items() if isinstance(v, list)):
            accounts = self._by_key[k]
            assert isinstance(accounts, list)
            if len({a.tenant for a in accounts}) > 1:
                yield k, accounts

    def __len__(self) -> int:
        return len(self._by_key)


# --- locating and validating the folders --------------------------------------------------------


def tenant_folders(dirs: Sequence[str | Path]) -> list[Path]:
    """The folders holding a report.json: each DIR itself, or else each of its subfolders (all must)."""
    out: list[Path] = []
    for d in map(Path, dirs):
        if not d.exists():
            raise UsageError(f"{d}: no such folder")
        if not d.is_dir():
            raise UsageError(f"{d}: not a folder (give the folders holding report.json and snapshot.json)")
        if (d / REPORT).exists():
            out.append(d)
            continue
        found = sorted(p for p in d.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not found:
            raise UsageError(f"{d}: holds no {REPORT} (nor subfolders holding one); was the tenant's audit run?")
        for sub in found:
            if not (sub / REPORT).exists():
                raise UsageError(f"{sub}: holds no {REPORT}; was the tenant's audit run?")
        out.extend(found)
    return out


def read_report(folder: Path) -> ReportDocument:
    """A per-tenant report.json (version 5, read by auditor.formats.report_json), with what the merge
    needs beyond that: one tenant, with an id."""
    path = folder / REPORT
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    doc = decode_report(data, str(path))
    if doc.tenants is not msgspec.UNSET:
        raise UsageError(f"{path}: this is a merged report; give the per-tenant output folders")
    if not doc.tenant.id:
        raise UsageError(f"{path}: tenant.id: missing")
    return doc


def read_snapshot(folder: Path) -> TenantSnapshot:
    path = folder / SNAPSHOT
    if not path.exists():
        raise UsageError(
            f"{path}: missing; save it in the tenant's job with `license-auditor audit --save-snapshot {path}`"
        )
    return load_snapshot(path)  # SnapshotError names the file and field


def tenant_facts(folder: Path, position: int, index: IdentityIndex, paid: PaidProducts) -> TenantFacts:
    """Read one folder, add its accounts to `index`, and keep only the facts the rules need."""
    report = read_report(folder)
    snapshot = read_snapshot(folder)
    tenant = report.tenant
    if snapshot.tenant_id.lower() != tenant.id.lower():
        raise UsageError(
            f"{folder}: {REPORT} is for tenant {tenant.id} but {SNAPSHOT} is for "
            f"{snapshot.tenant_id}; both must come from the same audit run"
        )
    facts = TenantFacts(
        folder=folder,
        id=tenant.id,
        name=tenant.name or snapshot.tenant_name,
        cloud=Cloud(tenant.cloud),
        report=report,
        missing=frozenset(g.dataset for g in snapshot.gaps),
    )
    if report.collected_at not in (None, msgspec.UNSET, snapshot.collected_at):
        facts.warnings.append(
            f"{folder}: {SNAPSHOT} was collected at {snapshot.collected_at} but {REPORT} "
            f"at {report.collected_at}; were they saved by the same run?"
        )
    violations: Counter[str] = Counter()
    for u in snapshot.users:
        for sid in {s.sku_id.lower() for s in u.license_assignment_states if s.error == COUNT_VIOLATION}:
            violations[sid] += 1
    for s in snapshot.skus:
        sid = s.sku_id.lower()
        # usable seats: enabled plus those in the grace period, as the tenant's own seat rules count them
        facts.seats[sid] = Seats(s.sku_id, s.sku_part_number, s.usable, s.consumed_units, violations.get(sid, 0))
    facts.group_names = {g.id: g.display_name for g in snapshot.groups if g.assigned_licenses}
    index.add(position, snapshot, paid)
    return facts
