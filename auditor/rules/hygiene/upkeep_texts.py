"""The guidance of the rules in auditor/rules/hygiene/upkeep.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from msgspec import UnsetType

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, iso_date
from ...guidance.examples import USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values
from ...guidance.remediation import Remediation, TextRef, set_usage_location
from ...guidance.texts.declare import Text
from . import upkeep as rules

# companySubscription / subscribedSku states that mean the end date has already passed.
PAST_END_STATUSES = ("Warning", "Suspended", "LockedOut", "Deleted", "Expired")

# nextLifecycleDateTime is the date of the next state: Enabled -> the end of the term, Warning ->
# suspension, Suspended or LockedOut -> deletion; null means nothing is scheduled.
_LAPSED = {"warning": "warning", "suspended": "suspended", "lockedout": "lockedout"}


class UsageLocationMissing(RuleGuidance[rules.UsageLocationMissingDetails]):
    id = rules.UsageLocationMissing.id
    texts = (
        Text("rule.usage-location-missing.title", "Usage location missing"),
        Text(
            "rule.usage-location-missing.describe",
            "Licenses can only be assigned to a user who has a usage "
            "location, because the services on offer depend on the country.",
        ),
        Text("rule.usage-location-missing.message", "{user} has no usage location."),
        Text("summary.usage_location", "Set a usage location for {user}; licenses cannot be assigned without one."),
    )
    example_finding = (USER, [], {})

    def remediation(
        self, f: RuleDetails[rules.UsageLocationMissingDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        steps = [TextRef(f"steps.usage_location.{v.steps}"), TextRef("steps.usage_location.sync")]
        action = set_usage_location(f, TextRef("graph.usage_location"))
        return Remediation(
            TextRef("summary.usage_location"),
            steps,
            "role.assign",
            [TextRef("next.rerun")],
            ["assign_licenses", "admin_roles", "graph:user_update"],
            [action],
        )


class SubscriptionExpiring(RuleGuidance[rules.SubscriptionExpiringDetails]):
    id = rules.SubscriptionExpiring.id
    texts = (
        Text("rule.subscription-expiring.title", "Subscription ending"),
        Text(
            "rule.subscription-expiring.describe",
            "When a subscription ends, its users lose its services and, "
            "after a grace period, the data that goes with them.",
        ),
        Text(
            "rule.subscription-expiring.message.trial",
            "The trial {subject} ends on {date} ({count} day left).",
            "The trial {subject} ends on {date} ({count} days left).",
        ),
        Text(
            "rule.subscription-expiring.message.paid",
            "The subscription {subject} ends on {date} ({count} day left).",
            "The subscription {subject} ends on {date} ({count} days left).",
        ),
        Text(
            "rule.subscription-expiring.message.renewal",
            "The subscription {subject} renews on {date} for a "
            "term of {term} ({count} day left); after the renewal, licenses can be removed only within 7 days.",
            "The subscription {subject} renews on {date} for a term of {term} ({count} days left); after the "
            "renewal, licenses can be removed only within 7 days.",
        ),
        Text(
            "rule.subscription-expiring.message.renewal_reduce",
            "The subscription {subject} renews on {date} for "
            "a term of {term} ({count} day left): the plan drops {seats} of its seats then; schedule the reduction "
            "by {by}.",
            "The subscription {subject} renews on {date} for a term of {term} ({count} days left): the plan drops "
            "{seats} of its seats then; schedule the reduction by {by}.",
        ),
        Text(
            "rule.subscription-expiring.message.term_unknown",
            "The subscription {subject} ends or renews on "
            "{date} ({count} day left); its term is not known: the billing file has no row for it.",
            "The subscription {subject} ends or renews on {date} ({count} days left); its term is not known: the "
            "billing file has no row for it.",
        ),
        Text(
            "rule.subscription-expiring.message.warning",
            "The subscription {subject} has expired (Warning) and "
            "is in its grace period: its users keep access until it is disabled (Suspended) on {date}.",
        ),
        Text(
            "rule.subscription-expiring.message.warning.undated",
            "The subscription {subject} has expired (Warning) and is in its grace period: its users still have access.",
        ),
        Text(
            "rule.subscription-expiring.message.suspended",
            "The subscription {subject} is disabled (Suspended): "
            "its users have lost access, and it will be deleted on {date}.",
        ),
        Text(
            "rule.subscription-expiring.message.suspended.undated",
            "The subscription {subject} is disabled (Suspended): its users have lost access.",
        ),
        Text(
            "rule.subscription-expiring.message.lockedout",
            "The subscription {subject} is disabled (LockedOut): "
            "its users have lost access, and it will be deleted on {date}.",
        ),
        Text(
            "rule.subscription-expiring.message.lockedout.undated",
            "The subscription {subject} is disabled (LockedOut): its users have lost access.",
        ),
        Text(
            "rule.subscription-expiring.message.past",
            "The subscription {subject} reached its end date on {date} and has the status {status}.",
        ),
        Text(
            "rule.subscription-expiring.message.past.undated",
            "The subscription {subject} has ended and has the status {status}.",
        ),
        Text(
            "summary.sub_trial",
            "Buy the paid subscription before the trial {subject} ends on {date}, or move its users and let it end.",
        ),
        Text(
            "summary.sub_paid",
            "Renew {subject} or turn on recurring billing before {date}, or move its users and let it end.",
        ),
        Text(
            "summary.sub_past",
            "{subject} is already past its end date (status {status}): reactivate it, or "
            "move its users before they lose access and data.",
        ),
        Text(
            "steps.sub.trial",
            "To keep it: in the Microsoft 365 admin center, go to Billing > Your products, "
            "select the trial {sku} and buy the paid subscription before {date}.",
        ),
        Text(
            "steps.sub.trial.gov",
            "To keep it: buy the paid subscription for the trial {sku} through the agreement or partner before {date}.",
        ),
        Text(
            "steps.sub.paid",
            "To keep it: in the Microsoft 365 admin center, go to Billing > Your products, "
            "select {sku} and turn on Recurring billing, or renew it before {date}.",
        ),
        Text(
            "steps.sub.paid.gov", "To keep it: ask the agreement's contact or the partner to renew {sku} before {date}."
        ),
        Text(
            "steps.sub.lapse",
            "To let it end: once no user depends on it, turn off Recurring billing or cancel "
            "it; back up any data you still need first.",
        ),
    )
    graph_calls = False
    example_finding = (
        {"type": "subscription", "id": "sub-1", "sku": "SPE_E5"},
        ["SPE_E5"],
        {
            "status": "Enabled",
            "is_trial": True,
            "next_lifecycle": "2026-12-01T00:00:00Z",
            "days_left": 9,
            "total_licenses": 25,
        },
    )

    def message(self, f: RuleDetails[rules.SubscriptionExpiringDetails], w: ValueFormatter) -> Message:
        unknown = w.word("unknown")
        status, days_left = f.own.status, f.own.days_left
        date = iso_date(f.own.next_lifecycle)
        values = {
            **base_values(f, w),
            "status": w.state(status) if status else unknown,
            "date": date or unknown,
            "count": str(days_left) if days_left is not None else unknown,
        }  # "({count} days left)"
        undated = "" if date else ".undated"
        lapsed = _LAPSED.get(status.lower())
        if lapsed is not None:
            return self.message_key(f".{lapsed}{undated}"), values
        if status in PAST_END_STATUSES or (days_left is not None and days_left < 0):
            return self.message_key(f".past{undated}"), values
        if f.own.is_trial:
            return self.message_key(".trial"), values
        term, reduction = f.own.term, f.own.reduction or {}
        if not isinstance(term, UnsetType):  # audit --billing: the renewal and the reduction window it opens
            seats = reduction.get("seats") or 0
            values |= {"term": term or unknown, "seats": str(seats), "by": iso_date(reduction.get("by")) or unknown}
            if not term:
                return self.message_key(".term_unknown"), values
            return self.message_key(".renewal_reduce" if seats else ".renewal"), values
        return self.message_key(".paid"), values

    def remediation(
        self, f: RuleDetails[rules.SubscriptionExpiringDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        status, days_left = f.own.status, f.own.days_left
        past = status in PAST_END_STATUSES or (days_left is not None and days_left < 0)
        values = {
            "sku": w.product(f.subject_sku),
            "status": w.state(status) if status else w.word("unknown"),
            "date": (f.own.next_lifecycle or "")[:10] or w.word("unknown"),
        }
        if past:
            summary = TextRef("summary.sub_past", values)
            steps = [TextRef("steps.sub.status", values), TextRef("steps.sub.reactivate", values)]
        elif f.own.is_trial:
            summary = TextRef("summary.sub_trial", values)
            steps = [TextRef("steps.sub.trial", values)]
        else:
            summary = TextRef("summary.sub_paid", values)
            steps = [TextRef("steps.sub.paid", values)]
        steps += [TextRef(f"steps.move.{v.steps}", values), TextRef("steps.sub.lapse", values)]
        return Remediation(
            summary,
            steps,
            "role.billing_assign",
            [TextRef("next.freed"), TextRef("next.rerun")],
            ["renew_subscription", "subscription_ends", "move_users", "cancel_subscription", "admin_roles"],
        )
