"""What a route's handler receives and returns (routes.py holds the table of routes), and what it
may ask of the emulator (Emulator: server.GraphEmulator is one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .audit_log import AuditLog
from .audit_queries import AuditQueries
from .filters import SignInComparison
from .hooks import Drop, Listings, Proceed, Reply, Request
from .log import LoggedRequest
from .query import Query
from .tenant import TenantState

Answer = tuple[int, Any]  # (status, JSON document, PlainText or None)


class PlainText(str):
    """A text/plain answer (e.g. /users/$count) rather than a JSON document."""


@dataclass(frozen=True)
class Call:
    """One authorised request, matched to a route.

    `path` is the request's path without /v1.0 (next links and @odata.context are built from
    it); `params` holds the route's {placeholders}, URL-decoded."""

    method: str
    path: str
    params: dict[str, str]
    query: Query
    headers: dict[str, str]
    body: bytes

    @property
    def eventual(self) -> bool:
        """The advanced query header: `ConsistencyLevel: eventual`."""
        return self.headers.get("consistencylevel", "").lower() == "eventual"

    def cast(self) -> str | None:
        """The OData cast segment of a relationship (`.../microsoft.graph.user`), if any."""
        return self.params.get("cast")


class Emulator(Protocol):
    """The emulator as its handlers see it: the tenant, its extras and logs, and its own answers
    (a JSON batch's inner requests go through `respond` and `handle` again)."""

    @property
    def tenant(self) -> TenantState: ...

    @property
    def group_properties(self) -> Mapping[str, Mapping[str, Any]]: ...

    @property
    def audit_log(self) -> AuditLog: ...

    @property
    def audit_queries(self) -> AuditQueries: ...

    @property
    def listings(self) -> Listings | None: ...

    @property
    def url(self) -> str: ...

    @property
    def relationships(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def unknown_segments(self) -> frozenset[str]: ...

    def clock(self) -> float: ...

    def log(self, entry: LoggedRequest) -> None: ...

    def respond(self, request: Request) -> Reply | Drop | Proceed | None: ...

    def handle(self, method: str, path: str, query: Query, headers: dict[str, str], body: bytes) -> Answer: ...

    def require(self, roles: Sequence[str]) -> None: ...

    def charge(self, method: str, path: str, query: Mapping[str, str]) -> dict[str, str]: ...

    def record_mail(self, sender: str, message: dict[str, Any], save_to_sent_items: bool) -> None: ...

    def filtered_positions(self, prefixes: tuple[str, ...]) -> list[int]: ...

    def signed_positions(self, comparison: SignInComparison) -> list[int]: ...


Handler = Callable[[Emulator, Call], Answer]
