"""The writes: POST /users/{id|upn}/assignLicense, POST /users/{id|upn}/reprocessLicenseAssignment,
POST /groups/{id}/members/$ref, DELETE /groups/{id}/members/{id}/$ref and PATCH /users/{id|upn}
(accountEnabled, usageLocation, employeeLeaveDateTime). The rules they follow are the tenant's
(tenant.py); each is recorded in the directory audit log as Graph records it."""

from __future__ import annotations

import json
from typing import Any

from auditor.common.timestamps import timestamp_or_none
from auditor.data.model import User

from .. import wire
from ..call import Answer, Call, Emulator
from ..errors import bad, not_found
from ..tenant import ASSIGN_LICENSE_ROLES, GROUP_MEMBER_ROLES, REPROCESS_ROLES

UPDATE_USER_ROLES = ("User.ReadWrite.All", "Directory.ReadWrite.All")
LEAVE_DATE_WRITE_ROLES = ("User-LifeCycleInfo.ReadWrite.All",)


def assign_license(em: Emulator, call: Call) -> Answer:
    em.require(ASSIGN_LICENSE_ROLES)
    doc = json_body(call.body)
    before = em.tenant.user(call.params["user"])
    changed = em.tenant.assign_license(call.params["user"], doc)
    if before is not None:
        em.audit_log.license_changed(before, changed)
    return 200, _user_entity(em, changed)


def reprocess(em: Emulator, call: Call) -> Answer:
    em.require(REPROCESS_ROLES)
    return 200, _user_entity(em, em.tenant.reprocess(call.params["user"]))


# Graph's rule for a role-assignable group (isAssignableToRole): changing its members takes
# RoleManagement.ReadWrite.Directory besides the member permission
# (https://learn.microsoft.com/graph/api/group-post-members, "Permissions")
ROLE_GROUP_ROLES = ("RoleManagement.ReadWrite.Directory",)


def _require_member_change(em: Emulator, key: str) -> None:
    em.require(GROUP_MEMBER_ROLES)
    if (em.group_properties.get(key.lower()) or {}).get("isAssignableToRole") is True:
        em.require(ROLE_GROUP_ROLES)


def add_member(em: Emulator, call: Call) -> Answer:
    key = call.params["group"]
    _require_member_change(em, key)
    _record_member(em, True, key, em.tenant.add_member(key, json_body(call.body)))
    return 204, None


def remove_member(em: Emulator, call: Call) -> Answer:
    key = call.params["group"]
    _require_member_change(em, key)
    _record_member(em, False, key, em.tenant.remove_member(key, call.params["member"]))
    return 204, None


def update_user(em: Emulator, call: Call) -> Answer:
    """PATCH /users/{id|upn}: the properties the model holds that an admin sets (204 No Content).
    employeeLeaveDateTime takes User-LifeCycleInfo.ReadWrite.All besides, as Graph documents."""
    em.require(UPDATE_USER_ROLES)
    doc = json_body(call.body)
    if not isinstance(doc, dict) or not doc:
        raise bad("The request body must be a JSON object with the properties to change.")
    changes: dict[str, Any] = {}
    for name, value in doc.items():
        if name == "accountEnabled" and isinstance(value, bool):
            changes["account_enabled"] = value
        elif name == "usageLocation" and (value is None or (isinstance(value, str) and len(value) == 2)):
            changes["usage_location"] = value
        elif name == "employeeLeaveDateTime" and (
            value is None or (isinstance(value, str) and timestamp_or_none(value) is not None)
        ):
            em.require(LEAVE_DATE_WRITE_ROLES)
            changes["employee_leave_date_time"] = value
        else:
            raise bad(f"Invalid value or property for update: '{str(name)[:100]}'.")
    before = em.tenant.user(call.params["user"])
    if before is None:
        raise not_found(call.params["user"])
    after = em.tenant.change_user(call.params["user"], **changes)
    em.audit_log.user_updated(before, after)
    return 204, None


def json_body(body: bytes) -> Any:
    if not body:
        raise bad("Empty Payload. JSON content expected.")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad("Unable to read JSON request payload.", "RequestBodyRead") from None


def _record_member(em: Emulator, added: bool, group_key: str, user: User | None) -> None:
    group = em.tenant.group(group_key)
    if group is not None and user is not None:
        em.audit_log.membership(added, group, user)


def _user_entity(em: Emulator, user: User) -> dict[str, Any]:
    return {"@odata.context": f"{em.url}/$metadata#users/$entity", **wire.user_wire(user, None)}
