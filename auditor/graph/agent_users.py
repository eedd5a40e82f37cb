"""The agent users and their parent agent identities (auditor.data.agents), read only when a
configured rule judges account kinds:

    GET /users/microsoft.graph.agentUser?$select=id,identityParentId&$top=999        User.Read.All
    GET /servicePrincipals/microsoft.graph.agentIdentity?$select=id,displayName,accountEnabled&$top=999
                                                                                      AgentIdentity.Read.All

Both are v1.0 casts of the users and service principals collections
(learn.microsoft.com/graph/api/agentuser-list, .../agentidentity-list; the latter names
AgentIdentity.Read.All its least privileged permission, Application.Read.All serves too).

Both are optional parts: an error answer is a gap of its own part and the audit goes on.
- A 403 on the agent users, or a cloud or Graph version without Agent ID (a 404 on the cast, a 400
  "Resource not found for the segment", a 501), is a gap in `agentUsers`: no account reads as an
  agent user then, and apply re-reads the kind before each removal a person's rule proposes
  (auditor/apply/state.py).
- The same answers on the agent identities are a gap in `agentIdentities`: the agent users are known,
  whether their agent identity lives is not (agent-user-orphaned is not evaluated then).
- A listing of agent identities that lacks a parent an agent user names is not taken at its word:
  each such parent is asked by id (`GET /servicePrincipals/{id}`, at most MAX_CONFIRM of them), and
  only Graph's 404 makes it gone; one listed by id after all (the listing was cut short) is kept, and
  what cannot be confirmed is a gap in `agentIdentities`.
The agent identities are read only for a rule that declares them (agent-user-orphaned): the person
rules need the agent users alone.
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
from .optional import optional_listing

USERS_REQUEST = f"{AGENT_USERS_PATH}?$select=id,identityParentId&$top={PAGE_SIZE}"
IDENTITIES_REQUEST = f"{AGENT_IDENTITIES_PATH}?$select=id,displayName,accountEnabled&$top={PAGE_SIZE}"


IDENTITY_PERMISSION = "AgentIdentity.Read.All"  # least privileged (agentidentity-list); Application.Read.All serves too
MAX_CONFIRM = 100  # parents missing from the listing asked one by one; more make a gap


async def _confirm(client: GraphClient, users: list[Any], identities: list[Any], gaps: list[Gap]) -> list[Any] | None:
    """`identities` with each parent the agent users name that the listing lacks asked by id: Graph's
    404 confirms it gone (it stays out), an identity found by id is added; None with a gap in
    agentIdentities when a parent could not be confirmed either way."""
    listed = {str(i.get("id", "")).lower() for i in identities if isinstance(i, dict)}
    named = {str(u.get("identityParentId", "")).lower() for u in users if isinstance(u, dict)} - {""}
    missing = sorted(named - listed)
    if len(missing) > MAX_CONFIRM:
        gaps.append(
            Gap(
                AGENT_IDENTITIES,
                f"GET {AGENT_IDENTITIES_PATH}",
                f"the listing lacks {len(missing)} agent identities the agent users name, more than the "
                f"{MAX_CONFIRM} asked one by one: whether they were deleted is not known",
            )
        )
        return None
    found = list(identities)
    for parent in missing:
        request = f"/servicePrincipals/{parent}?$select=id,displayName,accountEnabled"
        try:
            found.append(await client.get(request))
        except GraphRequestError as exc:
            if exc.status == 404:
                continue  # deleted: the orphan the rule finds
            gaps.append(
                Gap(
                    AGENT_IDENTITIES,
                    f"GET {request}",
                    f"Graph answered {exc.status} {exc.code}: whether the agent identity {parent}, which the "
                    "listing lacks, was deleted is not known",
                )
            )
            return None
    return found


async def _none() -> None:
    return None


async def read_agents(client: GraphClient, gaps: list[Gap], *, identities: bool = True) -> Agents | None:
    """The agent users and (`identities`) the agent identities; None when the agent users could not
    be read (a gap says why). Without `identities` the agent users' parents are not known (None)."""
    users, parents = await together(
        optional_listing(client, USERS_REQUEST, AGENT_USERS, "User.Read.All", gaps),
        optional_listing(client, IDENTITIES_REQUEST, AGENT_IDENTITIES, IDENTITY_PERMISSION, gaps)
        if identities
        else _none(),
    )
    if users is None:
        return None
    if parents is not None:
        parents = await _confirm(client, users, parents, gaps)
    try:
        return Agents.from_graph(users, parents)
    except BadAgents as exc:
        raise CollectionError(
            f"GET {AGENT_USERS_PATH} or {AGENT_IDENTITIES_PATH} returned an object Graph should not send: "
            f"item {exc}; report it with the request id"
        ) from None
