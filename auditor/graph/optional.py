"""How an optional part's listing is read (auditor/graph/agent_users.py, places.py), and what an answer
other than its items means. Three outcomes, never a stopped collection:

- the items, every page's `value`;
- `Unknown`: Graph answered 400 with the code `BadRequest` and the message "Resource not found for the
  segment '…'", its answer for a segment or type cast it does not know (its error page,
  learn.microsoft.com/graph/errors: 400 "Can't process the request because it's malformed or
  incorrect."): this cloud's or version's Graph has no such type. What that means is the caller's: a
  type Graph does not know has no objects (no account is an agent user there), while a listing of
  objects that exist anyway (the rooms) is still missing;
- a gap in the part (None returned): a refusal (401, 403: the permission named), any other error
  answer (a 404, another 400, a 5xx Graph did not recover from, throttling past the retries), or an
  answer that is not a listing (a 200 whose `value` is no list, a page that is not JSON, a link
  outside the endpoint). A malformed answer of an optional read is that part's gap, as a 403 is.

An authentication failure (AuthError) and an audit ended from outside (Stopped) still end the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from auditor.common.errors import AuthError, CollectionError, Stopped
from auditor.data.model import Gap

from .client import GraphClient, GraphRequestError

# Graph's message for a segment or cast it does not know, as it words it ("Resource not found for the
# segment 'microsoft.graph.agentUser'."); nothing else is read as "this cloud has no such type"
_SEGMENT = re.compile(r"Resource not found for the segment '[^']*'\.?", re.IGNORECASE)


@dataclass(frozen=True)
class Unknown:
    """Graph does not know the listing's segment or type (400 BadRequest "Resource not found for the
    segment '…'"): `request` as sent, `message` Graph's."""

    request: str
    message: str

    @property
    def said(self) -> str:
        return f'{self.request} answered 400 BadRequest "{self.message}"'


def unknown_segment(exc: GraphRequestError) -> bool:
    """Whether Graph answered that it does not know the request's segment or type: 400, code BadRequest,
    message "Resource not found for the segment '…'" (not a 404, not another 400, not a refusal)."""
    return (
        exc.status == 400 and exc.code.lower() == "badrequest" and bool(_SEGMENT.fullmatch(exc.graph_message.strip()))
    )


def answered(exc: GraphRequestError) -> str:
    """What Graph answered, as the gaps and notes say it."""
    return f"Graph answered {exc.status} {exc.code}: {exc.graph_message}".strip().rstrip(":")


def optional_gap(part: str, exc: CollectionError, permission: str, request: str) -> Gap:
    """The gap in `part` an error answer or a malformed answer to `request` makes."""
    if not isinstance(exc, GraphRequestError):  # an answer that is not a listing (the client's reason)
        return Gap(part, request, f"an answer Graph does not document: {exc}")
    if exc.status in (401, 403):
        return Gap(
            part, exc.request, f"{answered(exc)} (needs the application permission {permission}, with admin consent)"
        )
    if exc.status in (404, 501):  # Not Found, Not Implemented: a cast or listing this Graph may lack
        return Gap(part, exc.request, f"{answered(exc)} (this cloud or Graph version does not offer it)")
    return Gap(part, exc.request, answered(exc))


async def optional_listing(
    client: GraphClient, path: str, part: str, permission: str, gaps: list[Gap]
) -> list[Any] | Unknown | None:
    """Every item of an optional part's listing; Unknown when Graph does not know its segment; None with
    a gap in `part` for any other error answer or an answer that is not a listing (module docstring)."""
    out: list[Any] = []
    try:
        async for page in client.pages(path):
            out.extend(page)
    except (AuthError, Stopped):
        raise
    except GraphRequestError as exc:
        if unknown_segment(exc):
            return Unknown(exc.request, exc.graph_message.strip())
        gaps.append(optional_gap(part, exc, permission, f"GET {path}"))
        return None
    except CollectionError as exc:
        gaps.append(optional_gap(part, exc, permission, f"GET {path}"))
        return None
    return out
