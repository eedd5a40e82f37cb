"""The `usage:` section as a whole: its schema (each entry is one rule's, told apart by its key) and
its parsing into UsageEntry objects (auditor.policy.objects)."""

from __future__ import annotations

from auditor.common.json_value import JsonObject
from auditor.data.model import Severity

from ...policy.objects import UsageEntry
from ...policy.yamlsource import PolicyNode
from .activity import ProductUnused, Rightsize
from .copilot_seats import CopilotSeatIdle


def parse_usage(node: PolicyNode) -> tuple[UsageEntry, ...]:
    """The `usage:` section: one entry per product (or rightsizing, or Copilot seats), checked beyond the schema."""
    out: list[UsageEntry] = []
    for entry in node.entries():
        raw = entry.data
        severity = Severity.parse(raw["severity"]) if "severity" in raw else None
        if Rightsize.key in raw:
            pair = raw[Rightsize.key]
            if pair["from"].lower() == pair["to"].lower():
                entry.at(Rightsize.key).report(f"{entry.name}.{Rightsize.key}: from and to are the same product")
            out.append(
                UsageEntry(
                    days=raw["days"],
                    rightsize=(pair["from"], pair["to"]),
                    unless_active=tuple(raw["unless_active"]),
                    severity=severity,
                    line=entry.line,
                )
            )
        elif CopilotSeatIdle.key in raw:
            out.append(
                UsageEntry(
                    days=raw["days"],
                    copilot_seats=raw[CopilotSeatIdle.key],
                    candidates=tuple(raw.get("candidates") or ()),
                    audit_log=raw.get("audit_log"),
                    severity=severity,
                    line=entry.line,
                )
            )
        else:
            out.append(
                UsageEntry(
                    days=raw["days"],
                    sku=raw["sku"],
                    workloads=tuple(raw["workloads"]),
                    severity=severity,
                    line=entry.line,
                )
            )
    return tuple(out)


def usage_section() -> JsonObject:
    """The `usage:` list: an entry with `rightsize` is Rightsize's, one with `copilot_seats`
    CopilotSeatIdle's, any other ProductUnused's."""
    return {
        "type": "array",
        "items": {
            "if": {"required": [Rightsize.key]},
            "then": Rightsize.fragment,
            "else": {
                "if": {"required": [CopilotSeatIdle.key]},
                "then": CopilotSeatIdle.fragment,
                "else": ProductUnused.fragment,
            },
        },
    }
