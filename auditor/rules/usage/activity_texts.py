"""The guidance of the rules in auditor/rules/usage/activity.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's id)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...blocked import USAGE_UNKNOWN
from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, as_strs, as_text, iso_date, number
from ...guidance.examples import E3, E5, USER
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values, removal
from ...guidance.remediation import Remediation, TextRef
from ...guidance.texts.declare import Text
from ...usage_data import (
    workload_title,
)
from ..assignments.selection_texts import SkuNotAllowed
from . import activity as rules

COPILOT = "639dec6b-copilot"  # shortened, as the other example ids (auditor/guidance/examples.py)


class ProductUnused(RuleGuidance[rules.ProductUnusedDetails]):
    id = rules.ProductUnused.id
    texts = (
        Text("rule.product-unused.title", "Product not used"),
        Text("rule.product-unused.describe", "The user holds a paid product, but the Microsoft 365 usage reports "
             "have shown no use of it for a long time."),
        Text("rule.product-unused.message", "{user} holds {sku} but has not used {workloads} for at least {count} "
             "day (last activity: {last_activity}).",
             "{user} holds {sku} but has not used {workloads} for at least {count} days (last activity: "
             "{last_activity})."),
        Text("rule.product-unused.message.never", "{user} holds {sku} but the usage reports show no use of "
             "{workloads} in the last {count} day.",
             "{user} holds {sku} but the usage reports show no use of {workloads} in the last {count} days."),
    )
    fires_when = (
        "a user holds `sku` and the usage reports show no activity in any of its `workloads` for `days` days; users "
        "the reports do not list and accounts created within the window are spared, and so are products assigned "
        "or changed within it of an account that never signed in or signed in after the change; needs "
        "Reports.Read.All and report names that are not concealed"
    )
    details_doc = (
        "`days`, `workloads` (names), `last_activity` (latest date across them, YYYY-MM-DD, or null: none in the "
        "report period), `report_date` (the reports' refresh date)"
    )
    example_finding = (USER, ["Microsoft_365_Copilot"], {
        "days": 30, "workloads": ["copilot"], "last_activity": "2026-08-14", "report_date": "2026-10-30",
        "assigned_by_group": {"Microsoft_365_Copilot": []}, "sku_ids": {"Microsoft_365_Copilot": COPILOT}})

    def message(self, f: RuleDetails[rules.ProductUnusedDetails], w: ValueFormatter) -> Message:
        values = {**base_values(f, w), "count": number(f.own["days"], w.word("unknown")),
                  "workloads": w.any([workload_title(n) for n in as_strs(f.own["workloads"])])}
        last = iso_date(f.own["last_activity"])
        if last is None:
            return self.message_key(".never"), values
        return self.message_key(), {**values, "last_activity": last}

    def remediation(self, f: RuleDetails[rules.ProductUnusedDetails], v: Variant, w: ValueFormatter) -> Remediation:
        values = {"workloads": w.any([workload_title(n) for n in as_strs(f.own["workloads"])]),
                  "count": number(f.own["days"], w.word("unknown")), "user": f.label()}
        return removal(f, v, w, list(f.skus), intro=[TextRef("steps.usage.confirm", values)])


class Rightsize(RuleGuidance[rules.RightsizeDetails]):
    id = rules.Rightsize.id
    texts = (
        Text("rule.rightsize.title", "Larger product than the use needs"),
        Text("rule.rightsize.describe", "The user holds a larger product but has not used what only it adds; a "
             "smaller product would do."),
        Text("rule.rightsize.message", "{user} holds {sku} but has not used {workloads} in the last {count} day, "
             "so {target} would do.",
             "{user} holds {sku} but has not used {workloads} in the last {count} days, so {target} would do."),
        Text("rule.rightsize.message.unmeasured", "{user} holds {sku} and has not used {workloads} in the last "
             "{count} day, so {target} may do; the usage reports do not cover {unmeasured}, so check those first.",
             "{user} holds {sku} and has not used {workloads} in the last {count} days, so {target} may do; the "
             "usage reports do not cover {unmeasured}, so check those first."),
        Text("rule.rightsize.message.unmeasured_only", "{user} holds {sku}, and {target} may do; the usage "
             "reports do not cover {unmeasured}, so check whether {user} uses them."),
    )
    fires_when = (
        "a user holds `rightsize.from` and the usage reports show no activity in the measured `unless_active` "
        "workloads for `days` days (the same spares as product-unused); workloads without a usage report "
        "(`teams_phone`, `audio_conferencing`, `power_bi`, `defender`, `purview`) are named for a person to check, "
        "and then the change is not ready to run (`usage_unknown`); when none of `unless_active` is measured, the "
        "finding is only a low-severity note that it could not tell, without `monthly_cost`"
    )
    details_doc = (
        "`days`, `workloads` (the measured `unless_active`), `unmeasured` (those without a usage report), "
        "`last_activity`, `report_date`, `rightsize_to`; `replace_with`, `replace_with_id`, `replace_group` as for "
        "sku-not-allowed (absent when the user already holds the smaller product); the finding's `monthly_cost` "
        "is the saving per month (none when `workloads` is empty: nothing was measured)"
    )
    example_finding = (USER, ["SPE_E5"], {
        "days": 90, "workloads": [], "unmeasured": ["teams_phone", "power_bi", "defender"], "last_activity": None,
        "report_date": "2026-10-30", "rightsize_to": "SPE_E3", "allowed": ["SPE_E3"], "replace_with": "SPE_E3",
        "replace_with_id": E3, "assigned_by_group": {"SPE_E5": []}, "sku_ids": {"SPE_E5": E5}})

    def message(self, f: RuleDetails[rules.RightsizeDetails], w: ValueFormatter) -> Message:
        values = {**base_values(f, w), "count": number(f.own["days"], w.word("unknown")),
                  "workloads": w.any([workload_title(n) for n in as_strs(f.own["workloads"])]),
                  "target": w.product(as_text(f.own["rightsize_to"]) or w.word("unknown"))}
        unmeasured = as_strs(f.own["unmeasured"])
        if not unmeasured:
            return self.message_key(), values
        values["unmeasured"] = w.all([workload_title(n) for n in unmeasured])
        return self.message_key(".unmeasured" if as_strs(f.own["workloads"]) else ".unmeasured_only"), values

    def remediation(self, f: RuleDetails[rules.RightsizeDetails], v: Variant, w: ValueFormatter) -> Remediation:
        """The replacement sku-not-allowed proposes (one assignLicense, or the groups), after a
        step that confirms the larger product's extras are not used; with unmeasured workloads a
        check of those first, and every action waits for it (usage_unknown)."""
        values = {"workloads": w.any([workload_title(n) for n in as_strs(f.own["workloads"])]),
                  "count": number(f.own["days"], w.word("unknown")), "user": f.label(),
                  "unmeasured": w.all([workload_title(n) for n in as_strs(f.own["unmeasured"])]),
                  "target": w.product(as_text(f.own["rightsize_to"]) or w.word("unknown"))}
        intro = [TextRef("steps.usage.unmeasured", values)] if as_strs(f.own["unmeasured"]) else []
        if as_strs(f.own["workloads"]):
            intro.insert(0, TextRef("steps.usage.rightsize", values))
        if as_text(f.own["replace_with"]):
            remedy = SkuNotAllowed().remediation(f, v, w)
            remedy.steps = [*intro, *remedy.steps]
        else:  # the smaller product is already held: the larger one only goes
            remedy = removal(f, v, w, list(f.skus), intro=intro)
        if as_strs(f.own["unmeasured"]):
            remedy.actions = [a if not a.ready else replace(a, blocked=USAGE_UNKNOWN) for a in remedy.actions]
        return remedy


GUIDANCE: tuple[RuleGuidance[Any], ...] = (ProductUnused(), Rightsize())
