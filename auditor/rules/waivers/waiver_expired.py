"""`waivers:` — accepted exceptions with an owner and an expiry date."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, Subject, SubjectType

from ...data.reads import Reads
from ...policy.objects import Policy, Waiver
from ...policy.yamlsource import PolicyNode
from ..base import Context, Rule


class WaiverExpiredDetails(Own, frozen=True, kw_only=True):
    """`waiver_rule`, `waiver_subject`, `expires` (ISO date), `owner`, `reason`"""

    waiver_rule: str = ""
    waiver_subject: str = ""
    expires: str = ""
    owner: str | None = None
    reason: str | None = None


class WaiverExpired(Rule[WaiverExpiredDetails]):
    """A waiver is past its `expires` date: the findings it covered stand again.

    Example:
        waivers:
          - rule: sku-combination-forbidden
            subject: ceo@contoso.example
            reason: Board-approved exception
            owner: cio@contoso.example
            expires: 2027-06-30
    """

    id = "waiver-expired"
    default_severity = Severity.MEDIUM
    section = "waivers"
    reads = Reads()

    def configured(self, policy: Policy) -> bool:
        return bool(policy.waivers)

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        today = ctx.as_of.date()
        for w in policy.waivers:
            if w.expires >= today:
                continue
            key = f"{w.rule}:{w.subject}" + (f":{w.sku}" if w.sku else "")
            yield self.make(
                policy,
                "waivers",
                Subject(SubjectType.WAIVER, key),
                (w.sku,) if w.sku else (),
                f"waiver for {w.rule} on {w.subject} expired {w.expires.isoformat()} (owner {w.owner})",
                WaiverExpiredDetails(
                    waiver_rule=w.rule,
                    waiver_subject=w.subject,
                    expires=w.expires.isoformat(),
                    owner=w.owner,
                    reason=w.reason,
                ),
            )


def parse_waivers(node: PolicyNode) -> tuple[Waiver, ...]:
    """The `waivers:` section; an `expires` that is no calendar date (2027-02-30) is reported."""
    return tuple(_waiver(entry) for entry in node.entries())


def _waiver(entry: PolicyNode) -> Waiver:
    raw = entry.data
    return Waiver(
        rule=raw["rule"],
        subject=raw["subject"],
        reason=raw["reason"],
        owner=raw["owner"],
        expires=entry.at("expires").date(),
        sku=raw.get("sku"),
        line=entry.line,
    )


def waiver_covers(w: Waiver, finding: Finding) -> bool:
    if w.rule != finding.rule:
        return False
    if w.sku and w.sku.lower() not in {s.lower() for s in finding.skus}:
        return False
    pattern = w.subject.lower()
    s = finding.subject
    candidates = [c.lower() for c in (s.id, s.upn, s.sku) if c]
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


def waiver_json(w: Waiver) -> dict[str, str]:
    out = {"rule": w.rule, "subject": w.subject, "reason": w.reason, "owner": w.owner, "expires": w.expires.isoformat()}
    if w.sku:
        out["sku"] = w.sku
    return out
