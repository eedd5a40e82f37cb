"""What a route's handler receives and returns (routes.py holds the table of routes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .query import Query

if TYPE_CHECKING:
    from .server import GraphEmulator

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


Handler = Callable[["GraphEmulator", Call], Answer]
