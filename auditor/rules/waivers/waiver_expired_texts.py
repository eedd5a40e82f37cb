"""The guidance of the rules in auditor/rules/waivers/waiver_expired.py: their texts, message,
remediation and docs (auditor.wording finds each by its rule's class name)."""

from __future__ import annotations

from ...guidance.cloud_variants import Variant
from ...guidance.details import RuleDetails, iso_date
from ...guidance.library import Message, RuleGuidance, ValueFormatter, base_values
from ...guidance.remediation import Remediation, TextRef
from ...guidance.texts.declare import Text
from ..assignments.selection import SkuForbidden
from . import waiver_expired as rules


class WaiverExpired(RuleGuidance[rules.WaiverExpiredDetails]):
    id = rules.WaiverExpired.id
    texts = (
        Text("rule.waiver-expired.title", "Waiver expired"),
        Text(
            "rule.waiver-expired.describe",
            "An agreed exception to the policy has passed its expiry date, so the finding it covered counts again.",
        ),
        Text(
            "rule.waiver-expired.message",
            "The waiver for “{waiver_rule}” on {waiver_subject} (owner: {owner}) expired on {expires}.",
        ),
        Text("summary.waiver", "Renew the waiver together with its owner ({owner}), or fix the finding it covered."),
        Text(
            "steps.waiver.ask",
            "Ask {owner} whether the exception for “{waiver_rule}” on {waiver_subject} is still needed.",
        ),
        Text(
            "steps.waiver.renew",
            "If it is, give the waiver a new expiry date and a current reason in the "
            "policy file and have the change reviewed.",
        ),
        Text(
            "steps.waiver.fix",
            "If it is not, delete the waiver and fix the finding as the guidance for “{waiver_rule}” describes.",
        ),
        Text("role.waiver", "Maintainer of the policy file, together with the waiver's owner"),
    )
    graph_calls = False
    example_finding = (
        {"type": "waiver", "id": f"{SkuForbidden.id}:ann@contoso.example"},
        [],
        {
            "waiver_rule": SkuForbidden.id,
            "waiver_subject": "ann@contoso.example",
            "expires": "2026-10-01",
            "owner": "it-lead@contoso.example",
            "reason": "pilot",
        },
    )

    def message(self, f: RuleDetails[rules.WaiverExpiredDetails], w: ValueFormatter) -> Message:
        values = _values(f.own, w)
        values["expires"] = iso_date(f.own.expires) or w.word("unknown")
        return self.message_key(), {**base_values(f, w), **values}

    def remediation(self, f: RuleDetails[rules.WaiverExpiredDetails], v: Variant, w: ValueFormatter) -> Remediation:
        values = _values(f.own, w)
        steps = [
            TextRef("steps.waiver.ask", values),
            TextRef("steps.waiver.renew", values),
            TextRef("steps.waiver.fix", values),
        ]
        return Remediation(TextRef("summary.waiver", values), steps, "role.waiver", [TextRef("next.rerun")], [])


def _values(own: rules.WaiverExpiredDetails, w: ValueFormatter) -> dict[str, str]:
    """The waiver's owner, rule and subject as the texts name them ("unknown" where the report lacks one)."""
    unknown = w.word("unknown")
    return {
        "owner": own.owner or unknown,
        "waiver_rule": w.rule(own.waiver_rule) if own.waiver_rule else unknown,
        "waiver_subject": own.waiver_subject or unknown,
    }
