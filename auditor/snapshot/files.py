"""Reading a whole snapshot file: its head (kind, schema version, cloud), each section decoded by
auditor.snapshot.decode, and the checks that hold across sections (a user listed once). A file's
problems name the file and the item."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from auditor.common.errors import SnapshotError
from auditor.data.access_records import ACCESS_SCOPE, AccessScope, BadScope
from auditor.data.agents import AGENT_IDENTITIES, AGENT_USERS, Agents, BadAgents
from auditor.data.attributes import is_path
from auditor.data.audit_entries import BadAudit, audits_from_json
from auditor.data.copilot_chat_use import COPILOT_AUDIT, BadChatUse, CopilotChatUse
from auditor.data.copilot_credit_use_data import COPILOT_CREDIT_USE, BadCreditUse, CopilotCreditUse
from auditor.data.copilot_credits_data import COPILOT_CREDITS, BadCredits, CopilotCredits
from auditor.data.license_insight_data import LICENSE_INSIGHT, BadInsight, LicenseInsight
from auditor.data.model import Cloud, TenantSnapshot, User
from auditor.data.usage_data import USAGE_REPORTS, BadUsage, usage_from_json

from .decode import (
    BadItem,
    BadValue,
    UserDecoder,
    _decode_all,
    _list,
    _req,
    _str,
    _strs,
    _when,
    gap_from_json,
    group_from_graph,
    item_name,
    sku_from_graph,
    subscription_from_graph,
)
from .format import (
    KIND,
    SCHEMA_VERSION,
    SIGN_IN_ACTIVITY,
    SIGN_INS_READ_AT,
    SIGN_INS_USAGE_QUIET,
)

T = TypeVar("T")


def _users(decoder: UserDecoder, items: list[Any], where: str) -> list[User]:
    try:
        return decoder.values(items)
    except BadItem as exc:
        raise BadValue(f"{where}[{exc.index}]{item_name(items[exc.index])}.{exc}") from None
    except BadValue as exc:
        raise BadValue(f"{where}: {exc}") from None


def _head(doc: Any) -> tuple[Mapping[str, object], Cloud]:
    """The snapshot's kind, version and lists checked; its tenant object and cloud."""
    if not isinstance(doc, dict):
        raise BadValue("top level: expected an object")
    if doc.get("kind") != KIND:
        raise BadValue(f"kind: expected {KIND!r}; is this a license-auditor snapshot?")
    version = doc.get("schemaVersion")
    if version != SCHEMA_VERSION:
        raise BadValue(f"schemaVersion: {version!r} is not supported (this version reads {SCHEMA_VERSION})")
    tenant = doc.get("tenant")
    if not isinstance(tenant, dict):
        raise BadValue("tenant: expected an object")
    try:
        cloud = Cloud(tenant.get("cloud", "worldwide"))
    except ValueError:
        raise BadValue(f"tenant.cloud: {tenant.get('cloud')!r} is not one of {[c.value for c in Cloud]}") from None
    for key in ("subscribedSkus", "subscriptions", "users", "groups"):
        if not isinstance(doc.get(key), list):
            raise BadValue(f"{key}: missing or not a list")
    return tenant, cloud


def _once_each(users: list[User]) -> None:
    seen: set[str] = set()
    for i, u in enumerate(users):
        if u.id in seen:
            raise BadValue(f"users[{i}] ({u.user_principal_name}).id: {u.id} appears twice")
        seen.add(u.id)


def snapshot_from_json(doc: Any) -> TenantSnapshot:
    """Validate and decode a parsed snapshot document; raises BadValue with a JSON path."""
    tenant, cloud = _head(doc)
    parts = frozenset(_strs(_list(doc, "collectedParts"), "collectedParts"))
    attributes = _strs(_list(doc, "userAttributes"), "userAttributes")
    for i, path in enumerate(attributes):
        if not is_path(path):
            raise BadValue(f"userAttributes[{i}]: {path[:100]!r} is not a user attribute path (see docs/policy.md)")
    audits = None
    if doc.get("directoryAudits") is not None:
        try:
            audits = audits_from_json(doc["directoryAudits"])
        except BadAudit as exc:
            raise BadValue(f"directoryAudits.{exc}") from None
    decoder = UserDecoder(with_sign_in=SIGN_IN_ACTIVITY in parts, attributes=attributes)
    _when(doc, "collectedAt", required=True)
    users = _users(decoder, doc["users"], "users")
    _once_each(users)
    agents = _agents(doc)
    users = with_agents(users, agents)
    return TenantSnapshot(
        tenant_id=_req(tenant, "id"),
        tenant_name=_str(tenant, "displayName", required=False) or "",
        cloud=cloud,
        collected_at=_req(doc, "collectedAt"),
        skus=tuple(_decode_all(doc["subscribedSkus"], "subscribedSkus", sku_from_graph)),
        subscriptions=tuple(_decode_all(doc["subscriptions"], "subscriptions", subscription_from_graph)),
        users=users,
        groups=tuple(_decode_all(doc["groups"], "groups", lambda g: group_from_graph(g, decoder))),
        gaps=tuple(_decode_all(_list(doc, "gaps"), "gaps", gap_from_json)),
        collected_datasets=parts,
        notes=_strs(_list(doc, "notes"), "notes"),
        user_attributes=attributes,
        directory_audits=audits,
        usage_reports=_section(doc, USAGE_REPORTS, usage_from_json, BadUsage),
        access_scope=_section(doc, ACCESS_SCOPE, AccessScope.from_json, BadScope),
        license_insight=_section(doc, LICENSE_INSIGHT, LicenseInsight.from_graph, BadInsight),
        sign_ins_read_at=_when(doc, SIGN_INS_READ_AT, required=False),
        sign_ins_usage_quiet=_when(doc, SIGN_INS_USAGE_QUIET, required=False),
        copilot_credits=_section(doc, COPILOT_CREDITS, CopilotCredits.from_graph, BadCredits),
        copilot_credit_use=_section(doc, COPILOT_CREDIT_USE, CopilotCreditUse.from_graph, BadCreditUse),
        copilot_chat_use=_section(doc, COPILOT_AUDIT, CopilotChatUse.from_json, BadChatUse),
        agents=agents,
    )


def _agents(doc: Mapping[str, object]) -> Agents | None:
    """The agent users and agent identities (auditor.data.agents); None in a snapshot read without them."""
    if doc.get(AGENT_USERS) is None:
        return None
    try:
        return Agents.from_graph(doc[AGENT_USERS], doc.get(AGENT_IDENTITIES))
    except BadAgents as exc:
        raise BadValue(f"{AGENT_USERS}{exc}") from None


def with_agents(users: list[User], agents: Agents | None) -> list[User]:
    """`users` with each agent user's identityParentId (User.identity_parent_id; every other user's
    None); `users` themselves when the agent users were not read."""
    if agents is None:
        return users
    out = []
    for user in users:
        parent = agents.parents.get(user.id.lower())
        same = parent == user.identity_parent_id and user.profile.agent is (parent is not None)
        out.append(user if same else user.with_values(identity_parent_id=parent, agent=parent is not None))
    return out


def _section(doc: Mapping[str, object], key: str, decode: Callable[[Any], T], bad: type[ValueError]) -> T | None:
    """An optional section (usageReports, accessScope, azureADPremiumLicenseInsight,
    copilotCreditBalance, copilotCreditUse): None in a snapshot collected without it (or written before it was read);
    BadValue naming the field when `decode` refuses it."""
    if doc.get(key) is None:
        return None
    try:
        return decode(doc[key])
    except bad as exc:
        raise BadValue(f"{key}.{exc}") from None


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(doc: Any, raw: bytes) -> Any:
    """`doc` (parsed from `raw` by the standard json module) with every lone UTF-16 surrogate
    replaced by U+FFFD. JSON may escape one ("\\ud800"); Python keeps it in the str, and it then
    fails every UTF-8 write of a report. Proper pairs are already joined by the parser. Only walks
    the document when `raw` has such an escape at all."""
    if not _SURROGATE_ESCAPE.search(raw):
        return doc
    return _scrub(doc)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value


def check_readable(path: str | Path) -> None:
    """SnapshotError (exit 2), as load_snapshot says it, when the file cannot be opened: asked before
    anything else the audit reads, so a mistyped --snapshot is said first, not after the policies'
    errors (whose advice names --snapshot)."""
    try:
        Path(path).open("rb").close()
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read snapshot: {exc.strerror}") from None


def load_snapshot(path: str | Path) -> TenantSnapshot:
    """Read and validate a snapshot file; SnapshotError (exit 2) names the file and field."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read snapshot: {exc.strerror}") from None
    try:
        doc = replace_lone_surrogates(json.loads(data), data)
    except UnicodeDecodeError:
        raise SnapshotError(f"{path}: snapshot is not UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:  # absurd nesting, integers beyond Python's digit limit
        raise SnapshotError(f"{path}: invalid JSON: {type(exc).__name__}: {str(exc)[:120]}") from None
    try:
        return snapshot_from_json(doc)
    except BadValue as exc:
        raise SnapshotError(f"{path}: invalid snapshot: {exc}") from None
