"""What the bill buys for the changes that did not fit (auditor.plan.bill.build_bill's `purchases`): the moves
and entitlements that wait for a seat, and a group's CountViolation on a product with no free seat."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.evaluation.records import record
from auditor.formats.plan_records import ChangePlan
from auditor.formats.report_model import ReportDocument, ReportFinding
from auditor.rules.entitlements.entitlement import EntitlementMissingDetails
from auditor.rules.hygiene.assignment_errors import LicenseAssignmentErrorDetails
from auditor.rules.moves.subscription_move import SubscriptionMoveDetails


@dataclass(frozen=True)
class Purchase:
    """What one move or change needs bought: `seats` more of `sku`, at `monthly` a seat where the
    finding names the price of a product the tenant does not subscribe to yet (entitle_with)."""

    sku: str
    seats: int
    monthly: float | None = None


def purchases(document: ReportDocument, plan: ChangePlan | None = None) -> list[Purchase]:
    """Seats to buy for the changes that did not fit, one purchase per product: the moves (the
    subscription-move findings that wait for seats: details.move_to), the products that entitle
    users to a security feature (entitlement-missing: details.entitle_with.sku), and a group's
    CountViolation (license-assignment-error). A finding `plan` carries out is not one: its seat is
    already in the seats the plan leaves assigned (bill.assigned_after), and counting it again
    would buy a seat the plan gave it from the ones it freed (issue 118). A CountViolation the plan
    leaves out counts whatever the free seats were when the tenant was read: the plan may have
    used them, and the bill takes what is still free out of the surplus before it buys."""
    planned = {fid for c in plan.changes for fid in c.findings} if plan is not None else set()
    needed: dict[str, int] = {}
    prices: dict[str, float] = {}
    for f in document.findings:
        if f.waived or f.id in planned:
            continue
        error = record(f, LicenseAssignmentErrorDetails)
        if error is not None:
            if error.error == "CountViolation" and (error.state or "Error") == "Error" and f.skus:
                needed[f.skus[0]] = needed.get(f.skus[0], 0) + 1
            continue
        wanted = _waits(f)
        if wanted is not None:
            part, monthly = wanted
            needed[part] = needed.get(part, 0) + 1
            if monthly is not None:
                prices[part] = monthly
    return [Purchase(part, n, prices.get(part)) for part, n in sorted(needed.items()) if part]


def _waits(f: ReportFinding) -> tuple[str, float | None] | None:
    """The product a move or an entitlement waits for a seat of, and its price a month where the
    finding names one (entitle_with); None for a finding that waits for none."""
    move = record(f, SubscriptionMoveDetails)
    if move is not None:
        return (move.move_to, None) if move.waits_for_seats else None
    missing = record(f, EntitlementMissingDetails)
    if missing is not None:
        if not missing.waits_for_seats:
            return None
        entitle = missing.entitle_with
        return (entitle["sku"], float(entitle["monthly"])) if entitle is not None else ("", None)
    return None
