"""The license writes: POST /users/{id|upn}/assignLicense, POST /users/{id|upn}/reprocessLicenseAssignment,
POST /groups/{id}/members/$ref and DELETE /groups/{id}/members/{id}/$ref. The rules they follow
are the tenant's (tenant.py); each is recorded in the directory audit log as Graph records it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...model import User
from .. import wire
from ..call import Answer, Call
from ..errors import bad
from ..tenant import ASSIGN_LICENSE_ROLES, GROUP_MEMBER_ROLES, REPROCESS_ROLES

if TYPE_CHECKING:
    from ..server import GraphEmulator


def assign_license(em: GraphEmulator, call: Call) -> Answer:
    em.require(ASSIGN_LICENSE_ROLES)
    doc = json_body(call.body)
    changed = em.tenant.assign_license(call.params["user"], doc)
    em.audit_log.license_changed(changed, doc)
    return 200, _user_entity(em, changed)


def reprocess(em: GraphEmulator, call: Call) -> Answer:
    em.require(REPROCESS_ROLES)
    return 200, _user_entity(em, em.tenant.reprocess(call.params["user"]))


def add_member(em: GraphEmulator, call: Call) -> Answer:
    em.require(GROUP_MEMBER_ROLES)
    key = call.params["group"]
    _record_member(em, True, key, em.tenant.add_member(key, json_body(call.body)))
    return 204, None


def remove_member(em: GraphEmulator, call: Call) -> Answer:
    em.require(GROUP_MEMBER_ROLES)
    key = call.params["group"]
    _record_member(em, False, key, em.tenant.remove_member(key, call.params["member"]))
    return 204, None


def json_body(body: bytes) -> Any:
    if not body:
        raise bad("Empty Payload. JSON content expected.")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad("Unable to read JSON request payload.", "RequestBodyRead") from None


def _record_member(em: GraphEmulator, added: bool, group_key: str, user: User | None) -> None:
    group = em.tenant.group(group_key)
    if group is not None and user is not None:
        em.audit_log.membership(added, group, user)


def _user_entity(em: GraphEmulator, user: User) -> dict[str, Any]:
    return {"@odata.context": f"{em.url}/$metadata#users/$entity", **wire.user_wire(user, None)}
