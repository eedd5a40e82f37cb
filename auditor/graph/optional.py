"""How an optional part's endpoint answers when it cannot be read: refused (the app lacks a permission)
or not offered (a cloud or Graph version without it). Either is a gap of that part alone, and the
collection goes on (auditor/graph/agent_users.py, places.py)."""

from __future__ import annotations

from typing import Any

from auditor.data.model import Gap

from .client import GraphClient, GraphRequestError

# how Graph answers a cast or segment a cloud or version does not offer
_NOT_OFFERED = (404, 501)
_SEGMENT = "resource not found for the segment"


def not_offered(exc: GraphRequestError) -> bool:
    """Whether Graph says this cloud or version does not offer the endpoint (not that the app may not read it)."""
    return exc.status in _NOT_OFFERED or (exc.status == 400 and _SEGMENT in exc.graph_message.lower())


def optional_gap(part: str, exc: GraphRequestError, permission: str) -> Gap | None:
    """The gap an optional part's refused or missing endpoint makes; None for an answer it must not
    pass over (a bad request of ours, say), which stops the collection as before."""
    said = f"Graph answered {exc.status} {exc.code}: {exc.graph_message}".strip().rstrip(":")
    if exc.status in (401, 403):
        return Gap(part, exc.request, f"{said} (needs the application permission {permission}, with admin consent)")
    if not_offered(exc):
        return Gap(part, exc.request, f"{said} (this cloud or Graph version does not offer it)")
    return None


async def optional_listing(
    client: GraphClient, path: str, part: str, permission: str, gaps: list[Gap]
) -> list[Any] | None:
    """Every item of an optional part's listing; None with a gap in `part` when Graph refuses it or
    does not offer it (optional_gap); any other error answer stops the collection."""
    out: list[Any] = []
    try:
        async for page in client.pages(path):
            out.extend(page)
    except GraphRequestError as exc:
        gap = optional_gap(part, exc, permission)
        if gap is None:
            raise
        gaps.append(gap)
        return None
    return out
