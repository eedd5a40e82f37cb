"""ConnectWise Manage's service tickets and their notes, on the ConnectWise stand-in (auditor_dev.commerce.
connectwise), as ConnectWise's REST API shapes them (Ticket: id, summary, board, company, externalXRef,
initialDescription, closedFlag, ...; ServiceNote: id, ticketId, text, detailDescriptionFlag,
internalAnalysisFlag, resolutionFlag), for what `tickets` reads and writes (docs/msp.md, "Findings as
tickets"):

    GET  /service/tickets?conditions=…      the tickets the conditions match, paged as every listing
                                            is (page, pageSize, Link); the stand-in reads a condition of
                                            `externalXRef="…"`, `company/id=N`, `id=N`, `board/name="…"` and
                                            `closedFlag=true|false` joined by `and`; another: 400
    POST /service/tickets                   a new ticket: `summary` (required, at most 100 characters),
                                            `company` {id} (required, a company of the MSP's), `board`
                                            {id} or {name} (a board of the MSP's), `externalXRef` (at most
                                            100), `initialDescription`; 201 with the ticket; else 400
                                            {code: "InvalidObject", errors: [{code, message, field}]}
    GET  /service/tickets/{id}/notes        the ticket's notes, paged; 404 for an unknown ticket
    POST /service/tickets/{id}/notes        a note: `text` (required) and at least one of the three flags
                                            true (our stand-in's rule: a note belongs to one of a ticket's
                                            three sections, Discussion, Internal or Resolution; the pages
                                            we could read do not say what ConnectWise answers without
                                            one); 201 with the note

Authentication and paging are the stand-in's (Basic, clientId, Link). A ticket can be closed as a
person would close it in ConnectWise (`close`), and every POST is in `writes` (tests count them).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from auditor_dev.commerce.connectwise import (
    API_PATH,
    SAMPLE_CLIENT_ID,
    SAMPLE_COMPANY,
    SAMPLE_MSP,
    SAMPLE_PUBLIC_KEY,
    ConnectWiseStandIn,
    _error,
    sample_connectwise,
)
from auditor_dev.commerce.server import Asked, Reply

SUMMARY_MAX = 100  # a ticket's summary: "max 100 characters, will be truncated" (integrations' documentation)
XREF_MAX = 100
_CONDITION = re.compile(r'^\s*(externalXRef|board/name)\s*=\s*"([^"]*)"\s*$|^\s*(company/id|id)\s*=\s*(\d+)\s*$'
                        r"|^\s*(closedFlag)\s*=\s*(true|false)\s*$", re.IGNORECASE)  # fmt: skip
NOTE_FLAGS = ("detailDescriptionFlag", "internalAnalysisFlag", "resolutionFlag")


def _invalid(message: str, field: str) -> Reply:
    return Reply(
        400,
        {"code": "InvalidObject", "message": f"{field} object is invalid", "errors": [
            {"code": "InvalidField", "message": message, "resource": "ticket", "field": field}]},
    )  # fmt: skip


def _conditions(conditions: str) -> dict[str, str] | None:
    """The fields a `conditions` string compares and their values, for those the stand-in reads; None
    for another condition."""
    found: dict[str, str] = {}
    for part in re.split(r"\s+and\s+", conditions.strip(), flags=re.IGNORECASE):
        m = _CONDITION.match(part)
        if m is None:
            return None
        field, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4)) if m.group(3) else (
            m.group(5), m.group(6))  # fmt: skip
        found[field.lower()] = value
    return found


def _matches(ticket: Mapping[str, Any], wanted: Mapping[str, str]) -> bool:
    shown = {
        "externalxref": str(ticket.get("externalXRef") or ""),
        "board/name": str(ticket.get("board", {}).get("name") or "").casefold(),
        "company/id": str(ticket.get("company", {}).get("id")),
        "id": str(ticket.get("id")),
        "closedflag": "true" if ticket.get("closedFlag") else "false",
    }
    return all(shown[k] == (v.casefold() if k == "board/name" else v.lower() if k == "closedflag" else v)
               for k, v in wanted.items())  # fmt: skip


def _answered(ticket: Mapping[str, Any]) -> dict[str, Any]:
    """A ticket as ConnectWise answers it: its initialDescription kept back (ConnectWise's Ticket: "Only
    available for POST, will not be returned in the response"), a field not set left out, not null."""
    return {k: v for k, v in ticket.items() if k != "initialDescription" and v is not None}


class ConnectWiseTicketsStandIn(ConnectWiseStandIn):
    """The ConnectWise stand-in with service tickets and their notes; `boards`: the MSP's service boards."""

    def __init__(self, *, boards: Sequence[Mapping[str, Any]], **given: Any) -> None:
        super().__init__(**given)
        self.boards = [dict(b) for b in boards]
        self.tickets: list[dict[str, Any]] = []
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.next_id = 40127  # ticket ids as a site's look

    def route(self, asked: Asked) -> Reply:
        path = asked.path[len(API_PATH) :] if asked.path.startswith(API_PATH + "/") else ""
        if not path.startswith("/service/tickets"):
            return super().route(asked)
        if asked.headers.get("authorization") != self._basic or not asked.headers.get("clientid"):
            return super().route(asked)  # its 401 or 400
        parts = path.strip("/").split("/")
        if asked.method == "POST":
            self.writes.append(asked)
        if parts == ["service", "tickets"]:
            return self._create(asked) if asked.method == "POST" else self._list(asked)
        if len(parts) == 4 and parts[3] == "notes" and parts[2].isdigit():
            ticket = next((t for t in self.tickets if t["id"] == int(parts[2])), None)
            if ticket is None:
                return _error(404, "NotFound", f"Ticket recId {parts[2][:20]} not found")
            return self._note(asked, ticket) if asked.method == "POST" else self._paged(asked, self.notes[ticket["id"]])
        return _error(404, "NotFound", "Not found")

    def _list(self, asked: Asked) -> Reply:
        conditions = asked.query.get("conditions", "")
        wanted = _conditions(conditions) if conditions else {}
        if wanted is None:
            return _error(400, "InvalidObject", f"conditions {conditions[:80]!r}: the stand-in does not read it")
        return self._paged(asked, [_answered(t) for t in self.tickets if _matches(t, wanted)])

    def _create(self, asked: Asked) -> Reply:
        body = asked.body if isinstance(asked.body, dict) else {}
        summary, company, board = body.get("summary"), body.get("company"), body.get("board")
        if not isinstance(summary, str) or not summary.strip():
            return _invalid("summary is required", "summary")
        if len(summary) > SUMMARY_MAX:
            return _invalid(f"summary: max length {SUMMARY_MAX}", "summary")
        known = next((c for c in self.companies if isinstance(company, dict) and c["id"] == company.get("id")), None)
        if known is None:
            return _invalid("company is required and must be a company of yours", "company")
        found = self._board(board)
        if found is None:
            return _invalid("board is not a board of yours", "board")
        xref = body.get("externalXRef")
        if xref is not None and (not isinstance(xref, str) or len(xref) > XREF_MAX):
            return _invalid(f"externalXRef: max length {XREF_MAX}", "externalXRef")
        ticket: dict[str, Any] = {
            "id": self.next_id,
            "summary": summary,
            "recordType": "ServiceTicket",
            "board": {"id": found["id"], "name": found["name"]},
            "status": {"id": 1, "name": "New"},
            "company": {"id": known["id"], "identifier": known["identifier"], "name": known["name"]},
            "externalXRef": xref,
            "initialDescription": body.get("initialDescription"),
            "closedFlag": False,
        }
        self.notes[self.next_id] = []
        self.next_id += 1
        self.tickets.append(ticket)
        return Reply(201, _answered(ticket))

    def _board(self, board: object) -> dict[str, Any] | None:
        if not isinstance(board, dict):
            return None
        for known in self.boards:
            if board.get("id") == known["id"] or str(board.get("name") or "").casefold() == known["name"].casefold():
                return known
        return None

    def _note(self, asked: Asked, ticket: Mapping[str, Any]) -> Reply:
        body = asked.body if isinstance(asked.body, dict) else {}
        if not isinstance(body.get("text"), str) or not body["text"].strip():
            return _invalid("text is required", "text")
        if not any(body.get(flag) is True for flag in NOTE_FLAGS):
            return _invalid(
                "one of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag must be true", "flags"
            )
        notes = self.notes[ticket["id"]]
        note = {"id": 90000 + sum(len(n) for n in self.notes.values()), "ticketId": ticket["id"], "text": body["text"]}
        note |= {flag: body.get(flag) is True for flag in NOTE_FLAGS}
        notes.append(note)
        return Reply(201, note)

    def open_ticket(self, company: int, summary: str) -> int:
        """A ticket a person opened on the first board (not one of ours: no externalXRef); its id."""
        board = {"id": self.boards[0]["id"]}
        asked = Asked("POST", f"{API_PATH}/service/tickets", {}, {}, {"summary": summary, "company": {"id": company},
                                                                    "board": board})  # fmt: skip
        reply = self._create(asked)
        return int(reply.body["id"])

    def close(self, ticket_id: int) -> None:
        """Close the ticket, as a person does in ConnectWise."""
        for ticket in self.tickets:
            if ticket["id"] == ticket_id:
                ticket["closedFlag"] = True
                ticket["status"] = {"id": 9, "name": "Closed"}


SAMPLE_BOARDS = [{"id": 1, "name": "Help Desk"}, {"id": 7, "name": "Licensing"}]
SAMPLE_BOARD = "Licensing"  # where the sample MSP's licence tickets go (`tickets --demo`)
# Contoso's tenants entry's psa block as `tickets --demo` reads it: its company and the board
SAMPLE_TICKETS_BLOCK = {"connectwise": {"company_id": SAMPLE_COMPANY, "board": SAMPLE_BOARD, "products": {}}}


def sample_connectwise_tickets(
    kept: Mapping[str, Any] | None = None,
) -> tuple[ConnectWiseTicketsStandIn, dict[str, str]]:
    """The sample MSP's ConnectWise with its boards, its tickets and notes as `kept_tickets` kept them
    (a night before), and the keys to read it with (a private key made up each run)."""
    companies, agreements, additions = sample_connectwise()
    private = secrets.token_urlsafe(16)
    stand_in = ConnectWiseTicketsStandIn(
        boards=SAMPLE_BOARDS,
        company_id=SAMPLE_MSP,
        public_key=SAMPLE_PUBLIC_KEY,
        private_key=private,
        client_id=SAMPLE_CLIENT_ID,
        companies=companies,
        agreements=agreements,
        additions=additions,
    )
    if kept:
        stand_in.tickets = [dict(t) for t in kept.get("tickets", [])]
        stand_in.notes = {int(k): [dict(n) for n in v] for k, v in kept.get("notes", {}).items()}
        stand_in.next_id = int(kept.get("next_id", stand_in.next_id))
    keys = {"CW_COMPANY_ID": SAMPLE_MSP, "CW_PUBLIC_KEY": SAMPLE_PUBLIC_KEY, "CW_PRIVATE_KEY": private}
    return stand_in, keys | {"CW_CLIENT_ID": SAMPLE_CLIENT_ID}


def kept_tickets(stand_in: ConnectWiseTicketsStandIn) -> dict[str, Any]:
    """The stand-in's tickets and notes, as the next night's `sample_connectwise_tickets` takes them."""
    notes = {str(k): v for k, v in stand_in.notes.items()}
    return {"tickets": stand_in.tickets, "notes": notes, "next_id": stand_in.next_id}
