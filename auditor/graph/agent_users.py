"""The agent users and their parent agent identities (auditor.data.agents), read only when a
configured rule judges account kinds:

    GET /users/microsoft.graph.agentUser?$select=id,identityParentId&$top=999        User.Read.All
    GET /servicePrincipals/microsoft.graph.agentIdentity?$select=id,displayName,accountEnabled&$top=999
                                                                                      Application.Read.All

Both are v1.0 casts of the users and service principals collections
(learn.microsoft.com/graph/api/agentuser-list, .../agentidentity-list). A 403 on the agent users is
a gap in the part `agentUsers`: no account reads as an agent user then, and apply re-reads the kind
before each removal a person's rule proposes (auditor/apply/state.py). A 403 on the agent identities
is a gap in `agentIdentities`: the agent users are known, whether their agent identity lives is not
(agent-user-orphaned is not evaluated then). The agent identities are read only for a rule that
declares them (agent-user-orphaned): the person rules need the agent users alone.
"""

from __future__ import annotations

from typing import Any

from auditor.common.errors import CollectionError
from auditor.data.agents import (
    AGENT_IDENTITIES,
    AGENT_IDENTITIES_PATH,
    AGENT_USERS,
    AGENT_USERS_PATH,
    Agents,
    BadAgents,
)
from auditor.data.model import Gap

from .client import GraphClient, GraphRequestError, together
from .collection import PAGE_SIZE

USERS_REQUEST = f"{AGENT_USERS_PATH}?$select=id,identityParentId&$top={PAGE_SIZE}"
IDENTITIES_REQUEST = f"{AGENT_IDENTITIES_PATH}?$select=id,displayName,accountEnabled&$top={PAGE_SIZE}"


async def _all(client: GraphClient, path: str, part: str, permission: str, gaps: list[Gap]) -> list[Any] | None:
    """Every item of a listing; None with a gap in `part` when Graph refuses it (a 403)."""
    out: list[Any] = []
    try:
        async for page in client.pages(path):
            out.extend(page)
    except GraphRequestError as exc:
        if exc.status != 403:
            raise
        why = f"Graph answered 403 {exc.code}: {exc.graph_message}".strip()
        gaps.append(
            Gap(part, exc.request, f"{why} (needs the application permission {permission}, with admin consent)")
        )
        return None
    return out


async def _none() -> None:
    return None


async def read_agents(client: GraphClient, gaps: list[Gap], *, identities: bool = True) -> Agents | None:
    """The agent users and (`identities`) the agent identities; None when the agent users could not
    be read (a gap says why). Without `identities` the agent users' parents are not known (None)."""
    users, parents = await together(
        _all(client, USERS_REQUEST, AGENT_USERS, "User.Read.All", gaps),
        _all(client, IDENTITIES_REQUEST, AGENT_IDENTITIES, "Application.Read.All", gaps) if identities else _none(),
    )
    if users is None:
        return None
    try:
        return Agents.from_graph(users, parents)
    except BadAgents as exc:
        raise CollectionError(
            f"GET {AGENT_USERS_PATH} or {AGENT_IDENTITIES_PATH} returned an object Graph should not send: "
            f"item {exc}; report it with the request id"
        ) from None
