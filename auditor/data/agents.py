"""Microsoft Entra agent users and their parent agent identities, read only for the rules that
judge them (auditor/graph/agent_users.py reads them; docs/account-kinds.md quotes Microsoft's pages).

Graph v1.0 lists the agent users by casting the users collection (`GET /users/microsoft.graph.agentUser`,
User.Read.All): each carries `identityParentId`, "the object ID of the parent agent identity". The
agent identities are service principals, listed by the cast `GET
/servicePrincipals/microsoft.graph.agentIdentity` (AgentIdentity.Read.All), with `accountEnabled`.
An agent user whose parent is not in that listing has lost its agent identity (Graph answers 404
for it by id): the license it holds serves no agent.

The snapshot keeps both listings in Graph's shape (`agentUsers`: `{id, identityParentId}`,
`agentIdentities`: `{id, displayName, accountEnabled}`) and names `agentUsers` in `collectedParts`
when they were read; the emulator serves them from there.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

AGENT_USERS = "agentUsers"  # the snapshot's key, its part in collectedParts, and a Reads name
AGENT_IDENTITIES = "agentIdentities"  # the snapshot's key of the parents
AGENT_USERS_PATH = "/users/microsoft.graph.agentUser"
AGENT_IDENTITIES_PATH = "/servicePrincipals/microsoft.graph.agentIdentity"
AGENT_USER_TYPE = "#microsoft.graph.agentUser"
AGENT_IDENTITY_TYPE = "#microsoft.graph.agentIdentity"
MAX_NAME = 256


class BadAgents(ValueError):
    """A listing that is not what Graph documents."""


class ParentState(enum.Enum):
    """What became of an agent user's parent agent identity."""

    LIVE = "live"  # listed, accountEnabled true (or not said)
    DISABLED = "disabled"  # listed, accountEnabled false
    GONE = "gone"  # not listed: deleted
    UNKNOWN = "unknown"  # the agent identities could not be read (a gap in agentIdentities)


class AgentIdentityGraph(TypedDict):
    """An agentIdentity as the snapshot keeps it (the fields read)."""

    id: str
    displayName: str
    accountEnabled: bool | None


class AgentUserGraph(TypedDict):
    """An agentUser as the snapshot keeps it: its id and its agent identity's."""

    id: str
    identityParentId: str


@dataclass(frozen=True)
class AgentIdentity:
    id: str  # lower case
    display_name: str
    account_enabled: bool | None

    def to_graph(self) -> AgentIdentityGraph:
        return {"id": self.id, "displayName": self.display_name, "accountEnabled": self.account_enabled}


@dataclass(frozen=True)
class Agents:
    """The agent users (user id -> identityParentId, both lower case) and the agent identities (by id)."""

    parents: Mapping[str, str] = field(default_factory=dict)
    # None: the agent identities could not be read (the app lacks AgentIdentity.Read.All, or Graph does
    # not offer them: a gap)
    identities: Mapping[str, AgentIdentity] | None = field(default_factory=dict)

    def parent_state(self, user_id: str) -> ParentState | None:
        """The state of this agent user's parent; None when the user is no agent user."""
        parent = self.parents.get(user_id.lower())
        if parent is None:
            return None
        if self.identities is None:
            return ParentState.UNKNOWN
        identity = self.identities.get(parent)
        if identity is None:
            return ParentState.GONE
        return ParentState.DISABLED if identity.account_enabled is False else ParentState.LIVE

    def users_to_graph(self) -> list[AgentUserGraph]:
        return [{"id": u, "identityParentId": p} for u, p in sorted(self.parents.items())]

    def identities_to_graph(self) -> list[AgentIdentityGraph] | None:
        return None if self.identities is None else [i.to_graph() for _, i in sorted(self.identities.items())]

    @staticmethod
    def from_graph(users: object, identities: object) -> Agents:
        """The two listings' items (a Graph page's `value`, or the snapshot's lists; identities None:
        not read); BadAgents names the first item that is not what Graph documents."""
        if not isinstance(users, list) or not isinstance(identities, list | None):
            raise BadAgents(": expected a list")
        if identities is None:
            return Agents(_parents(users), None)
        return Agents(_parents(users), _identities(identities))


def _parents(users: list[Any]) -> dict[str, str]:
    parents: dict[str, str] = {}
    for i, raw in enumerate(users):
        uid = raw.get("id") if isinstance(raw, dict) else None
        parent = raw.get("identityParentId") if isinstance(raw, dict) else None
        if not isinstance(uid, str) or not uid or not isinstance(parent, str) or not parent:
            raise BadAgents(f"[{i}]: an agent user needs an id and an identityParentId")
        parents[uid.lower()] = parent.lower()
    return parents


def _identities(identities: list[Any]) -> dict[str, AgentIdentity]:
    found: dict[str, AgentIdentity] = {}
    for i, raw in enumerate(identities):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
            raise BadAgents(f"[{i}]: an agent identity needs an id")
        name, enabled = raw.get("displayName"), raw.get("accountEnabled")
        found[raw["id"].lower()] = AgentIdentity(
            raw["id"].lower(),
            name[:MAX_NAME] if isinstance(name, str) else "",
            enabled if isinstance(enabled, bool) else None,
        )
    return found
