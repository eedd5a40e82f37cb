"""The Defender for Office 365 rules of the Exchange export put into the snapshot's access scope, or a named gap
when a policy judges `defender_office` and neither the export nor the snapshot holds them (docs/exchange-export.md).

    read_export(export)      (mailboxes, rules): the mailbox export and the protection-rules.csv beside it, each
                             None when not given
    with_protection_rules(snapshot, rules, policies)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from auditor import demo as demo_seam
from auditor.data.exchange_export import MailboxExport, read_exchange_export
from auditor.data.model import Gap, TenantSnapshot
from auditor.data.protection_rules import CMDLETS, FILE, PROTECTION_RULES, ProtectionRule, read_protection_rules
from auditor.policy.objects import PolicySet

FEATURE = "defender_office"  # auditor.impact.entitlement_scope.DEFENDER_OFFICE
NOT_READ = (
    f"not read: no {FILE} beside the Exchange export (--exchange-export; docs/exchange-export.md), so who the "
    "Defender for Office 365 policies reach is not known"
)


def read_export(
    export: str | None, demo: bool = False
) -> tuple[dict[str, MailboxExport] | None, tuple[ProtectionRule, ...] | None]:
    """The mailbox export and the rules beside it (a bad file stops the run: exit 2); `--demo` without an export
    reads the sample's rules (auditor_dev/sample/exchange/protection-rules.csv) through the same reader."""
    if not export:
        return None, read_protection_rules(demo_seam.demo_file(FILE, "exchange")) if demo else None
    return read_exchange_export(export), rules_beside(export)


def rules_beside(export: str | Path | None) -> tuple[ProtectionRule, ...] | None:
    """The rules the export command wrote beside the mailbox export; None without an export or without the file."""
    if not export:
        return None
    path = Path(export).parent / FILE
    return read_protection_rules(path) if path.is_file() else None


def with_protection_rules(
    snapshot: TenantSnapshot, rules: tuple[ProtectionRule, ...] | None, policies: PolicySet
) -> TenantSnapshot:
    """`snapshot` with `rules` in its access scope; when a policy judges the feature and neither `rules` nor
    the snapshot (a saved one) holds them, with a gap naming the cmdlets instead: never compliant."""
    wanted = any(p.entitlements is not None and FEATURE in p.entitlements.features for p in policies.policies)
    found = snapshot.access_scope
    if not wanted or found is None:
        return snapshot
    if rules is not None:
        snapshot = replace(snapshot, access_scope=replace(found, protection_rules=rules))
    elif found.protection_rules is None:
        return replace(snapshot, gaps=(*snapshot.gaps, Gap(PROTECTION_RULES, ", ".join(CMDLETS), NOT_READ)))
    return replace(snapshot, gaps=(*snapshot.gaps, *_unknown_groups(snapshot)))


def _unknown_groups(snapshot: TenantSnapshot) -> list[Gap]:
    """A gap per enabled rule naming a group whose members the snapshot did not read: who it reaches is not known,
    so auditor.impact.entitlement_scope leaves it out, and the report says so."""
    scope = snapshot.access_scope
    assert scope is not None
    known = {g.id.lower() for g in snapshot.groups} | {g.id.lower() for g in scope.groups}
    gaps = []
    for rule in scope.protection_rules or ():
        unknown = [g for g in (*rule.sent_to_member_of, *rule.except_sent_to_member_of) if g not in known]
        if rule.enabled and unknown:
            reason = f"not judged: the members of group(s) {', '.join(unknown)} were not read (SentToMemberOf)"
            gaps.append(Gap(PROTECTION_RULES, f"{rule.cmdlet} {rule.name}", reason))
    return gaps
