"""Autotask's tickets as `tickets --psa autotask` files findings in them (docs/msp.md, "Findings as tickets",
"Autotask"; CIPP#5237): the TicketDesk (auditor.vendors.protocols) of Autotask's REST API.

    find / ours     GET /Tickets/query, filter companyID eq the company and status noteq Complete: the
                    company's open tickets; a ticket of ours ends its title with its key in brackets,
                    "[license-auditor:<id>]" (no field of Autotask's Tickets for another system's
                    reference could be confirmed where we could read)
    new_ticket      POST /Tickets: companyID, title, description, status New, priority from the
                    finding's severity, queueID of the tenants entry's queue (by its name), and the
                    affected user's contactID when GET /Contacts/query finds one by e-mail address
    noted/new_note  GET /TicketNotes/query (filter ticketID) and POST /Tickets/{id}/Notes
    is_open         GET /Tickets/{id}: a tenants entry's existing ticket is open and the company's

The picklists (queueID, status, priority) are the instance's own: they are read once a run from
GET /Tickets/entityInformation/fields, each value found by its label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import UNSET, Struct, UnsetType

from auditor.common.numbers import whole_number
from auditor.vendors.protocols import Filing
from auditor.vendors.psa_client import by_address, key_of, keyed, made_id

from . import VENDOR
from .client import Autotask, AutotaskError, Entity, Filter

LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}  # a severity's priority label
TITLE_MAX = 255  # a ticket's title
DESCRIPTION_MAX = 8000  # a ticket's description


class _Ticket(Entity, frozen=True):
    companyID: object = None
    title: object = None
    status: object = None


class _Note(Entity, frozen=True):
    ticketID: object = None
    description: object = None


class _Contact(Entity, frozen=True):
    companyID: object = None
    emailAddress: object = None
    isActive: object = None


class NewTicket(Struct, frozen=True, omit_defaults=True):
    """POST /Tickets: the fields a ticket of ours sets."""

    companyID: int
    title: str
    description: str
    status: int
    priority: int
    queueID: int
    contactID: int | UnsetType = UNSET


class NewNote(Struct, frozen=True):
    """POST /Tickets/{id}/Notes: an internal note (publish 2: internal only, noteType 1)."""

    ticketID: int
    title: str
    description: str
    noteType: int = 1
    publish: int = 2


class AutotaskDesk:
    """Autotask's tickets and their notes, through one session."""

    psa, where_key, where_required = VENDOR.key, VENDOR.where_key, True

    def __init__(self, client: Autotask) -> None:
        self.client = client
        self._at = client
        self._picklists: dict[str, dict[str, int]] | None = None

    def picklist(self, field: str) -> dict[str, int]:
        """The active values of a Tickets picklist by their label (casefolded), read once a run."""
        if self._picklists is None:
            where = "GET /Tickets/entityInformation/fields"
            doc = self._at.decode(self._at.request("GET", "/Tickets/entityInformation/fields").body, where)
            fields = doc.get("fields") if isinstance(doc, Mapping) else None
            if not isinstance(fields, list):
                raise AutotaskError(f"{where}: the answer has no fields list")
            self._picklists = {}
            for given in fields:
                values = given.get("picklistValues") if isinstance(given, Mapping) else None
                if isinstance(given, Mapping) and isinstance(given.get("name"), str) and isinstance(values, list):
                    self._picklists[given["name"]] = {
                        str(v.get("label", "")).casefold(): number
                        for v in values
                        if isinstance(v, Mapping) and v.get("isActive") is not False
                        for number in [whole_number(str(v.get("value")))]
                        if number is not None
                    }
        return self._picklists.get(field, {})

    def _value(self, field: str, label: str) -> int:
        found = self.picklist(field).get(label.casefold())
        if found is None:
            raise AutotaskError(f"Autotask's Tickets {field} has no value {label!r}: check the tenants entry's psa")
        return found

    def _open(self, company: int) -> list[_Ticket]:
        complete = self._value("status", "Complete")
        filters = [Filter("eq", "companyID", company), Filter("noteq", "status", complete)]
        listed = self._at.query("Tickets", filters, _Ticket)
        for ticket in listed:
            if ticket.companyID != company or ticket.status == complete:
                raise AutotaskError(f"GET /Tickets/query: ticket {str(ticket.id)[:20]} is not an open one of {company}")
        return listed

    def find(self, company: int, key: str) -> list[int]:
        return [int(str(t.id)) for t in self._open(company) if key_of(t.title) == key]

    def ours(self, company: int) -> list[tuple[int, str]]:
        return [(int(str(t.id)), key_of(t.title)) for t in self._open(company) if key_of(t.title)]

    def contact(self, company: int, upn: str) -> int | UnsetType:
        """The company's active contact whose e-mail address is the UPN (none, or two: UNSET)."""
        if not upn:
            return UNSET
        contacts = self._at.query("Contacts", [Filter("eq", "companyID", company)], _Contact)
        one = by_address(contacts, upn, lambda c: c.emailAddress)
        # isActive is an integer in Autotask's swagger (0: inactive); false is read alike (0 == False)
        active = one is not None and one.isActive != 0
        return one.id if one is not None and active and isinstance(one.id, int) else UNSET

    def new_ticket(self, company: int, where: str, filing: Filing) -> tuple[str, Any]:
        title = keyed(filing.summary, filing.key, TITLE_MAX)
        priority = self.picklist("priority").get(LABELS.get(filing.severity, "Medium").casefold())
        body = NewTicket(
            companyID=company,
            title=title,
            description=filing.description[:DESCRIPTION_MAX],
            status=self._value("status", "New"),
            priority=priority if priority is not None else self._value("priority", "Medium"),
            queueID=self._value("queueID", where),
            contactID=self.contact(company, filing.upn),
        )
        return "/Tickets", body

    def made(self, doc: object) -> int | None:
        return made_id(doc, "itemId")

    def noted(self, ticket: int, prefix: str) -> bool:
        notes = self._at.query("TicketNotes", [Filter("eq", "ticketID", ticket)], _Note)
        return any(isinstance(n.description, str) and n.description.startswith(prefix) for n in notes)

    def new_note(self, ticket: int, text: str) -> tuple[str, Any]:
        return f"/Tickets/{ticket}/Notes", NewNote(ticketID=ticket, title="license-auditor", description=text)

    def is_open(self, ticket: int, company: int) -> bool:
        found = self._at._item(f"/Tickets/{ticket}", ticket, _Ticket)
        return found is not None and found.companyID == company and found.status != self._value("status", "Complete")
