"""Rules over each product's seat lifecycle (prepaidUnits): seats in grace, suspended licenses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...guidance.clouds import Variant
from ...guidance.examples import E5
from ...guidance.facts import Facts, iso_date, number
from ...guidance.library import (
    Message,
    ValueFormatter,
)
from ...guidance.remediation import (
    Remediation,
    TextRef,
    list_holders,
)
from ...guidance.texts.declare import Text
from ...model import Finding, Severity, Sku
from ...policy.model import Policy
from ..base import Context
from .catalog import CatalogRule, lapsed_seats, seat_values, sku_subject


class LifecycleRule(CatalogRule):
    """A check of each product's seat lifecycle (prepaidUnits); runs wherever the policy has a `catalog`."""

    def configured(self, policy: Policy) -> bool:
        return policy.catalog is not None

    def check(self, sku: Sku, ctx: Context) -> tuple[str, dict[str, Any]] | None:
        """(message, details) when `sku` offends."""
        raise NotImplementedError

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for sku in sorted(ctx.index.snapshot.skus, key=lambda s: s.sku_part_number):
            found = self.check(sku, ctx)
            if found is not None:
                yield self.make(policy, "catalog", sku_subject(sku), (sku.sku_part_number,), *found)


class SeatsInGrace(LifecycleRule):
    """Licenses of a product are in the grace period before suspension (prepaidUnits.warning):
    they lapse on the subscription's next lifecycle date unless renewed.

    Example:
        catalog:
          - sku: SPE_E3
    """

    texts = (
        Text("rule.seats-in-grace.title", "Licenses in the grace period"),
        Text("rule.seats-in-grace.describe", "The subscription has expired and its licenses are in the grace "
             "period: they still work, but users lose access once it is disabled (Suspended)."),
        Text("rule.seats-in-grace.message", "{sku}: {count} license is in the grace period and lapses on {date} "
             "unless the subscription is reactivated.",
             "{sku}: {count} licenses are in the grace period and lapse on {date} unless the subscription is "
             "reactivated."),
        Text("rule.seats-in-grace.message.undated", "{sku}: {count} license is in the grace period and lapses "
             "unless the subscription is reactivated.",
             "{sku}: {count} licenses are in the grace period and lapse unless the subscription is reactivated."),
        Text("summary.grace", "{count} {sku} license lapses on {date} unless the subscription is reactivated: "
             "reactivate it, or reduce the licenses in use before then.",
             "{count} {sku} licenses lapse on {date} unless the subscription is reactivated: reactivate it, or "
             "reduce the licenses in use before then."),
        Text("summary.grace.undated", "{count} {sku} license is in the grace period and lapses unless the "
             "subscription is reactivated: reactivate it, or reduce the licenses in use.",
             "{count} {sku} licenses are in the grace period and lapse unless the subscription is reactivated: "
             "reactivate it, or reduce the licenses in use."),
        Text("steps.grace.reduce", "If the license is no longer needed, remove that {count} license from its user "
             "before it lapses, so that nobody loses access by surprise.",
             "If the licenses are no longer needed, remove {count} of them from users before they lapse, so that "
             "nobody loses access by surprise."),
    )

    id = "seats-in-grace"
    default_severity = Severity.MEDIUM
    fires_when = (
        "a product has licenses in the grace period (`prepaidUnits.warning`): they lapse on the subscription's next "
        "lifecycle date unless renewed (runs with a `catalog`)"
    )
    details_doc = (
        "`warning` (licenses in the grace period), `enabled`, `consumed`, `lapse` (the Warning subscription's "
        "nextLifecycleDateTime: suspension; null when not known)"
    )
    example_finding = ({"type": "sku", "id": E5, "sku": "SPE_E5"}, ["SPE_E5"],
                       {"warning": 20, "enabled": 0, "consumed": 18, "lapse": "2026-12-01T00:00:00Z"})
    message_variants = ("", ".undated")

    def check(self, sku: Sku, ctx: Context) -> tuple[str, dict[str, Any]] | None:
        warning = sku.prepaid_units.warning
        if warning <= 0:
            return None
        # the date the grace period ends: the next lifecycle date of the subscriptions in Warning
        dates = sorted(s.next_lifecycle_date_time for s in ctx.index.subscriptions_of(sku.sku_id, "Warning")
                       if s.next_lifecycle_date_time)
        lapse = dates[0] if dates else None
        return (f"{warning} licenses are in the grace period and lapse {lapse[:10] if lapse else 'soon'} unless "
                "renewed", {"warning": warning, "enabled": sku.prepaid_units.enabled, "consumed": sku.consumed_units,
                            "lapse": lapse})

    def message(self, f: Facts, w: ValueFormatter) -> Message:
        date = iso_date(f.details.get("lapse"))
        values = {**seat_values(f, w), "count": number(f.details.get("warning"), w.word("unknown")),
                  "date": date or ""}
        return self.message_key("" if date else ".undated"), values

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        sku = f.subject_sku
        name = w.product(sku)
        lapse = (f.text("lapse") or "")[:10]
        values = {"sku": name, "count": number(f.details.get("warning"), w.word("unknown")), "date": lapse}
        summary = TextRef("summary.grace" if lapse else "summary.grace.undated", values)
        # the subscription is in Warning: it is reactivated, as subscription-expiring says for Warning
        steps = [TextRef("steps.sub.status", values), TextRef("steps.sub.reactivate", values),
                 TextRef("steps.grace.reduce", values)]
        return Remediation(summary, steps, "role.billing_assign", [TextRef("next.rerun")],
                    ["renew_subscription", "subscription_ends", "unassign_licenses", "admin_roles"],
                    [list_holders(f.sku_id(sku), TextRef("graph.holders", values))])


class LicenseSuspended(LifecycleRule):
    """Users hold licenses of a product whose units are suspended or locked out: they have lost,
    or are losing, access.

    Example:
        catalog:
          - sku: SPE_E3
    """

    texts = (
        Text("rule.license-suspended.title", "Licenses of a disabled subscription"),
        Text("rule.license-suspended.describe", "Users hold licenses of a product whose subscription is disabled "
             "(Suspended or LockedOut), so they have lost or are losing its services."),
        Text("rule.license-suspended.message", "{sku}: {count} of {consumed} assigned licenses is on a disabled "
             "subscription (Suspended or LockedOut); its user has lost or is losing access.",
             "{sku}: {count} of {consumed} assigned licenses are on a disabled subscription (Suspended or "
             "LockedOut); their users have lost or are losing access."),
        Text("summary.suspended", "{count} user holds a {sku} license of a disabled subscription (Suspended or "
             "LockedOut): the user has lost or is losing access. Reactivate the subscription, or move the user to "
             "another product.",
             "{count} users hold {sku} licenses of a disabled subscription (Suspended or LockedOut): they have "
             "lost or are losing access. Reactivate the subscription, or move them to another product."),
    )

    id = "license-suspended"
    default_severity = Severity.HIGH
    fires_when = (
        "users hold licenses on suspended or locked-out seats: they have lost or are losing access (runs with a "
        "`catalog`)"
    )
    details_doc = "`suspended`, `locked_out`, `usable`, `consumed`, `affected` (holders beyond the usable seats)"
    example_finding = ({"type": "sku", "id": E5, "sku": "SPE_E5"}, ["SPE_E5"],
                       {"suspended": 5, "locked_out": 0, "usable": 15, "consumed": 20, "affected": 5})

    def check(self, sku: Sku, ctx: Context) -> tuple[str, dict[str, Any]] | None:
        lapsed = lapsed_seats(sku)
        # holders beyond the usable seats are on suspended or locked-out ones
        affected = min(sku.consumed_units - sku.usable, lapsed)
        if lapsed <= 0 or affected <= 0:
            return None
        return (f"{affected} of {sku.consumed_units} assigned licenses are on suspended or locked-out seats",
                {"suspended": sku.prepaid_units.suspended, "locked_out": sku.prepaid_units.locked_out,
                 "usable": sku.usable, "consumed": sku.consumed_units, "affected": affected})

    def message(self, f: Facts, w: ValueFormatter) -> Message:
        return self.message_key(), {**seat_values(f, w), "count": number(f.details.get("affected"), w.word("unknown"))}

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        sku = f.subject_sku
        name = w.product(sku)
        values = {"sku": name, "count": number(f.details.get("affected"), w.word("unknown"))}
        steps = [TextRef("steps.sub.status", values), TextRef("steps.sub.reactivate", values),
                 TextRef(f"steps.move.{v.steps}", values)]
        return Remediation(TextRef("summary.suspended", values), steps, "role.billing_assign", [TextRef("next.rerun")],
                    ["renew_subscription", "subscription_ends", "move_users", "admin_roles", "graph:user_list"],
                    [list_holders(f.sku_id(sku), TextRef("graph.holders", values))])
