"""ConnectWise Manage's service tickets as `tickets` files findings in them (docs/msp.md, "Findings as
tickets"): keyed by `externalXRef`, found by `conditions`, noted with an internal ServiceNote
(auditor.vendors.protocols.TicketDesk)."""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from auditor.vendors.protocols import KEY_PREFIX, Filing
from auditor.vendors.psa_client import made_id

from . import VENDOR
from .client import ConnectWise

TICKETS = "/service/tickets"


class _Ref(Struct, frozen=True):
    id: int


class _Board(Struct, frozen=True):
    name: str


class TicketBody(Struct, frozen=True):
    """POST /service/tickets: the fields of ConnectWise's Ticket a ticket of ours sets."""

    summary: str
    company: _Ref
    board: _Board
    externalXRef: str
    initialDescription: str


class NoteBody(Struct, frozen=True):
    """POST /service/tickets/{id}/notes: ConnectWise's ServiceNote, an internal note."""

    text: str
    internalAnalysisFlag: bool = True
    detailDescriptionFlag: bool = False
    resolutionFlag: bool = False


class OpenTicket(Struct, frozen=True):
    """A ticket as GET /service/tickets lists it, by the fields read here."""

    id: int | None = None
    externalXRef: str | None = None
    company: _Ref | None = None
    closedFlag: bool | None = None


class TicketNote(Struct, frozen=True):
    text: str | None = None


class ConnectWiseDesk:
    """ConnectWise Manage's service tickets, through one session."""

    psa, where_key, where_required = VENDOR.key, VENDOR.where_key, True

    def __init__(self, client: ConnectWise) -> None:
        self.client = client
        self._cw = client

    def _open(self, conditions: str) -> list[OpenTicket]:
        return self._cw.records(TICKETS, OpenTicket, {"conditions": conditions})

    def find(self, company: int, key: str) -> list[int]:
        found = self._open(f'externalXRef="{key}" and company/id={company} and closedFlag=false')
        return [t.id or 0 for t in found]

    def ours(self, company: int) -> list[tuple[int, str]]:
        found = self._open(f"company/id={company} and closedFlag=false")
        return [(t.id or 0, t.externalXRef or "") for t in found if (t.externalXRef or "").startswith(KEY_PREFIX)]

    def new_ticket(self, company: int, where: str, filing: Filing) -> tuple[str, Any]:
        body = TicketBody(filing.summary, _Ref(company), _Board(where), filing.key, filing.description)
        return TICKETS, body

    def made(self, doc: object) -> int | None:
        return made_id(doc)

    def noted(self, ticket: int, prefix: str) -> bool:
        notes = self._cw.records(f"{TICKETS}/{ticket}/notes", TicketNote)
        return any((n.text or "").startswith(prefix) for n in notes)

    def new_note(self, ticket: int, text: str) -> tuple[str, Any]:
        return f"{TICKETS}/{ticket}/notes", NoteBody(text)

    def is_open(self, ticket: int, company: int) -> bool:
        found = self._open(f"id={ticket} and company/id={company} and closedFlag=false")
        return any(t.id == ticket for t in found)
