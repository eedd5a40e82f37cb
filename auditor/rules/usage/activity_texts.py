"""The guidance of the rules in auditor/rules/usage/activity.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from dataclasses import replace

from auditor.data.blocked import USAGE_UNKNOWN
from auditor.data.usage_data import workload_title

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, iso_date, number
from ...guidance.examples import E3, E5, USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, removal
from ...guidance.remediation import Remediation, TextRef
from ...guidance.texts.declare import Text
from ..assignments.selection_texts import SkuNotAllowed
from . import activity as rules

COPILOT = "639dec6b-copilot"  # shortened, as the other example ids (auditor/guidance/examples.py)


class ProductUnused(RuleGuidance[rules.ProductUnusedDetails]):
    id = rules.ProductUnused.id
    texts = (
        Text("rule.product-unused.title", "Product not used"),
        Text(
            "rule.product-unused.describe",
            "The user holds a paid product, but the Microsoft 365 usage reports "
            "have shown no use of it for a long time.",
        ),
        Text(
            "rule.product-unused.message",
            "{user} holds {sku} but has not used {workloads} for at least {count} "
            "day (last activity: {last_activity}).",
            "{user} holds {sku} but has not used {workloads} for at least {count} days (last activity: "
            "{last_activity}).",
        ),
        Text(
            "rule.product-unused.message.never",
            "{user} holds {sku} but the usage reports show no use of {workloads} in the last {count} day.",
            "{user} holds {sku} but the usage reports show no use of {workloads} in the last {count} days.",
        ),
    )
    example_finding = (
        USER,
        ["Microsoft_365_Copilot"],
        {
            "days": 30,
            "workloads": ["copilot"],
            "last_activity": "2026-08-14",
            "report_date": "2026-10-30",
            "assigned_by_group": {"Microsoft_365_Copilot": []},
            "sku_ids": {"Microsoft_365_Copilot": COPILOT},
        },
    )

    def message(self, f: RuleDetails[rules.ProductUnusedDetails], w: ValueFormatter) -> Message:
        values = {
            **base_values(f, w),
            "count": number(f.own.days, w.word("unknown")),
            "workloads": w.any([workload_title(n) for n in f.own.workloads]),
        }
        last = iso_date(f.own.last_activity)
        if last is None:
            return self.message_key(".never"), values
        return self.message_key(), {**values, "last_activity": last}

    def remediation(self, f: RuleDetails[rules.ProductUnusedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        values = {
            "workloads": w.any([workload_title(n) for n in f.own.workloads]),
            "count": number(f.own.days, w.word("unknown")),
            "user": f.label(),
        }
        return removal(f, v, w, list(f.skus), intro=[TextRef("steps.usage.confirm", values)])


class Rightsize(RuleGuidance[rules.RightsizeDetails]):
    id = rules.Rightsize.id
    texts = (
        Text("rule.rightsize.title", "Larger product than the use needs"),
        Text(
            "rule.rightsize.describe",
            "The user holds a larger product but has not used what only it adds; a smaller product would do.",
        ),
        Text(
            "rule.rightsize.message",
            "{user} holds {sku} but has not used {workloads} in the last {count} day, so {target} would do.",
            "{user} holds {sku} but has not used {workloads} in the last {count} days, so {target} would do.",
        ),
        Text(
            "rule.rightsize.message.unmeasured",
            "{user} holds {sku} and has not used {workloads} in the last "
            "{count} day, so {target} may do; the usage reports do not cover {unmeasured}, so check those first.",
            "{user} holds {sku} and has not used {workloads} in the last {count} days, so {target} may do; the "
            "usage reports do not cover {unmeasured}, so check those first.",
        ),
        Text(
            "rule.rightsize.message.unmeasured_only",
            "{user} holds {sku}, and {target} may do; the usage "
            "reports do not cover {unmeasured}, so check whether {user} uses them.",
        ),
    )
    example_finding = (
        USER,
        ["SPE_E5"],
        {
            "days": 90,
            "workloads": [],
            "unmeasured": ["teams_phone", "power_bi", "defender"],
            "last_activity": None,
            "report_date": "2026-10-30",
            "rightsize_to": "SPE_E3",
            "allowed": ["SPE_E3"],
            "replace_with": "SPE_E3",
            "replace_with_id": E3,
            "assigned_by_group": {"SPE_E5": []},
            "sku_ids": {"SPE_E5": E5},
        },
    )

    def message(self, f: RuleDetails[rules.RightsizeDetails], w: ValueFormatter) -> Message:
        values = {
            **base_values(f, w),
            "count": number(f.own.days, w.word("unknown")),
            "workloads": w.any([workload_title(n) for n in f.own.workloads]),
            "target": w.product(f.own.rightsize_to or w.word("unknown")),
        }
        unmeasured = f.own.unmeasured
        if not unmeasured:
            return self.message_key(), values
        values["unmeasured"] = w.all([workload_title(n) for n in unmeasured])
        return self.message_key(".unmeasured" if f.own.workloads else ".unmeasured_only"), values

    def remediation(self, f: RuleDetails[rules.RightsizeDetails], v: Variant, w: ValueFormatter) -> Remediation:
        """The replacement sku-not-allowed proposes (one assignLicense, or the groups), after a
        step that confirms the larger product's extras are not used; with unmeasured workloads a
        check of those first, and every action waits for it (usage_unknown)."""
        values = {
            "workloads": w.any([workload_title(n) for n in f.own.workloads]),
            "count": number(f.own.days, w.word("unknown")),
            "user": f.label(),
            "unmeasured": w.all([workload_title(n) for n in f.own.unmeasured]),
            "target": w.product(f.own.rightsize_to or w.word("unknown")),
        }
        intro = [TextRef("steps.usage.unmeasured", values)] if f.own.unmeasured else []
        if f.own.workloads:
            intro.insert(0, TextRef("steps.usage.rightsize", values))
        if f.own.replace_with:  # sku-not-allowed's replacement, read from this rule's record
            remedy = SkuNotAllowed.replacement(f, f.own, v, w)
            remedy.steps = [*intro, *remedy.steps]
        else:  # the smaller product is already held: the larger one only goes
            remedy = removal(f, v, w, list(f.skus), intro=intro)
        if f.own.unmeasured:
            remedy.actions = [a if not a.ready else replace(a, blocked=USAGE_UNKNOWN) for a in remedy.actions]
        return remedy
