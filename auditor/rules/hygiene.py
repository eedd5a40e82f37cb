"""Rules under `hygiene:` — licenses that are wasted or broken regardless of population."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ..model import Finding, LicenseAssignmentState, Severity, Subject, SubjectType, User
from ..policy.model import HygieneCheck, Policy, Selector
from ..policy.selectors import SELECTOR_SCHEMA
from ..snapshot import LICENSE_ERROR_GROUPS, PLAIN_UTC
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
            yield self.make(
                policy, f"hygiene/{self.key}", ctx.user_subject(user), ctx.index.parts(sku_ids),
                self.describe(user, details), details, severity=self.severity(user, check, ctx),
                monthly_cost=ctx.cost_of(sku_ids) if self.costs else None,
            )

    costs = True  # the finding's products are spend the fix would free

    def products(self, user: User, details: dict[str, Any], ctx: Context) -> frozenset[str]:
        """The products the finding is about (all the user holds, unless the rule narrows it)."""
        return user.sku_ids


class DisabledUserLicensed(UserHygieneRule):
    """A disabled (blocked sign-in) account still holds licenses.

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
        return None if user.account_enabled else {}

    def describe(self, user: User, details: dict[str, Any]) -> str:
        return "account is disabled but still holds licenses"


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


class InactiveUserLicensed(UserHygieneRule):
    """An enabled, licensed account has not signed in successfully for `days` days.

    Needs signInActivity (Entra ID P1 and AuditLog.Read.All). Failed sign-in attempts do not count
    as activity where Graph returns lastSuccessfulSignInDateTime. Accounts created, and accounts
    whose licenses were assigned or changed (licenseAssignmentStates.lastUpdatedDateTime), within
    the window are not counted: they have not had the time to be inactive.

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
        # Most accounts signed in recently: settle those by comparing text in one tight pass and
        # leave the rest to `offends`, which parses (the outcome is the same either way).
        cutoff = _text_cutoff(ctx.as_of - timedelta(days=check.days or 90))
        if cutoff is None:
            return None
        plain = PLAIN_UTC.fullmatch
        return [
            i for i, u in enumerate(ctx.index.users)
            if u.account_enabled and u.assigned_licenses
            and not ((t := u.last_successful_sign_in_date_time) is not None and t >= cutoff and plain(t))
            and not (u.last_successful_sign_in_date_time is None and (
                ((t := u.last_sign_in_date_time) is not None and t >= cutoff and plain(t))
                or ((t := u.last_non_interactive_sign_in_date_time) is not None and t >= cutoff and plain(t))))
        ]

    def offends(self, user: User, check: HygieneCheck, ctx: Context) -> dict[str, Any] | None:
        if not user.account_enabled:
            return None
        cutoff = ctx.as_of - timedelta(days=check.days or 90)
        last = last_sign_in(user)
        if last is not None and last >= cutoff:
            return None
        for since in (parse_when(user.created_date_time), parse_when(user.licenses_updated)):
            if since is not None and since >= cutoff:
                return None  # new account, or licenses assigned within the window: grace
        details: dict[str, Any] = {"days": check.days, "last_sign_in": _iso(last)}
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
            return f"has never signed in (threshold {details['days']} days) but holds licenses"
        return f"last signed in {details['last_sign_in'][:10]}, over {details['days']} days ago, but holds licenses"


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
    """A group's license assignment failed for some of its members (Graph's group property
    hasMembersWithLicenseErrors). One finding per group, so the fix starts where it is made: the
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
    needs = frozenset({"users", LICENSE_ERROR_GROUPS})

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        flagged = sorted((g for g in ctx.index.snapshot.groups if g.has_members_with_license_errors),
                         key=lambda g: (g.display_name.lower(), g.id))
        if not flagged:
            return
        wanted = {g.id.lower() for g in flagged}
        members: dict[str, int] = dict.fromkeys(wanted, 0)
        codes: dict[str, dict[str, int]] = {gid: {} for gid in wanted}
        products: dict[str, set[str]] = {gid: set() for gid in wanted}
        users = ctx.index.users
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
    LicenseAssignmentError(),
    GroupLicenseErrors(),
    LicenseAssignedTwice(),
    UsageLocationMissing(),
    SubscriptionExpiring(),
)
