"""ConnectWise's service tickets, as `tickets` files a finding (docs/msp.md, "Findings as tickets"): the
ticket calls of the PSA session (auditor.vendors.protocols.PsaSession) on ConnectWise's client.

    .open_tickets(company, key)         GET /service/tickets?conditions=externalXRef="key" and
                                        company/id=N and closedFlag=false (no key: all the company's open)
    .ticket_request(company, board, key, summary, description)
                                        POST /service/tickets: the fields of its Ticket a ticket of ours sets
    .note_request(ticket, text)         POST /service/tickets/{id}/notes: an internal ServiceNote
    .notes(ticket)                      GET /service/tickets/{id}/notes: the texts of its notes
    .send(request)                      the request sent: its status, and the new record's id as answered
"""

from __future__ import annotations

import msgspec
from msgspec import Struct

from auditor.vendors.protocols import Request, Ticket

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


class TicketNote(Struct, frozen=True):
    text: str | None = None


class ConnectWiseDesk(ConnectWise):
    """ConnectWise's client with its tickets: the PSA session `audit --tenants` and `tickets` use."""

    def open_tickets(self, company_id: int, key: str | None) -> list[Ticket]:
        conditions = f"company/id={company_id} and closedFlag=false"
        if key is not None:
            conditions = f'externalXRef="{key}" and {conditions}'
        return [Ticket(t.id, t.externalXRef) for t in self.records(TICKETS, OpenTicket, {"conditions": conditions})]

    def ticket_request(self, company_id: int, board: str, key: str, summary: str, description: str) -> Request:
        return Request("POST", TICKETS, TicketBody(summary, _Ref(company_id), _Board(board), key, description))

    def note_request(self, ticket: Ticket, text: str) -> Request:
        return Request("POST", f"{TICKETS}/{ticket.id or 0}/notes", NoteBody(text))

    def notes(self, ticket: Ticket) -> list[str]:
        return [n.text or "" for n in self.records(f"{TICKETS}/{ticket.id or 0}/notes", TicketNote)]

    def send(self, request: Request) -> tuple[int, object]:
        answer = self.request(request.method, request.path, body=msgspec.to_builtins(request.body))
        doc = self.decode(answer.body, f"{request.method} {request.path}")
        return answer.status, doc.get("id") if isinstance(doc, dict) else None
