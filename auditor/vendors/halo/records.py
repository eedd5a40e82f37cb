"""HaloPSA's records by the fields read and written (docs/msp.md, "HaloPSA", quotes where each name comes
from). A field read is typed `object` and checked where it is read (auditor.vendors.psa_client), so an
answer of another shape is the customer's gap naming the field, never a crash; the bodies written are
typed as Halo takes them."""

from __future__ import annotations

from msgspec import UNSET, Struct, UnsetType


class Listing(Struct, frozen=True):
    """A listing's page: `record_count` and the records under the resource's own key (`invoices`,
    `tickets`, `actions`, `users`), read apart by the client."""

    record_count: object = None


class AuthInfo(Struct, frozen=True):
    """GET /api/authinfo: the authorisation server (`auth_url`) and a hosted instance's `tenant_id`."""

    auth_url: object = None
    tenant_id: object = None


class Client(Struct, frozen=True):
    """GET /api/Client/{id}: the customer."""

    id: object = None
    name: object = None
    inactive: object = None


class InvoiceLine(Struct, frozen=True):
    """A recurring invoice's line (`lines`, with includelines=true)."""

    id: object = None
    ihid: object = None  # the invoice (header) it is a line of
    item_code: object = None
    item_shortdescription: object = None
    qty_order: object = None
    unit_price: object = None
    unit_cost: object = None
    isinactive: object = None  # Halo made the line inactive (its Pax8 sync, when Pax8 cancels)
    isActive: object = None  # Halo's spelling: read-only, false for an inactive line


class RecurringInvoice(Struct, frozen=True):
    """An item of GET /api/RecurringInvoice (`invoices`)."""

    id: object = None
    client_id: object = None
    name: object = None
    disabled: object = None  # a disabled recurring invoice bills nothing
    currency: object = None  # the currency's symbol ("€", "$"), not its ISO 4217 code (currency.py)
    currency_code: object = None  # the instance's own id of that currency (an integer), not read
    lines: object = None  # a list of InvoiceLine, checked as read


class Ticket(Struct, frozen=True):
    """A ticket of GET /api/Tickets (`tickets`) or GET /api/Tickets/{id}, by the fields read."""

    id: object = None
    summary: object = None
    client_id: object = None
    hasbeenclosed: object = None


class Action(Struct, frozen=True):
    """An action of GET /api/Actions?ticket_id=… (`actions`): a note's text."""

    id: object = None
    ticket_id: object = None
    note: object = None


class User(Struct, frozen=True):
    """A user (a customer's contact) of GET /api/Users (`users`)."""

    id: object = None
    client_id: object = None
    site_id: object = None
    emailaddress: object = None


class NewTicket(Struct, frozen=True, omit_defaults=True):
    """One ticket of POST /api/Tickets (an array of them): the fields a ticket of ours sets."""

    summary: str
    details: str
    client_id: int
    priority_id: int
    team: str | UnsetType = UNSET  # the team its tickets go to, when the tenants entry names one
    user_id: int | UnsetType = UNSET  # the affected user's contact, when one is found
    site_id: int | UnsetType = UNSET  # that contact's site ("Halo requires a site_id whenever a specific user is set")


class NewAction(Struct, frozen=True):
    """One action of POST /api/Actions (an array of them): a note on a ticket, hidden from the user."""

    ticket_id: int
    note: str
    outcome_id: int
    hiddenfromuser: bool = True
