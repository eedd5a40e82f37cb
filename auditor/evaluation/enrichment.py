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

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from auditor.data.finding import Holding, Own
from auditor.data.model import Finding, SubjectType, User
from auditor.impact.fix_facts import DataLost, GroupFacts, Leaving
from auditor.impact.services import DisabledAt
from auditor.rules import Context, Rule
from auditor.rules.hygiene.base import DeclaredOwn


class Added(GroupFacts, DataLost, Leaving, DisabledAt, total=False):
    """What the enrichment adds to a finding's details (the module docstring's families): Finding.added."""


NO_HOLDING = Holding()  # a finding on a user that names no products' holding (none such today)


def group_facts(holding: Holding, ctx: Context) -> GroupFacts:
    """What the details say about the groups that give the finding's products (GroupIndex.details)."""
    by_group = holding.assigned_by_group_ids
    if not by_group:
        return {}
    return ctx.groups.details((gid for ids in by_group.values() for gid in ids), by_group)


def _products(holding: Holding) -> frozenset[str]:
    """The finding's products as skuIds (lower-case), from the details' `sku_ids`."""
    return frozenset(sid.lower() for sid in holding.sku_ids.values())


def data_lost(holding: Holding, replace_with_id: str | None, user: User, ctx: Context) -> DataLost:
    """What removing the finding's products would end (DataLoss.of), with the product the fix adds
    (the rule's `replace_with_id`, the skuId of the product it gives instead)."""
    added = ctx.index.resolve_sku(replace_with_id) if replace_with_id else None
    return ctx.data_loss.of(user, _products(holding), (added,) if added else ())


def leaving(holding: Holding, user: User, ctx: Context) -> Leaving:
    """The groups the fix leaves to take the finding's products away (GroupIndex.leaving)."""
    return ctx.groups.leaving(user, _products(holding))


def _added(rule: Rule[Any] | None, finding: Finding, user: User | None, ctx: Context) -> Added:
    holding = finding.holding or NO_HOLDING
    lost, left, disabled = DataLost(), Leaving(), DisabledAt()
    if user is not None and rule is not None:  # a user's finding whose fix removes or leaves
        if rule.removes:
            lost = data_lost(holding, gives_instead(finding.own) or None, user, ctx)
        left = leaving(holding, user, ctx) if rule.removes or rule.leaves else left
        disabled = ctx.disable_times.of(user) if grace_days(finding.own) else disabled
    return {**group_facts(holding, ctx), **lost, **left, **disabled}


def _needs_user(rule: Rule[Any] | None, finding: Finding) -> bool:
    return (
        finding.subject.type is SubjectType.USER
        and rule is not None
        and (rule.removes or rule.leaves or grace_days(finding.own) > 0)
    )


def gives_instead(own: Own) -> str:
    """The skuId of the product the fix gives instead in the same call, as the rule's record names it
    (`replace_with_id`: sku-not-allowed's, subscription-move's, rightsize's, resource-account-paid-license's);
    "" for none."""
    found = getattr(own, "replace_with_id", "")
    return found if isinstance(found, str) else ""


def grace_days(own: Own) -> int:
    """The check's `grace_days` a user hygiene rule's record carries (DeclaredOwn); 0 for none."""
    return own.grace_days if isinstance(own, DeclaredOwn) else 0


def enrich(findings: list[Finding], rules: Iterable[Rule[Any]], ctx: Context) -> Iterator[Finding]:
    """`findings` with the facts above added to each that needs them, apart from the rule's own
    (Finding.added: in the details report.json carries, a fact the rule reported itself gives way
    to the enricher's), one by one, so the caller can keep each as it comes (the engine shares its
    values)."""
    by_id = {rule.id: rule for rule in rules}
    wanted = {f.subject.id for f in findings if _needs_user(by_id.get(f.rule), f)}
    users = {u.id: u for u in ctx.index.users if u.id in wanted} if wanted else {}
    for finding in findings:
        if finding.subject.type is not SubjectType.USER:
            yield finding
            continue
        added = _added(by_id.get(finding.rule), finding, users.get(finding.subject.id), ctx)
        yield replace(finding, added=dict(sorted(added.items()))) if added else finding
