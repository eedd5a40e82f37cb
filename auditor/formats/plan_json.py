"""Reading plan.json strictly: every field apply relies on is checked, and an error names the file and field.

A plan is written by `license-auditor plan` and may have been edited or corrupted on its way to
the machine that applies it, so nothing in it is trusted: ids must be GUIDs, each change's path
must be exactly the documented Graph path for its kind and ids (no other request can be smuggled
in), its body must have the documented shape, and its preconditions must be ones apply can check.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import msgspec

from auditor.common import shapes
from auditor.common.errors import UsageError
from auditor.common.json_value import JsonObject
from auditor.common.timestamps import timestamp_or_none
from auditor.data.enums import AccountKind
from auditor.data.model import Cloud
from auditor.data.usage_data import is_date
from auditor.formats.change_model import AddedLicense, Body, DataKept, Precondition
from auditor.formats.change_model import Change as Change  # re-exported: apply imports it from here
from auditor.formats.plan_records import Filters, Stopped

from ..graph.clouds import ENDPOINTS
from ..graph.hosts import LOOPBACK

PLAN_VERSION = 1
GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")
USER_TYPE = re.compile(r"^[A-Za-z]{1,40}\Z")  # Member, Guest
SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
COUNTRY = re.compile(r"^[A-Z]{2}\Z")  # usageLocation: ISO 3166-1 alpha-2
MAX_PLAN_BYTES = 64 * 1024 * 1024
KINDS = ("assign_license", "add_member", "remove_member", "reprocess", "set_usage_location")
# Graph's canonical request per kind: method and path template (relative to the v1.0 endpoint)
REQUESTS: dict[str, tuple[str, str]] = {
    "assign_license": ("POST", "/users/{user}/assignLicense"),
    "add_member": ("POST", "/groups/{group}/members/$ref"),
    "remove_member": ("DELETE", "/groups/{group}/members/{user}/$ref"),
    "reprocess": ("POST", "/users/{user}/reprocessLicenseAssignment"),
    "set_usage_location": ("PATCH", "/users/{user}"),
}


# an undo's change (a journal line's `action`): the preconditions of the change it reverses
REVERSED = "reversed_precondition"


class PlanFileError(UsageError):
    """plan.json (or a journal) is not what apply can run: exit 2, naming the file and the field."""


@dataclass(frozen=True)
class PlanFile:
    """plan.json as apply read and checked it: the change set `plan` wrote (a ChangePlan, in
    auditor.formats.plan_records), reduced to what apply runs. A separate class on purpose: the file may
    have been edited on its way, so apply builds this from the file's checked fields only."""

    path: Path
    tenant_id: str  # lower case
    tenant_name: str
    cloud: Cloud
    changes: tuple[Change, ...]
    stopped: Stopped | None  # where the plan stopped (no free seat): plan.json's `stopped`, checked
    created_at: str | None
    sha256: str = ""  # of the file's bytes: an apply journal names the plan by it
    # when the tenant data the plan rests on was read (report.json's collected_at); None in a plan
    # written before it was recorded (its age is then measured from created_at alone)
    report_collected_at: str | None = None
    # the policy files the plan's report was audited with (audit them again with these); () in a plan
    # written before they were recorded
    policy_files: tuple[str, ...] = ()
    # each policy file's SHA-256 as the audit read it (check_policies); () in a plan written before
    # they were recorded
    policy_sha256: tuple[tuple[str, str], ...] = ()
    # which findings the plan was compiled for (plan.json's `filters`): apply compiles again with them
    filters: Filters = field(default_factory=Filters)


class Where:
    """Builds error messages that name the file and the field (`changes[2].body.addLicenses[0].skuId`)."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def error(self, field: str, message: str) -> PlanFileError:
        where = f"{self.file}: {field}: " if field else f"{self.file}: "
        return PlanFileError(where + message)


def load_plan(path: Path) -> PlanFile:
    """Read and validate plan.json; PlanFileError (exit 2) says what is wrong and where."""
    where = Where(path)
    data = read_bounded(path, where, "a plan")
    doc = _parse_json(data, where)
    if not isinstance(doc, dict):
        raise where.error("", "not a plan: the file holds JSON but not an object")
    version = doc.get("plan_version")
    if version != PLAN_VERSION:
        raise where.error(
            "plan_version",
            f"is {version!r}; this license-auditor reads plan_version {PLAN_VERSION} "
            "(re-run `license-auditor plan` with this version)",
        )
    tenant_id = _guid(doc.get("tenant_id"), "tenant_id", where, "")
    tenant_name = doc.get("tenant_name", "")
    if not isinstance(tenant_name, str):
        raise where.error("tenant_name", "must be a string")
    cloud = parse_cloud(doc.get("cloud"), where, "cloud")
    changes_doc = doc.get("changes")
    if not isinstance(changes_doc, list):
        raise where.error("changes", "must be a list of changes")
    changes: list[Change] = []
    for i, item in enumerate(changes_doc):
        change = parse_change(item, where, f"changes[{i}]")
        if change.n != i + 1:
            raise where.error(f"changes[{i}].n", f"is {change.n}; changes are numbered 1, 2, ... in order")
        for dep in change.depends_on:
            if not 1 <= dep < change.n:
                raise where.error(f"changes[{i}].depends_on", f"names change {dep}, which does not come before it")
        changes.append(change)
    stopped = _stopped(doc.get("stopped"), where)
    created = doc.get("created_at")
    read_at = doc.get("report_collected_at")
    files = doc.get("policy_files", [])
    if not isinstance(files, list) or not all(
        isinstance(f, str) and 0 < len(f) <= 4096 and "\0" not in f for f in files
    ):
        raise where.error("policy_files", "must be a list of file paths")
    digests = doc.get("policy_sha256", {})
    if not isinstance(digests, dict) or not all(
        0 < len(f) <= 4096 and "\0" not in f and isinstance(d, str) and SHA256.match(d) for f, d in digests.items()
    ):
        raise where.error("policy_sha256", "must map each policy file to the SHA-256 of its bytes")
    filters = _filters(doc.get("filters"), where)
    return PlanFile(
        path,
        tenant_id,
        tenant_name,
        cloud,
        tuple(changes),
        stopped,
        created if isinstance(created, str) else None,
        hashlib.sha256(data).hexdigest(),
        read_at if isinstance(read_at, str) else None,
        tuple(files),
        tuple(sorted(digests.items())),
        filters,
    )


def _filters(value: object, where: Where) -> Filters:
    """plan.json's `filters` (absent in an older plan: every finding): which findings it was compiled for."""
    if value is None:
        return Filters()
    if not isinstance(value, dict):
        raise where.error("filters", "must be an object (rules, min_severity, findings)")
    names: dict[str, tuple[str, ...] | None] = {}
    for key in ("rules", "findings"):
        given = value.get(key)
        if given is not None and not (isinstance(given, list) and all(isinstance(v, str) and v for v in given)):
            raise where.error(f"filters.{key}", "must be a list of ids, or null")
        names[key] = None if given is None else tuple(given)
    severity = value.get("min_severity")
    if severity is not None and not isinstance(severity, str):
        raise where.error("filters.min_severity", "must be a severity, or null")
    return Filters(names["rules"], severity, names["findings"])


CLOCK_SKEW = timedelta(minutes=5)  # a plan "created" later than now by more than this is refused


def check_age(plan: PlanFile, max_age: timedelta, now: datetime) -> None:
    """Refuse (PlanFileError, exit 2) a plan created more than `max_age` before `now`.

    A plan's changes rest on the tenant as the audit saw it; the older it is, the more of that has
    changed (the re-checks before each change catch the licenses and memberships, not every fact a
    finding rests on). Age is measured from plan.json's `created_at`; a plan without a readable one
    counts as too old, and so does one dated more than a few minutes after `now` (its age cannot be
    told: a wrong clock, or an edited file)."""
    where = Where(plan.path)
    created = _moment(plan.created_at)
    if created is None:
        shown = "missing" if plan.created_at is None else f"{_short(plan.created_at)} is not a UTC time (ISO 8601)"
        raise where.error(
            "created_at",
            f"{shown}: the plan's age cannot be told, so it counts as older than --max-age; audit and plan again",
        )
    age = now - created
    if age < -CLOCK_SKEW:
        raise where.error(
            "created_at",
            f"{plan.created_at} is {span(-age)} after now ({_iso(now)}): the plan's age "
            "cannot be told; check this machine's clock, or audit and plan again",
        )
    # a plan made today from a report read weeks ago rests on the tenant as it was weeks ago
    read = _moment(plan.report_collected_at)
    if read is not None and now - read > max_age and read < created:
        raise where.error(
            "report_collected_at",
            f"the plan rests on tenant data read {plan.report_collected_at}, "
            f"{span(now - read)} ago, more than --max-age {span(max_age)} (the plan itself was "
            f"created {plan.created_at}): the tenant may have changed since; audit and plan again "
            "(or allow older data with --max-age)",
        )
    if age > max_age:
        raise where.error(
            "created_at",
            f"the plan was created {plan.created_at}, {span(age)} ago, more than "
            f"--max-age {span(max_age)}: the tenant may have changed since; audit and plan again "
            "(or allow an older plan with --max-age)",
        )


def check_policies(plan: PlanFile) -> None:
    """Refuse (PlanFileError, exit 2) a plan whose policy files hold other bytes now than the audit
    judged by, or cannot be read here.

    A plan's findings were judged under its report's policy: a waiver, an exception, a declaration,
    a grace period or an inactivity window added or changed since can make a planned change one the
    policy no longer asks for, and apply re-reads the tenant, not the policy. So the plan is applied
    only under the very policy files it was judged under (report.json's `policy_sha256`, carried on
    by plan.json); paths are as audit was given them, so apply runs from the folder audit ran in."""
    where = Where(plan.path)
    for file, digest in plan.policy_sha256:
        try:
            now = hashlib.sha256(Path(file).read_bytes()).hexdigest()
        except OSError as exc:
            raise where.error(
                "policy_sha256",
                f"the policy file {file} the plan was judged under cannot be read here ({exc.strerror or exc}): "
                "whether its policy still holds cannot be told; run apply from the folder audit ran in, "
                "or audit and plan again",
            ) from None
        if now != digest:
            raise where.error(
                "policy_sha256",
                f"the policy file {file} changed since the audit the plan was made from (SHA-256 "
                f"{digest[:12]}… then, {now[:12]}… now): its findings were judged under another policy; "
                "audit and plan again",
            )


def _moment(text: str | None) -> datetime | None:
    return timestamp_or_none(text, require_zone=True)


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def span(delta: timedelta) -> str:
    """A duration as people say it: "9 days 3 hours", "36 hours", "12 minutes"."""
    minutes = int(delta.total_seconds() // 60)
    days, hours = divmod(minutes // 60, 24)
    if days and hours:
        return f"{days} day{'s' * (days != 1)} {hours} hour{'s' * (hours != 1)}"
    if days:
        return f"{days} day{'s' * (days != 1)}"
    if hours:
        return f"{hours} hour{'s' * (hours != 1)}"
    return f"{minutes} minute{'s' * (minutes != 1)}"


def read_bounded(path: Path, where: Where, what: str) -> bytes:
    """The file's bytes, at most MAX_PLAN_BYTES; a missing, unreadable or larger file is named."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError:
        raise where.error("", "no such file") from None
    except OSError as exc:
        raise where.error("", f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > MAX_PLAN_BYTES:
        raise where.error("", f"larger than {MAX_PLAN_BYTES // (1024 * 1024)} MB; not {what}")
    return data


def _parse_json(data: bytes, where: Where) -> object:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise where.error("", "not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise where.error("", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise where.error("", "nested too deeply to be a plan") from None


def parse_cloud(value: object, where: Where, field: str) -> Cloud:
    try:
        cloud = Cloud(value)
    except ValueError:
        raise where.error(field, f"{value!r} is not a cloud ({', '.join(c.value for c in ENDPOINTS)})") from None
    if cloud not in ENDPOINTS:
        raise where.error(field, f"{cloud.value!r} has no Microsoft Graph endpoint to apply changes to")
    return cloud


def _guid(value: object, key: str, where: Where, prefix: str) -> str:
    """`value`, the field `key` of the object at `prefix`, as a lower-case object id (GUID)."""
    field = f"{prefix}.{key}" if prefix else key
    if not isinstance(value, str) or not GUID.match(value):
        shown = "missing" if value is None else f"{_short(value)} is not an object id (GUID)"
        raise where.error(field, shown)
    return value.lower()


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _stopped(value: object, where: Where) -> Stopped | None:
    """plan.json's `stopped` (null, or the Stopped record plan wrote), held to its fields' types."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise where.error("stopped", "must be null or an object")
    try:
        return shapes.convert(value, Stopped)
    except msgspec.ValidationError as exc:
        raise where.error("stopped", f"is not the record plan writes: {exc}") from None


def parse_change(item: object, where: Where, field: str) -> Change:
    """One change (plan.json `changes[i]`, or a journal line's `action`), validated against Graph's contract."""
    if not isinstance(item, dict):
        raise where.error(field, "must be an object")
    n = item.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise where.error(f"{field}.n", "must be a positive whole number")
    kind = item.get("kind")
    if kind not in KINDS:
        hint = " (a lookup is a read for a person, never a change to apply)" if kind == "lookup" else ""
        raise where.error(f"{field}.kind", f"{_short(kind)} is not a change apply can make ({', '.join(KINDS)}){hint}")
    if item.get("ready", True) is not True:
        raise where.error(
            f"{field}.ready",
            f"is {_short(item.get('ready'))}: a change a person must finish "
            f"({_short(item.get('blocked'))}) cannot be applied",
        )
    user = _guid(item.get("user"), "user", where, field)
    group: str | None = None
    if kind in ("add_member", "remove_member"):
        group = _guid(item.get("group"), "group", where, field)
    elif item.get("group") is not None:
        raise where.error(f"{field}.group", f"must be null for {kind}")
    method, template = REQUESTS[kind]
    expected = template.format(user=user, group=group)
    if not isinstance(item.get("method"), str) or item["method"].upper() != method:
        raise where.error(f"{field}.method", f"is {_short(item.get('method'))}; {kind} is {method}")
    path = item.get("path")
    if not isinstance(path, str) or path.lower() != expected.lower():
        raise where.error(f"{field}.path", f"is {_short(path)}; {kind} for these ids is {method} {expected}")
    body = _body(kind, item.get("body"), user, where, f"{field}.body")
    description = item.get("description", "")
    if not isinstance(description, str):
        raise where.error(f"{field}.description", "must be a string")
    precondition = _preconditions(item.get("precondition", []), where, f"{field}.precondition")
    seats = item.get("seats") or {}
    if not isinstance(seats, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in seats.items()
    ):
        raise where.error(f"{field}.seats", "must map product part numbers to whole numbers")
    deps = item.get("depends_on") or []
    if not isinstance(deps, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in deps):
        raise where.error(f"{field}.depends_on", "must be a list of change numbers")
    return Change(
        n,
        kind,
        method,
        expected,
        body,
        description,
        user,
        group,
        precondition,
        dict(seats),
        _findings(item.get("findings") or [], where, f"{field}.findings"),
        tuple(deps),
        _data_kept(item.get("data_kept") or [], where, f"{field}.data_kept"),
        _preconditions(item[REVERSED], where, f"{field}.{REVERSED}") if REVERSED in item else None,
        item,  # its fields checked above: kept as written, journaled as `action`
    )


def _findings(value: object, where: Where, field: str) -> tuple[str, ...]:
    """A change's `findings`: the ids of the findings it fixes (an undo's change names none)."""
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        raise where.error(field, "must be a list of finding ids")
    return tuple(value)


def _data_kept(value: object, where: Where, field: str) -> tuple[DataKept, ...]:
    """A change's `data_kept` (the admin's declarations that made a removal ready), kept as written: apply
    journals them and does not act on them."""
    if not isinstance(value, list) or not all(isinstance(kept, dict) for kept in value):
        raise where.error(field, "must be a list of data_kept declarations (objects)")
    return tuple(cast(DataKept, dict(kept)) for kept in value)


def _guid_list(value: object, where: Where, field: str) -> list[str]:
    if not isinstance(value, list):
        raise where.error(field, "must be a list of GUIDs")
    out = []
    for i, v in enumerate(value):
        if not isinstance(v, str) or not GUID.match(v):
            raise where.error(f"{field}[{i}]", f"{_short(v)} is not a GUID")
        out.append(v.lower())
    return out


def _body(kind: str, body: object, user: str, where: Where, field: str) -> Body | None:
    if kind in ("remove_member", "reprocess"):
        if body not in (None, {}):
            raise where.error(field, f"must be null: {kind} sends no body")
        return None
    if not isinstance(body, dict):
        raise where.error(field, f"must be an object for {kind}")
    if kind == "assign_license":
        return _assign_body(body, where, field)
    if kind == "add_member":
        ref = body.get("@odata.id")
        if set(body) != {"@odata.id"} or not isinstance(ref, str):
            raise where.error(field, 'must be {"@odata.id": ".../directoryObjects/<user id>"}')
        tail = ref.rstrip("/").rsplit("/", 2)
        if not _graph_url(ref) or len(tail) != 3 or tail[1] != "directoryObjects" or tail[2].lower() != user:
            raise where.error(f"{field}.@odata.id", f"{_short(ref)} does not refer to directoryObjects/{user}")
        return {"@odata.id": ref}
    # set_usage_location
    location = body.get("usageLocation")
    if set(body) != {"usageLocation"} or not isinstance(location, str) or not COUNTRY.match(location):
        raise where.error(field, 'must be {"usageLocation": "<two-letter country code>"}')
    return {"usageLocation": location}


def _assign_body(body: JsonObject, where: Where, field: str) -> Body:
    """assignLicense's body: products to add (each with its disabled plans) and to remove."""
    unknown = set(body) - {"addLicenses", "removeLicenses"}
    if unknown:
        raise where.error(f"{field}.{sorted(unknown)[0]}", "is not a parameter of assignLicense")
    adds = body.get("addLicenses", [])
    if not isinstance(adds, list):
        raise where.error(f"{field}.addLicenses", "must be a list of assignedLicense objects")
    added: list[AddedLicense] = []
    for i, lic in enumerate(adds):
        f = f"{field}.addLicenses[{i}]"
        if not isinstance(lic, dict) or set(lic) - {"skuId", "disabledPlans"}:
            raise where.error(f, 'must be an assignedLicense object: {"skuId", "disabledPlans"}')
        sku = _guid(lic.get("skuId"), "skuId", where, f)
        added.append(
            {"disabledPlans": _guid_list(lic.get("disabledPlans", []), where, f"{f}.disabledPlans"), "skuId": sku}
        )
    removed = _guid_list(body.get("removeLicenses", []), where, f"{field}.removeLicenses")
    if not added and not removed:
        raise where.error(field, "adds and removes nothing")
    both = {a["skuId"] for a in added} & set(removed)
    if both:
        raise where.error(field, f"both adds and removes {sorted(both)[0]}")
    if len({a["skuId"] for a in added}) != len(added) or len(set(removed)) != len(removed):
        raise where.error(field, "names a product twice")
    return {"addLicenses": added, "removeLicenses": removed}


def _graph_url(ref: str) -> bool:
    """An https URL, or plain http on the loopback only (the SDK's own rule: a local Graph emulator)."""
    parts = urlsplit(ref)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


ACCOUNT_KINDS = frozenset(k.value for k in AccountKind)
# the facts about the account a finding rests on, and what a value of each must be
_FACTS: dict[str, Callable[[object], bool]] = {
    "account_enabled": lambda v: isinstance(v, bool),
    "user_type": lambda v: isinstance(v, str) and bool(USER_TYPE.match(v)),
    "no_sign_in_within_days": lambda v: _whole(v, 1, 36500),
    "person": lambda v: v is True,  # the account is still one a person signs in to (apply re-reads its kind)
    "account_kind": lambda v: v in ACCOUNT_KINDS,  # the account is still of this kind
    "agent_orphaned": lambda v: isinstance(v, str) and bool(GUID.match(v)),  # this parent agent identity still gone
    # no Copilot use since this day (auditor.apply.copilot_recheck re-reads the Copilot report)
    "copilot_idle_since": is_date,
    # still a member (directly or nested) of one of these groups (a Copilot seat's candidates)
    "in_any_group": lambda v: (
        isinstance(v, list) and 0 < len(v) <= 100 and all(isinstance(g, str) and bool(GUID.match(g)) for g in v)
    ),
}


def _preconditions(value: object, where: Where, field: str) -> tuple[Precondition, ...]:
    if not isinstance(value, list):
        raise where.error(field, "must be a list")
    out: list[Precondition] = []
    for i, cond in enumerate(value):
        f = f"{field}[{i}]"
        if not isinstance(cond, dict):
            raise where.error(f, "must be an object")
        keys = set(cond)
        if keys == {"exists"} and cond["exists"] is True:
            out.append({"exists": True})
        elif "holds" in keys and keys <= {"holds", "how", "group", "active", "plans_on"}:
            out.append(_holds(cond, where, f))
        elif keys == {"lacks"}:
            out.append({"lacks": _guid(cond["lacks"], "lacks", where, f)})
        elif keys == {"member_of"}:
            out.append({"member_of": _guid(cond["member_of"], "member_of", where, f)})
        elif keys == {"not_member_of"}:
            out.append({"not_member_of": _guid(cond["not_member_of"], "not_member_of", where, f)})
        elif len(keys) == 1 and (fact := next(iter(keys))) in _FACTS and _FACTS[fact](cond[fact]):
            out.append(cast(Precondition, {fact: cond[fact]}))  # one fact, its value checked by _FACTS
        else:
            raise where.error(
                f,
                f"{_short(cond)} is not a precondition apply can check (holds, lacks, member_of, "
                "not_member_of, exists, account_enabled, user_type, no_sign_in_within_days, person, account_kind, "
                "agent_orphaned, copilot_idle_since, in_any_group)",
            )
    return tuple(out)


def _holds(cond: JsonObject, where: Where, f: str) -> Precondition:
    """A `holds` precondition: the product, held in any way, directly, or through a group (active or not)."""
    sku = _guid(cond["holds"], "holds", where, f)
    how = cond.get("how")
    if how == "direct" and "group" not in cond:
        return {"holds": sku, "how": "direct"}
    if how == "group" and cond.get("active", False) in (True, False):
        held: Precondition = {"holds": sku, "how": "group", "group": _guid(cond.get("group"), "group", where, f)}
        if cond.get("active"):
            held["active"] = True
        return held
    if how is None and "group" not in cond and cond.get("active", False) in (True, False):
        # a removal that rests on another product: that product still held in a working copy that
        # leaves on the service plans (`plans_on`) that made the removed one redundant
        rests: Precondition = {"holds": sku}
        if cond.get("active"):
            rests["active"] = True
        if "plans_on" in cond:
            rests["plans_on"] = _guid_list(cond["plans_on"], where, f"{f}.plans_on")
        return rests
    raise where.error(f"{f}.how", f'{_short(how)} is not "direct" or "group" (with a group)')


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
