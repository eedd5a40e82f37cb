"""HaloPSA's REST API (a PSA), as its shapes are documented (docs/msp.md, "HaloPSA"), for what the
three-way table reads and `tickets --psa halo` writes:

    GET  /api/authinfo                  no token: {auth_url, tenant_id}, the authorisation server (Halo's
                                        module asks it first: homotechsual/HaloAPI Connect-HaloAPI); an
                                        instance made without it (authinfo=False) answers 404
    POST {auth_url}/token[?tenant=…]    the client-credentials grant, a form: grant_type
                                        client_credentials, client_id, client_secret, scope; 200
                                        {access_token, token_type: "Bearer", expires_in: 3600}; a wrong
                                        client or secret 401 {error: "invalid_client"}, another grant
                                        400 {error: "unsupported_grant_type"}, a wrong tenant 400
    GET  /api/Client/{id}               a client; 404 for one the instance has not
    GET  /api/RecurringInvoice          ?client_id=…&includelines=true: {record_count, invoices}, the
                                        client's recurring invoices (their `lines` only with
                                        includelines=true), each with its `currency` a symbol ("€") and
                                        its `currency_code` the instance's id of it, a `disabled` one
                                        too, and lines Halo made inactive (`isinactive`, `isActive`
                                        false); an unknown client: none (an empty page)
    POST /api/RecurringInvoice          an array of one recurring invoice, by its `id`, with `lines` by their
                                        `id` and the fields to change (qty_order): Halo's update of an
                                        existing record is a POST naming its id (homotechsual/HaloAPI's
                                        Set-HaloRecurringInvoice posts to recurringinvoice); 201 with the
                                        invoice; an unknown invoice or line, or a qty_order that is no
                                        whole number from 0: 400
    GET  /api/Tickets                   ?client_id=…&open_only=true: {record_count, tickets}
    GET  /api/Tickets/{id}              a ticket; 404 for an unknown one
    POST /api/Tickets                   an array of tickets: `summary` and `client_id` required, a
                                        `user_id` of the client's with its `site_id`; 201 with the ticket
    GET  /api/Actions?ticket_id=…       {ticket_id, record_count, actions}: the ticket's actions (notes),
                                        paged as the other listings
    POST /api/Actions                   an array of actions: a known `ticket_id`, an `outcome_id` ("An
                                        Outcome must be entered for this Action"), a `note`; 201
    GET  /api/Users?client_id=…         {record_count, users}: the client's users (contacts)

Listings are paged as Halo pages them (pageinate=true, page_size, page_no from 1); every API request
needs `Authorization: Bearer <token>` of a token this server issued (else 401). A ticket can be closed
as a person would close it (`close`), and every POST of the API is in `writes` (tests count them).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from auditor_dev.commerce.server import Asked, Reply, StandIn

SAMPLE_CLIENT_ID = "7b0e2c1a-5d44-4c8e-9a61-3f2d8e0b4c17"  # the sample MSP's API application (made up)
SAMPLE_CLIENT = 31  # the demo's Halo customer (Northwind) in the sample MSP's Halo
SAMPLE_TEAM = "Licensing"
INTERNAL_NOTE = 7  # the outcome of a note (CIPP's built-in "Internal Note")
SAMPLE_PRODUCTS = {"MS-E3": "SPE_E3", "MS-E5": "SPE_E5", "PBI-PRO": "POWER_BI_PRO", "MS-F3": "SPE_F1"}
EURO, EURO_CODE = "€", 2  # the sample instance's currency: its symbol, and its id in the instance's list


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"message": message})


class HaloStandIn(StandIn):
    """A Halo instance: its API application (client id, secret, a hosted instance's tenant), its
    clients, their recurring invoices, users, tickets and actions."""

    def __init__(
        self,
        *,
        client_id: str,
        secret: str,
        tenant: str = "",
        clients: Sequence[Mapping[str, Any]],
        invoices: Sequence[Mapping[str, Any]],
        users: Sequence[Mapping[str, Any]] = (),
        tickets: Sequence[Mapping[str, Any]] = (),
        actions: Sequence[Mapping[str, Any]] = (),
        auth_path: str = "/auth",
        authinfo: bool = True,
    ) -> None:
        super().__init__(token=None)
        self.client_id, self.secret, self.tenant = client_id, secret, tenant
        # the authorisation server's path on this instance (authinfo's auth_url); without authinfo, /auth
        self.auth_path, self.authinfo = (auth_path if authinfo else "/auth"), authinfo
        self.clients = {int(c["id"]): dict(c) for c in clients}
        self.invoices = [dict(i) for i in invoices]
        self.users = [dict(u) for u in users]
        self.tickets = [dict(t) for t in tickets]
        self.actions = [dict(a) for a in actions]
        self.issued: set[str] = set()
        self.writes: list[Asked] = []
        self.next_id = max([t["id"] for t in self.tickets] + [5120]) + 1
        self.next_action = max([a["id"] for a in self.actions] + [88000]) + 1

    def open_ticket(self, client: int, summary: str) -> int:
        """A ticket a person opened (not one of ours: no key in its summary); its id."""
        return int(self._new_ticket({"summary": summary, "client_id": client}).body["id"])

    def close(self, ticket_id: int) -> None:
        """Close a ticket as a person would in Halo."""
        next(t for t in self.tickets if t["id"] == ticket_id)["hasbeenclosed"] = True

    def route(self, asked: Asked) -> Reply:
        if asked.path == f"{self.auth_path}/token":
            return self._token(asked)
        if asked.path.casefold() == "/api/authinfo" and asked.method == "GET":
            if not self.authinfo:
                return _error(404, "Not found")
            return Reply(200, {"auth_url": f"{self.url}{self.auth_path}", "tenant_id": self.tenant or None})
        if not asked.path.startswith("/api/"):
            return _error(404, "Not found")
        bearer = asked.headers.get("authorization", "")
        if not bearer.startswith("Bearer ") or bearer[7:] not in self.issued:
            return Reply(401, {"message": "Unauthorized"})
        parts = asked.path[len("/api/") :].strip("/").split("/")
        resource = parts[0].casefold()
        if asked.method == "POST":
            self.writes.append(asked)
            if not isinstance(asked.body, list) or not asked.body or not all(isinstance(b, dict) for b in asked.body):
                return _error(400, "The request body must be an array of objects")
            if resource == "tickets" and len(parts) == 1:
                return self._new_ticket(asked.body[0])
            if resource == "actions" and len(parts) == 1:
                return self._new_action(asked.body[0])
            if resource == "recurringinvoice" and len(parts) == 1:
                return self._invoice_lines(asked.body[0])
            return _error(405, "Not allowed")
        if asked.method != "GET":
            return _error(405, "Not allowed")
        return self._get(asked, parts)

    def _get(self, asked: Asked, parts: list[str]) -> Reply:
        resource = parts[0].casefold()
        if resource == "client" and len(parts) == 2 and parts[1].isdigit():
            found = self.clients.get(int(parts[1]))
            return Reply(200, found) if found is not None else _error(404, "Client not found")
        if resource == "tickets" and len(parts) == 2 and parts[1].isdigit():
            ticket = next((t for t in self.tickets if t["id"] == int(parts[1])), None)
            return Reply(200, ticket) if ticket is not None else _error(404, "Ticket not found")
        if len(parts) != 1:
            return _error(404, "Not found")
        client = asked.query.get("client_id", "")

        def of_client(record: Mapping[str, Any]) -> bool:
            return not client or str(record.get("client_id")) == client

        if resource == "recurringinvoice":
            lines = asked.query.get("includelines") == "true"
            rows = [i if lines else {k: v for k, v in i.items() if k != "lines"} for i in self.invoices if of_client(i)]
            return self._paged(asked, "invoices", rows)
        if resource == "tickets":
            open_only = asked.query.get("open_only") == "true"
            rows = [t for t in self.tickets if of_client(t) and not (open_only and t.get("hasbeenclosed"))]
            return self._paged(asked, "tickets", rows)
        if resource == "actions":
            asked_for = asked.query.get("ticket_id", "")
            notes = [a for a in self.actions if str(a["ticket_id"]) == asked_for]
            paged = self._paged(asked, "actions", notes)
            return Reply(
                paged.status, {"ticket_id": int(asked_for), **paged.body} if asked_for.isdigit() else paged.body
            )
        if resource == "users":
            search = asked.query.get("search", "").casefold()
            rows = [u for u in self.users if of_client(u) and search in str(u.get("emailaddress", "")).casefold()]
            return self._paged(asked, "users", rows)
        return _error(404, "Not found")

    def _token(self, asked: Asked) -> Reply:
        form = asked.body if isinstance(asked.body, dict) else {}
        if asked.method != "POST" or not asked.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return Reply(400, {"error": "invalid_request"})
        if form.get("grant_type") != "client_credentials":
            return Reply(400, {"error": "unsupported_grant_type"})
        if asked.query.get("tenant", "") != self.tenant:
            return Reply(400, {"error": "invalid_request"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.secret:
            return Reply(401, {"error": "invalid_client"})
        if form.get("scope") != "all":
            return Reply(400, {"error": "invalid_scope"})
        token = secrets.token_urlsafe(24)
        self.issued.add(token)
        return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def expire_tokens(self) -> None:
        """Every token issued so far expires (the next request is a 401)."""
        self.issued.clear()

    def _paged(self, asked: Asked, key: str, rows: Sequence[Mapping[str, Any]]) -> Reply:
        if asked.query.get("pageinate") != "true":
            return Reply(200, {"record_count": len(rows), key: list(rows)})
        size, page = asked.query.get("page_size", "50"), asked.query.get("page_no", "1")
        if not size.isdigit() or not page.isdigit() or int(size) < 1 or int(page) < 1:
            return _error(400, "page_size and page_no must be whole numbers from 1")
        start = (int(page) - 1) * int(size)
        return Reply(200, {"page_no": int(page), "page_size": int(size), "record_count": len(rows),
                           key: list(rows[start : start + int(size)])})  # fmt: skip

    def _new_ticket(self, given: Mapping[str, Any]) -> Reply:
        summary, client = given.get("summary"), given.get("client_id")
        if not isinstance(summary, str) or not summary.strip():
            return _error(400, "Please enter a Summary")
        if not isinstance(client, int) or client not in self.clients:
            return _error(400, "Please select a valid Client")
        user = given.get("user_id")
        if user is not None:
            contact = next((u for u in self.users if u["id"] == user), None)
            if contact is None or contact["client_id"] != client:
                return _error(400, "Please select a valid User")
            if given.get("site_id") != contact["site_id"]:
                return _error(400, "Please select a valid Site")
        priority = given.get("priority_id")
        if priority is not None and priority not in (1, 2, 3, 4):
            return _error(400, "Please select a valid Priority")
        ticket = {
            "id": self.next_id,
            "summary": summary,
            "details": str(given.get("details") or ""),
            "client_id": client,
            "user_id": user,
            "site_id": given.get("site_id"),
            "priority_id": priority or 3,
            "team": given.get("team") or "",
            "hasbeenclosed": False,
        }
        self.next_id += 1
        self.tickets.append(ticket)
        return Reply(201, ticket)

    def _invoice_lines(self, given: Mapping[str, Any]) -> Reply:
        """An existing recurring invoice's lines changed: each given line's qty_order (the one field read)."""
        invoice = next((i for i in self.invoices if i["id"] == given.get("id")), None)
        lines = given.get("lines")
        if invoice is None or not isinstance(lines, list):
            return _error(400, "Please select a valid Recurring Invoice")
        by_id = {line["id"]: line for line in invoice["lines"]}
        for line in lines:
            quantity = line.get("qty_order") if isinstance(line, dict) else None
            if not isinstance(line, dict) or line.get("id") not in by_id:
                return _error(400, "Please select a valid Invoice Line")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                return _error(400, "Quantity must be a whole number")
        for line in lines:
            by_id[line["id"]]["qty_order"] = line["qty_order"]
        return Reply(201, invoice)

    def _new_action(self, given: Mapping[str, Any]) -> Reply:
        ticket_id = given.get("ticket_id")
        if not any(t["id"] == ticket_id for t in self.tickets):
            return _error(400, "Please select a valid Ticket")
        if not isinstance(given.get("outcome_id"), int) or given.get("outcome_id", 0) < 1:
            return _error(400, "An Outcome must be entered for this Action")
        note = given.get("note")
        if not isinstance(note, str) or not note.strip():
            return _error(400, "Please enter a Note")
        action = {"id": self.next_action, "ticket_id": ticket_id, "note": note,
                  "outcome_id": given["outcome_id"], "hiddenfromuser": bool(given.get("hiddenfromuser"))}  # fmt: skip
        self.next_action += 1
        self.actions.append(action)
        return Reply(201, action)


def sample_halo() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The sample MSP's Halo: (clients, recurring invoices, users). Northwind's recurring invoice bills
    Microsoft 365 E3 and Power BI Pro as Halo's Pax8 sync keeps the quantities (pax8.NORTHWIND_PAX8), E5 at
    a quantity kept by hand (7, where Pax8 bills 12), and F3 on a line Halo made inactive (billed to no
    one), in euros as Halo gives them (the symbol "€" and the instance's id of it); last year's invoice,
    disabled, bills nothing. Its users are the sample tenant's people whose findings a ticket names."""
    clients = [{"id": SAMPLE_CLIENT, "name": "Northwind", "inactive": False},
               {"id": 32, "name": "Tailspin Toys", "inactive": False}]  # fmt: skip

    def line(line_id: int, code: str, name: str, qty: int, price: float, cost: float) -> dict[str, Any]:
        return {"id": line_id, "ihid": 7001, "item_code": code, "item_shortdescription": name,
                "qty_order": qty, "unit_price": price, "unit_cost": cost}  # fmt: skip

    def inactive(one: dict[str, Any]) -> dict[str, Any]:  # Halo's Pax8 sync made it inactive: billed to no one
        return one | {"isinactive": True, "isActive": False}

    invoices = [
        {"id": 7001, "client_id": SAMPLE_CLIENT, "name": "Northwind - Microsoft 365", "disabled": False,
         "currency": EURO, "currency_code": EURO_CODE, "lines": [
            line(70011, "MS-E3", "Microsoft 365 E3", 205, 34.20, 30.40),
            line(70012, "MS-E5", "Microsoft 365 E5", 7, 53.90, 49.30),
            line(70013, "PBI-PRO", "Power BI Pro", 34, 8.00, 8.45),
            inactive(line(70014, "MS-F3", "Microsoft 365 F3", 49, 8.60, 2.03)),
        ]},
        {"id": 7003, "client_id": SAMPLE_CLIENT, "name": "Northwind - Microsoft 365 (2025)", "disabled": True,
         "currency": EURO, "currency_code": EURO_CODE, "lines": [
            {**line(70031, "MS-E5", "Microsoft 365 E5", 12, 53.90, 49.30), "ihid": 7003},
        ]},
        {"id": 7002, "client_id": 32, "name": "Tailspin Toys - Microsoft 365", "disabled": False, "currency": EURO,
         "currency_code": EURO_CODE, "lines": []},
    ]  # fmt: skip
    users = [
        {"id": 4101, "client_id": SAMPLE_CLIENT, "site_id": 310, "name": "Leaver In Audit",
         "emailaddress": "leaver.audited@contoso.example"},
        {"id": 4102, "client_id": 32, "site_id": 320, "name": "Someone Else",
         "emailaddress": "someone@tailspin.example"},
    ]  # fmt: skip
    return clients, invoices, users


def kept_halo(stand_in: HaloStandIn) -> dict[str, Any]:
    """The tickets and actions to keep between nights (`tickets --demo --psa halo`)."""
    return {"tickets": stand_in.tickets, "actions": stand_in.actions}


def sample_halo_tickets(state: Mapping[str, Any] | None) -> tuple[HaloStandIn, dict[str, str]]:
    """The sample MSP's Halo with the tickets and actions `state` kept (none: a first night), and the
    environment its client reads (a secret made up each run)."""
    secret = secrets.token_urlsafe(16)
    clients, invoices, users = sample_halo()
    stand_in = HaloStandIn(client_id=SAMPLE_CLIENT_ID, secret=secret, clients=clients, invoices=invoices,
                           users=users, tickets=(state or {}).get("tickets", ()),
                           actions=(state or {}).get("actions", ()))  # fmt: skip
    env = {"HALO_URL": stand_in.url, "HALO_CLIENT_ID": SAMPLE_CLIENT_ID, "HALO_CLIENT_SECRET": secret}
    return stand_in, env
