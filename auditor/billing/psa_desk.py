"""Where `tickets` files a finding (docs/msp.md, "Findings as tickets"): a PSA's service desk, as each PSA
shapes it. `tickets` (auditor.fleet.tickets) decides what to file and journals every write; a desk says
how its PSA finds a finding's open ticket by its key, opens one, lists the open tickets of ours, reads a
ticket's notes and adds one:

    Desk        the interface (ConnectWise: auditor.billing.connectwise_tickets; Autotask:
                auditor.billing.autotask_tickets; Halo: auditor.vendors.halo.tickets)
    Filing      what a finding's ticket says: its key, summary, description, severity and the affected
                user (a UPN, for a PSA that links a contact)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from auditor.billing.psa_client import PsaClient

KEY_PREFIX = "license-auditor:"  # every ticket's key, and every note's first word


@dataclass(frozen=True)
class Filing:
    """A finding the MSP chose for a ticket, with the ticket's texts."""

    finding: str  # its id
    key: str  # the ticket's key: KEY_PREFIX and the finding's id
    summary: str
    description: str
    severity: str = "high"  # the finding's (a PSA's priority)
    upn: str = ""  # the affected user (a PSA's contact), "" when the finding is about no user


class Desk(Protocol):
    """A PSA's service desk, as `tickets` files findings in it."""

    psa: str  # the tenants block's PSA: connectwise, autotask, halo
    where_key: str  # the block's key naming where tickets go (board, queue, team)
    where_required: bool  # whether a customer without it gets no ticket (its gap)

    @property
    def client(self) -> PsaClient:
        """Its session: .request, .decode, its error type."""
        ...

    def find(self, company: int, key: str) -> list[int]:
        """The ids of the company's open tickets of `key` (re-read at the call)."""
        ...

    def ours(self, company: int) -> list[tuple[int, str]]:
        """(id, key) of the company's open tickets whose key is ours (KEY_PREFIX)."""
        ...

    def new_ticket(self, company: int, where: str, filing: Filing) -> tuple[str, Any]:
        """(path, body) of the POST opening the finding's ticket; `where`: the block's board/queue/team."""
        ...

    def made(self, doc: object) -> int | None:
        """The new record's id in the answer to a POST."""
        ...

    def noted(self, ticket: int, prefix: str) -> bool:
        """Whether the ticket has a note whose text starts with `prefix`."""
        ...

    def new_note(self, ticket: int, text: str) -> tuple[str, Any]:
        """(path, body) of the POST adding an internal note to the ticket."""
        ...

    def is_open(self, ticket: int, company: int) -> bool:
        """Whether the ticket exists, is open and is the company's (a tenants entry's `ticket`)."""
        ...
