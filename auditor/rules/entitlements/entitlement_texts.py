"""The texts of the rules in auditor/rules/entitlements/entitlement.py: their message, remediation and
docs (auditor.wording finds each by its rule's class name). The findings' details are the rules' typed
contracts (EntitlementMissingDetails, EntitlementShortDetails), read here through the same records."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.blocked import SEATS_TO_BUY

from ...data.finding import own_json
from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails
from ...guidance.examples import USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, bill_figures, bill_values
from ...guidance.remediation import Remediation, TextRef, assign_license
from ...guidance.texts.declare import Text
from ...impact.entitlement_scope import (
    ACCESS_REVIEWS,
    CONDITIONAL_ACCESS,
    DEFENDER,
    DEFENDER_OFFICE,
    DYNAMIC_GROUPS,
    ENTITLEMENT_MANAGEMENT,
    GOVERNANCE,
    GROUP_LICENSING,
    GROUP_LICENSING_PLAN,
    GROUP_PIM,
    INTUNE,
    INTUNE_DEVICES,
    LIFECYCLE_WORKFLOWS,
    NEEDS,
    P1,
    P2,
    PRIVILEGED_ACCESS,
    RISK_BASED_ACCESS,
    need_of,
)
from ..assignments.base_texts import wait_for_usage_location
from . import entitlement as rules

P1_ID, P2_ID = "078d2b04-p1", "84a661c4-p2"  # shortened skuIds of the examples
PLAN_NAMES = {
    P1: "Microsoft Entra ID P1",
    P2: "Microsoft Entra ID P2",
    GOVERNANCE: "Microsoft Entra ID Governance",
    INTUNE: "Microsoft Intune",
    DEFENDER: "Microsoft Defender for Office 365 (Plan 1)",
}


def plan_name(plan: str | None, w: ValueFormatter) -> str:
    """A plan as people know it (products keep their English names); group-based licensing in words."""
    if plan == GROUP_LICENSING_PLAN:
        return w.word("feature.group_licensing")
    return PLAN_NAMES.get(plan or "", plan or w.word("unknown"))


def plans_needed(features: list[str], w: ValueFormatter) -> str:
    """The plans a user's uncovered features need: the highest Entra plan, and Microsoft Intune and Defender for
    Office 365 beside it."""
    known = [f for f in features if f in NEEDS]
    entra = [f for f in known if f not in (INTUNE_DEVICES, DEFENDER_OFFICE)]
    plans = ([need_of(entra)] if entra else []) + ([INTUNE] if INTUNE_DEVICES in known else [])
    plans += [DEFENDER] if DEFENDER_OFFICE in known else []
    return w.all([plan_name(p, w) for p in plans]) if plans else w.word("unknown")


def product_name(product: rules.Product, w: ValueFormatter) -> str:
    """The report's name of the product, else the one the finding carries (a product the tenant
    does not subscribe to yet is in no seat table)."""
    named = w.product(product["sku"])
    return named if named != product["sku"] else product.get("name") or named


def feature_names(features: list[str], w: ValueFormatter) -> str:
    return w.all([w.word(f"feature.{f}") for f in features])


# what puts a user in a feature's scope, by the feature (a risk-based policy is a Conditional Access policy too)
REACH_WORDS = {
    CONDITIONAL_ACCESS: "reach.policy",
    RISK_BASED_ACCESS: "reach.policy",
    PRIVILEGED_ACCESS: "reach.role",
    DYNAMIC_GROUPS: "reach.dynamic_group",
    GROUP_LICENSING: "reach.group",
    INTUNE_DEVICES: "reach.device",
    ACCESS_REVIEWS: "reach.review",
    ENTITLEMENT_MANAGEMENT: "reach.package",
    LIFECYCLE_WORKFLOWS: "reach.workflow",
    GROUP_PIM: "reach.pim_group",
    DEFENDER_OFFICE: "reach.protection_rule",
}


def devices(via: dict[str, list[str]]) -> list[str]:
    """The Intune-enrolled devices that reach the user, by name. A user is not taken out of a device:
    the device is retired, or another user (one who holds a license) is made its primary user."""
    return list(dict.fromkeys(name for name in via.get(INTUNE_DEVICES) or [] if isinstance(name, str) and name))


def reach(features: list[str], via: dict[str, list[str]], w: ValueFormatter) -> str:
    """What puts the user in scope, by name: 'the Conditional Access policy "Block high-risk sign-ins"
    and the PIM role Global Administrator'; a feature whose names the
    finding lacks (or one this version does not know) by the feature's name."""
    said: list[str] = []
    for feature in features:
        names = [name for name in via.get(feature) or [] if isinstance(name, str) and name]
        word = REACH_WORDS.get(feature)
        if word is None or not names:
            said.append(w.word(f"feature.{feature}") if feature in REACH_WORDS else feature)
            continue
        said += [w.word(word).format(name=name) for name in names]
    return w.all(list(dict.fromkeys(said)))


class EntitlementMissing(RuleGuidance[rules.EntitlementMissingDetails]):
    id = rules.EntitlementMissing.id
    texts = (
        Text("rule.entitlement-missing.title", "Security feature without a license"),
        Text(
            "rule.entitlement-missing.describe",
            "A Conditional Access policy, a Defender for Office 365 policy, an eligible privileged role, a dynamic "
            "group, group-based licensing, a device enrolled in Intune or an ID Governance feature reaches the user, "
            "but none of the user's products includes the plan that the feature needs.",
        ),
        Text("rule.entitlement-missing.message", "{user} lacks {plan}, needed for {features} ({via})."),
        Text("message.entitle.reach", "Reached by {reach}."),
        Text("summary.entitle", "Assign {target} to {user}, or take {user} out of {reach}."),
        Text(
            "summary.entitle.device",
            "Assign {target} to {user}, or retire their Intune-enrolled device or give it to a user who holds "
            "a license.",
        ),
        Text(
            "summary.entitle.scope_device",
            "Assign {target} to {user}, or take {user} out of {reach} and retire their Intune-enrolled device "
            "or give it to a user who holds a license.",
        ),
        Text(
            "summary.entitle.none",
            "Give {user} a product that includes {plan}, or take {user} out of the scope of {features}.",
        ),
        Text(
            "steps.entitle.assign",
            "In the Microsoft 365 admin center, assign {target} to the user "
            "(Users > Active users > Licenses and apps).",
        ),
        Text(
            "steps.entitle.buy",
            "Buy {target} first: none is free. Then, in the Microsoft 365 admin center, assign it to the user "
            "(Users > Active users > Licenses and apps).",
        ),
        Text("steps.entitle.scope", "Or take the user out of {reach}."),
        Text(
            "steps.entitle.device",
            "Or retire the user's Intune-enrolled device ({devices}), or make a user who holds a license its "
            "primary user (Intune admin center > Devices > All devices).",
            "Or retire the user's Intune-enrolled devices ({devices}), or make a user who holds a license their "
            "primary user (Intune admin center > Devices > All devices).",
        ),
        Text(
            "steps.entitle.scope_device",
            "Or take the user out of {reach}, and retire their Intune-enrolled device ({devices}) or make a "
            "user who holds a license its primary user (Intune admin center > Devices > All devices).",
            "Or take the user out of {reach}, and retire their Intune-enrolled devices ({devices}) or make a "
            "user who holds a license their primary user (Intune admin center > Devices > All devices).",
        ),
        Text(
            "steps.entitle.price",
            "No product with a price in the policy's catalog includes {plan}: add one "
            "with its price to the catalog so that the auditor can name the cheapest.",
        ),
        Text("graph.entitle", "Assigns {target} to {user}."),
    )
    example_finding = (
        USER,
        ["AAD_PREMIUM"],
        dict(
            own_json(
                rules.EntitlementMissingDetails(
                    features=["conditional_access"],
                    needs=P1,
                    via={"conditional_access": ["Require MFA for all users"]},
                    entitle_with=rules.Product(
                        sku="AAD_PREMIUM", name="Microsoft Entra ID P1", monthly=6.0, free_seats=2
                    ),
                    waits_for_seats=False,
                    no_usage_location=False,
                    sku_ids={"AAD_PREMIUM": P1_ID},
                )
            )
        ),
    )

    def values(self, f: RuleDetails[rules.EntitlementMissingDetails], w: ValueFormatter) -> dict[str, str]:
        d = f.own
        features = list(d.features)
        via = d.via
        product = d.entitle_with
        return {
            **base_values(f, w),
            "features": feature_names(features, w),
            "via": w.all([name for f_ in features for name in via.get(f_, [])]),
            "reach": reach(features, via, w),
            "plan": plans_needed(features, w) if features else plan_name(d.needs, w),
            "target": product_name(product, w) if product else w.word("unknown"),
        }

    def message(self, f: RuleDetails[rules.EntitlementMissingDetails], w: ValueFormatter) -> Message:
        return self.message_key(), self.values(f, w)

    def row_note(self, f: RuleDetails[rules.EntitlementMissingDetails], w: ValueFormatter) -> Message:
        """What the scope step names, for a row whose steps the report leaves out."""
        return "message.entitle.reach", self.values(f, w)

    def _scope(
        self, f: RuleDetails[rules.EntitlementMissingDetails], w: ValueFormatter, values: dict[str, str]
    ) -> tuple[TextRef, TextRef]:
        """(the step that takes the user out of scope, the summary): a policy, role or group is left by
        the user; an Intune-enrolled device is not, it is retired or given to a user who holds a license."""
        features = list(f.own.features)
        via = f.own.via
        enrolled = devices(via)
        if not enrolled:
            return TextRef("steps.entitle.scope", values), TextRef("summary.entitle", values)
        others = [feature for feature in features if feature != INTUNE_DEVICES]
        said = {**values, "devices": w.all(enrolled), "count": str(len(enrolled))}
        if not others:
            return TextRef("steps.entitle.device", said), TextRef("summary.entitle.device", said)
        said["reach"] = reach(others, via, w)
        return TextRef("steps.entitle.scope_device", said), TextRef("summary.entitle.scope_device", said)

    def remediation(
        self, f: RuleDetails[rules.EntitlementMissingDetails], v: Variant, w: ValueFormatter
    ) -> Remediation:
        """Assign `entitle_with` in one assignLicense, ready when a seat is free, else waiting for
        the seats the plan's bill buys; a person may take the user out of scope instead."""
        values = self.values(f, w)
        product = f.own.entitle_with
        scope_step, summary = self._scope(f, w, values)
        links = ["assign_licenses", "buy_licenses", "admin_roles", "graph:user_assign"]
        if product is None:
            return Remediation(
                TextRef("summary.entitle.none", values),
                [TextRef("steps.entitle.price", values), scope_step],
                "role.assign",
                [TextRef("next.rerun")],
                links,
            )
        action = assign_license(f, [product["sku"]], [], TextRef("graph.entitle", values))
        steps = [TextRef("steps.entitle.assign", values), scope_step]
        if f.own.waits_for_seats:  # one step: a step of its own for the purchase would repeat per recipe
            steps[0] = TextRef("steps.entitle.buy", values)
            action = replace(action, blocked=action.blocked or SEATS_TO_BUY)
        return Remediation(
            summary,
            steps,
            "role.assign",
            [TextRef("next.rerun")],
            links,
            wait_for_usage_location(f.own.no_usage_location, [action]),
        )


class EntitlementShort(RuleGuidance[rules.EntitlementShortDetails]):
    id = rules.EntitlementShort.id
    texts = (
        Text("rule.entitlement-short.title", "Fewer licenses than users in scope"),
        Text(
            "rule.entitlement-short.describe",
            "Microsoft's terms ask for a license for every user a premium "
            "feature reaches; the tenant owns fewer licenses of the products that include the plan than there "
            "are users in scope.",
        ),
        Text(
            "rule.entitlement-short.message",
            "{plan}: {count} license short for the users in scope of {features}.",
            "{plan}: {count} licenses short for the users in scope of {features}.",
        ),
        Text(
            "summary.short",
            "Buy {count} {target} license, or narrow the scope of the features that need it.",
            "Buy {count} {target} licenses, or narrow the scope of the features that need them.",
        ),
        Text(
            "steps.short.who",
            "Assign the licenses you buy to the users named in the findings “Security feature without a "
            "license”; the plan's bill lists the purchase.",
        ),
        Text(
            "steps.short.guests",
            "{count} guest in scope is not counted here: Microsoft charges for guests and "
            "other external users by monthly active users (Microsoft Entra External ID), not with these "
            "licenses.",
            "{count} guests in scope are not counted here: Microsoft charges for guests and other external "
            "users by monthly active users (Microsoft Entra External ID), not with these licenses.",
        ),
    )
    graph_calls = False  # a purchase: no Graph call buys licenses
    example_finding = (
        {"type": "sku", "id": "entitlement-p1", "sku": "AAD_PREMIUM"},
        ["AAD_PREMIUM"],
        dict(
            own_json(
                rules.EntitlementShortDetails(
                    plan=P1,
                    features=["conditional_access", "dynamic_groups"],
                    in_scope=12,
                    owned=10,
                    short=2,
                    guests_in_scope=1,
                    entitle_with=rules.Product(
                        sku="AAD_PREMIUM", name="Microsoft Entra ID P1", monthly=6.0, free_seats=0
                    ),
                    monthly_cost=12.0,
                )
            )
        ),
    )

    def values(self, f: RuleDetails[rules.EntitlementShortDetails], w: ValueFormatter) -> dict[str, str]:
        d = f.own
        product = d.entitle_with
        return {
            **base_values(f, w),
            "plan": plan_name(d.plan, w),
            "features": feature_names(list(d.features), w),
            "count": str(d.short) if d.short is not None else "",
            "target": product_name(product, w) if product else plan_name(d.plan, w),
        } | bill_values(f)

    def message(self, f: RuleDetails[rules.EntitlementShortDetails], w: ValueFormatter) -> Message:
        return self.message_key(), self.values(f, w)

    def remediation(self, f: RuleDetails[rules.EntitlementShortDetails], v: Variant, w: ValueFormatter) -> Remediation:
        values = self.values(f, w)
        steps = [TextRef("steps.short.who", values)]
        guests = f.own.guests_in_scope
        if guests:
            steps.append(TextRef("steps.short.guests", {"count": str(guests)}))
        # the plan's bill buys its own count (the message's note says why)
        buy = bill.buy if (bill := bill_figures(f)) is not None else None
        return Remediation(
            TextRef("summary.short", values | ({"count": str(buy)} if buy else {})),
            steps,
            "role.billing_assign",
            [TextRef("next.rerun")],
            ["buy_licenses", "assign_licenses", "admin_roles"],
        )
