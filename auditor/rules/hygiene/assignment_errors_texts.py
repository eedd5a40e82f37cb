"""The guidance of the rules in auditor/rules/hygiene/assignment_errors.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from auditor.data.blocked import CAUSE_FIRST

from ...guidance.cloud_variants import Variant
from ...guidance.details import GROUP_ID_PLACEHOLDER, RuleDetails, number
from ...guidance.examples import E5, USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values
from ...guidance.remediation import Action, Remediation, TextRef, lookup, reprocess, set_usage_location
from ...guidance.texts.declare import Text
from . import assignment_errors as rules

# Graph licenseAssignmentState.error values with their own guidance; anything else -> "other".
ERROR_CODES = ("CountViolation", "MutuallyExclusiveViolation", "DependencyViolation", "UniquenessViolation")

# The usage-location error Graph documents (licenseAssignmentState.error); no other spelling exists.
USAGE_ERROR_CODES = ("ProhibitedInUsageLocationViolation",)

# The section of "Identify and resolve license assignment problems for a group" per error (links.py).
ERROR_LINKS = {
    "CountViolation": "resolve_count",
    "MutuallyExclusiveViolation": "resolve_conflict",
    "DependencyViolation": "resolve_dependency",
    "ProhibitedInUsageLocationViolation": "resolve_location",
    "UniquenessViolation": "resolve_proxy",
}

# licenseAssignmentState.state -> message variant: a partly applied or a disabled assignment says so
_ERROR_STATES = {"ActiveWithError": ".partial", "Disabled": ".disabled"}


class LicenseAssignmentError(RuleGuidance[rules.LicenseAssignmentErrorDetails]):
    id = rules.LicenseAssignmentError.id
    texts = (
        Text("rule.license-assignment-error.title", "License assignment error"),
        Text(
            "rule.license-assignment-error.describe",
            "Microsoft Entra ID could not fully apply the license, so the user may be missing services.",
        ),
        Text("rule.license-assignment-error.message", "Applying {sku} to {user} failed: {error}."),
        Text(
            "rule.license-assignment-error.message.partial",
            "{sku} is active for {user}, but not all of it could be applied: {error}.",
        ),
        Text(
            "rule.license-assignment-error.message.disabled",
            "The assignment of {sku} to {user} is disabled and reports an error: {error}.",
        ),
        Text(
            "summary.error.CountViolation",
            "There are not enough {sku} licenses: free some or buy more, then reprocess {user}.",
        ),
        Text(
            "summary.error.MutuallyExclusiveViolation",
            "A service in {sku} conflicts with a service {user} "
            "already has from another product: decide which one the user keeps, then reprocess.",
        ),
        Text(
            "summary.error.DependencyViolation",
            "Removing {sku} from {user} is blocked: another product {user} "
            "holds has a service that depends on {sku}. Remove that product first, or keep {sku}, then reprocess.",
        ),
        Text(
            "summary.error.UniquenessViolation",
            "Another object uses one of the proxy addresses of {user}: fix the duplicate address, then reprocess.",
        ),
        Text(
            "summary.error.usage_location",
            "{sku} is not available in the usage location of {user}: correct the "
            "location if it is wrong; otherwise the user cannot have {sku} there. Then reprocess.",
        ),
        Text(
            "summary.error.other",
            "Applying {sku} to {user} failed ({error}): read the error on the user's "
            "Licenses page, fix the cause, then reprocess.",
        ),
        Text("summary.error.partial", "{sku} is active for {user}, but not every part of it could be applied."),
        Text(
            "steps.error.CountViolation",
            "Free up {sku} licenses held by users who no longer need them, or buy "
            "more: Billing > Your products > select the subscription > Buy licenses.",
        ),
        Text(
            "steps.error.CountViolation.gov",
            "Free up {sku} licenses held by users who no longer need them, or buy "
            "more through the agreement or partner the organization buys from.",
        ),
        Text(
            "steps.error.MutuallyExclusiveViolation",
            "Decide which of the conflicting products {user} keeps, "
            "and remove the other one or switch off the conflicting service.",
        ),
        Text(
            "steps.error.DependencyViolation",
            "Find the product whose service plan needs a service of {sku} "
            "(the user's Licenses page names it), remove it or turn that service off first, and only then remove "
            "{sku}; with group-based licensing, change both groups together.",
        ),
        Text(
            "steps.error.UniquenessViolation",
            "Find the other object that uses the same proxy address (for "
            "example in the Exchange admin center) and change or remove the duplicate.",
        ),
        Text(
            "steps.error.other",
            "In the Microsoft Entra admin center, go to Users > All users > {user} > "
            "Licenses and read the error shown for {sku}.",
        ),
        Text(
            "steps.error.group",
            "The license comes from the group {group}, so other members may have the same "
            "error: check the group's Licenses page in the Microsoft Entra admin center.",
            "The license comes from the groups {group}, so other members may have the same error: check the "
            "groups' Licenses pages in the Microsoft Entra admin center.",
        ),
        Text(
            "steps.error.ProhibitedInUsageLocationViolation",
            "Check the usage location of {user}. If it is not "
            "where the user works, set the right one as below. If it is right, {sku} is not offered there: take "
            "{user} out of the assignment (for a group license: out of the group) instead of changing the "
            "location.",
        ),
        Text(
            "steps.reprocess",
            "Reprocess the user: in the Microsoft Entra admin center, go to Users > All users > "
            "{user} > Licenses and select Reprocess.",
        ),
        Text(
            "graph.reprocess", "After the cause is fixed, makes Microsoft Entra ID apply the licenses of {user} again."
        ),
        Text(
            "graph.reprocess_now",
            "Makes Microsoft Entra ID apply the licenses of {user} again; a license is free "
            "now, so nothing needs fixing first.",
        ),
    )
    example_finding = (
        USER,
        ["SPE_E5"],
        {
            "error": "CountViolation",
            "state": "Error",
            "assigned_by_group": {"SPE_E5": ["All Staff"]},
            "group_kinds": {},
            "assigned_by_group_ids": {"SPE_E5": ["g-1"]},
            "sku_ids": {"SPE_E5": E5},
        },
    )

    def message(self, f: RuleDetails[rules.LicenseAssignmentErrorDetails], w: ValueFormatter) -> Message:
        key = self.message_key(_ERROR_STATES.get(f.own.state, ""))
        code = f.own.error
        return key, {**base_values(f, w), "error": w.error(code) if code else w.word("unknown")}

    def remediation(
        self, f: RuleDetails[rules.LicenseAssignmentErrorDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        code = f.own.error or ""
        part = f.skus[0] if f.skus else "?"
        groups = f.groups(part)
        values = {"sku": w.product(part), "error": w.error(code) if code else w.word("unknown"), "group": w.all(groups)}
        steps: list[TextRef] = []
        role = "role.group" if groups else "role.assign"
        action: Action
        if code in USAGE_ERROR_CODES:
            summary = TextRef("summary.error.usage_location", values)
            steps += [TextRef(f"steps.error.{code}", values), TextRef(f"steps.usage_location.{v.steps}", values)]
            action = set_usage_location(f, TextRef("graph.usage_location", values))
        else:
            kind = code if code in ERROR_CODES else "other"
            summary = TextRef(f"summary.error.{kind}", values)
            steps.append(TextRef(f"steps.error.{kind}", values))
            # an assignment in Error was not applied: reprocessed with a seat free, it takes one
            # "after the cause is fixed" only where there is one: a CountViolation with a seat free
            # now has none, the reprocess alone applies the license
            free = f.own.free_seats
            cause = not (kind == "CountViolation" and free is not None and free > 0)
            # a partly applied assignment (ActiveWithError) keeps what it applied: reprocessed while
            # its conflict is still there, it only fails again, so a person fixes the cause first
            partial = f.own.state == "ActiveWithError"
            action = reprocess(
                f,
                TextRef("graph.reprocess" if cause else "graph.reprocess_now", values),
                takes=[part] if f.own.state == "Error" and f.skus else [],
                blocked=CAUSE_FIRST if partial and cause else None,
            )
            if kind == "CountViolation":
                role = "role.billing_assign"
        if groups:  # several groups may assign the product: "from the groups A and B"
            steps.append(TextRef("steps.error.group", {**values, **w.listing("group", groups, products=False)}))
        steps.append(TextRef("steps.reprocess", values))
        # ActiveWithError: the license works, but not all of it could be applied
        partial = f.own.state == "ActiveWithError"
        summaries = (TextRef("summary.error.partial", values), summary) if partial else summary
        links = [ERROR_LINKS.get(code, "resolve_find"), "assign_licenses", "graph:user_reprocess"]
        if groups:
            links.insert(1, "resolve_reprocess")
        if code == "CountViolation":
            links.insert(1, "buy_licenses")
        if code in USAGE_ERROR_CODES:
            links.append("graph:user_update")
        return Remediation(summaries, steps, role, [TextRef("next.rerun")], links, [action])


class GroupLicenseErrors(RuleGuidance[rules.GroupLicenseErrorsDetails]):
    id = rules.GroupLicenseErrors.id
    texts = (
        Text("rule.group-license-errors.title", "Group with license assignment errors"),
        Text(
            "rule.group-license-errors.describe",
            "Microsoft Entra ID could not give some members of this group "
            "the licenses the group assigns. The fix starts at the group: its Licenses page lists the members in "
            "an error state.",
        ),
        Text(
            "rule.group-license-errors.message",
            "The licenses of the group {group} could not be applied to some "
            "of its members ({count} member in this audit): {errors}.",
            "The licenses of the group {group} could not be applied to some of its members ({count} members in "
            "this audit): {errors}.",
        ),
        Text(
            "rule.group-license-errors.message.uncounted",
            "Microsoft Entra ID reports members of the group "
            "{group} whose licenses from the group could not be applied.",
        ),
        Text(
            "summary.group_errors",
            "Members of the group {group} did not get all of its licenses ({count} "
            "member in this audit): open the group's Licenses page, fix each cause, then reprocess the group.",
            "Members of the group {group} did not get all of its licenses ({count} members in this audit): open "
            "the group's Licenses page, fix each cause, then reprocess the group.",
        ),
        Text(
            "summary.group_errors.uncounted",
            "Members of the group {group} did not get all of its licenses: "
            "open the group's Licenses page, fix each cause, then reprocess the group.",
        ),
        Text(
            "steps.group_errors.open",
            "In the Microsoft Entra admin center, go to Groups > All groups > {group} "
            "> Licenses: the notification there lists the members in an error state; select one to see its error.",
        ),
        Text(
            "steps.group_errors.cause",
            "{error}: {count} member affected. Each member's license assignment error finding gives its fix.",
            "{error}: {count} members affected. Each member's license assignment error finding gives its fix.",
        ),
        Text(
            "steps.group_errors.fix",
            "Fix the cause for each member as its error says: free or buy licenses, "
            "choose between conflicting products or services, correct usage locations or duplicate proxy "
            "addresses.",
        ),
        Text(
            "steps.group_errors.reprocess",
            "Then, on the Licenses page of {group}, select Reprocess.",
        ),
        Text("graph.group_errors", "Lists the members of {group} whose licenses from the group could not be applied."),
    )
    example_finding = (
        {"type": "group", "id": "g-1", "display_name": "All Staff"},
        ["SPE_E5"],
        {
            "group": "All Staff",
            "group_id": "g-1",
            "members_with_errors": 3,
            "errors": {"CountViolation": 2, "MutuallyExclusiveViolation": 1},
        },
    )

    def message(self, f: RuleDetails[rules.GroupLicenseErrorsDetails], w: ValueFormatter) -> Message:
        unknown = w.word("unknown")
        count, errors = f.own.members_with_errors, f.own.errors
        values = {
            **base_values(f, w),
            "group": f.own.group or f.label(),
            "count": number(count, unknown),
            "errors": w.all([w.error(code) for code in sorted(errors)]),
        }
        return self.message_key("" if count else ".uncounted"), values

    def remediation(
        self, f: RuleDetails[rules.GroupLicenseErrorsDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        """Where the fix of a group's failed assignments starts: the group's Licenses page, the causes
        (one line per error value, with its count), then one reprocess of the group."""
        unknown = w.word("unknown")
        group = f.own.group or f.subject.display_name or f.subject.id or unknown
        gid = f.own.group_id or f.subject.id or GROUP_ID_PLACEHOLDER
        count = f.own.members_with_errors
        values = {"group": group, "count": number(count, unknown), "sku": w.skus(f.skus)}
        summary = TextRef("summary.group_errors" if count else "summary.group_errors.uncounted", values)
        steps = [TextRef("steps.group_errors.open", values)]
        errors = f.own.errors
        for code, n in sorted(errors.items()):
            said = w.error(code)
            said = said[:1].upper() + said[1:]  # it begins the step
            steps.append(TextRef("steps.group_errors.cause", {**values, "error": said, "count": number(n, unknown)}))
        steps += [TextRef("steps.group_errors.fix", values), TextRef("steps.group_errors.reprocess", values)]
        links = [
            "resolve_find",
            *dict.fromkeys(ERROR_LINKS[c] for c in sorted(errors) if c in ERROR_LINKS),
            "resolve_reprocess",
            "graph:group_errors",
        ]
        action = lookup(
            f"/groups/{gid}/membersWithLicenseErrors/microsoft.graph.user?$select=id,userPrincipalName,displayName",
            TextRef("graph.group_errors", values),
        )
        return Remediation(summary, steps, "role.group", [TextRef("next.rerun")], links, [action])
