"""Failed license assignments: per user and product, and per group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from auditor.common.numbers import english_count
from auditor.data.finding import Own
from auditor.data.model import Finding, Group, LicenseAssignmentState, Severity, Subject, SubjectType

from ...data.reads import Reads
from ...policy.objects import HygieneCheck, Policy
from ..base import SEVERITY_SCHEMA, Context
from .base import HygieneRule, check_schema


class LicenseAssignmentErrorDetails(Own, frozen=True, kw_only=True):
    """`error` (Graph's licenseAssignmentState.error: CountViolation, MutuallyExclusiveViolation, DependencyViolation,
    ProhibitedInUsageLocationViolation, UniquenessViolation, Other; `None` when only the state tells), `state`
    (Error, or ActiveWithError: active but not applied in full; Disabled only together with an error); `free_seats`
    (CountViolation only: the product's usable seats not assigned when the tenant was read; above 0, nothing needs
    fixing before the reprocess)"""

    optional: ClassVar[frozenset[str]] = frozenset({"free_seats"})
    error: str | None = None  # Graph's licenseAssignmentState.error: CountViolation, MutuallyExclusiveViolation, ...
    state: str = ""  # Error or ActiveWithError ("": not in the report, an older one)
    # CountViolation: the product's free seats now (a reprocess alone applies one); None: not written
    free_seats: int | None = None


class GroupLicenseErrorsDetails(Own, frozen=True, kw_only=True):
    """subject `{"type": "group", "id", "display_name"}`; `group` (display name), `group_id`, `members_with_errors`
    (users in the snapshot whose states name the group with an error; 0 when Graph flags the group but no user's
    state shows it), `errors` ({error value, or the state when Graph gave no error value: number of failed
    assignments}); `skus` are the products that failed (else the group's products)"""

    group: str = ""  # "": not in the report (an older one)
    group_id: str = ""
    members_with_errors: int | None = None
    errors: dict[str, int] = {}  # error code -> members with it


class LicenseAssignmentError(HygieneRule[LicenseAssignmentErrorDetails]):
    """A license assignment failed, fully or in part: a `licenseAssignmentStates` error (CountViolation,
    MutuallyExclusiveViolation, DependencyViolation, ProhibitedInUsageLocationViolation, UniquenessViolation,
    Other), or the state Error or ActiveWithError (active, but not all of it could be applied). One finding per
    product, with a link to the matching section of Microsoft's "resolve license assignment problems for a group"
    page. A Disabled assignment without an error is not a failure and is not reported.

    Example:
        hygiene:
          assignment_errors: {severity: high}
    """

    id = "license-assignment-error"
    default_severity = Severity.HIGH
    key = "assignment_errors"
    fragment = check_schema(False)

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        excluded = ctx.index.excluded(check.except_)
        users = ctx.index.users
        for pos in ctx.index.assignment_errors():
            user = users[pos]
            errors = [s for s in user.license_assignment_states if s.is_error]
            if not errors or excluded is None or pos in excluded:
                continue
            for state in errors:
                sid = state.sku_id.lower()
                sku = ctx.index.sku_by_id.get(sid)
                # a CountViolation with a seat free now: a reprocess alone applies it
                free = sku.unused if state.error == "CountViolation" and sku is not None else None
                details = LicenseAssignmentErrorDetails(error=state.error, state=state.state, free_seats=free)
                group = ctx.index.group_name.get(state.assigned_by_group or "", state.assigned_by_group)
                source = f" (assigned by group {group})" if group else ""
                what = "is active, but could not be applied in full" if state.state == "ActiveWithError" else "failed"
                yield self.make(
                    policy,
                    f"hygiene/{self.key}",
                    ctx.user_subject(user),
                    (ctx.index.part(sid),),
                    f"assignment of {ctx.index.part(sid)} {what}: {state.error}{source}",
                    details,
                    severity=check.severity,
                    also=state.assigned_by_group or "",
                    holding=ctx.user_details(user, [sid], None),
                )


def error_code(state: LicenseAssignmentState) -> str:
    """The failure as Graph names it: the error value, else the state (Error, ActiveWithError)."""
    return state.error if state.error not in ("", "None") else state.state


class GroupLicenseErrors(HygieneRule[GroupLicenseErrorsDetails]):
    """A group's license assignment failed for some of its members: a member's `licenseAssignmentStates` names the
    group with an error, or Graph flags the group (`hasMembersWithLicenseErrors`, read when the tenant allows the
    filter; without it, the users' states alone are read).

    One finding per group, so the fix starts where it is made: it names how many members the snapshot shows in error
    and with which errors, says where to fix them (Groups > the group > Licenses) and to reprocess the group once
    the causes are fixed. Medium: each member's own failure is already a high `license-assignment-error`.

    Example:
        hygiene:
          group_license_errors: {severity: medium}
    """

    id = "group-license-errors"
    default_severity = Severity.MEDIUM
    key = "group_license_errors"
    fragment = {"type": "object", "additionalProperties": False, "properties": {"severity": SEVERITY_SCHEMA}}
    # The users' states are enough: every user is read, so every failing member names its group.
    reads = Reads("users")

    def check(self, policy: Policy, check: HygieneCheck, ctx: Context) -> Iterator[Finding]:
        users = ctx.index.users
        by_id = {g.id.lower(): g for g in ctx.index.snapshot.groups}
        named = {
            s.assigned_by_group.lower(): s.assigned_by_group
            for pos in ctx.index.assignment_errors()
            for s in users[pos].license_assignment_states
            if s.assigned_by_group and s.is_error
        }
        for gid in sorted(set(named) - set(by_id)):  # a group the snapshot does not hold: its id stands in
            by_id[gid] = Group(named[gid], "")
        flagged = sorted(
            (g for gid, g in by_id.items() if g.has_members_with_license_errors or gid in named),
            key=lambda g: (g.display_name.lower(), g.id),
        )
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
            parts = sorted(
                {ctx.index.part(s) for s in products[gid]}
                or {ctx.index.part(lic.sku_id.lower()) for lic in group.assigned_licenses}
            )
            count = members[gid]
            errors = dict(sorted(codes[gid].items()))
            members_said = english_count(count, "member", "members")
            seen_text = f"{members_said} in the snapshot" if count else "no member's error is in the snapshot"
            message = f"group {group.display_name or group.id} has members with license errors ({seen_text})"
            if errors:
                message += ": " + ", ".join(f"{code} ({n})" for code, n in errors.items())
            yield self.make(
                policy,
                f"hygiene/{self.key}",
                Subject(SubjectType.GROUP, group.id, display_name=group.display_name or None),
                parts,
                message,
                GroupLicenseErrorsDetails(
                    group=group.display_name, group_id=group.id, members_with_errors=count, errors=errors
                ),
                severity=check.severity,
            )


RULES: tuple[HygieneRule[Any], ...] = (
    LicenseAssignmentError(),
    GroupLicenseErrors(),
)
