"""Reading snapshot files and Graph's answers into the model.

One decoder (UserDecoder: the msgspec typed structs of auditor.snapshot.format) turns the users of
Graph's pages and of a snapshot file into model Users; the *_from_graph readers do the same for
SKUs, subscriptions and groups. Every error names the field (and the caller the item, file or
Graph request).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec
import orjson

from ..attributes import PageReader, is_path, pairs_from
from ..errors import SnapshotError
from ..model import (
    NO_MAILBOX,
    AssignedLicense,
    Cloud,
    Gap,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    Profile,
    ServicePlan,
    Sku,
    Subscription,
    TenantSnapshot,
    User,
)
from ..timestamps import timestamp_or_none
from ..usage_reports import USAGE_REPORTS, BadUsage, usage_from_json
from .format import (
    _USER_TYPES,
    KIND,
    SCHEMA_VERSION,
    SIGN_IN_ACTIVITY,
    _License,
    _page_type,
    _SignIn,
    _State,
)


class BadValue(Exception):
    """A field of a snapshot or Graph answer is malformed (the message names it; the reader adds the
    location). The collector catches it from UserDecoder and the *_from_graph readers."""


def _str(obj: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise BadValue(f"{key}: missing")
        return None
    if not isinstance(value, str):
        raise BadValue(f"{key}: expected a string, got {type(value).__name__}")
    return value


def _req(obj: dict[str, Any], key: str) -> str:
    value = _str(obj, key)
    if not value:
        raise BadValue(f"{key}: empty")
    return value


def _int(obj: dict[str, Any], key: str, default: int | None = None) -> int:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"{key}: expected an integer, got {type(value).__name__}")
    if value < 0:
        raise BadValue(f"{key}: {value} is negative")
    return value


def _when(obj: dict[str, Any], key: str, required: bool = False) -> str | None:
    """An ISO-8601 date-time as Graph writes it, kept as text; a malformed one is an error, not 'never'."""
    return _check_when(_str(obj, key, required=required), key)


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadValue(f"{key}: expected a list, got {type(value).__name__}")
    return value


def _strs(values: list[Any], key: str) -> tuple[str, ...]:
    for v in values:
        if not isinstance(v, str):
            raise BadValue(f"{key}: expected strings")
    return tuple(sorted(values)) if key == "disabledPlans" else tuple(values)


# --- users: the structs of auditor.snapshot.format, decoded by msgspec, then checked and built ---

_PAGES = tuple(tuple(msgspec.json.Decoder(_page_type(t)) for t in pair) for pair in _USER_TYPES)
_LISTS = tuple(tuple(msgspec.json.Decoder(list[t]) for t in pair) for pair in _USER_TYPES)  # type: ignore[valid-type]
_CHUNK = 1000  # users of a parsed list decoded at a time
_NO_SIGN_IN = _SignIn()
# msgspec's ValidationError carries its path only in its text, so _problem reads the text with
# these patterns to name the field in the product's words; a message they do not match is passed on
# as msgspec wrote it.
_AT = re.compile(r"^(.*?)(?: - at `\$(.*)`)?$", re.DOTALL)
_MISSING = re.compile(r"Object missing required field `([^`]*)`")
_EXPECTED = re.compile(r"Expected `([^`]*)`, got `([^`]*)`")


class BadItem(BadValue):
    """Item `index` of a list of users is malformed; the message names the field."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def _problem(exc: msgspec.ValidationError, prefix: str = "", *, selected: bool = False,
             indexed: bool = True) -> tuple[int | None, str]:
    """(the list index, "field: what is wrong") from msgspec's message, e.g. "Expected `bool |
    null`, got `int` - at `$.value[3].accountEnabled`" -> (3, "accountEnabled: expected true,
    false or null, got int")."""
    match = _AT.match(str(exc))
    text, path = (match.group(1), match.group(2) or "") if match else (str(exc), "")
    path = path.removeprefix(".value")
    index = None
    found = re.match(r"\[(\d+)\]\.?", path) if indexed else None
    if found:
        index, path = int(found.group(1)), path[found.end():]
    path = prefix + path if path.startswith("[") or not prefix or not path else f"{prefix}.{path}"
    missing = _MISSING.match(text)
    if missing:
        where = f"{path}.{missing.group(1)}" if path else missing.group(1)
        tail = ", though $select asked for it; the answer is incomplete" if selected and not path else ""
        return index, f"{where}: missing{tail}"
    if "of length >= 1" in text:
        return index, _field(path, "empty")
    expected = _EXPECTED.match(text)
    if expected and expected.group(2) == "null":  # a required value given as null
        return index, _field(path, "missing")
    if expected:
        return index, _field(path, f"expected {_kind(expected.group(1))}, got {_kind(expected.group(2))}")
    return index, _field(path, text)


def _field(path: str, text: str) -> str:
    return f"{path}: {text}" if path else text


_KINDS = {"str": "a string", "bool": "true/false", "int": "an integer", "float": "a number", "null": "null",
          "array": "a list", "object": "an object"}


def _kind(text: str) -> str:
    return " or ".join(_KINDS.get(part.strip(), part.strip()) for part in text.split("|"))


def _check_when(text: str | None, field: str) -> str | None:
    """`text` when it is None or an ISO-8601 date-time; else BadValue naming `field`. Graph writes
    no blanks around one, and a date-time with them is malformed (parse_timestamp would strip them)."""
    if text is not None and (text != text.strip() or timestamp_or_none(text) is None):
        raise BadValue(f"{field}: {text!r} is not an ISO-8601 date-time")
    return text


class UserDecoder:
    """Turns Graph user JSON (pages of `/users`, a snapshot's `users`) into model Users.

    Users with equal shared values (auditor.model.Profile) get one Profile object, and equal
    license lists, license states and texts one object each."""

    def __init__(self, with_sign_in: bool, *, selected: bool = False, attributes: Sequence[str] = ()) -> None:
        """`selected`: the users come from Graph with `$select` of SELECTED_USER_FIELDS, so each of
        those fields must be present (a snapshot file's users need not carry them all).
        `attributes`: the attribute paths (auditor.attributes) each user keeps in User.attributes."""
        self.with_sign_in = with_sign_in
        self.attributes = PageReader(attributes) if attributes else None
        self.selected = selected
        self._page = _PAGES[selected][with_sign_in]
        self._list = _LISTS[selected][with_sign_in]
        self._strings: dict[str, str] = {}
        self._licenses: dict[tuple[_License, ...], tuple[AssignedLicense, ...]] = {}
        self._states: dict[tuple[_State, ...], tuple[LicenseAssignmentState, ...]] = {}
        self._profiles: dict[tuple[Any, ...], Profile] = {}

    def _intern(self, s: str | None) -> str | None:
        return None if s is None else self._strings.setdefault(s, s)

    # --- whole lists ------------------------------------------------------------------------

    def page(self, body: bytes) -> tuple[str | None, Callable[[], list[User] | None]] | None:
        """Decode a Graph page of users from its bytes, in two steps: (`@odata.nextLink`, a
        function that returns the page's users), so the next page can be requested before the
        users are built. None (from either step): the page is not JSON this decoder reads as it
        stands (or a user on it is malformed); the caller parses it leniently and hands its
        `value` to `values`, which gives the same users or names the malformed one."""
        try:
            wire = self._page.decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None

        def users() -> list[User] | None:
            pairs: Sequence[tuple[tuple[str, str], ...]] = ()
            if self.attributes is not None:
                found = self.attributes.read(body)
                if found is None or len(found) != len(wire.value):
                    return None
                pairs = found
            try:
                return self._users(wire.value, pairs)
            except BadItem:
                return None

        return wire.next_link, users

    def values(self, items: Iterable[Any]) -> list[User]:
        """The users of a parsed list (a page's `value`, a snapshot's `users`, or any iterable of
        them); BadItem names the first malformed one (its index and field)."""
        out: list[User] = []
        source = iter(items)
        for start in itertools.count(0, _CHUNK):
            chunk = list(itertools.islice(source, _CHUNK))
            if not chunk:
                break
            try:
                wire = self._list.decode(orjson.dumps(chunk))
            except msgspec.ValidationError as exc:
                index, message = _problem(exc, selected=self.selected)
                if index is None:
                    raise BadValue(message) from None
                raise BadItem(start + index, message) from None
            except (TypeError, msgspec.DecodeError) as exc:  # not JSON values
                raise BadValue(f"not JSON: {exc}") from None
            pairs: Sequence[tuple[tuple[str, str], ...]] = ()
            if self.attributes is not None:
                reader = self.attributes
                pairs = [reader.intern(pairs_from(raw, reader.paths)) for raw in chunk]
            try:
                out += self._users(wire, pairs)
            except BadItem as exc:
                raise BadItem(start + exc.index, str(exc)) from None
        return out

    def user(self, raw: Any) -> User:
        """One user from parsed JSON; BadValue names the first malformed field."""
        try:
            return self.values([raw])[0]
        except BadItem as exc:
            raise BadValue(str(exc)) from None

    def _users(self, wire: Sequence[Any], pairs: Sequence[tuple[tuple[str, str], ...]]) -> list[User]:
        out = []
        for i, w in enumerate(wire):
            try:
                out.append(self._user(w, pairs[i] if pairs else ()))
            except BadValue as exc:
                raise BadItem(i, str(exc)) from None
        return out

    # --- one user ---------------------------------------------------------------------------

    def _user(self, w: Any, attributes: tuple[tuple[str, str], ...]) -> User:
        """The model User of a decoded wire user; BadValue names a malformed field."""
        shared_states, states = self._license_states(w.licenseAssignmentStates)
        profile = self._profile(w, self._assigned(w.assignedLicenses), shared_states)
        last = last_ni = last_ok = None
        if self.with_sign_in:
            activity = w.signInActivity or _NO_SIGN_IN
            last = _check_when(activity.lastSignInDateTime, "signInActivity.lastSignInDateTime")
            last_ni = _check_when(activity.lastNonInteractiveSignInDateTime,
                                  "signInActivity.lastNonInteractiveSignInDateTime")
            last_ok = _check_when(activity.lastSuccessfulSignInDateTime, "signInActivity.lastSuccessfulSignInDateTime")
        return User(w.id, w.userPrincipalName, w.displayName or "", profile, states,
                    w.createdDateTime, last, last_ni, last_ok, attributes)

    def _profile(self, w: Any, licenses: tuple[AssignedLicense, ...],
                 states: tuple[LicenseAssignmentState, ...]) -> Profile:
        """The one Profile object of the users with the values of `w` (licenses and states are
        shared objects already, so their identities stand for their values in the key)."""
        mailbox = w.mailboxSettings
        key = (w.accountEnabled, w.userType, w.department, w.usageLocation,
               mailbox is msgspec.UNSET, mailbox is None, None if not mailbox else mailbox.userPurpose,
               id(licenses), id(states))
        found = self._profiles.get(key)
        if found is None:
            purpose = (None if mailbox is msgspec.UNSET else NO_MAILBOX if mailbox is None
                       else self._intern(mailbox.userPurpose))
            found = self._profiles[key] = Profile(
                w.accountEnabled is not False, self._intern(w.userType or "Member") or "",
                self._intern(w.department), self._intern(w.usageLocation), purpose, licenses, states,
                frozenset(lic.sku_id.lower() for lic in licenses))
        return found

    def _assigned(self, wire: list[_License] | None) -> tuple[AssignedLicense, ...]:
        key = tuple(wire or ())
        found = self._licenses.get(key)
        if found is None:
            found = self._licenses[key] = tuple(
                AssignedLicense(self._intern(lic.skuId) or "", tuple(sorted(lic.disabledPlans or ()))) for lic in key)
        return found

    def _license_states(self, wire: list[_State] | None) -> tuple[tuple[LicenseAssignmentState, ...],
                                                                  tuple[LicenseAssignmentState, ...]]:
        """(the states as users share them, without lastUpdatedDateTime; the user's own, with it)."""
        if not wire:
            return (), ()
        times = [st.lastUpdatedDateTime for st in wire]
        if all(t is None for t in times):
            shared = self._shared_states(tuple(wire))
            return shared, shared
        for j, t in enumerate(times):
            _check_when(t, f"licenseAssignmentStates[{j}].lastUpdatedDateTime")
        shared = self._shared_states(tuple(msgspec.structs.replace(st, lastUpdatedDateTime=None) for st in wire))
        return shared, tuple(msgspec.structs.replace(s, last_updated_date_time=t) if t is not None else s
                             for s, t in zip(shared, times, strict=True))

    def _shared_states(self, key: tuple[_State, ...]) -> tuple[LicenseAssignmentState, ...]:
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = tuple(LicenseAssignmentState(
                self._intern(st.skuId) or "",
                self._intern(st.assignedByGroup),
                self._intern(st.state or "Active") or "",
                self._intern(st.error or "None") or "",
                tuple(sorted(st.disabledPlans or ())),
            ) for st in key)
        return found

    def licenses(self, raw: list[Any]) -> tuple[AssignedLicense, ...]:
        """A group's assignedLicenses (parsed JSON); BadValue names the item and field."""
        try:
            decoded = msgspec.convert(raw, list[_License], strict=True)
        except msgspec.ValidationError as exc:
            raise BadValue(_problem(exc, "assignedLicenses", indexed=False)[1]) from None
        return self._assigned(decoded)


def sku_from_graph(raw: Any) -> Sku:
    if not isinstance(raw, dict):
        raise BadValue("expected an object")
    prepaid = raw.get("prepaidUnits") or {}
    if not isinstance(prepaid, dict):
        raise BadValue("prepaidUnits: expected an object")
    plans = []
    for p in _list(raw, "servicePlans"):
        if not isinstance(p, dict):
            raise BadValue("servicePlans: expected objects")
        plans.append(
            ServicePlan(
                _req(p, "servicePlanId"),
                _str(p, "servicePlanName", required=False) or "",
                _str(p, "provisioningStatus", required=False) or "",
                _str(p, "appliesTo", required=False) or "",
            )
        )
    return Sku(
        id=_str(raw, "id", required=False) or "",
        sku_id=_req(raw, "skuId"),
        sku_part_number=_req(raw, "skuPartNumber"),
        applies_to=_str(raw, "appliesTo", required=False) or "",
        capability_status=_str(raw, "capabilityStatus", required=False) or "Enabled",
        consumed_units=_int(raw, "consumedUnits", 0),
        prepaid_units=PrepaidUnits(
            _int(prepaid, "enabled", 0),
            _int(prepaid, "suspended", 0),
            _int(prepaid, "warning", 0),
            _int(prepaid, "lockedOut", 0),
        ),
        service_plans=tuple(plans),
    )


def subscription_from_graph(raw: Any) -> Subscription:
    if not isinstance(raw, dict):
        raise BadValue("expected an object")
    trial = raw.get("isTrial", False)
    if not isinstance(trial, bool):
        raise BadValue("isTrial: expected true or false")
    return Subscription(
        id=_req(raw, "id"),
        sku_id=_req(raw, "skuId"),
        sku_part_number=_str(raw, "skuPartNumber", required=False) or "",
        status=_str(raw, "status", required=False) or "Enabled",
        is_trial=trial,
        total_licenses=_int(raw, "totalLicenses", 0),
        created_date_time=_str(raw, "createdDateTime", required=False),
        next_lifecycle_date_time=_when(raw, "nextLifecycleDateTime"),
    )


def group_from_graph(raw: Any, decoder: UserDecoder) -> Group:
    if not isinstance(raw, dict):
        raise BadValue("expected an object")
    return Group(
        id=_req(raw, "id"),
        display_name=_str(raw, "displayName", required=False) or "",
        assigned_licenses=decoder.licenses(_list(raw, "assignedLicenses")),
        members=_strs(_list(raw, "members"), "members"),
        has_members_with_license_errors=_flag(raw, "hasMembersWithLicenseErrors"),
    )


def _flag(raw: dict[str, Any], key: str) -> bool | None:
    """An optional boolean: absent or null is None (not known), never False."""
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise BadValue(f"{key}: expected true, false or null")


def gap_from_json(raw: Any) -> Gap:
    if not isinstance(raw, dict):
        raise BadValue("expected an object")
    return Gap(_req(raw, "part"), _str(raw, "request", required=False) or "", _req(raw, "reason"))


def _decode_all(items: list[Any], where: str, fn: Any) -> list[Any]:
    out = []
    for i, raw in enumerate(items):
        try:
            out.append(fn(raw))
        except BadValue as exc:
            raise BadValue(f"{where}[{i}]{_ident(raw)}.{exc}") from None
    return out


def _ident(raw: Any) -> str:
    """How an error names an item of a list: " (its UPN or id)" when it has one."""
    ident = raw.get("userPrincipalName") or raw.get("id") if isinstance(raw, dict) else None
    return f" ({ident})" if isinstance(ident, str) else ""


def _users(decoder: UserDecoder, items: list[Any], where: str) -> list[User]:
    try:
        return decoder.values(items)
    except BadItem as exc:
        raise BadValue(f"{where}[{exc.index}]{_ident(items[exc.index])}.{exc}") from None
    except BadValue as exc:
        raise BadValue(f"{where}: {exc}") from None


def snapshot_from_json(doc: Any) -> TenantSnapshot:
    """Validate and decode a parsed snapshot document; raises BadValue with a JSON path."""
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
    parts = frozenset(_strs(_list(doc, "collectedParts"), "collectedParts"))
    attributes = _strs(_list(doc, "userAttributes"), "userAttributes")
    for i, path in enumerate(attributes):
        if not is_path(path):
            raise BadValue(f"userAttributes[{i}]: {path[:100]!r} is not a user attribute path (see docs/policy.md)")
    audits = None
    if doc.get("directoryAudits") is not None:
        from ..directory_audits import BadAudit, audits_from_json  # only a snapshot saved with --causes holds them

        try:
            audits = audits_from_json(doc["directoryAudits"])
        except BadAudit as exc:
            raise BadValue(f"directoryAudits.{exc}") from None
    decoder = UserDecoder(with_sign_in=SIGN_IN_ACTIVITY in parts, attributes=attributes)
    _when(doc, "collectedAt", required=True)
    users = _users(decoder, doc["users"], "users")
    seen: set[str] = set()
    for i, u in enumerate(users):
        if u.id in seen:
            raise BadValue(f"users[{i}] ({u.user_principal_name}).id: {u.id} appears twice")
        seen.add(u.id)
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
        collected_parts=parts,
        notes=_strs(_list(doc, "notes"), "notes"),
        user_attributes=attributes,
        directory_audits=audits,
        usage_reports=_usage_reports(doc),
    )


def _usage_reports(doc: dict[str, Any]) -> Any:
    if doc.get(USAGE_REPORTS) is None:
        return None
    try:
        return usage_from_json(doc[USAGE_REPORTS])
    except BadUsage as exc:
        raise BadValue(f"{USAGE_REPORTS}.{exc}") from None


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

