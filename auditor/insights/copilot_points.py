"""Each Copilot seat as one night's history record keeps it (`copilot_seats` in history.jsonl, auditor.insights
.history), from report.json's `copilot_seats` (every judged seat and its holder's last use) and the night's
copilot-seat-idle findings (which seats are idle, and where each goes):

    "copilot_seats": [{"id": "<user id>", "upn": "...", "sku": "Microsoft_365_Copilot",
                       "last_use": "2026-10-28" | null, "idle": false, "fix": null | "reassign" | "reduce",
                       "to": null | "<candidate's UPN>", "price": 28.1 | null}, ...]

`price` is the seat's monthly price at the policy's prices, known for an idle seat (the finding's exposure).
auditor.insights.copilot_history reads the nights one after another.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from auditor.evaluation.records import record
from auditor.formats.report_model import ReportDocument
from auditor.rules.usage.copilot_seats import CopilotSeatIdleDetails

MAX_SEATS = 100_000  # far above any tenant's Copilot seats: a longer list is not one this program wrote


class SeatPoint(msgspec.Struct, frozen=True, omit_defaults=True, rename={"user_id": "id"}):
    """One seat on one night: who holds it (`user_id`, `id` in the file; `upn`), of which product, their
    last Copilot use, whether it was idle, and for an idle one its disposition (`fix`), candidate (`to`)
    and monthly `price`. A history line holds it as it is (msgspec encodes it as the line is written: the
    three last keys only when set)."""

    user_id: str
    upn: str
    sku: str
    last_use: str | None
    idle: bool
    fix: str | None = None
    to: str | None = None
    price: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.sku, self.user_id.lower()


def points_of(document: ReportDocument) -> tuple[SeatPoint, ...]:
    """The night's seats: report.json's `copilot_seats`, each idle one with its finding's disposition."""
    seats = document.copilot_seats if isinstance(document.copilot_seats, list) else []
    idle: dict[tuple[str, str], CopilotSeatIdleDetails] = {}
    for f in document.findings:
        moved = record(f, CopilotSeatIdleDetails)
        if moved is not None and f.subject.id:
            for sku in f.skus or [""]:
                idle[(sku, str(f.subject.id).lower())] = moved
    out = []
    for seat in seats:
        if not seat.listed:  # the Copilot report does not list the holder: the night says nothing of the seat
            continue
        found = idle.get((seat.sku, seat.user_id.lower()))
        out.append(
            SeatPoint(
                user_id=seat.user_id,
                upn=seat.upn,
                sku=seat.sku,
                last_use=seat.last_use,
                idle=found is not None,
                fix=found.disposition or None if found is not None else None,
                to=found.candidate or None if found is not None else None,
                price=round(found.exposure, 2) if found is not None and found.exposure is not None else None,
            )
        )
    return tuple(out)


class BadPoint(ValueError):
    """A seat of a history line that is not what this program writes."""


def _text(value: object, name: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > 300:
        raise BadPoint(f"{name} is not text")
    return value


def parse_points(value: object) -> tuple[SeatPoint, ...]:
    """The seats of a history line's `copilot_seats` (BadPoint names the first field that is wrong)."""
    if not isinstance(value, list) or len(value) > MAX_SEATS:
        raise BadPoint("copilot_seats is not a list of seats")
    out = []
    for i, doc in enumerate(value):
        where = f"copilot_seats[{i}]"
        if not isinstance(doc, Mapping):
            raise BadPoint(f"{where} is not an object")
        price = doc.get("price")
        if price is not None and (
            isinstance(price, bool) or not isinstance(price, int | float) or not 0 <= price < 1e9
        ):
            raise BadPoint(f"{where}.price is not an amount")
        if not isinstance(doc.get("idle"), bool):
            raise BadPoint(f"{where}.idle is not true or false")
        out.append(
            SeatPoint(
                user_id=str(_text(doc.get("id"), f"{where}.id")),
                upn=str(_text(doc.get("upn"), f"{where}.upn")),
                sku=str(_text(doc.get("sku"), f"{where}.sku")),
                last_use=_text(doc.get("last_use"), f"{where}.last_use", optional=True),
                idle=doc["idle"],
                fix=_text(doc.get("fix"), f"{where}.fix", optional=True),
                to=_text(doc.get("to"), f"{where}.to", optional=True),
                price=float(price) if price is not None else None,
            )
        )
    return tuple(out)
