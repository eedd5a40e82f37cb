"""Microsoft Entra agent users and agent identities, as Graph v1.0 serves them:

    GET /users/microsoft.graph.agentUser[?$filter=id eq '{id}']     the cast of the users collection
    GET /users/microsoft.graph.agentUser/{id}                       one agent user; 404 for any other user
    GET /servicePrincipals/microsoft.graph.agentIdentity            the cast of the service principals
    GET /servicePrincipals/{id}, .../microsoft.graph.agentIdentity/{id}   404 once the identity is deleted

The agent users are the tenant's users with an identityParentId (auditor.data.agents), the agent
identities the snapshot's `agentIdentities`. The identities need Application.Read.All (or a role
above it), as Graph documents; the users User.Read.All like every user read.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.data.agents import AGENT_IDENTITY_TYPE, AGENT_USER_TYPE, AgentIdentity
from auditor.data.model import User

from .. import wire
from ..call import Answer, Call, Emulator
from ..errors import not_found
from ..query import MAX_TOP, check_select, page, unsupported

AGENT_USER_PROPERTIES = wire.USER_PROPERTIES | {"identityParentId"}
IDENTITY_PROPERTIES = frozenset(("id", "displayName", "accountEnabled", "appId", "servicePrincipalType"))
IDENTITY_DEFAULT = ("id", "displayName", "accountEnabled", "servicePrincipalType")
# agentidentity-list: AgentIdentity.Read.All least privileged, AgentIdentity.ReadWrite.All higher; agentidentity-get
# names Application.Read.All as higher too
APPLICATION_ROLES = (
    "AgentIdentity.Read.All",
    "AgentIdentity.ReadWrite.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
)
# the type casts a cloud without Microsoft Entra Agent ID does not know (GraphEmulator(unknown_segments=AGENT_ID))
AGENT_ID = ("microsoft.graph.agentUser", "microsoft.graph.agentIdentity")
_ID_EQ = re.compile(r"^\s*id\s+eq\s+'([0-9A-Fa-f-]{36})'\s*$")


def _agent_users(em: Emulator) -> list[User]:
    return [u for u in em.tenant.users if u.identity_parent_id is not None]


def _user_wire(u: User, select: tuple[str, ...] | None) -> dict[str, Any]:
    names = select if select is not None else (*wire.USER_DEFAULT, "identityParentId")
    out: dict[str, Any] = {"@odata.type": AGENT_USER_TYPE}
    out.update(wire.user_wire(u, tuple(n for n in names if n != "identityParentId")))
    if "identityParentId" in names:
        out["identityParentId"] = u.identity_parent_id
    return out


def list_agent_users(em: Emulator, call: Call) -> Answer:
    query = call.query
    check_select(query.select, AGENT_USER_PROPERTIES, "agentUser")
    users = _agent_users(em)
    if query.filter is not None:
        m = _ID_EQ.match(query.filter)
        if m is None:
            raise unsupported("The emulator takes only $filter=id eq '{id}' on agent users.")
        users = [u for u in users if u.id.lower() == m.group(1).lower()]
    return page(em.url, call.path, query, users, call.eventual, MAX_TOP, lambda u: _user_wire(u, query.select))


def get_agent_user(em: Emulator, call: Call) -> Answer:
    check_select(call.query.select, AGENT_USER_PROPERTIES, "agentUser")
    key = call.params["user"]
    user = em.tenant.user(key)
    if user is None or user.identity_parent_id is None:
        raise not_found(key)
    return 200, _user_wire(user, call.query.select)


def _identities(em: Emulator) -> list[AgentIdentity]:
    agents = em.tenant.snapshot.agents
    return [i for _, i in sorted(agents.identities.items())] if agents is not None and agents.identities else []


def _identity_wire(i: AgentIdentity, select: tuple[str, ...] | None) -> dict[str, Any]:
    full = {
        "@odata.type": AGENT_IDENTITY_TYPE,
        "id": i.id,
        "displayName": i.display_name,
        "accountEnabled": i.account_enabled,
        "appId": None,
        "servicePrincipalType": "ServiceIdentity",
    }
    names = select if select is not None else IDENTITY_DEFAULT
    return {"@odata.type": AGENT_IDENTITY_TYPE} | {n: full[n] for n in names}


def list_agent_identities(em: Emulator, call: Call) -> Answer:
    em.require(APPLICATION_ROLES)
    query = call.query
    check_select(query.select, IDENTITY_PROPERTIES, "agentIdentity")
    if query.filter is not None:
        raise unsupported("The emulator takes no $filter on agent identities.")
    items = _identities(em)
    return page(em.url, call.path, query, items, call.eventual, MAX_TOP, lambda i: _identity_wire(i, query.select))


def get_agent_identity(em: Emulator, call: Call) -> Answer:
    """One agent identity by id (under /servicePrincipals, cast or not): Graph's 404 once it is deleted."""
    em.require(APPLICATION_ROLES)
    check_select(call.query.select, IDENTITY_PROPERTIES, "agentIdentity")
    key = call.params["principal"]
    found = next((i for i in _identities(em) if i.id == key.lower()), None)
    if found is None:
        raise not_found(key)
    return 200, _identity_wire(found, call.query.select)
