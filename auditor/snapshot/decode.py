"""Reading snapshot files and Graph's answers into the model.

One decoder (UserDecoder: the msgspec typed structs of auditor.snapshot.format) turns the users of
Graph's pages and of a snapshot file into model Users; the *_from_graph readers do the same for
SKUs, subscriptions and groups. Every error names the field (and the caller the item, file or
Graph request).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypedDict, TypeVar

import msgspec
import orjson

from auditor.common import shapes
from auditor.common.timestamps import timestamp_or_none
from auditor.data.attributes import PageReader, pairs_from
from auditor.data.model import (
    NAME_APART,
    NO_MAILBOX,
    TIMES_APART,
    AssignedLicense,
    Gap,
    Group,
    LicenseAssignmentState,
    PrepaidUnits,
    Profile,
    ServicePlan,
    Sku,
    Subscription,
    User,
    joined_times,
    own_text,
    sign_in_text,
)
from auditor.data.protection_rules import mail_domains

from .format import (
    SIGN_IN_WIRE,
    USER_WIRE_TYPES,
    NonEmpty,
    WireGroup,
    WireLicense,
    WireLicenseState,
    WireSignIn,
    WireUser,
    _PrepaidUnits,
    _Sku,
    _Subscription,
    page_type,
)
from .problems import problem

T = TypeVar("T")
_NO_UNITS = _PrepaidUnits()


class BadValue(Exception):
    """A field of a snapshot or Graph answer is malformed (the message names it; the reader adds the
    location). The collector catches it from UserDecoder and the *_from_graph readers."""


def _str(obj: Mapping[str, object], key: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise BadValue(f"{key}: missing")
        return None
    if not isinstance(value, str):
        raise BadValue(f"{key}: expected a string, got {type(value).__name__}")
    return value


def _req(obj: Mapping[str, object], key: str) -> str:
    value = _str(obj, key)
    if not value:
        raise BadValue(f"{key}: empty")
    return value


def _when(obj: Mapping[str, object], key: str, required: bool = False) -> str | None:
    """An ISO-8601 date-time as Graph writes it, kept as text; a malformed one is an error, not 'never'."""
    return _check_when(_str(obj, key, required=required), key)


def _list(obj: Mapping[str, object], key: str) -> list[Any]:
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

_PAGES = tuple(tuple(shapes.decoder(page_type(t)) for t in pair) for pair in USER_WIRE_TYPES)
_LISTS = tuple(tuple(shapes.decoder(list[t]) for t in pair) for pair in USER_WIRE_TYPES)  # type: ignore[valid-type]
_CHUNK = 1000  # users of a parsed list decoded at a time
_NO_SIGN_IN = WireSignIn()


class BadItem(BadValue):
    """Item `index` of a list of users is malformed; the message names the field."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def _misfit(
    raw: object, of: type[object], exc: msgspec.ValidationError, path: str = "", *, selected: bool = False
) -> str:
    """ "field: what is wrong" with `raw`, which msgspec refused as the type `of` (auditor.snapshot.problems
    finds the field; msgspec's own words only for a misfit that walk does not know)."""
    found = problem(raw, of, path)
    if found is None:
        return f"{path}: {exc}" if path else str(exc)
    where, what = found
    if selected and what == "missing" and "." not in where and "[" not in where:
        what += ", though $select asked for it; the answer is incomplete"
    return f"{where}: {what}" if where else what


def _check_when(text: str | None, field: str) -> str | None:
    """`text` when it is None or an ISO-8601 date-time; else BadValue naming `field`. Graph writes
    no blanks around one and a "T" between date and time; a date-time without them is malformed
    (parse_timestamp would strip the blanks, and Python's reader takes any character between)."""
    if text is not None and (
        text != text.strip() or (len(text) > 10 and text[10] != "T") or timestamp_or_none(text) is None
    ):
        raise BadValue(f"{field}: {text!r} is not an ISO-8601 date-time")
    return text


# a user's signInActivity: (lastSignInDateTime, lastNonInteractiveSignInDateTime, lastSuccessfulSignInDateTime)
SignInTimes = tuple[str | None, str | None, str | None]


class _SignInOf(msgspec.Struct, gc=False):
    """A user of a sign-in listing (`$select=id,signInActivity`)."""

    id: NonEmpty
    signInActivity: WireSignIn | None = None


def sign_in_times(items: list[Any]) -> dict[str, SignInTimes]:
    """The signInActivity of each user of a page's parsed `value`, by id; BadItem names the first
    malformed one (its index and field)."""
    out: dict[str, SignInTimes] = {}
    for i, raw in enumerate(items):
        try:
            w = shapes.convert(raw, _SignInOf)
            a = w.signInActivity or _NO_SIGN_IN
            out[w.id] = shared_times(
                _check_when(a.lastSignInDateTime, "signInActivity.lastSignInDateTime"),
                _check_when(a.lastNonInteractiveSignInDateTime, "signInActivity.lastNonInteractiveSignInDateTime"),
                _check_when(a.lastSuccessfulSignInDateTime, "signInActivity.lastSuccessfulSignInDateTime"),
            )
        except (msgspec.ValidationError, BadValue) as exc:
            raise BadItem(i, str(exc)) from None
    return out


def shared_times(last: str | None, last_ni: str | None, last_ok: str | None) -> SignInTimes:
    """A user's three sign-in times, the successful one the same string as the interactive one when
    they are equal (the last interactive sign-in succeeded, as most do): a string less a user."""
    return (last, last_ni, last if last_ok is not None and last_ok == last else last_ok)


def with_sign_ins(users: list[User], times: Mapping[str, SignInTimes]) -> list[User]:
    """`users`, the same list, with the sign-in times read apart (sign_in_times); a user the sign-in
    listing did not hold (created between the two listings) has none, as one that never signed in.
    Each user is replaced in place, so a million users are not held twice."""
    none: SignInTimes = (None, None, None)
    for i, u in enumerate(users):
        last, last_ni, last_ok = times.get(u.id, none)
        users[i] = u.with_sign_ins(last, last_ni, last_ok)
    return users


class UserDecoder:
    """Turns Graph user JSON (pages of `/users`, a snapshot's `users`) into model Users.

    Users with equal shared values (auditor.data.model.Profile) get one Profile object, and equal
    license lists, license states and texts one object each."""

    def __init__(self, with_sign_in: bool, *, selected: bool = False, attributes: Sequence[str] = ()) -> None:
        """`selected`: the users come from Graph with `$select` of SELECTED_USER_FIELDS, so each of
        those fields must be present (a snapshot file's users need not carry them all).
        `attributes`: the attribute paths (auditor.data.attributes) each user keeps in User.attributes."""
        self.with_sign_in = with_sign_in
        self.attributes = PageReader(attributes) if attributes else None
        self.selected = selected
        self._page = _PAGES[selected][with_sign_in]
        self._list = _LISTS[selected][with_sign_in]
        self._strings: dict[str, str] = {}
        self._licenses: dict[tuple[WireLicense, ...], tuple[AssignedLicense, ...]] = {}
        self._states: dict[tuple[WireLicenseState, ...], tuple[LicenseAssignmentState, ...]] = {}
        self._profiles: dict[tuple[Any, ...], Profile] = {}
        self._domains: dict[tuple[str, ...], tuple[str, ...]] = {}  # users of one mail domain share its tuple

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
                raise self._malformed(chunk, start, exc) from None
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

    def _malformed(self, chunk: list[Any], start: int, exc: msgspec.ValidationError) -> BadValue:
        """The first malformed user of `chunk` (the users from `start` on), which msgspec refused."""
        of = USER_WIRE_TYPES[self.selected][self.with_sign_in]
        for i, raw in enumerate(chunk):
            if problem(raw, of) is not None:
                return BadItem(start + i, _misfit(raw, of, exc, selected=self.selected))
        return BadValue(str(exc))

    def user(self, raw: object) -> User:
        """One user from parsed JSON; BadValue names the first malformed field."""
        try:
            return self.values([raw])[0]
        except BadItem as exc:
            raise BadValue(str(exc)) from None

    def _users(self, wire: Sequence[WireUser], pairs: Sequence[tuple[tuple[str, str], ...]]) -> list[User]:
        out = []
        for i, w in enumerate(wire):
            try:
                out.append(self._user(w, pairs[i] if pairs else ()))
            except BadValue as exc:
                raise BadItem(i, str(exc)) from None
        return out

    # --- one user ---------------------------------------------------------------------------

    def _user(self, w: WireUser, attributes: tuple[tuple[str, str], ...]) -> User:
        """The model User of a decoded wire user; BadValue names a malformed field."""
        shared_states, times = self._license_states(w.licenseAssignmentStates)
        profile = self._profile(w, self._assigned(w.assignedLicenses), shared_states)
        last = last_ni = last_ok = None
        if isinstance(w, SIGN_IN_WIRE):  # the decoder's with_sign_in: its wire types carry signInActivity
            activity = w.signInActivity or _NO_SIGN_IN
            last = _check_when(activity.lastSignInDateTime, "signInActivity.lastSignInDateTime")
            last_ni = _check_when(
                activity.lastNonInteractiveSignInDateTime, "signInActivity.lastNonInteractiveSignInDateTime"
            )
            last_ok = _check_when(activity.lastSuccessfulSignInDateTime, "signInActivity.lastSuccessfulSignInDateTime")
        leave = _check_when(w.employeeLeaveDateTime, "employeeLeaveDateTime")
        created = w.createdDateTime
        if created is not None and (TIMES_APART in created or NAME_APART in created):  # they part the user's texts
            raise BadValue(f"createdDateTime: {created!r} is not an ISO-8601 date-time")
        return User(
            w.id,
            w.displayName or "",
            profile,
            own_text(w.userPrincipalName, created, leave, times),
            sign_in_text(last, last_ni, last_ok),
            attributes,
            mail_domains=self._mail_domains(w),
        )

    def _mail_domains(self, w: WireUser) -> tuple[str, ...]:
        """User.mail_domains: the domains of the user's mail addresses (Graph's mail and proxyAddresses, or a
        snapshot's mailDomains); () where they are just its user principal name's domain (recipient_domains
        gives that one anyway) or none were given, so most users hold no tuple of their own."""
        found = mail_domains(w.mail, w.proxyAddresses)
        kept = getattr(w, "mailDomains", None)  # a snapshot file's (the auditor wrote it), not a Graph page's
        if kept:
            found = tuple(sorted({*found, *(d.strip().lower() for d in kept if d.strip())}))
        if not found or found == (w.userPrincipalName.rpartition("@")[2].lower(),):
            return ()
        return self._domains.setdefault(found, tuple(self._intern(d) or "" for d in found))

    def _profile(
        self, w: WireUser, licenses: tuple[AssignedLicense, ...], states: tuple[LicenseAssignmentState, ...]
    ) -> Profile:
        """The one Profile object of the users with the values of `w` (licenses and states are
        shared objects already, so their identities stand for their values in the key)."""
        mailbox = w.mailboxSettings
        key = (
            w.accountEnabled,
            w.userType,
            w.department,
            w.usageLocation,
            mailbox is msgspec.UNSET,
            mailbox is None,
            None if not mailbox else mailbox.userPurpose,
            id(licenses),
            id(states),
        )
        found = self._profiles.get(key)
        if found is None:
            purpose = (
                None
                if mailbox is msgspec.UNSET
                else NO_MAILBOX
                if mailbox is None
                else self._intern(mailbox.userPurpose)
            )
            found = self._profiles[key] = Profile(
                w.accountEnabled is not False,
                self._intern(w.userType or "Member") or "",
                self._intern(w.department),
                self._intern(w.usageLocation),
                purpose,
                licenses,
                states,
                frozenset(lic.sku_id.lower() for lic in licenses),
            )
        return found

    def _assigned(self, wire: list[WireLicense] | None) -> tuple[AssignedLicense, ...]:
        key = tuple(wire or ())
        found = self._licenses.get(key)
        if found is None:
            found = self._licenses[key] = tuple(
                AssignedLicense(self._intern(lic.skuId) or "", tuple(sorted(lic.disabledPlans or ()))) for lic in key
            )
        return found

    def _license_states(self, wire: list[WireLicenseState] | None) -> tuple[tuple[LicenseAssignmentState, ...], str]:
        """(the states as users share them, without lastUpdatedDateTime; the user's own times of
        them, User.license_times)."""
        if not wire:
            return (), ""
        times = [st.lastUpdatedDateTime for st in wire]
        if not any(times):
            return self._shared_states(tuple(wire)), ""
        for j, t in enumerate(times):
            _check_when(t, f"licenseAssignmentStates[{j}].lastUpdatedDateTime")
        shared = self._shared_states(tuple(msgspec.structs.replace(st, lastUpdatedDateTime=None) for st in wire))
        return shared, joined_times(times)

    def _shared_states(self, key: tuple[WireLicenseState, ...]) -> tuple[LicenseAssignmentState, ...]:
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = tuple(
                LicenseAssignmentState(
                    self._intern(st.skuId) or "",
                    self._intern(st.assignedByGroup),
                    self._intern(st.state or "Active") or "",
                    self._intern(st.error or "None") or "",
                    tuple(sorted(st.disabledPlans or ())),
                )
                for st in key
            )
        return found

    def licenses(self, wire: list[WireLicense] | None) -> tuple[AssignedLicense, ...]:
        """A group's assignedLicenses (WireGroup's), as the users with the same licenses share them."""
        return self._assigned(wire)


def _wire(raw: object, of: type[T]) -> T:
    try:
        return shapes.convert(raw, of, strict=True)
    except msgspec.ValidationError as exc:
        raise BadValue(_misfit(raw, of, exc)) from None


def sku_from_graph(raw: object) -> Sku:
    """A subscribedSku (parsed JSON); BadValue names the field."""
    w = _wire(raw, _Sku)
    units = w.prepaidUnits or _NO_UNITS
    return Sku(
        id=w.id or "",
        sku_id=w.skuId,
        sku_part_number=w.skuPartNumber,
        applies_to=w.appliesTo or "",
        capability_status=w.capabilityStatus or "Enabled",
        consumed_units=w.consumedUnits,
        prepaid_units=PrepaidUnits(units.enabled, units.suspended, units.warning, units.lockedOut),
        service_plans=tuple(
            ServicePlan(p.servicePlanId, p.servicePlanName or "", p.provisioningStatus or "", p.appliesTo or "")
            for p in w.servicePlans or ()
        ),
    )


def subscription_from_graph(raw: object) -> Subscription:
    """A companySubscription (parsed JSON); BadValue names the field."""
    w = _wire(raw, _Subscription)
    return Subscription(
        id=w.id,
        sku_id=w.skuId,
        sku_part_number=w.skuPartNumber or "",
        status=w.status or "Enabled",
        is_trial=w.isTrial,
        total_licenses=w.totalLicenses,
        created_date_time=_check_when(w.createdDateTime, "createdDateTime"),
        next_lifecycle_date_time=_check_when(w.nextLifecycleDateTime, "nextLifecycleDateTime"),
        commerce_subscription_id=w.commerceSubscriptionId or None,
        owner_id=w.ownerId or None,
        owner_tenant_id=w.ownerTenantId or None,
        owner_type=w.ownerType or None,
    )


def group_wire(raw: object) -> WireGroup:
    """A group (parsed JSON: a snapshot's, or Graph's); BadValue names the field."""
    return _wire(raw, WireGroup)


def group_from_graph(raw: object, decoder: UserDecoder) -> Group:
    w = group_wire(raw)
    return Group(
        id=w.id,
        display_name=w.displayName or "",
        assigned_licenses=decoder.licenses(w.assignedLicenses),
        members=tuple(w.members or ()),
        has_members_with_license_errors=w.hasMembersWithLicenseErrors,
        direct_members=None if w.directMembers is None else tuple(w.directMembers),
        **group_kind(w),
    )


class GroupKind(TypedDict, total=False):
    """The Group fields of a group's kind (none: not read)."""

    group_types: tuple[str, ...]
    membership_rule: str | None
    on_premises_sync_enabled: bool | None
    mail_enabled: bool | None


def group_kind(w: WireGroup) -> GroupKind:
    """The Group fields of a group's kind, from Graph's groupTypes, membershipRule,
    onPremisesSyncEnabled and mailEnabled. Without groupTypes (a snapshot written before they were
    read) the kind stays unknown: every field None."""
    if w.groupTypes is None:
        return {}
    return {
        "group_types": tuple(w.groupTypes),
        "membership_rule": w.membershipRule,
        "on_premises_sync_enabled": w.onPremisesSyncEnabled,
        "mail_enabled": w.mailEnabled,
    }


def gap_from_json(raw: object) -> Gap:
    if not isinstance(raw, dict):
        raise BadValue("expected an object")
    return Gap(_req(raw, "part"), _str(raw, "request", required=False) or "", _req(raw, "reason"))


def _decode_all(items: Sequence[object], where: str, fn: Callable[[object], T]) -> list[T]:
    out = []
    for i, raw in enumerate(items):
        try:
            out.append(fn(raw))
        except BadValue as exc:
            raise BadValue(f"{where}[{i}]{item_name(raw)}.{exc}") from None
    return out


def item_name(raw: object) -> str:
    """How an error names an item of a list: " (its UPN or id)" when it has one."""
    ident = raw.get("userPrincipalName") or raw.get("id") if isinstance(raw, dict) else None
    return f" ({ident})" if isinstance(ident, str) else ""
