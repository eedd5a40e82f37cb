"""Rules under `hygiene:` — licenses that are wasted or broken regardless of population."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..model import (
    RESOURCE_PURPOSES,
    Finding,
    Group,
    LicenseAssignmentState,
    Severity,
    Subject,
    SubjectType,
    User,
)
from ..policy.model import HygieneCheck, Policy, Selector
from ..policy.selectors import SELECTOR_SCHEMA
from ..reference import coverage
from ..snapshot import MAILBOX_SETTINGS, PLAIN_UTC
from .base import SEVERITY_SCHEMA, Context, Rule, parse_when


def _check_schema(with_days: bool, days_doc: str = "") -> dict[str, Any]:
    props: dict[str, Any] = {"severity": SEVERITY_SCHEMA, "except": SELECTOR_SCHEMA}
    required: list[str] = []
    if with_days:
        props["days"] = {"type": "integer", "minimum": 1, "maximum": 3650, "description": days_doc}
        required = ["days"]
    return {"type": "object", "additionalProperties": False, "properties": props, "required": required}


class HygieneRule(Rule):
    section = "hygiene"

    def configured(self, policy: Policy) -> bool:
        return self.key in policy.hygiene

    def selectors(self, policy: Policy) -> list[Selector]:
        check = policy.hygiene.get(self.key or "")
        return [check.except_] if check is not None and check.except_ is not None else []

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        check = policy.hygiene.get(self.key or "")
        if check is not None:
            yield from self.check(policy, check, ctx)

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


class UserHygieneRule(HygieneRule):
    """A check on each licensed user."""

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        raise NotImplementedError

    def describe(self, user: User, details: dict[str, Any]) -> str:
        raise NotImplementedError

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        """Positions that can offend, in order (a superset of the offenders); None = every user."""
        return None

    def severity(self, user: User, check: HygieneCheck, ctx: Context) -> Severity | None:
        """The finding's severity when it differs from the rule's (None: the policy's or the default)."""
        return check.severity

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        excluded = ctx.index.select(check.except_) if check.except_ else frozenset()
        users = ctx.index.users
        positions = self.candidates(check, ctx)
        for pos in range(len(users)) if positions is None else positions:
            user = users[pos]
            if not user.assigned_licenses or (excluded is None or pos in excluded):
                continue
            extra = self.offends(user, check, ctx)
            if extra is None:
                continue
            sku_ids = self.products(user, extra, ctx)
            details = ctx.user_details(user, sku_ids, None) | extra
            if self.removes:
                details |= ctx.data_lost(user, sku_ids)
            yield self.make(
                policy, f"hygiene/{self.key}", ctx.user_subject(user), ctx.index.parts(sku_ids),
                self.describe(user, details), details, severity=self.severity(user, check, ctx),
                monthly_cost=ctx.cost_of(sku_ids) if self.costs else None,
            )

    costs = True  # the finding's products are spend the fix would free
    removes = True  # the fix removes the finding's products (checked for data the user would lose)

    def products(self, user: User, details: dict[str, Any], ctx: Context) -> frozenset[str]:
        """The products the finding is about (all the user holds, unless the rule narrows it)."""
        return user.sku_ids


UNKNOWN_MAILBOX = {"shared_mailbox": "unknown"}  # details of a finding on an account whose mailbox purpose is unknown


def mailbox_extra(user: User, ctx: Context) -> dict[str, Any] | None:
    """For the rules a shared mailbox would set off: None for a shared, room or equipment mailbox
    (not a person's account: exempt), UNKNOWN_MAILBOX when the purpose was to be read but was not
    (the app may not read mailboxSettings, or the account was no candidate when the tenant was
    read), else {}. A snapshot that never asked (older, or policies without these rules) stays {}."""
    purpose = user.mailbox_purpose
    if purpose is not None:
        return None if purpose.lower() in RESOURCE_PURPOSES else {}
    snapshot = ctx.index.snapshot
    if MAILBOX_SETTINGS in snapshot.collected_parts or any(g.part == MAILBOX_SETTINGS for g in snapshot.gaps):
        return UNKNOWN_MAILBOX
    return {}


def _unverified(details: dict[str, Any]) -> str:
    return " (could not tell whether it is a shared mailbox)" if details.get("shared_mailbox") == "unknown" else ""


class DisabledUserLicensed(UserHygieneRule):
    """A disabled (blocked sign-in) account still holds licenses. Shared, room and equipment
    mailboxes, whose sign-in is blocked by design, are left to `shared-mailbox-licensed`.

    Example:
        hygiene:
          disabled_users: {severity: high}
    """

    id = "disabled-user-licensed"
    title = "Disabled account holds licenses"
    default_severity = Severity.HIGH
    key = "disabled_users"
    fragment = _check_schema(False)

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        return ctx.index.where("account_enabled", False, lambda enabled: not enabled)

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return None if user.account_enabled else mailbox_extra(user, ctx)

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "account is disabled but still holds licenses" + _unverified(details)


def _sign_in(text: str | None) -> datetime | None:
    """A signInActivity time; Graph writes 0001-01-01T00:00:00Z for "never", so year 1 is None."""
    when = parse_when(text)
    return None if when is None or when.year == 1 else when


def last_sign_in(user: User) -> datetime | None:
    """The user's last successful sign-in, as far as Graph can tell.

    lastSignInDateTime and lastNonInteractiveSignInDateTime also record failed attempts, so a
    dormant account under password spray would look active by them. lastSuccessfulSignInDateTime
    counts only successes: when Graph returns it, it decides (0001-01-01 there means no sign-in
    ever succeeded); only when it is absent do the other two stand in for it."""
    if user.last_successful_sign_in_date_time is not None:
        return _sign_in(user.last_successful_sign_in_date_time)
    seen = [t for t in (_sign_in(user.last_sign_in_date_time),
                        _sign_in(user.last_non_interactive_sign_in_date_time)) if t is not None]
    return max(seen) if seen else None


def dormant(user: User, cutoff: datetime) -> bool:
    """No successful sign-in since `cutoff` (or never): the inactivity test, grace periods aside."""
    last = last_sign_in(user)
    return last is None or last < cutoff


def maybe_dormant(users: Sequence[User], cutoff: datetime) -> list[int] | None:
    """Positions of the licensed, enabled users that may be `dormant` (a superset); None = all.

    Most accounts signed in recently: settle those by comparing text in one tight pass and leave
    the rest to `dormant`, which parses (the outcome is the same either way)."""
    text = _text_cutoff(cutoff)
    if text is None:
        return None
    plain = PLAIN_UTC.fullmatch
    return [
        i for i, u in enumerate(users)
        if u.account_enabled and u.assigned_licenses
        and not ((t := u.last_successful_sign_in_date_time) is not None and t >= text and plain(t))
        and not (u.last_successful_sign_in_date_time is None and (
            ((t := u.last_sign_in_date_time) is not None and t >= text and plain(t))
            or ((t := u.last_non_interactive_sign_in_date_time) is not None and t >= text and plain(t))))
    ]


class InactiveUserLicensed(UserHygieneRule):
    """An enabled, licensed account has not signed in successfully for `days` days.

    Needs signInActivity (Entra ID P1 and AuditLog.Read.All). Failed sign-in attempts do not count
    as activity where Graph returns lastSuccessfulSignInDateTime. Accounts created, and accounts
    whose licenses were assigned or changed (licenseAssignmentStates.lastUpdatedDateTime), within
    the window are not counted: they have not had the time to be inactive. Shared, room and
    equipment mailboxes (nobody signs in to them) are left to `shared-mailbox-licensed`.

    Example:
        hygiene:
          inactive_users: {days: 90, severity: medium}
    """

    id = "inactive-user-licensed"
    title = "Inactive account holds licenses"
    default_severity = Severity.MEDIUM
    key = "inactive_users"
    fragment = _check_schema(True, "Days without any sign-in after which a licensed account counts as inactive.")
    needs = frozenset({"users", "signInActivity"})

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        return maybe_dormant(ctx.index.users, ctx.as_of - timedelta(days=check.days or 90))

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        if not user.account_enabled:
            return None
        cutoff = ctx.as_of - timedelta(days=check.days or 90)
        last = last_sign_in(user)
        if last is not None and last >= cutoff:  # not `dormant`
            return None
        for since in (parse_when(user.created_date_time), parse_when(user.licenses_updated)):
            if since is not None and since >= cutoff:
                return None  # new account, or licenses assigned within the window: grace
        mailbox = mailbox_extra(user, ctx)
        if mailbox is None:
            return None
        details: dict[str, Any] = {"days": check.days, "last_sign_in": _iso(last), **mailbox}
        attempts = [t for t in (_sign_in(user.last_sign_in_date_time),
                                _sign_in(user.last_non_interactive_sign_in_date_time)) if t is not None]
        if attempts and (last is None or max(attempts) > last):
            details["last_attempt"] = _iso(max(attempts))  # failed attempts since: worth a look
        return details

    def severity(self, user: User, check: HygieneCheck, ctx: Context) -> Severity | None:
        # Free products cost nothing while unused: worth tidying, not an alarm (unless the policy says so)
        if check.severity is None and all(ctx.is_free(s) for s in user.sku_ids):
            return Severity.LOW
        return check.severity

    def describe(self, user: User, details: dict[str, Any]) -> str:
        if details["last_sign_in"] is None:
            return f"has never signed in (threshold {details['days']} days) but holds licenses" + _unverified(details)
        return (f"last signed in {details['last_sign_in'][:10]}, over {details['days']} days ago, but holds licenses"
                + _unverified(details))


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when is not None else None


def _text_cutoff(cutoff: datetime) -> str | None:
    """`cutoff` as Graph's plain date-time text, rounded up to the second, so that for a plain
    time `text >= _text_cutoff(cutoff)` says `time >= cutoff` without parsing; None when there
    is no such text (a naive or out-of-range cutoff), and then every user is parsed."""
    if cutoff.tzinfo is None:
        return None
    utc = cutoff.astimezone(UTC)
    whole = utc.replace(microsecond=0) + (timedelta(seconds=1) if utc.microsecond else timedelta())
    return whole.strftime("%Y-%m-%dT%H:%M:%SZ").rjust(20, "0") if 1 <= whole.year <= 9999 else None


class LicenseAssignedTwice(UserHygieneRule):
    """A user holds a product both directly and from a group (common after a move to group-based
    licensing). The direct copy is redundant when the group's copy turns on every service plan it
    does; the fix removes it then, and otherwise names the plans its removal would switch off.

    Example:
        hygiene:
          assigned_twice: {severity: low}
    """

    id = "license-assigned-twice"
    title = "Product assigned both directly and by a group"
    default_severity = Severity.LOW
    key = "assigned_twice"
    fragment = _check_schema(False)
    costs = False  # one license is consumed either way
    removes = False  # only the direct copy goes, checked by Context.held_twice

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        # only users holding something directly can hold it twice
        return sorted({pos for sid in ctx.index.sku_by_id for pos in ctx.index.direct_holders(sid)})

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return ctx.held_twice(user, user.sku_ids) or None

    def products(self, user: User, details: dict[str, Any], ctx: Context) -> frozenset[str]:
        twice = details["also_by_group"]
        return frozenset(sid for sid in user.sku_ids if ctx.index.part(sid) in twice)

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return f"holds {', '.join(sorted(details['also_by_group']))} both directly and from a group"


class LicenseRedundant(UserHygieneRule):
    """A user holds a product that adds nothing: every service plan it turns on for them is already
    turned on by another product they hold (Exchange Online (Plan 1) beside Microsoft 365 E3). The
    fix removes it; the finding names the product that keeps the services and, when the catalog
    prices it, the monthly saving.

    Derived from the tenant's subscribedSkus.servicePlans and the user's disabledPlans, with no list
    of product pairs. A plan covers itself and the lower plans of its service
    (auditor/reference/coverage.py). The redundant product's plans count when any copy of it leaves
    them on, whatever their status; the covering product's only when an Active copy without error
    leaves them on and the tenant's provisioningStatus is Success. Plans that apply to the Company
    count like the others (a company-wide plan the other product lacks is something it adds). A
    product whose plans the snapshot lacks is never redundant and covers nothing. Of two products
    that cover each other, the one assigned directly, else the dearer one, goes; never both.

    Example:
        hygiene:
          redundant_products: {severity: medium}
    """

    id = "license-redundant"
    title = "Product redundant beside another"
    default_severity = Severity.MEDIUM
    key = "redundant_products"
    fragment = _check_schema(False)
    needs = frozenset({"users", "subscribedSkus"})

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        # Only users holding two products or more; one C pass over the users, one test per SKU set.
        # `offends` then answers once per license layout (Context.per_layout), not per user, so a
        # million users with a handful of layouts cost a handful of plan-set comparisons.
        return ctx.index.where("sku_ids", "two or more", lambda skus: len(skus) > 1)

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        found = ctx.per_layout(self.id, user, lambda u: self._redundant(u, ctx))
        return dict(found) if found is not None else None

    def products(self, user: User, details: dict[str, Any], ctx: Context) -> frozenset[str]:
        return frozenset(sid for sid in user.sku_ids if ctx.index.part(sid) in details["covered_by"])

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "; ".join(f"{small} adds nothing beside {big}" for small, big in sorted(details["covered_by"].items()))

    def _redundant(self, user: User, ctx: Context) -> dict[str, Any] | None:
        """The products to remove (each with the kept product that covers it), or None."""
        enabled: dict[str, frozenset[str]] = {}  # product -> plans some copy of it turns on
        covers: dict[str, frozenset[str]] = {}  # product -> plans its Active copies turn on or cover
        for sid in user.sku_ids:
            sku = ctx.index.sku_by_id.get(sid)
            if sku is None or not sku.service_plans:
                continue  # plans unknown: neither redundant nor covering
            plans = {p.service_plan_id.lower(): p for p in sku.service_plans}
            states = [s for s in user.license_assignment_states if s.sku_id.lower() == sid]
            copies = [s.disabled_plans for s in states] or [
                lic.disabled_plans for lic in user.assigned_licenses if lic.sku_id.lower() == sid]
            active = [s.disabled_plans for s in states if s.state == "Active" and not s.is_error] if states \
                else copies
            enabled[sid] = _turned_on(plans, copies)
            covers[sid] = coverage.covered(_turned_on(
                {k: p for k, p in plans.items() if p.provisioning_status.lower() == "success"}, active))
        if len(enabled) < 2:
            return None

        def price(sid: str) -> float:
            return ctx.monthly_price(sid) or 0.0

        # keep first: the widest coverage, group-assigned before direct, the cheaper, then by name
        def keep_first(sid: str) -> tuple[int, bool, float, str]:
            grouped = any(s.assigned_by_group for s in user.license_assignment_states if s.sku_id.lower() == sid)
            return (-len(covers[sid]), not grouped, price(sid), ctx.index.part(sid))

        kept: list[str] = []
        covered_by: dict[str, str] = {}
        for sid in sorted(enabled, key=keep_first):
            cover = next((k for k in kept if enabled[sid] and enabled[sid] <= covers[k]), None)
            if cover is None:
                kept.append(sid)
            else:
                covered_by[sid] = cover
        if not covered_by:
            return None
        part = ctx.index.part
        return {
            # a redundant product held directly and from a group: both copies have to go
            "also_by_group": ctx.held_twice(user, covered_by).get("also_by_group", {}),
            "covered_by": {part(s): part(k) for s, k in covered_by.items()},
            "cover_by_group": {part(k): ctx.index.assigning_groups(user, k) for k in set(covered_by.values())},
            "plans": {part(s): sorted(ctx.plan_name(s, p) for p in enabled[s]) for s in covered_by},
        }


def _turned_on(plans: dict[str, Any], copies: list[tuple[str, ...]]) -> frozenset[str]:
    """The plan ids (lower-case) of `plans` that at least one copy leaves on (copies add up)."""
    if not copies:
        return frozenset()
    off = set.intersection(*({p.lower() for p in disabled} for disabled in copies))
    return frozenset(p for p in plans if p not in off)


class GuestLicensed(UserHygieneRule):
    """A guest (B2B) account holds licenses.

    Example:
        hygiene:
          guest_users: {severity: medium}
    """

    id = "guest-licensed"
    title = "Guest account holds licenses"
    default_severity = Severity.MEDIUM
    key = "guest_users"
    fragment = _check_schema(False)

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        return ctx.index.where("user_type", "guest", lambda kind: kind.lower() == "guest")

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return {} if user.user_type.lower() == "guest" else None

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "guest account holds licenses"


class SharedMailboxLicensed(UserHygieneRule):
    """A shared, room or equipment mailbox (mailboxSettings.userPurpose) holds licenses. Such a
    mailbox needs one only when it holds more than 50 GB, has an archive or is on a litigation or
    retention hold; the finding asks to check those before the license goes.

    Needs MailboxSettings.Read. The purpose is read for the accounts the disabled and inactive
    rules could flag (licensed and disabled, or without a recent successful sign-in), so a
    shared mailbox that someone signs in to directly is not judged.

    Example:
        hygiene:
          shared_mailboxes: {severity: low}
    """

    id = "shared-mailbox-licensed"
    title = "Shared mailbox holds licenses"
    default_severity = Severity.LOW
    key = "shared_mailboxes"
    fragment = _check_schema(False)
    # A shared, room or equipment mailbox keeps its mail without a license (up to 50 GB, no archive,
    # no hold: what the fix says to check first), so its removal is not a data loss to flag.
    removes = False
    needs = frozenset({"users", MAILBOX_SETTINGS})

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        return ctx.index.where("mailbox_purpose", "resource",
                               lambda purpose: purpose is not None and purpose.lower() in RESOURCE_PURPOSES)

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        purpose = user.mailbox_purpose
        return {"mailbox_purpose": purpose.lower()} if purpose and purpose.lower() in RESOURCE_PURPOSES else None

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return f"{details['mailbox_purpose']} mailbox holds licenses"


class UsageLocationMissing(UserHygieneRule):
    """A licensed user has no usage location (required for license assignment).

    Example:
        hygiene:
          usage_location: {severity: low}
    """

    id = "usage-location-missing"
    title = "Usage location missing"
    default_severity = Severity.LOW
    key = "usage_location"
    fragment = _check_schema(False)
    removes = False

    def candidates(self, check: HygieneCheck, ctx: Context) -> Iterable[int] | None:
        return ctx.index.where("usage_location", None, lambda location: not location)

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        return None if user.usage_location else {}

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "holds licenses but has no usage location"


class LicenseAssignmentError(HygieneRule):
    """A license assignment failed, fully or in part: licenseAssignmentStates with an error, or in
    the state Error or ActiveWithError (active, but not all of it could be applied). A Disabled
    assignment without an error is not a failure and is not reported.

    Example:
        hygiene:
          assignment_errors: {severity: high}
    """

    id = "license-assignment-error"
    title = "License assignment error"
    default_severity = Severity.HIGH
    key = "assignment_errors"
    fragment = _check_schema(False)

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        excluded = ctx.index.select(check.except_) if check.except_ else frozenset()
        users = ctx.index.users
        for pos in ctx.index.assignment_errors():
            user = users[pos]
            errors = [s for s in user.license_assignment_states if s.is_error]
            if not errors or excluded is None or pos in excluded:
                continue
            for state in errors:
                sid = state.sku_id.lower()
                details = ctx.user_details(user, [sid], None) | {"error": state.error, "state": state.state}
                group = ctx.index.group_name.get(state.assigned_by_group or "", state.assigned_by_group)
                source = f" (assigned by group {group})" if group else ""
                what = "is active, but could not be applied in full" if state.state == "ActiveWithError" \
                    else "failed"
                yield self.make(
                    policy, f"hygiene/{self.key}", ctx.user_subject(user), (ctx.index.part(sid),),
                    f"assignment of {ctx.index.part(sid)} {what}: {state.error}{source}", details,
                    severity=check.severity,
                )


def error_code(state: LicenseAssignmentState) -> str:
    """The failure as Graph names it: the error value, else the state (Error, ActiveWithError)."""
    return state.error if state.error not in ("", "None") else state.state


class GroupLicenseErrors(HygieneRule):
    """A group's license assignment failed for some of its members: a member's licenseAssignmentStates
    names the group with an error, or Graph flags the group (hasMembersWithLicenseErrors, read when
    the tenant allows the filter). One finding per group, so the fix starts where it is made: the
    group's Licenses page lists the members in error, and the group is reprocessed once the causes
    are fixed. Each member's own failure is the license-assignment-error finding.

    Example:
        hygiene:
          group_license_errors: {severity: medium}
    """

    id = "group-license-errors"
    title = "Group with license assignment errors"
    default_severity = Severity.MEDIUM
    key = "group_license_errors"
    fragment = {"type": "object", "additionalProperties": False, "properties": {"severity": SEVERITY_SCHEMA}}
    # The users' states are enough: every user is read, so every failing member names its group.
    needs = frozenset({"users"})

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        users = ctx.index.users
        by_id = {g.id.lower(): g for g in ctx.index.snapshot.groups}
        named = {s.assigned_by_group.lower(): s.assigned_by_group for pos in ctx.index.assignment_errors()
                 for s in users[pos].license_assignment_states if s.assigned_by_group and s.is_error}
        for gid in sorted(set(named) - set(by_id)):  # a group the snapshot does not hold: its id stands in
            by_id[gid] = Group(named[gid], "")
        flagged = sorted((g for gid, g in by_id.items() if g.has_members_with_license_errors or gid in named),
                         key=lambda g: (g.display_name.lower(), g.id))
        if not flagged:
            return
        wanted = {g.id.lower() for g in flagged}
        members: dict[str, int] = dict.fromkeys(wanted, 0)
        codes: dict[str, dict[str, int]] = {gid: {} for gid in wanted}
        products: dict[str, set[str]] = {gid: set() for gid in wanted}
        for pos in ctx.index.assignment_errors():
            seen: set[str] = set()
            for state in users[pos].license_assignment_states:
                gid = (state.assigned_by_group or "").lower()
                if gid not in wanted or not state.is_error:
                    continue
                code = error_code(state)
                codes[gid][code] = codes[gid].get(code, 0) + 1
                products[gid].add(state.sku_id.lower())
                if gid not in seen:
                    seen.add(gid)
                    members[gid] += 1
        for group in flagged:
            gid = group.id.lower()
            parts = sorted({ctx.index.part(s) for s in products[gid]}
                           or {ctx.index.part(lic.sku_id.lower()) for lic in group.assigned_licenses})
            count = members[gid]
            errors = dict(sorted(codes[gid].items()))
            seen_text = f"{count} member(s) in the snapshot" if count else "no member's error is in the snapshot"
            message = f"group {group.display_name or group.id} has members with license errors ({seen_text})"
            if errors:
                message += ": " + ", ".join(f"{code} ({n})" for code, n in errors.items())
            yield self.make(
                policy, f"hygiene/{self.key}",
                Subject(SubjectType.GROUP, group.id, display_name=group.display_name or None), parts, message,
                {"group": group.display_name, "group_id": group.id, "members_with_errors": count, "errors": errors},
                severity=check.severity,
            )


class SubscriptionExpiring(HygieneRule):
    """A subscription (trials included) ends within `days` days, or is already past its end.

    Example:
        hygiene:
          expiring_subscriptions: {days: 30, severity: medium}
    """

    id = "subscription-expiring"
    title = "Subscription expiring"
    default_severity = Severity.MEDIUM
    key = "expiring_subscriptions"
    fragment = _check_schema(True, "Report subscriptions whose next lifecycle date is within this many days.")
    needs = frozenset({"subscriptions"})

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        horizon = ctx.as_of + timedelta(days=check.days or 30)
        for sub in sorted(ctx.index.snapshot.subscriptions, key=lambda s: s.id):
            if sub.status.lower() == "deleted":
                continue
            when = parse_when(sub.next_lifecycle_date_time)
            lapsed = sub.status.lower() in ("warning", "suspended", "lockedout")
            if not lapsed and (when is None or when > horizon):
                continue
            part = sub.sku_part_number or ctx.index.part(sub.sku_id)
            days_left = (when - ctx.as_of).days if when else None
            kind = "trial" if sub.is_trial else "subscription"
            if lapsed:
                after = f"; next change {when:%Y-%m-%d}" if when else ""
                message = f"{kind} for {part} has ended and is {sub.status}{after}"
            elif days_left is not None and days_left < 0:
                message = f"{kind} for {part} ended {when:%Y-%m-%d}" if when else f"{kind} for {part} ended"
            else:
                message = f"{kind} for {part} ends {when:%Y-%m-%d} ({days_left} days)" if when else ""
            yield self.make(
                policy, f"hygiene/{self.key}", Subject(SubjectType.SUBSCRIPTION, sub.id, sku=part), (part,), message,
                {"status": sub.status, "is_trial": sub.is_trial, "next_lifecycle": sub.next_lifecycle_date_time,
                 "days_left": days_left, "total_licenses": sub.total_licenses},
                severity=check.severity,
            )


HYGIENE_RULES: tuple[HygieneRule, ...] = (
    DisabledUserLicensed(),
    InactiveUserLicensed(),
    GuestLicensed(),
    SharedMailboxLicensed(),
    LicenseAssignmentError(),
    GroupLicenseErrors(),
    LicenseAssignedTwice(),
    LicenseRedundant(),
    UsageLocationMissing(),
    SubscriptionExpiring(),
)

# The rules whose accounts the collector reads the mailbox purpose of (see graph.collector.MailboxCheck).
MAILBOX_RULES: tuple[HygieneRule, ...] = tuple(
    r for r in HYGIENE_RULES if isinstance(r, DisabledUserLicensed | InactiveUserLicensed | SharedMailboxLicensed))
