"""`waivers:` — accepted exceptions with an owner and an expiry date."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from ..guidance.clouds import Variant
from ..guidance.facts import Facts, iso_date
from ..guidance.library import (
    Message,
    ValueFormatter,
    base_values,
)
from ..guidance.remediation import (
    Remediation,
    TextRef,
)
from ..guidance.texts.declare import Text
from ..model import Finding, Severity, Subject, SubjectType
from ..policy.model import Policy, Waiver
from ..policy.yamlsource import Part
from .assignments import SkuForbidden
from .base import Context, Rule


class WaiverExpired(Rule):
    """A waiver is past its `expires` date: the findings it covered stand again.

    Example:
        waivers:
          - rule: sku-combination-forbidden
            subject: ceo@contoso.example
            reason: Board-approved exception
            owner: cio@contoso.example
            expires: 2027-06-30
    """

    texts = (
        Text("rule.waiver-expired.title", "Waiver expired"),
        Text("rule.waiver-expired.describe", "An agreed exception to the policy has passed its expiry date, so "
             "the finding it covered counts again."),
        Text("rule.waiver-expired.message", "The waiver for {waiver_rule} on {waiver_subject} (owner: {owner}) "
             "expired on {expires}."),
        Text("summary.waiver", "Renew the waiver together with its owner ({owner}), or fix the finding it covered."),
        Text("steps.waiver.ask", "Ask {owner} whether the exception for {waiver_rule} on {waiver_subject} is "
             "still needed."),
        Text("steps.waiver.renew", "If it is, give the waiver a new expiry date and a current reason in the "
             "policy file and have the change reviewed."),
        Text("steps.waiver.fix", "If it is not, delete the waiver and fix the finding as the guidance for "
             "{waiver_rule} describes."),
        Text("role.waiver", "Maintainer of the policy file, together with the waiver's owner"),
    )

    graph_calls = False

    id = "waiver-expired"
    default_severity = Severity.MEDIUM
    fires_when = "a waiver is past its `expires` date"
    details_doc = "`waiver_rule`, `waiver_subject`, `expires` (ISO date), `owner`, `reason`"
    example_finding = ({"type": "waiver", "id": f"{SkuForbidden.id}:ann@contoso.example"}, [],
                       {"waiver_rule": SkuForbidden.id, "waiver_subject": "ann@contoso.example",
                        "expires": "2026-10-01", "owner": "it-lead@contoso.example", "reason": "pilot"})
    section = "waivers"
    waivable = False
    needs = frozenset()

    def configured(self, policy: Policy) -> bool:
        return bool(policy.waivers)

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        today = ctx.as_of.date()
        for w in policy.waivers:
            if w.expires >= today:
                continue
            key = f"{w.rule}:{w.subject}" + (f":{w.sku}" if w.sku else "")
            yield self.make(
                policy, "waivers", Subject(SubjectType.WAIVER, key), (w.sku,) if w.sku else (),
                f"waiver for {w.rule} on {w.subject} expired {w.expires.isoformat()} (owner {w.owner})",
                {"waiver_rule": w.rule, "waiver_subject": w.subject, "expires": w.expires.isoformat(),
                 "owner": w.owner, "reason": w.reason},
            )

    def message(self, f: Facts, w: ValueFormatter) -> Message:
        unknown = w.word("unknown")
        values = {name: f.text(name) or unknown for name in ("waiver_rule", "waiver_subject", "owner")}
        values["expires"] = iso_date(f.details.get("expires")) or unknown
        return self.message_key(), {**base_values(f, w), **values}

    def remediation(self, f: Facts, v: Variant, w: ValueFormatter) -> Remediation:
        unknown = w.word("unknown")
        values = {"owner": f.text("owner") or unknown, "waiver_rule": f.text("waiver_rule") or unknown,
                  "waiver_subject": f.text("waiver_subject") or unknown}
        steps = [TextRef("steps.waiver.ask", values), TextRef("steps.waiver.renew", values),
                 TextRef("steps.waiver.fix", values)]
        return Remediation(TextRef("summary.waiver", values), steps, "role.waiver", [TextRef("next.rerun")], [])


def parse_waivers(part: Part) -> tuple[Waiver, ...]:
    """The `waivers:` section; an `expires` that is no calendar date (2027-02-30) is reported."""
    return tuple(_waiver(entry) for entry in part.entries())


def _waiver(entry: Part) -> Waiver:
    raw = entry.data
    return Waiver(rule=raw["rule"], subject=raw["subject"], reason=raw["reason"], owner=raw["owner"],
                  expires=entry.at("expires").date(), sku=raw.get("sku"), line=entry.line)


def waiver_covers(w: Waiver, finding: Finding) -> bool:
    if w.rule != finding.rule:
        return False
    if w.sku and w.sku.lower() not in {s.lower() for s in finding.skus}:
        return False
    pattern = w.subject.lower()
    s = finding.subject
    candidates = [c.lower() for c in (s.id, s.upn, s.sku) if c]
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


def waiver_json(w: Waiver) -> dict[str, Any]:
    out = {"rule": w.rule, "subject": w.subject, "reason": w.reason, "owner": w.owner,
           "expires": w.expires.isoformat()}
    if w.sku:
        out["sku"] = w.sku
    return out



