"""The guidance of the rules in auditor/rules/seats/lifecycle.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, iso_date, number
from ...guidance.examples import E5
from ...guidance.library import Message, RuleGuidance, ValueFormatter
from ...guidance.remediation import Remediation, TextRef, list_holders
from ...guidance.texts.declare import Text
from . import lifecycle as rules
from .catalog_texts import seat_values


class SeatsInGrace(RuleGuidance[rules.SeatsInGraceDetails]):
    id = rules.SeatsInGrace.id
    texts = (
        Text("rule.seats-in-grace.title", "Licenses in the grace period"),
        Text(
            "rule.seats-in-grace.describe",
            "The subscription has expired and its licenses are in the grace "
            "period: they still work, but users lose access once it is disabled (Suspended).",
        ),
        Text(
            "rule.seats-in-grace.message",
            "{sku}: {count} license is in the grace period and lapses on {date} "
            "unless the subscription is reactivated.",
            "{sku}: {count} licenses are in the grace period and lapse on {date} unless the subscription is "
            "reactivated.",
        ),
        Text(
            "rule.seats-in-grace.message.undated",
            "{sku}: {count} license is in the grace period and lapses unless the subscription is reactivated.",
            "{sku}: {count} licenses are in the grace period and lapse unless the subscription is reactivated.",
        ),
        Text(
            "summary.grace",
            "{count} {sku} license lapses on {date} unless the subscription is reactivated: "
            "reactivate it, or reduce the licenses in use before then.",
            "{count} {sku} licenses lapse on {date} unless the subscription is reactivated: reactivate it, or "
            "reduce the licenses in use before then.",
        ),
        Text(
            "summary.grace.undated",
            "{count} {sku} license is in the grace period and lapses unless the "
            "subscription is reactivated: reactivate it, or reduce the licenses in use.",
            "{count} {sku} licenses are in the grace period and lapse unless the subscription is reactivated: "
            "reactivate it, or reduce the licenses in use.",
        ),
        Text(
            "steps.grace.reduce",
            "If the license is no longer needed, remove that {count} license from its user "
            "before it lapses, so that nobody loses access by surprise.",
            "If the licenses are no longer needed, remove {count} of them from users before they lapse, so that "
            "nobody loses access by surprise.",
        ),
    )
    example_finding = (
        {"type": "sku", "id": E5, "sku": "SPE_E5"},
        ["SPE_E5"],
        {"warning": 20, "enabled": 0, "consumed": 18, "lapse": "2026-12-01T00:00:00Z"},
    )

    def message(self, f: RuleDetails[rules.SeatsInGraceDetails], w: ValueFormatter) -> Message:
        date = iso_date(f.own.lapse)
        values = {**seat_values(f, w), "count": number(f.own.warning, w.word("unknown")), "date": date or ""}
        return self.message_key("" if date else ".undated"), values

    def remediation(self, f: RuleDetails[rules.SeatsInGraceDetails], v: Variant, w: ValueFormatter) -> Remediation:
        sku = f.subject_sku
        name = w.product(sku)
        lapse = (f.own.lapse or "")[:10]
        values = {"sku": name, "count": number(f.own.warning, w.word("unknown")), "date": lapse}
        summary = TextRef("summary.grace" if lapse else "summary.grace.undated", values)
        # the subscription is in Warning: it is reactivated, as subscription-expiring says for Warning
        steps = [
            TextRef("steps.sub.status", values),
            TextRef("steps.sub.reactivate", values),
            TextRef("steps.grace.reduce", values),
        ]
        return Remediation(
            summary,
            steps,
            "role.billing_assign",
            [TextRef("next.rerun")],
            ["renew_subscription", "subscription_ends", "unassign_licenses", "admin_roles"],
            [list_holders(f.sku_id(sku), TextRef("graph.holders", values))],
        )


class LicenseSuspended(RuleGuidance[rules.LicenseSuspendedDetails]):
    id = rules.LicenseSuspended.id
    texts = (
        Text("rule.license-suspended.title", "Licenses of a disabled subscription"),
        Text(
            "rule.license-suspended.describe",
            "Users hold licenses of a product whose subscription is disabled "
            "(Suspended or LockedOut), so they have lost or are losing its services.",
        ),
        Text(
            "rule.license-suspended.message",
            "{sku}: {count} of {consumed} assigned licenses is on a disabled "
            "subscription (Suspended or LockedOut); its user has lost or is losing access.",
            "{sku}: {count} of {consumed} assigned licenses are on a disabled subscription (Suspended or "
            "LockedOut); their users have lost or are losing access.",
        ),
        Text(
            "summary.suspended",
            "{count} user holds a {sku} license of a disabled subscription (Suspended or "
            "LockedOut): the user has lost or is losing access. Reactivate the subscription, or move the user to "
            "another product.",
            "{count} users hold {sku} licenses of a disabled subscription (Suspended or LockedOut): they have "
            "lost or are losing access. Reactivate the subscription, or move them to another product.",
        ),
    )
    example_finding = (
        {"type": "sku", "id": E5, "sku": "SPE_E5"},
        ["SPE_E5"],
        {"suspended": 5, "locked_out": 0, "usable": 15, "consumed": 20, "affected": 5},
    )

    def message(self, f: RuleDetails[rules.LicenseSuspendedDetails], w: ValueFormatter) -> Message:
        return self.message_key(), {**seat_values(f, w), "count": number(f.own.affected, w.word("unknown"))}

    def remediation(self, f: RuleDetails[rules.LicenseSuspendedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        sku = f.subject_sku
        name = w.product(sku)
        values = {"sku": name, "count": number(f.own.affected, w.word("unknown"))}
        steps = [
            TextRef("steps.sub.status", values),
            TextRef("steps.sub.reactivate", values),
            TextRef(f"steps.move.{v.steps}", values),
        ]
        return Remediation(
            TextRef("summary.suspended", values),
            steps,
            "role.billing_assign",
            [TextRef("next.rerun")],
            ["renew_subscription", "subscription_ends", "move_users", "admin_roles", "graph:user_list"],
            [list_holders(f.sku_id(sku), TextRef("graph.holders", values))],
        )
