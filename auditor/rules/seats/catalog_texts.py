"""The guidance of the rules in auditor/rules/seats/catalog.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.blocked import PLACEHOLDER, SEATS_NEEDED

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, iso_date, number
from ...guidance.examples import E5
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, bill_figures, bill_values
from ...guidance.remediation import Remediation, TextRef, assign_license, list_holders
from ...guidance.texts.declare import Steps, Text
from . import catalog as rules


def seat_values(f: RuleDetails[rules.SeatCounts], w: ValueFormatter, count: str = "consumed") -> dict[str, str]:
    """The values of a message about a product's seats: its name and the seat counts the details hold.
    `count` names the one the text agrees with ("1 of 199 licenses is free"): it is shown as {count}."""
    unknown = w.word("unknown")
    values = {**base_values(f, w), "sku": w.product(f.subject_sku)}
    seats = f.own
    values |= {
        "enabled": number(seats.enabled, unknown),
        "consumed": number(seats.consumed, unknown),
        "unused": number(seats.unused, unknown),
        "limit": number(seats.limit, unknown),
        "min": number(seats.min, unknown),
    }
    values["count"] = values[count]
    return values


class SpareSeatsOverLimit(RuleGuidance[rules.SpareSeatsOverLimitDetails]):
    id = rules.SpareSeatsOverLimit.id
    texts = (
        Text("rule.spare-seats-over-limit.title", "Too many unused licenses"),
        Text(
            "rule.spare-seats-over-limit.describe",
            "The organization pays for more licenses than are in use, beyond the margin the policy allows.",
        ),
        Text(
            "rule.spare-seats-over-limit.message",
            "{sku}: {count} of {enabled} licenses is unused; the policy allows at most {limit}.",
            "{sku}: {count} of {enabled} licenses are unused; the policy allows at most {limit}.",
        ),
        Text(
            "rule.spare-seats-over-limit.message.renewal",
            "{sku}: {count} of {enabled} licenses is unused; the "
            "policy allows at most {limit}. Reduce by {excess} at the renewal on {date}.",
            "{sku}: {count} of {enabled} licenses are unused; the policy allows at most {limit}. Reduce by "
            "{excess} at the renewal on {date}.",
        ),
        Text(
            "summary.seats_over",
            "Reassign the unused {sku} licenses, or remove {count} license from the subscription.",
            "Reassign the unused {sku} licenses, or remove {count} licenses from the subscription.",
        ),
        Text(
            "summary.seats_over.renewal",
            "Reassign the unused {sku} licenses, or reduce the subscription by "
            "{count} license at its renewal on {date}: on a subscription with a term, licenses can be removed "
            "only within 7 days of its purchase or renewal, or of adding them, otherwise at its renewal with "
            "recurring billing on.",
            "Reassign the unused {sku} licenses, or reduce the subscription by {count} licenses at its renewal "
            "on {date}: on a subscription with a term, licenses can be removed only within 7 days of its "
            "purchase or renewal, or of adding them, otherwise at its renewal with recurring billing on.",
        ),
        Text(
            "summary.seats_over.bill_keeps",
            "Keep the unused {sku} licenses: the plan's changes need them, and its bill removes none.",
        ),
        Text("steps.seats.reassign", "Give the unused {sku} licenses to users who are waiting for one."),
        Steps(
            "steps.seats.remove",
            "If they will not be reassigned, remove them from the subscription: with a term, only within 7 days "
            "of its purchase, renewal or a seat addition, else at its next renewal with recurring billing on; "
            "legacy: any time.",
            "In the Microsoft 365 admin center, go to Billing > Your products.",
            "Select the subscription that holds {sku}, then select Remove licenses.",
            (
                "Enter the new total, {count} license, then select Save.",
                "Enter the new total, {count} licenses, then select Save.",
            ),
        ),
        Text(
            "steps.seats.remove.gov",
            "If they will not be reassigned, ask the agreement's contact or the "
            "partner to lower the number to {count} license; on a subscription with a term, that is possible "
            "within 7 days of its purchase or renewal, or of adding the licenses, otherwise at its renewal.",
            "If they will not be reassigned, ask the agreement's contact or the partner to lower the number to "
            "{count} licenses; on a subscription with a term, that is possible within 7 days of its purchase or "
            "renewal, or of adding the licenses, otherwise at its renewal.",
        ),
        Text(
            "next.partner",
            "Licenses bought through a partner or under a volume licensing agreement are changed through that "
            "partner or reseller, not by the Volume Licensing Service Center itself.",
        ),
        Text(
            "graph.reassign",
            "Assigns one unused {sku} license to a user who needs it (put that user's id in "
            "the path). Graph has no call to change how many licenses are bought; do that in the admin center.",
        ),
    )
    example_finding = (
        {"type": "sku", "id": E5, "sku": "SPE_E5"},
        ["SPE_E5"],
        {"enabled": 100, "consumed": 80, "unused": 20, "limit": 5, "max": 5, "max_percent": None},
    )

    def message(self, f: RuleDetails[rules.SpareSeatsOverLimitDetails], w: ValueFormatter) -> Message:
        values = seat_values(f, w, "unused") | bill_values(f)
        renewal = iso_date(f.own.renewal)
        if renewal and bill_figures(f) is None:  # with a bill, its note says what to drop and when
            unused, limit = f.own.unused, f.own.limit
            excess = unused - limit if unused is not None and limit is not None else None
            values |= {"date": renewal, "excess": number(excess, w.word("unknown"))}
            return self.message_key(".renewal"), values
        return self.message_key(), values

    def remediation(
        self, f: RuleDetails[rules.SpareSeatsOverLimitDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        sku = f.subject_sku
        name = w.product(sku)
        enabled, unused, limit = f.own.enabled, f.own.unused, f.own.limit
        excess = unused - limit if unused is not None and limit is not None and unused > limit else unused
        target = str(enabled - excess) if enabled is not None and excess is not None else w.word("unknown")
        renewal = (f.own.renewal or "")[:10]
        bill = bill_figures(f)
        if bill is not None:  # the plan's bill: the seats it drops, the total it leaves, the day it takes effect
            excess, target, renewal = bill.drop, str(bill.to), (bill.from_ or "")[:10]
        values = {
            "sku": name,
            "excess": str(excess) if excess is not None else w.word("unknown"),
            "target": target,
            "date": renewal,
        }
        steps = [TextRef("steps.seats.reassign", values), TextRef("steps.seats.remove", values | {"count": target})]
        summary = TextRef(
            "summary.seats_over.renewal" if renewal else "summary.seats_over", values | {"count": values["excess"]}
        )
        blocked = PLACEHOLDER  # the user who needs the seat is the admin's to pick: never ready
        if bill is not None and not bill.drop:
            # the bill keeps every license, or buys more for the plan's changes: removing licenses
            # (down to a "new total" above today's) would contradict the finding's own bill
            steps, summary = steps[:1], TextRef("summary.seats_over.bill_keeps", values)
            blocked = SEATS_NEEDED  # and the plan's state says so, not "remove the unused licenses"
        action = assign_license(f, [sku], [], TextRef("graph.reassign", values))
        action = replace(action, path="/users/{user-id}/assignLicense", user=None, blocked=blocked)
        return Remediation(
            summary,
            steps,
            "role.billing_assign",
            [TextRef("next.partner"), TextRef("next.rerun")],
            ["buy_licenses", "move_users", "admin_roles", "graph:user_assign"],
            [action],
        )


class SpareSeatsUnderMinimum(RuleGuidance[rules.SpareSeatsUnderMinimumDetails]):
    id = rules.SpareSeatsUnderMinimum.id
    texts = (
        Text("rule.spare-seats-under-minimum.title", "Too few free licenses"),
        Text(
            "rule.spare-seats-under-minimum.describe",
            "Fewer licenses are free than the buffer the policy asks for, so new staff may not get a license in time.",
        ),
        Text(
            "rule.spare-seats-under-minimum.message",
            "{sku}: {count} license of {enabled} is free; the policy asks for at least {min}.",
            "{sku}: {count} licenses of {enabled} are free; the policy asks for at least {min}.",
        ),
        Text(
            "rule.spare-seats-under-minimum.message.over",
            "{sku}: {count} license is assigned, more than the {enabled} available.",
            "{sku}: {count} licenses are assigned, more than the {enabled} available.",
        ),
        Text(
            "summary.seats_under",
            "Free or buy {sku} licenses so that at least {count} stays available.",
            "Free or buy {sku} licenses so that at least {count} stay available.",
        ),
        Text(
            "summary.seats_short",
            "More {sku} licenses are assigned than bought ({count} license short): buy more or free some now.",
            "More {sku} licenses are assigned than bought ({count} licenses short): buy more or free some now.",
        ),
        Text(
            "steps.seats.free",
            "Free up {sku} licenses held by accounts that no longer need them (see the "
            "disabled, inactive and guest findings).",
        ),
        Steps(
            "steps.seats.buy",
            "Otherwise buy more: in the Microsoft 365 admin center, go to Billing > Your products.",
            "Select the subscription that holds {sku}, then select Buy licenses.",
            (
                "Enter the total you need, {count} license, and complete the purchase.",
                "Enter the total you need, {count} licenses, and complete the purchase.",
            ),
        ),
        Text(
            "steps.seats.buy.gov",
            "Otherwise buy more through the agreement or partner the organization buys "
            "from, for a total of {count} license; the worldwide self-service purchase pages do not apply to "
            "this cloud.",
            "Otherwise buy more through the agreement or partner the organization buys from, for a total of "
            "{count} licenses; the worldwide self-service purchase pages do not apply to this cloud.",
        ),
        Text(
            "steps.seats.plan_frees",
            "Apply the plan first: its changes free enough {sku} licenses, so buy none; the plan's bill "
            "leaves {count} license in all.",
            "Apply the plan first: its changes free enough {sku} licenses, so buy none; the plan's bill "
            "leaves {count} licenses in all.",
        ),
        Text("graph.holders", "Lists the users who hold {sku}."),
    )
    example_finding = (
        {"type": "sku", "id": E5, "sku": "SPE_E5"},
        ["SPE_E5"],
        {"enabled": 100, "consumed": 95, "unused": 5, "min": 10},
    )

    def message(self, f: RuleDetails[rules.SpareSeatsUnderMinimumDetails], w: ValueFormatter) -> Message:
        enabled, consumed = f.own.enabled, f.own.consumed
        over = f.own.min is None or (enabled is not None and consumed is not None and consumed > enabled)
        return self.message_key(".over" if over else ""), seat_values(
            f, w, "consumed" if over else "unused"
        ) | bill_values(f)

    def remediation(
        self, f: RuleDetails[rules.SpareSeatsUnderMinimumDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        sku = f.subject_sku
        name = w.product(sku)
        enabled, consumed, minimum = f.own.enabled, f.own.consumed, f.own.min
        unknown = w.word("unknown")
        short = consumed - enabled if consumed is not None and enabled is not None and consumed > enabled else None
        if short is not None or minimum is None:
            count = str(short) if short is not None else unknown
            summary = TextRef("summary.seats_short", {"sku": name, "count": count})
        else:
            summary = TextRef("summary.seats_under", {"sku": name, "count": str(minimum)})
        # Enough licenses in total = everything assigned now plus the free buffer the policy asks for;
        # with a bill, the total it leaves once the plan's changes are made
        bill = bill_figures(f)
        if bill is not None:
            target = str(bill.to)
        else:
            target = str(consumed + (minimum or 0)) if consumed is not None else unknown
        values = {"sku": name, "count": target}
        buy = (
            TextRef("steps.seats.buy", values)
            if bill is None or bill.buy
            else TextRef("steps.seats.plan_frees", values)
        )
        steps = [TextRef("steps.seats.free", values), buy]
        action = list_holders(f.sku_id(sku), TextRef("graph.holders", values))
        return Remediation(
            summary,
            steps,
            "role.billing_assign",
            [TextRef("next.partner"), TextRef("next.rerun")],
            ["buy_licenses", "unassign_licenses", "admin_roles", "graph:user_list"],
            [action],
        )


class SkuNotApproved(RuleGuidance[rules.SkuNotApprovedDetails]):
    id = rules.SkuNotApproved.id
    texts = (
        Text("rule.sku-not-approved.title", "Product not approved"),
        Text(
            "rule.sku-not-approved.describe",
            "The tenant has a product the policy does not approve; it may have "
            "been bought or started as a trial outside the usual process.",
        ),
        Text(
            "rule.sku-not-approved.message",
            "{sku} is not on the policy's list of approved products; {consumed} of its {count} license is in use.",
            "{sku} is not on the policy's list of approved products; {consumed} of its {count} licenses are in use.",
        ),
        Text(
            "rule.sku-not-approved.message.over",
            "{sku} is not on the policy's list of approved products; {count} license is in use, more than can be "
            "assigned.",
            "{sku} is not on the policy's list of approved products; {count} licenses are in use, more than can be "
            "assigned.",
        ),
        Text(
            "summary.not_approved",
            "Approve {sku} in the policy, or move its users to an approved product and "
            "then remove its licenses or cancel the subscription.",
        ),
        Text(
            "steps.not_approved.review",
            "Decide with the policy owner whether {sku} should be approved; if so, "
            "add it to the policy's approved products.",
        ),
        Text(
            "steps.not_approved.cancel",
            "Once nobody holds it, cancel the subscription (Billing > Your products "
            "> select {sku} > Cancel subscription) or remove its licenses.",
        ),
        Text(
            "steps.not_approved.cancel.gov",
            "Once nobody holds it, ask the agreement's contact or the partner "
            "to cancel the subscription or lower its number of licenses.",
        ),
    )
    example_finding = ({"type": "sku", "id": E5, "sku": "SPE_E5"}, ["SPE_E5"], {"enabled": 25, "consumed": 3})

    def message(self, f: RuleDetails[rules.SkuNotApprovedDetails], w: ValueFormatter) -> Message:
        seats = f.own
        if (seats.consumed or 0) > (seats.enabled or 0):  # more in use than usable: the summary says why
            return self.message_key(".over"), seat_values(f, w, "consumed")
        return self.message_key(), seat_values(f, w, "enabled")

    def remediation(self, f: RuleDetails[rules.SkuNotApprovedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        sku = f.subject_sku
        name = w.product(sku)
        values = {"sku": name}
        steps = [
            TextRef("steps.not_approved.review", values),
            TextRef(f"steps.move.{v.steps}", values),
            TextRef("steps.not_approved.cancel", values),
        ]
        action = list_holders(f.sku_id(sku), TextRef("graph.holders", values))
        return Remediation(
            TextRef("summary.not_approved", values),
            steps,
            "role.billing_assign",
            [TextRef("next.freed"), TextRef("next.rerun")],
            ["move_users", "cancel_subscription", "buy_licenses", "admin_roles", "graph:user_list"],
            [action],
        )
