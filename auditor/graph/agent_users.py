"""The agent users and their parent agent identities (auditor.data.agents), read only when a
configured rule judges account kinds:

    GET /users/microsoft.graph.agentUser?$select=id,identityParentId&$top=999        User.Read.All
    GET /servicePrincipals/microsoft.graph.agentIdentity?$select=id,displayName,accountEnabled&$top=999
                                                                                      AgentIdentity.Read.All

Both are v1.0 casts of the users and service principals collections
(learn.microsoft.com/graph/api/agentuser-list, .../agentidentity-list; the latter names
AgentIdentity.Read.All its least privileged permission, AgentIdentity.ReadWrite.All the other; docs/graph.md).

Both are optional parts (auditor/graph/optional.py): an error answer is a gap of its own part and
the audit goes on.
- A cloud or Graph version without Microsoft Entra Agent ID answers the cast with 400 `BadRequest`
  "Resource not found for the segment 'microsoft.graph.agentUser'" (Graph's answer for a type it does
  not know). A type Graph does not know has no objects: no account there is an agent user, the
  agent users are read as none (a note says why) and the person rules judge every account.
- Any other error answer on the agent users (a 403, a 404, another 400, a 5xx), or an answer that is
  not a listing of agent users, is a gap in `agentUsers`: no account reads as an agent user then, the
  rules that need to tell agents from persons are not evaluated, and apply re-reads the kind before
  each removal a person's rule proposes (auditor/apply/state.py).
- The same answers on the agent identities are a gap in `agentIdentities`: the agent users are known,
  whether their agent identity lives is not (agent-user-orphaned is not evaluated then). Graph not
  knowing the agentIdentity type means none exists when no agent user was listed either; beside
  listed agent users it is a gap (their parents cannot be none).
- A listing of agent identities that lacks a parent an agent user names is not taken at its word:
  each such parent is asked by id (`GET /servicePrincipals/{id}`, at most MAX_CONFIRM of them), and
  only Graph's 404 makes it gone; one listed by id after all (the listing was cut short) is kept, and
  what cannot be confirmed is a gap in `agentIdentities`.
The agent identities are read only for a rule that declares them (agent-user-orphaned): the person
rules need the agent users alone.
"""

from __future__ import annotations

from typing import Any

from auditor.common.errors import AuthError, CollectionError, Stopped
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
from .optional import Unknown, optional_gap, optional_listing

USERS_REQUEST = f"{AGENT_USERS_PATH}?$select=id,identityParentId&$top={PAGE_SIZE}"
IDENTITIES_REQUEST = f"{AGENT_IDENTITIES_PATH}?$select=id,displayName,accountEnabled&$top={PAGE_SIZE}"


IDENTITY_PERMISSION = "AgentIdentity.Read.All"  # least privileged (agentidentity-list)
MAX_CONFIRM = 100  # parents missing from the listing asked one by one; more make a gap
NO_AGENT_ID = (
    "{said}: this cloud's Microsoft Graph has no Microsoft Entra Agent ID (a type Graph does "
    "not know has no objects), so no account is an agent user and every account is judged as a person, a "
    "resource or a mailbox as it is"
)


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
        except (AuthError, Stopped):
            raise
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
        except CollectionError as exc:  # an answer that is not JSON: that part's gap
            gaps.append(optional_gap(AGENT_IDENTITIES, exc, IDENTITY_PERMISSION, f"GET {request}"))
            return None
    return found


async def _none() -> None:
    return None


def _agent_users(users: list[Any], gaps: list[Gap]) -> Agents | None:
    """The agent users of the listing's items; None with a gap in agentUsers when an item is not what
    Graph documents (an id and an identityParentId)."""
    try:
        return Agents.from_graph(users, None)
    except BadAgents as exc:
        gaps.append(Gap(AGENT_USERS, f"GET {AGENT_USERS_PATH}", f"an answer Graph does not document: item {exc}"))
        return None


def _identities(users: Agents, identities: list[Any] | Unknown | None, gaps: list[Gap]) -> Agents:
    """The agent users with their agent identities: none when Graph knows no agent identity type and no
    agent user was listed either, unknown (None: a gap) when it could not be read or an item is not what
    Graph documents."""
    if isinstance(identities, Unknown):
        if not users.parents:
            return Agents(users.parents, {})
        gaps.append(
            Gap(
                AGENT_IDENTITIES,
                identities.request,
                f"{identities.said}, while {len(users.parents)} agent users name one as their parent",
            )
        )
        return Agents(users.parents, None)
    if identities is None:
        return Agents(users.parents, None)
    try:
        return Agents(users.parents, Agents.from_graph([], identities).identities)
    except BadAgents as exc:
        gaps.append(
            Gap(AGENT_IDENTITIES, f"GET {AGENT_IDENTITIES_PATH}", f"an answer Graph does not document: item {exc}")
        )
        return Agents(users.parents, None)


async def read_agents(
    client: GraphClient, gaps: list[Gap], notes: list[str], *, identities: bool = True
) -> Agents | None:
    """The agent users and (`identities`) the agent identities; None when the agent users could not
    be read (a gap says why). Without `identities` the agent users' parents are not known (None).
    Where Graph does not know the agentUser type there are none (a note in `notes` says why)."""
    listed, parents = await together(
        optional_listing(client, USERS_REQUEST, AGENT_USERS, "User.Read.All", gaps),
        optional_listing(client, IDENTITIES_REQUEST, AGENT_IDENTITIES, IDENTITY_PERMISSION, gaps)
        if identities
        else _none(),
    )
    if isinstance(listed, Unknown):
        notes.append(NO_AGENT_ID.format(said=listed.said))
        listed = []
    if listed is None:
        return None
    users = _agent_users(listed, gaps)
    if users is None:
        return None
    if not identities:
        return Agents(users.parents, None)
    if isinstance(parents, list):
        parents = await _confirm(client, listed, parents, gaps)
    return _identities(users, parents, gaps)
