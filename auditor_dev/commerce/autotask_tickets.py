"""Autotask's tickets, their notes and the companies' contacts, on the Autotask stand-in (auditor_dev.
commerce.autotask), as Autotask's REST API shapes them, for what `tickets --psa autotask` reads and
writes (docs/msp.md, "Findings as tickets"):

    GET  /Tickets/entityInformation/fields   {fields: [{name, picklistValues: [{value, label,
                                             isActive, isDefaultValue}]}]}: queueID, status, priority
    GET  /Tickets/query?search=…             the company's tickets (eq and noteq conditions, paged)
    GET  /Tickets/{id}                       {item}; an unknown id: {item: null}
    POST /Tickets                            a ticket: companyID (a company of the MSP's), title (at
                                             most 255), description (at most 8000), and status,
                                             priority and queueID of their picklists, all required; a
                                             contactID of the company's; 200 {itemId}; else 500
                                             {errors: [...]} as Autotask answers a refused entity
    GET  /TicketNotes/query?search=…         the notes of a ticket (filter ticketID)
    POST /Tickets/{id}/Notes                 a note: title, description, noteType and publish
                                             required; 200 {itemId}
    GET  /Contacts/query?search=…            the companies' contacts

A ticket can be completed as a person would complete it in Autotask (`close`); every POST is in
`posted` (tests count them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor_dev.commerce.autotask import API_PATH, AutotaskStandIn, _errors
from auditor_dev.commerce.server import Asked, Reply

NEW, COMPLETE = 1, 5  # the status picklist's New and Complete
QUEUES = [{"value": "29682833", "label": "Licensing", "isActive": True, "isDefaultValue": False},
          {"value": "29682834", "label": "Help Desk", "isActive": True, "isDefaultValue": True}]  # fmt: skip
PICKLISTS = {
    "queueID": QUEUES,
    "status": [{"value": str(NEW), "label": "New", "isActive": True, "isDefaultValue": True},
               {"value": str(COMPLETE), "label": "Complete", "isActive": True, "isDefaultValue": False}],
    "priority": [{"value": "4", "label": "Critical", "isActive": True, "isDefaultValue": False},
                 {"value": "1", "label": "High", "isActive": True, "isDefaultValue": False},
                 {"value": "2", "label": "Medium", "isActive": True, "isDefaultValue": True},
                 {"value": "3", "label": "Low", "isActive": True, "isDefaultValue": False}],
}  # fmt: skip


def _refused(message: str) -> Reply:
    return _errors(500, message)


class AutotaskTicketsStandIn(AutotaskStandIn):
    """The Autotask stand-in with tickets, their notes and the companies' contacts."""

    def __init__(self, *, contacts: Sequence[Mapping[str, Any]] = (), **given: Any) -> None:
        super().__init__(**given)
        self.entities["Tickets"] = []
        self.entities["TicketNotes"] = []
        self.entities["Contacts"] = [dict(c) for c in contacts]
        self.items["Tickets"] = self.entities["Tickets"]
        self.posted: list[Asked] = []
        self.next_id = 51_200_000

    @property
    def tickets(self) -> list[dict[str, Any]]:
        return self.entities["Tickets"]

    def notes(self, ticket: int) -> list[dict[str, Any]]:
        return [n for n in self.entities["TicketNotes"] if n["ticketID"] == ticket]

    def open_ticket(self, company: int, title: str) -> int:
        """A ticket a person opened in the Licensing queue (not one of ours: no key in its title); its id."""
        reply = self._ticket({"companyID": company, "title": title, "status": NEW, "priority": 2,
                              "queueID": int(str(QUEUES[0]["value"]))})  # fmt: skip
        return int(str(reply.body["itemId"]))

    def close(self, ticket: int) -> None:
        next(t for t in self.tickets if t["id"] == ticket)["status"] = COMPLETE

    def route(self, asked: Asked) -> Reply:
        path = asked.path[len(API_PATH) :] if asked.path.lower().startswith(API_PATH) else ""
        if not path.startswith("/Tickets") or any(asked.headers.get(k) != v for k, v in self.keys.items()):
            return super().route(asked)
        parts = path.strip("/").split("/")
        if asked.method == "GET" and parts == ["Tickets", "entityInformation", "fields"]:
            return Reply(200, {"fields": [{"name": k, "isPickList": True, "picklistValues": v}
                                          for k, v in PICKLISTS.items()]})  # fmt: skip
        if asked.method != "POST":
            return super().route(asked)
        self.posted.append(asked)
        body = asked.body if isinstance(asked.body, dict) else {}
        if parts == ["Tickets"]:
            return self._ticket(body)
        if len(parts) == 3 and parts[2] == "Notes" and parts[1].isdigit():
            return self._note(int(parts[1]), body)
        return _errors(404, "Not found")

    def _pick(self, field: str, value: object) -> bool:
        return isinstance(value, int) and str(value) in {v["value"] for v in PICKLISTS[field]}

    def _ticket(self, body: Mapping[str, Any]) -> Reply:
        company, title, description = body.get("companyID"), body.get("title"), body.get("description")
        if not any(c["id"] == company for c in self.items["Companies"]):
            return _refused("companyID: the company does not exist")
        if not isinstance(title, str) or not title.strip() or len(title) > 255:
            return _refused("title: required, at most 255 characters")
        if description is not None and (not isinstance(description, str) or len(description) > 8000):
            return _refused("description: at most 8000 characters")
        for field in ("status", "priority", "queueID"):
            if not self._pick(field, body.get(field)):
                return _refused(f"{field}: required, a value of its picklist")
        contact = body.get("contactID")
        if contact is not None and not any(
            c["id"] == contact and c["companyID"] == company for c in self.entities["Contacts"]
        ):
            return _refused("contactID: not a contact of the company")
        self.next_id += 1
        self.tickets.append({"id": self.next_id, "companyID": company, "title": title, "description": description,
                             "status": body["status"], "priority": body["priority"], "queueID": body["queueID"],
                             "contactID": contact})  # fmt: skip
        return Reply(200, {"itemId": self.next_id})

    def _note(self, ticket: int, body: Mapping[str, Any]) -> Reply:
        if not any(t["id"] == ticket for t in self.tickets):
            return _errors(404, "Ticket not found")
        for field in ("title", "description"):
            if not isinstance(body.get(field), str) or not str(body.get(field)).strip():
                return _refused(f"{field}: required")
        if not isinstance(body.get("noteType"), int) or not isinstance(body.get("publish"), int):
            return _refused("noteType and publish: required")
        self.next_id += 1
        note = {"id": self.next_id, "ticketID": ticket, "title": body["title"], "description": body["description"],
                "noteType": body["noteType"], "publish": body["publish"]}  # fmt: skip
        self.entities["TicketNotes"].append(note)
        return Reply(200, {"itemId": self.next_id})
