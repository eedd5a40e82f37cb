"""Snapshot files: tenant state as versioned JSON whose field names follow Microsoft Graph.

The same decoders turn Graph JSON into model objects for both the snapshot reader and the
Graph collector, so a snapshot is checkable against Graph field by field.

Layout (schemaVersion 1):
    {"schemaVersion": 1, "kind": "license-auditor/snapshot",
     "tenant": {"id", "displayName", "cloud"}, "collectedAt": ISO-8601,
     "collectedParts": ["signInActivity", "mailboxSettings"],
     "subscribedSkus": [subscribedSku], "subscriptions": [companySubscription],
     "users": [user], "groups": [group + "members": [transitive user ids]
                                  + "hasMembersWithLicenseErrors" when collected],
     "gaps": [{"part", "request", "reason"}],
     "notes": [str]}   (only when the collection left notes for the report's warnings)
A user carries "mailboxSettings": {"userPurpose": ...} when its mailbox purpose was read, and
"mailboxSettings": null when Graph found no mailbox for it. An optional "usageReports" section holds
the Microsoft 365 usage reports the usage rules read (auditor/usage.py describes it).
"""

from __future__ import annotations

import json
import operator
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import msgspec
import orjson

from .attributes import PageReader, is_path, pairs_from, to_graph
from .audits import BadAudit, audits_from_json, audits_to_json
from .errors import SnapshotError
from .model import (
    NO_MAILBOX,
    AssignedLicense,
    Cloud,
    Gap,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    ServicePlan,
    Sku,
    Subscription,
    TenantSnapshot,
    User,
)
from .outputs import atomic_text
from .usage import USAGE_REPORTS, BadUsage, usage_from_json, usage_to_json

SCHEMA_VERSION = 1
KIND = "license-auditor/snapshot"
SIGN_IN_ACTIVITY = "signInActivity"
MAILBOX_SETTINGS = "mailboxSettings"  # collectedParts / Gap.part: the candidates' mailboxSettings/userPurpose
# The groups' hasMembersWithLicenseErrors was read (GET /groups?$filter=hasMembersWithLicenseErrors eq true):
# only then does a group without the flag mean "no member has a license error".
LICENSE_ERROR_GROUPS = "hasMembersWithLicenseErrors"
# Graph's usual date-time text, YYYY-MM-DDTHH:MM:SSZ with a real calendar day (years 0001-9999,
# leap years included): fixed width, so text order is time order. One C-level match, no parsing.
_LEAP = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_DAY = (
    r"(?:(?!0000)\d{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    rf"|(?!0000){_LEAP}-02-29)"
)
PLAIN_UTC = re.compile(_DAY + r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ")


def is_plain_utc(text: Any) -> bool:
    """True for a valid date-time in Graph's usual form. Fast paths (decoding, comparing times as
    text) take only this form and hand anything else to the code that parses."""
    return type(text) is str and PLAIN_UTC.fullmatch(text) is not None


def _valid_when(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


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
    value = _str(obj, key, required=required)
    if value is not None and not _valid_when(value):
        raise BadValue(f"{key}: {value!r} is not an ISO-8601 date-time")
    return value


def _bool(obj: dict[str, Any], key: str) -> bool:
    value = obj.get(key)
    if not isinstance(value, bool):
        raise BadValue(f"{key}: expected true or false, got {type(value).__name__}")
    return value


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


_LICENSE_FIELDS = operator.itemgetter("skuId", "disabledPlans")
_STATE_FIELDS = operator.itemgetter("skuId", "assignedByGroup", "state", "error", "disabledPlans")


def _plans(plans: Any) -> tuple[Any, ...]:
    if plans is None:
        return ()
    if type(plans) is not list:
        raise BadValue("disabledPlans")
    return tuple(plans)


def _license_key(item: Any) -> tuple[Any, ...]:
    """Raises TypeError/KeyError/BadValue for anything but an object with both fields."""
    if type(item) is not dict:
        raise BadValue("not an object")
    sku, plans = _LICENSE_FIELDS(item)
    plans = _plans(plans)
    return (sku, *plans) if plans else (sku,)


def _state_key(item: Any) -> tuple[Any, ...]:
    if type(item) is not dict:
        raise BadValue("not an object")
    sku, group, state, error, plans = _STATE_FIELDS(item)
    plans = _plans(plans)
    return (sku, group, state, error, *plans) if plans else (sku, group, state, error)


_NULL = msgspec.Raw(b"null")


class _WireSignIn(msgspec.Struct, gc=False):
    lastSignInDateTime: str | None = None
    lastNonInteractiveSignInDateTime: str | None = None
    lastSuccessfulSignInDateTime: str | None = None


# Each assignment state's lastUpdatedDateTime, found in the raw JSON of the list: the value is
# read out, then nulled in the layout key, so users whose licenses look alike still share one
# decoded layout although every user's timestamps differ.
_UPDATED = re.compile(rb'"lastUpdatedDateTime"\s*:\s*(null|"[^"\\]*")')
_UPDATED_NULL = b'"lastUpdatedDateTime":null'
_UPDATED_KEY = b'"lastUpdatedDateTime"'


class _WireMailbox(msgspec.Struct, gc=False):
    userPurpose: str


class _WireUser(msgspec.Struct, gc=False):
    """A Graph user as the fast path reads it: plain types checked in C, the two license lists
    kept as raw JSON (a few dozen distinct layouts cover a whole tenant; each is decoded once)."""

    id: str
    userPrincipalName: str
    displayName: str | None = None
    accountEnabled: bool | None = None
    userType: str | None = None
    department: str | None = None
    usageLocation: str | None = None
    createdDateTime: str | None = None
    assignedLicenses: msgspec.Raw = _NULL
    licenseAssignmentStates: msgspec.Raw = _NULL
    # a snapshot's record of the mailbox purpose (Graph's pages never carry it): null = no mailbox
    mailboxSettings: _WireMailbox | msgspec.UnsetType | None = msgspec.UNSET


class _WireUserSignIn(_WireUser, gc=False):
    signInActivity: _WireSignIn | None = None


class _WireUserSelected(msgspec.Struct, gc=False, kw_only=True):
    """A user of a Graph page read with `$select`: Graph returns every selected property (null
    when it has no value), so an absent one fails validation here instead of reading as a default
    (no accountEnabled must not mean "enabled", no assignedLicenses must not mean "unlicensed")."""

    id: str
    userPrincipalName: str
    displayName: str | None
    accountEnabled: bool | None
    userType: str | None
    department: str | None
    usageLocation: str | None
    createdDateTime: str | None
    assignedLicenses: msgspec.Raw
    licenseAssignmentStates: msgspec.Raw


class _WireUserSelectedSignIn(_WireUserSelected, gc=False, kw_only=True):
    # absent or null for accounts with no recorded sign-in: not a missing field
    signInActivity: _WireSignIn | None = None


class _WirePage(msgspec.Struct, gc=False):
    value: list[_WireUser]
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


class _WirePageSignIn(msgspec.Struct, gc=False):
    value: list[_WireUserSignIn]
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


class _WirePageSelected(msgspec.Struct, gc=False):
    value: list[_WireUserSelected]
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


class _WirePageSelectedSignIn(msgspec.Struct, gc=False):
    value: list[_WireUserSelectedSignIn]
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


# [every selected field required][with signInActivity]
_PAGE_DECODERS = (
    (msgspec.json.Decoder(_WirePage), msgspec.json.Decoder(_WirePageSignIn)),
    (msgspec.json.Decoder(_WirePageSelected), msgspec.json.Decoder(_WirePageSelectedSignIn)),
)
# The user properties every $select of the collector names, apart from signInActivity.
SELECTED_USER_FIELDS = tuple(f for f in _WireUserSelected.__struct_fields__)


class UserDecoder:
    """Turns Graph user JSON into compact User records.

    Identical license layouts (very common) share one tuple, and SKU ids are interned, which
    keeps a million users well under a gigabyte.
    """

    def __init__(self, with_sign_in: bool, *, selected: bool = False, attributes: Sequence[str] = ()) -> None:
        """`selected`: the users come from Graph with `$select` of SELECTED_USER_FIELDS, so each of
        those fields must be present (a snapshot file's users need not carry them all).
        `attributes`: the attribute paths (auditor.attributes) each user keeps in User.attributes."""
        self.with_sign_in = with_sign_in
        self.attributes = PageReader(attributes) if attributes else None
        self.required = SELECTED_USER_FIELDS if selected else ()
        self._strings: dict[str, str] = {}
        self._layouts: dict[Any, Any] = {}
        self._layout_cache: dict[Any, tuple[Any, Any, Any]] = {}
        self._raw_layouts: dict[tuple[bytes, bytes], tuple[Any, Any, Any]] = {}

    def _intern(self, s: str | None) -> str | None:
        if s is None:
            return None
        return self._strings.setdefault(s, s)

    def _share(self, value: Any) -> Any:
        return self._layouts.setdefault(value, value)

    def licenses(self, raw: list[Any]) -> tuple[AssignedLicense, ...]:
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not isinstance(item.get("skuId"), str):
                raise BadValue(f"assignedLicenses[{i}]: expected an object with a skuId")
            out.append(
                AssignedLicense(
                    self._intern(item["skuId"]) or "",
                    _strs(_list(item, "disabledPlans"), "disabledPlans"),
                )
            )
        return self._share(tuple(out))

    def states(self, raw: list[Any]) -> tuple[LicenseAssignmentState, ...]:
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not isinstance(item.get("skuId"), str):
                raise BadValue(f"licenseAssignmentStates[{i}]: expected an object with a skuId")
            out.append(
                LicenseAssignmentState(
                    self._intern(_req(item, "skuId")) or "",
                    self._intern(_str(item, "assignedByGroup", required=False)),
                    self._intern(_str(item, "state", required=False) or "Active") or "",
                    self._intern(_str(item, "error", required=False) or "None") or "",
                    _strs(_list(item, "disabledPlans"), "disabledPlans"),
                )
            )
        return self._share(tuple(out))

    def user(self, raw: Any) -> User:
        """Decode one Graph user; BadValue names the first malformed field."""
        fast = self._fast_user(raw)
        user = fast if fast is not None else self._checked_user(raw)
        if self.attributes is not None and isinstance(raw, dict):
            pairs = self.attributes.intern(pairs_from(raw, self.attributes.paths))
            user = msgspec.structs.replace(user, attributes=pairs)
        return user

    def page(self, body: bytes) -> tuple[str | None, Callable[[], list[User] | None]] | None:
        """Decode a Graph page of users from its bytes, in two steps: (`@odata.nextLink`, a
        function that returns the page's users), so the next page can be requested before the
        users are built.

        The fast path for collection: about ten times cheaper than parsing the page into dicts
        and decoding those. None (from either step) means some value on the page needs the
        checking decoder (a type Graph should not send, an empty id, a malformed date-time or
        license layout, or JSON that does not parse); the caller then decodes the page the slow
        way, which gives the same results and names the offending item."""
        try:
            wire = _PAGE_DECODERS[bool(self.required)][self.with_sign_in].decode(body)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return None
        if self.attributes is not None:
            return wire.next_link, lambda: _with_attributes(self._page_users(wire.value), self.attributes, body)
        return wire.next_link, lambda: self._page_users(wire.value)

    def _page_users(self, values: Sequence[_WireUser] | Sequence[_WireUserSelected]) -> list[User] | None:
        layouts = self._raw_layouts
        record = self._record
        plain = PLAIN_UTC.fullmatch
        users: list[User] = []
        append = users.append
        for w in values:
            raw_states = bytes(w.licenseAssignmentStates)
            # Most states carry no time (or one per state); count first, in C, and run the
            # regular expression only when some state has one.
            stamps: list[bytes] = []
            if raw_states.count(_UPDATED_KEY) != raw_states.count(_UPDATED_NULL):
                stamps = _UPDATED.findall(raw_states)
                raw_states = _UPDATED.sub(_UPDATED_NULL, raw_states)
            key = (bytes(w.assignedLicenses), raw_states)
            layout = layouts.get(key)
            if layout is None:
                try:
                    layout = self._layout(orjson.loads(key[0]), orjson.loads(key[1]))
                except orjson.JSONDecodeError:
                    layout = None
                if layout is None:
                    return None
                layouts[key] = layout
            updated: tuple[str | None, ...] = ()
            if stamps:
                if len(stamps) != len(layout[1]):
                    return None
                updated = tuple(None if t == b"null" else t[1:-1].decode() for t in stamps)
                if not all(t is None or plain(t) or _valid_when(t) for t in updated):
                    return None
            last = last_ni = last_ok = None
            if self.with_sign_in:
                activity = w.signInActivity  # type: ignore[union-attr]
                if activity is not None:
                    last = activity.lastSignInDateTime
                    last_ni = activity.lastNonInteractiveSignInDateTime
                    last_ok = activity.lastSuccessfulSignInDateTime
                    # another valid form (fractions, an offset) is kept as the checking decoder keeps it
                    if (last is not None and not plain(last) and not _valid_when(last)) or (
                        last_ni is not None and not plain(last_ni) and not _valid_when(last_ni)) or (
                        last_ok is not None and not plain(last_ok) and not _valid_when(last_ok)
                    ):
                        return None
            if not w.id or not w.userPrincipalName:
                return None
            user = record(w.id, w.userPrincipalName, w.displayName, w.accountEnabled, w.userType, w.department,
                          w.usageLocation, layout, w.createdDateTime, last, last_ni, last_ok, updated)
            mailbox = getattr(w, "mailboxSettings", msgspec.UNSET)
            if mailbox is not msgspec.UNSET:
                if mailbox is not None and not mailbox.userPurpose:
                    return None
                purpose = NO_MAILBOX if mailbox is None else self._intern(mailbox.userPurpose)
                user = msgspec.structs.replace(user, mailbox_purpose=purpose)
            append(user)
        return users

    def _record(self, uid: str, upn: str, name: str | None, enabled: bool | None, user_type: str | None,
                department: str | None, location: str | None, layout: tuple[Any, Any, Any], created: str | None,
                last: str | None, last_ni: str | None, last_ok: str | None,
                updated: tuple[str | None, ...]) -> User:
        """A User from checked plain values (both fast paths); repeated texts are shared."""
        strings = self._strings
        return User(
            uid,
            upn,
            name or "",
            enabled is not False,
            strings.setdefault(user_type, user_type) if user_type else "Member",
            None if department is None else strings.setdefault(department, department),
            None if location is None else strings.setdefault(location, location),
            layout[0],
            layout[1],
            created,
            last,
            last_ni,
            layout[2],
            last_ok,
            updated,
        )

    def _fast_user(self, raw: Any) -> User | None:
        """The common case, several times cheaper: plain JSON types everywhere and a license
        layout seen before. None sends the user through the checking decoder, so results and
        error messages are the same either way."""
        if type(raw) is not dict:
            return None
        for key in self.required:
            if key not in raw:
                return None
        get = raw.get
        uid = get("id")
        upn = get("userPrincipalName")
        name = get("displayName")
        enabled = get("accountEnabled")
        user_type = get("userType")
        department = get("department")
        location = get("usageLocation")
        created = get("createdDateTime")
        if (
            type(uid) is not str
            or type(upn) is not str
            or not uid
            or not upn
            or (name is not None and type(name) is not str)
            or (enabled is not None and type(enabled) is not bool)
            or (user_type is not None and type(user_type) is not str)
            or (department is not None and type(department) is not str)
            or (location is not None and type(location) is not str)
            or (created is not None and type(created) is not str)
        ):
            return None
        last = last_ni = last_ok = None
        if self.with_sign_in:
            activity = get("signInActivity")
            if activity is not None:
                if type(activity) is not dict:
                    return None
                last = activity.get("lastSignInDateTime")
                last_ni = activity.get("lastNonInteractiveSignInDateTime")
                last_ok = activity.get("lastSuccessfulSignInDateTime")
                if not all(t is None or is_plain_utc(t) for t in (last, last_ni, last_ok)):
                    return None
        states = get("licenseAssignmentStates")
        layout = self._layout(get("assignedLicenses"), states)
        if layout is None:
            return None
        updated: tuple[str | None, ...] = ()
        if states:
            stamps = tuple(item.get("lastUpdatedDateTime") for item in states)
            if any(t is not None for t in stamps):
                if not all(t is None or is_plain_utc(t) for t in stamps):
                    return None
                updated = stamps
        user = self._record(uid, upn, name, enabled, user_type, department, location, layout, created, last, last_ni,
                            last_ok, updated)
        if "mailboxSettings" in raw:
            try:
                return msgspec.structs.replace(user, mailbox_purpose=self._purpose(raw))
            except BadValue:
                return None
        return user

    def _layout(self, licenses: Any, states: Any) -> tuple[Any, Any, Any] | None:
        """(assigned licenses, assignment states, sku ids) for raw lists, cached by content.

        The key keeps every value the checking decoder reads, so equal keys decode equally; a
        key equal to one already decoded holds only strings and None (a str equals only a str),
        so it needs no further checks. Anything unusual returns None."""
        if licenses is not None and type(licenses) is not list:
            return None
        if states is not None and type(states) is not list:
            return None
        try:
            key = (
                () if licenses is None else tuple(_license_key(item) for item in licenses),
                () if states is None else tuple(_state_key(item) for item in states),
            )
            hit = self._layout_cache.get(key)
        except (TypeError, KeyError, BadValue):
            return None
        if hit is None:
            try:
                decoded = self.licenses(licenses or [])
                hit = (
                    decoded,
                    self.states(states or []),
                    self._share(frozenset(lic.sku_id.lower() for lic in decoded)),
                )
            except BadValue:
                return None
            self._layout_cache[key] = hit
        return hit

    def _purpose(self, raw: dict[str, Any]) -> str | None:
        """A snapshot user's mailboxSettings: absent = not read (None), null = no mailbox (NO_MAILBOX)."""
        if "mailboxSettings" not in raw:
            return None
        settings = raw["mailboxSettings"]
        if settings is None:
            return NO_MAILBOX
        if not isinstance(settings, dict):
            raise BadValue("mailboxSettings: expected an object or null")
        purpose = _req(settings, "userPurpose")
        return self._intern(purpose)

    def _checked_user(self, raw: Any) -> User:
        if not isinstance(raw, dict):
            raise BadValue("expected an object")
        missing = [key for key in self.required if key not in raw]
        if missing:
            raise BadValue(f"{', '.join(missing)}: missing, though $select asked for it; the answer is incomplete")
        licenses = self.licenses(_list(raw, "assignedLicenses"))
        last = last_ni = last_ok = None
        if self.with_sign_in:
            activity = raw.get("signInActivity")
            if activity is not None:
                if not isinstance(activity, dict):
                    raise BadValue("signInActivity: expected an object")
                last = _when(activity, "lastSignInDateTime")
                last_ni = _when(activity, "lastNonInteractiveSignInDateTime")
                last_ok = _when(activity, "lastSuccessfulSignInDateTime")
        enabled = raw.get("accountEnabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise BadValue("accountEnabled: expected true or false")
        return User(
            id=_req(raw, "id"),
            user_principal_name=_req(raw, "userPrincipalName"),
            display_name=_str(raw, "displayName", required=False) or "",
            account_enabled=enabled is not False,
            user_type=self._intern(_str(raw, "userType", required=False) or "Member") or "Member",
            department=self._intern(_str(raw, "department", required=False)),
            usage_location=self._intern(_str(raw, "usageLocation", required=False)),
            assigned_licenses=licenses,
            license_assignment_states=self.states(_list(raw, "licenseAssignmentStates")),
            license_states_updated=_updated(_list(raw, "licenseAssignmentStates")),
            last_successful_sign_in_date_time=last_ok,
            created_date_time=_str(raw, "createdDateTime", required=False),
            last_sign_in_date_time=last,
            last_non_interactive_sign_in_date_time=last_ni,
            sku_ids=self._share(frozenset(lic.sku_id.lower() for lic in licenses)),
            mailbox_purpose=self._purpose(raw),
        )


def _with_attributes(users: list[User] | None, reader: PageReader | None, body: bytes) -> list[User] | None:
    """A page's users with their attribute pairs (None: the page needs the checking decoder)."""
    if users is None or reader is None:
        return users
    found = reader.read(body)
    if found is None or len(found) != len(users):
        return None
    replace = msgspec.structs.replace
    return [replace(u, attributes=p) if p else u for u, p in zip(users, found, strict=True)]


def _updated(states: list[Any]) -> tuple[str | None, ...]:
    """Each state's lastUpdatedDateTime (checked), or () when none has one."""
    stamps = tuple(_when(item, "lastUpdatedDateTime") if isinstance(item, dict) else None for item in states)
    return stamps if any(t is not None for t in stamps) else ()


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
            ident = raw.get("userPrincipalName") or raw.get("id") if isinstance(raw, dict) else None
            suffix = f" ({ident})" if isinstance(ident, str) else ""
            raise BadValue(f"{where}[{i}]{suffix}.{exc}") from None
    return out


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
        try:
            audits = audits_from_json(doc["directoryAudits"])
        except BadAudit as exc:
            raise BadValue(f"directoryAudits.{exc}") from None
    decoder = UserDecoder(with_sign_in=SIGN_IN_ACTIVITY in parts, attributes=attributes)
    _when(doc, "collectedAt", required=True)
    users = tuple(_decode_all(doc["users"], "users", decoder.user))
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
        usage=_usage(doc),
    )


def _usage(doc: dict[str, Any]) -> Any:
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


# --- writing ---------------------------------------------------------------------------------


def license_to_json(lic: AssignedLicense) -> dict[str, Any]:
    return {"disabledPlans": list(lic.disabled_plans), "skuId": lic.sku_id}


def user_to_json(u: User, with_sign_in: bool, attributes: Sequence[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": u.id,
        "userPrincipalName": u.user_principal_name,
        "displayName": u.display_name,
        "accountEnabled": u.account_enabled,
        "userType": u.user_type,
        "department": u.department,
        "usageLocation": u.usage_location,
        "createdDateTime": u.created_date_time,
        "assignedLicenses": [license_to_json(lic) for lic in u.assigned_licenses],
        "licenseAssignmentStates": [
            {
                "skuId": s.sku_id,
                "assignedByGroup": s.assigned_by_group,
                "state": s.state,
                "error": s.error,
                "disabledPlans": list(s.disabled_plans),
                **({"lastUpdatedDateTime": u.license_states_updated[i]} if u.license_states_updated else {}),
            }
            for i, s in enumerate(u.license_assignment_states)
        ],
    }
    if with_sign_in:
        times = {
            "lastSignInDateTime": u.last_sign_in_date_time,
            "lastNonInteractiveSignInDateTime": u.last_non_interactive_sign_in_date_time,
        }
        if u.last_successful_sign_in_date_time is not None:
            times["lastSuccessfulSignInDateTime"] = u.last_successful_sign_in_date_time
        out["signInActivity"] = None if all(t is None for t in times.values()) else times
    if attributes:
        out.update(to_graph(u.attributes, attributes))
    if u.mailbox_purpose is not None:
        out["mailboxSettings"] = {"userPurpose": u.mailbox_purpose} if u.mailbox_purpose != NO_MAILBOX else None
    return out


def sku_to_json(s: Sku) -> dict[str, Any]:
    return {
        "id": s.id,
        "skuId": s.sku_id,
        "skuPartNumber": s.sku_part_number,
        "appliesTo": s.applies_to,
        "capabilityStatus": s.capability_status,
        "consumedUnits": s.consumed_units,
        "prepaidUnits": {
            "enabled": s.prepaid_units.enabled,
            "suspended": s.prepaid_units.suspended,
            "warning": s.prepaid_units.warning,
            "lockedOut": s.prepaid_units.locked_out,
        },
        "servicePlans": [
            {
                "servicePlanId": p.service_plan_id,
                "servicePlanName": p.service_plan_name,
                "provisioningStatus": p.provisioning_status,
                "appliesTo": p.applies_to,
            }
            for p in s.service_plans
        ],
    }


def subscription_to_json(s: Subscription) -> dict[str, Any]:
    return {
        "id": s.id,
        "skuId": s.sku_id,
        "skuPartNumber": s.sku_part_number,
        "status": s.status,
        "isTrial": s.is_trial,
        "totalLicenses": s.total_licenses,
        "createdDateTime": s.created_date_time,
        "nextLifecycleDateTime": s.next_lifecycle_date_time,
    }


def group_to_json(g: Group) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": g.id,
        "displayName": g.display_name,
        "assignedLicenses": [license_to_json(lic) for lic in g.assigned_licenses],
        "members": list(g.members),
    }
    if g.has_members_with_license_errors is not None:
        out["hasMembersWithLicenseErrors"] = g.has_members_with_license_errors
    return out


def _write_array(out: IO[str], key: str, items: Iterable[dict[str, Any]], last: bool = False) -> None:
    out.write(f' "{key}": [')
    first = True
    for item in items:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        first = False
    out.write("\n ]" if not first else "]")
    out.write("\n" if last else ",\n")


def write_snapshot(snapshot: TenantSnapshot, out: IO[str]) -> None:
    """Stream a snapshot as JSON, one record per line (diffable, and no giant string in memory)."""
    with_sign_in = SIGN_IN_ACTIVITY in snapshot.collected_parts
    head = {
        "schemaVersion": SCHEMA_VERSION,
        "kind": KIND,
        "tenant": {"id": snapshot.tenant_id, "displayName": snapshot.tenant_name, "cloud": snapshot.cloud.value},
        "collectedAt": snapshot.collected_at,
        "collectedParts": sorted(snapshot.collected_parts),
        **({"userAttributes": list(snapshot.user_attributes)} if snapshot.user_attributes else {}),
        **({"directoryAudits": audits_to_json(snapshot.directory_audits)} if snapshot.directory_audits else {}),
    }
    if snapshot.notes:
        head["notes"] = list(snapshot.notes)
    out.write("{\n")
    for key, value in head.items():
        out.write(f' "{key}": {json.dumps(value, ensure_ascii=False)},\n')
    _write_array(out, "gaps", (g.to_json() for g in snapshot.gaps))
    _write_array(out, "subscribedSkus", (sku_to_json(s) for s in snapshot.skus))
    _write_array(out, "subscriptions", (subscription_to_json(s) for s in snapshot.subscriptions))
    _write_array(out, "groups", (group_to_json(g) for g in snapshot.groups))
    if snapshot.usage is not None:
        reports, rows = usage_to_json(snapshot.usage)
        out.write(f' "{USAGE_REPORTS}": {{"reports": {json.dumps(reports, ensure_ascii=False)},\n ')
        _write_array(out, "users", rows, last=True)
        out.write(" },\n")
    attrs = snapshot.user_attributes
    _write_array(out, "users", (user_to_json(u, with_sign_in, attrs) for u in snapshot.users), last=True)
    out.write("}\n")


def save_snapshot(snapshot: TenantSnapshot, path: str | Path) -> None:
    path = Path(path)
    if str(path) == "-":
        write_snapshot(snapshot, sys.stdout)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text(path) as fh:
        write_snapshot(snapshot, fh)
