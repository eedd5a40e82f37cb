"""Facts only a fix needs, added once after evaluation to the findings that need them.

A rule reports what it found about a user; what the fix of that finding must know about the
groups and the data it touches is not the rule's business. After every rule has run, `enrich`
adds it to each user's finding, one function per family of facts:

    group_facts     the kinds of the groups that give the finding's products (`group_kinds`) and
                    what else they give (`group_licenses`): every finding whose details name the
                    groups that assign its products (`assigned_by_group_ids`)
    data_lost       what removing the finding's products would end (`data_lost`, `plans_unknown`,
                    `storage`), with the product the fix gives instead in the same call
                    (`replace_with_id`): the findings of a rule whose fix `removes` them
    leaving         the groups the fix leaves and what each takes (`leaving`): the findings of a
                    rule whose fix `removes` the products or `leaves` groups
    disable_times   when the account was disabled (`disabled_at`, `disabled_from`, ...): the
                    findings of a check that sets `grace_days`

Each answer comes from the audit's services (auditor/impact/services.py), worked out once per
license layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from auditor.data.model import Finding, SubjectType, User

from .rules import Context, Rule


def group_facts(details: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """What the details say about the groups that give the finding's products (GroupIndex.details)."""
    by_group = details.get("assigned_by_group_ids")
    if not isinstance(by_group, Mapping):
        return {}
    return ctx.groups.details((gid for ids in by_group.values() for gid in ids), by_group)


def _products(details: Mapping[str, Any]) -> frozenset[str]:
    """The finding's products as skuIds (lower-case), from the details' `sku_ids`."""
    return frozenset(str(sid).lower() for sid in details.get("sku_ids", {}).values())


def data_lost(details: Mapping[str, Any], user: User, ctx: Context) -> dict[str, Any]:
    """What removing the finding's products would end (DataLoss.of), with the product the fix adds."""
    added = ctx.index.resolve_sku(details["replace_with_id"]) if details.get("replace_with_id") else None
    return ctx.data_loss.of(user, _products(details), (added,) if added else ())


def leaving(details: Mapping[str, Any], user: User, ctx: Context) -> dict[str, Any]:
    """The groups the fix leaves to take the finding's products away (GroupIndex.leaving)."""
    return ctx.groups.leaving(user, _products(details))


def disable_times(user: User, ctx: Context) -> dict[str, Any]:
    """When the account was disabled, which `grace_days` counts from (DisableTimes.of)."""
    return dict(ctx.disable_times.of(user))


def _added(rule: Rule[Any] | None, details: Mapping[str, Any], user: User | None, ctx: Context) -> dict[str, Any]:
    found = group_facts(details, ctx)
    if user is None or rule is None:
        return found
    if rule.removes:
        found |= data_lost(details, user, ctx)
    if rule.removes or rule.leaves:
        found |= leaving(details, user, ctx)
    if "grace_days" in details:
        found |= disable_times(user, ctx)
    return found


def _needs_user(rule: Rule[Any] | None, finding: Finding) -> bool:
    return (
        finding.subject.type is SubjectType.USER
        and rule is not None
        and (rule.removes or rule.leaves or any(key == "grace_days" for key, _ in finding.details))
    )


def enrich(findings: list[Finding], rules: Iterable[Rule[Any]], ctx: Context) -> Iterator[Finding]:
    """`findings` with the facts above added to the details of each that needs them (a fact the
    rule reported itself gives way to the enricher's), one by one, so the caller can keep each as
    it comes (the engine shares its values)."""
    by_id = {rule.id: rule for rule in rules}
    wanted = {f.subject.id for f in findings if _needs_user(by_id.get(f.rule), f)}
    users = {u.id: u for u in ctx.index.users if u.id in wanted} if wanted else {}
    for finding in findings:
        if finding.subject.type is not SubjectType.USER:
            yield finding
            continue
        details = dict(finding.details)
        added = _added(by_id.get(finding.rule), details, users.get(finding.subject.id), ctx)
        yield replace(finding, details=tuple(sorted((details | added).items()))) if added else finding
