"""A finding's ticket in HaloPSA (docs/msp.md, "HaloPSA"): `tickets --psa halo`'s desk
(auditor.fleet.ticket_desk.Desk).

    find / ours      GET /api/Tickets?client_id=…&open_only=true (paged): the client's open tickets, listed
                     once a run and kept (a ticket the run opens is added to them);
                     a ticket of ours ends its summary with its key in brackets, "[license-auditor:<id>]"
                     (Halo's Ticket has no text field for another system's reference that the listing
                     filters on, where we could read: the key is where a person sees it, and where the
                     listing gives it back)
    new_ticket       POST /api/Tickets, an array of one ticket: summary, details, client_id,
                     priority_id from the finding's severity, the tenants entry's team, and the affected
                     user's contact (user_id and its site_id) when GET /api/Users finds one by the UPN
    noted / new_note GET /api/Actions?ticket_id=… (paged, as Halo pages every listing: Actions_View's
                     page_no, page_size, record_count) and POST /api/Actions: a note (an action) hidden
                     from the user, with the outcome HALO_NOTE_OUTCOME names (default 7, the built-in
                     "Internal Note" CIPP falls back to; CIPP makes it a setting of its Halo integration)
    is_open          GET /api/Tickets/{id}: a tenants entry's existing ticket is open and the client's
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import UNSET

from auditor.vendors.protocols import Filing
from auditor.vendors.psa_client import by_address, key_of, keyed, made_id

from . import VENDOR
from .client import INTERNAL_NOTE, Halo, HaloError
from .records import Action, NewAction, NewTicket, Ticket, User

# the finding's severity as a priority: Halo's default priorities 1 (critical) to 4 (low)
PRIORITY = {"critical": 1, "high": 2, "medium": 3, "low": 4}


class HaloDesk:
    """HaloPSA's tickets and actions, through one session (auditor.vendors.halo.client.Halo)."""

    psa, where_key, where_required = VENDOR.key, VENDOR.where_key, False

    def __init__(self, client: Halo, outcome: int = INTERNAL_NOTE) -> None:
        self.client = client
        self._halo, self.outcome = client, outcome
        self._listed: dict[int, list[Ticket]] = {}  # each client's open tickets, listed once a run

    def _open(self, company: int) -> list[Ticket]:
        kept = self._listed.get(company)
        if kept is not None:
            return kept
        query: dict[str, str | int] = {"client_id": company, "open_only": "true"}
        listed = self._halo.pages("/Tickets", "tickets", Ticket, query)
        for ticket in listed:
            if ticket.client_id != company:
                raise HaloError(f"GET /Tickets: ticket {str(ticket.id)[:20]} is another client's")
        self._listed[company] = [t for t in listed if t.hasbeenclosed is not True and isinstance(t.id, int)]
        return self._listed[company]

    def find(self, company: int, key: str) -> list[int]:
        return [int(str(t.id)) for t in self._open(company) if key_of(t.summary) == key]

    def ours(self, company: int) -> list[tuple[int, str]]:
        return [(int(str(t.id)), key_of(t.summary)) for t in self._open(company) if key_of(t.summary)]

    def contact(self, company: int, upn: str) -> User | None:
        """The client's user whose e-mail address is the UPN (none, or two: no contact is linked)."""
        if not upn:
            return None
        users = self._halo.pages("/Users", "users", User, {"client_id": company, "search": upn})
        one = by_address(users, upn, lambda u: u.emailaddress)
        return one if one is not None and one.client_id == company and isinstance(one.id, int) else None

    def new_ticket(self, company: int, where: str, filing: Filing) -> tuple[str, Any]:
        user = self.contact(company, filing.upn)
        site = user.site_id if user is not None and isinstance(user.site_id, int) else None
        body = NewTicket(
            summary=keyed(filing.summary, filing.key),
            details=filing.description,
            client_id=company,
            priority_id=PRIORITY.get(filing.severity, 3),
            team=where or UNSET,
            user_id=int(str(user.id)) if user is not None and site is not None else UNSET,
            site_id=site if user is not None and site is not None else UNSET,
        )
        return "/Tickets", [body]

    def made(self, doc: object) -> int | None:
        """The one ticket (action) of the array posted; a ticket is kept among its client's open ones."""
        made = made_id(doc)
        if made is not None and isinstance(doc, Mapping) and "summary" in doc:
            ticket = self._halo.shaped(doc, Ticket, "POST /Tickets")
            kept = self._listed.get(ticket.client_id) if isinstance(ticket.client_id, int) else None
            if kept is not None and isinstance(ticket.id, int):
                kept.append(ticket)
        return made

    def noted(self, ticket: int, prefix: str) -> bool:
        read = self._halo.pages("/Actions", "actions", Action, {"ticket_id": ticket})
        if any(a.ticket_id not in (None, ticket) for a in read):
            raise HaloError(f"GET /Actions: an action of another ticket than {ticket}")
        return any(isinstance(a.note, str) and a.note.startswith(prefix) for a in read)

    def new_note(self, ticket: int, text: str) -> tuple[str, Any]:
        return "/Actions", [NewAction(ticket_id=ticket, note=text, outcome_id=self.outcome)]

    def is_open(self, ticket: int, company: int) -> bool:
        try:
            doc = self._halo.decode(self._halo.request("GET", f"/Tickets/{ticket}").body, "GET /Tickets")
        except HaloError as exc:
            if exc.status == 404:
                return False
            raise
        found = self._halo.shaped(doc, Ticket, "GET /Tickets") if isinstance(doc, Mapping) else None
        return (
            found is not None and found.id == ticket and found.client_id == company and found.hasbeenclosed is not True
        )
