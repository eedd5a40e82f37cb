"""evaluate(policies, snapshot, as_of) -> AuditResult. A pure function: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from operator import attrgetter
from typing import Any

import msgspec
import orjson

from auditor.billing.current_prices import CurrentPrice
from auditor.billing.file import BillingFile
from auditor.data.account_kinds import ROOMS
from auditor.data.agents import AGENT_USERS
from auditor.data.attributes import is_path
from auditor.data.copilot_credit_use_data import COPILOT_CREDIT_USE
from auditor.data.copilot_credits_data import COPILOT_CREDITS
from auditor.data.enums import AccountKind
from auditor.data.feature_rows import FeatureRow
from auditor.data.finding import NONE, Own
from auditor.data.license_insight_data import InsightComparison
from auditor.data.model import AccountKindRow, AuditResult, Finding, NotEvaluated, SeatRow, Sku, TenantSnapshot
from auditor.data.usage_data import USAGE_REPORTS
from auditor.i18n.said import GROUP_NOT_IN_TENANT, NOT_COLLECTED, SKU_NOT_IN_TENANT
from auditor.impact.feature_map import feature_map
from auditor.impact.license_insight_comparison import compare
from auditor.policy.index import TenantIndex, is_guid
from auditor.policy.objects import CatalogEntry, DeclaredKind, Policy, PolicySet, Selector, Waiver
from auditor.policy.selectors import DECLARED_KINDS
from auditor.reference import product_names
from auditor.rules import RULES, Context, Rule
from auditor.rules.assignments import licensing
from auditor.rules.usage.copilot_seats import seat_ledger
from auditor.rules.waivers.waiver_expired import waiver_covers, waiver_json
from auditor.snapshot import MAILBOX_SETTINGS, SIGN_IN_ACTIVITY

from .enrichment import enrich

# Parts a snapshot holds only when collectedParts says so (older snapshots and reads that were
# never made lack them): a rule that needs one is not evaluated without it.
RECORDED_PARTS = (SIGN_IN_ACTIVITY, MAILBOX_SETTINGS, USAGE_REPORTS, AGENT_USERS)
# Whole listings a rule's test of one user reads (Reads.user) beside the users: the agent users (what
# is a person) and the places listing's rooms (what is a room). A gap in one leaves the rules that
# read it not evaluated (judged without it, an agent user would be taken for a person), but for a rule
# that declares what it still judges without it (Reads.without: shared-mailbox-licensed judges every
# mailbox whose purpose was read without the rooms): that rule is evaluated, and only the judgements
# the gap hides are named as not evaluated (NotEvaluated.only).
LISTINGS = (AGENT_USERS, ROOMS)


def unread_attributes(rule: Rule[Any], snapshot: TenantSnapshot, selectors: Sequence[Selector] = ()) -> list[str]:
    """The user attributes `rule` declares it reads (Reads.user; auditor.data.attributes), or its
    `selectors` select by, that the snapshot was read without (`userAttributes`): on it every user
    would look as if unset, and a selector by one would select nobody. `department` is read with
    every user."""
    wanted = set(rule.reads.user).union(*(s.reads for s in selectors))
    return sorted(p for p in wanted if is_path(p) and p != "department" and p not in snapshot.user_attributes)


def _why_not_evaluable(rule: Rule[Any], policy: Policy, index: TenantIndex) -> str | None:
    """Why `rule` cannot be trusted on this snapshot for `policy`, or None when it can.

    A rule is only as good as the data behind it: a gap in a part it reads, or a group its
    selectors name that the tenant data lacks, would silently shrink its population.
    """
    snapshot = index.snapshot
    selectors = rule.selectors(policy)
    # the parts its selectors read too (the agent users for `kinds:`)
    needs = set(rule.reads.parts) | {p for s in selectors for p in s.reads if not is_path(p)}
    refs = sorted({g for s in selectors for g in s.groups})
    if refs:
        needs.add("groups")
    # a listing its test of one user reads counts when it is a gap (a snapshot read before it was kept, as
    # before: the kind is read as the snapshot has it)
    missing = sorted(
        ((needs | (set(LISTINGS) & rule.reads.user)) & {g.dataset for g in snapshot.gaps}) - set(rule.reads.without)
    )
    if not missing:  # parts that are read only when asked for: a snapshot without them cannot judge
        missing = sorted(p for p in RECORDED_PARTS if p in needs and p not in snapshot.collected_datasets)
    if not missing:  # the user attributes its test reads: a snapshot read without them cannot judge
        missing = unread_attributes(rule, snapshot, selectors)
    if missing:
        return NOT_COLLECTED.say(what=", ".join(missing))
    unavailable = rule.unavailable(policy, index)
    if unavailable:
        return unavailable
    absent = [r for r in refs if not index.has_group(r)]
    if absent:
        return GROUP_NOT_IN_TENANT.say(groups=", ".join(repr(r) for r in absent))
    return None


def _hidden(rule: Rule[Any], policy: Policy, snapshot: TenantSnapshot) -> list[NotEvaluated]:
    """The judgements of an evaluated `rule` that a gap in a part it judges without hides (Reads.without),
    each named as not evaluated with the findings it concerns (NotEvaluated.only)."""
    gaps = {g.dataset for g in snapshot.gaps}
    return [
        NotEvaluated(
            rule.id,
            f"{policy.name}/{rule.section}",
            without.say(what=part),
            (without.key, tuple(sorted(without.values))),
        )
        for part, without in sorted(rule.reads.without.items())
        if part in gaps
    ]


def product_name(policies: PolicySet, index: TenantIndex, sku: Sku) -> str:
    """What people call the product: the policy catalog's `name`, else Microsoft's product-names
    table (by skuId, then part number), else the part number itself."""
    for policy in policies.policies:
        for entry in policy.catalog or ():
            if entry.name and index.resolve_sku(entry.sku) == sku.sku_id.lower():
                return entry.name
    return product_names().product(sku_id=sku.sku_id, part=sku.sku_part_number) or sku.sku_part_number


def _prices(policies: PolicySet, index: TenantIndex) -> dict[str, CatalogEntry]:
    """The catalog's prices by skuId (lower case). A product the tenant does not subscribe to is
    found by its part number in Microsoft's product table, so that it is a candidate where the policy
    prices it (entitlement-missing's cheapest fix); one neither knows is a configuration problem
    (auditor.policyset.config_problems)."""
    prices: dict[str, CatalogEntry] = {}
    for policy in policies.policies:
        for entry in policy.catalog or ():
            sid = index.resolve_sku(entry.sku) or product_names().sku_id(entry.sku)
            if sid and sid not in prices and (entry.price or entry.free):
                prices[sid] = entry
    return prices


def _current(
    prices: dict[str, CatalogEntry], current: Mapping[str, CurrentPrice]
) -> tuple[dict[str, CatalogEntry], dict[str, tuple[float, str]]]:
    """The catalog's prices with each policy price that differs from the price read at the run
    (auditor.billing.current_prices) replaced by it; and those replaced: skuId -> (the policy's
    price, the source of the one used)."""
    moved: dict[str, tuple[float, str]] = {}
    out = dict(prices)
    for sid, entry in prices.items():
        now, price = current.get(sid), entry.price
        if now is None or price is None or entry.free or round(price.monthly, 2) == round(now.monthly, 2):
            continue
        out[sid] = msgspec.structs.replace(entry, price=msgspec.structs.replace(price, monthly=now.monthly))
        moved[sid] = (price.monthly, now.source)
    return out, moved


def _quieted(findings: list[Finding], quiet: set[str]) -> list[Finding]:
    """`findings`, those about quiet products alone (`alert: false`) marked so."""
    return [replace(f, alert=False) if f.skus and set(f.skus) <= quiet else f for f in findings] if quiet else findings


def _quiet_parts(policies: PolicySet, index: TenantIndex) -> set[str]:
    """The part numbers of the products a catalog keeps out of alerts (`alert: false`)."""
    out: set[str] = set()
    for policy in policies.policies:
        for entry in policy.catalog or ():
            sid = index.resolve_sku(entry.sku) if not entry.alert else None
            if sid:
                out.add(index.part(sid))
    return out


def sku_references(policies: PolicySet) -> list[tuple[str, str]]:
    """(policy name, SKU as written) for every product the policies name: each policy's `products`,
    found where the schema puts a product (the rules' fragments, SKU_REF_SCHEMA), not listed here."""
    return [(p.name, sku) for p in policies.policies for sku in p.products]


def policy_warnings(policies: PolicySet) -> list[str]:
    """Settings that are valid but do nothing, so the author likely meant something else."""
    warnings = []
    for policy in policies.policies:
        for entry in policy.catalog or ():
            limits = entry.spare_seats
            if entry.free and limits is not None and (limits.max is not None or limits.max_percent is not None):
                warnings.append(
                    f"{policy.name}: catalog entry {entry.sku} (line {entry.line}) is free, so its "
                    "spare_seats max/max_percent never applies (unused free seats cost nothing)"
                )
    return warnings


def unknown_skus(policies: PolicySet, index: TenantIndex) -> list[str]:
    # a product the catalog prices for the entitlement rules to name is one the tenant may buy:
    # not having it yet is the point (auditor/rules/entitlements/entitlement.py); a product Microsoft's
    # table does not know (a typo) is no such product, and is named
    table = product_names()
    to_buy = {
        (p.name, e.sku.lower())
        for p in policies.policies
        if p.entitlements is not None
        for e in p.catalog or ()
        if e.price is not None and (table.product(sku_id=e.sku) if is_guid(e.sku) else table.product(part=e.sku))
    }
    warnings = []
    seen = set()
    for name, ref in sku_references(policies):
        key = (name, ref.lower())
        if key in seen:
            continue
        seen.add(key)
        sid = index.resolve_sku(ref)
        # a product Microsoft's table does not know either is a configuration problem, said once there
        # (auditor.policyset.config_problems.unknown_products), not here in other words
        known = table.product(sku_id=ref) if is_guid(ref) else table.product(part=ref)
        if (sid is None or sid not in index.sku_by_id) and (name, ref.lower()) not in to_buy and known:
            warnings.append(SKU_NOT_IN_TENANT.say(policy=name, sku=ref))
    return warnings


def _name(f: Finding) -> str:
    s = f.subject
    return (s.upn or s.sku or s.id).lower()


# The findings' order, most significant first: severity (highest first), rule, subject (its name,
# case-insensitively, then its id), products, policy, id. `in_order` sorts by one of them at a time,
# from the last: each sort is stable, so equals keep the order the later ones gave, which is the
# order of the whole tuple. A key for every finding is then one value, most of them the finding's
# own, not a tuple built for each finding at once (docs/performance.md, "What the code's shapes save").
ORDER: tuple[Callable[[Finding], Any], ...] = (
    lambda f: -f.severity,
    attrgetter("rule"),
    _name,
    lambda f: f.subject.id,
    attrgetter("skus"),
    attrgetter("policy"),
    attrgetter("id"),
)


def in_order(findings: list[Finding]) -> list[Finding]:
    """`findings`, the same list, sorted by ORDER."""
    for key in reversed(ORDER):
        findings.sort(key=key)
    return findings


class SharedValues:
    """One object for each value that many findings hold equal, for one evaluation.

    A large tenant gives many findings of a few shapes (mostly one product beside another for
    users of the same license layout): their details, policy entry, message and products are
    equal, but each finding was built with its own copies. Keeping one copy of each equal value is
    what keeps the audit of a million users within its memory target (docs/performance.md).
    Nothing changes but which object a finding points at: the values are equal (`==`), and
    immutable (tuples, strings) or never changed."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._details: dict[int, Mapping[str, object]] = {}
        self._records: dict[tuple[type[Own], int], Own] = {}

    def finding(self, f: Finding) -> Finding:
        # a finding's holding is shared already: one per license layout (Context.user_details)
        return replace(
            f,
            policy=self._one(f.policy),
            message=self._one(f.message),
            skus=self._one(f.skus),
            own=self._shared_record(f.own),
            added=self._shared_details(f.added),
        )

    def _one(self, value: Any) -> Any:
        return self._values.setdefault(value, value)

    def _shared_details(self, details: Mapping[str, object]) -> Mapping[str, object]:
        # details hold dicts (unhashable): the hash of their JSON text finds a candidate, and `==`
        # confirms it (a tuple and a list write the same JSON but are not equal; hashes may collide)
        if not details:  # a part the finding lacks (Finding.added): the one empty mapping
            return NONE
        try:
            key = hash(orjson.dumps(details))
        except TypeError:  # a value JSON cannot hold: kept as it is
            return details
        found = self._details.setdefault(key, details)
        return found if found is details or found == details else details

    def _shared_record(self, record: Own) -> Own:
        # a rule's record holds dicts and lists (unhashable): its type and the hash of its JSON text
        # find a candidate, and `==` confirms it, as for the details above
        try:
            key = (type(record), hash(msgspec.json.encode(record)))
        except TypeError:  # a value JSON cannot hold: kept as it is
            return record
        found = self._records.setdefault(key, record)
        return found if found is record or found == record else record


# A finding whose waiver expired fewer days ago than this is open again, but keeps the waiver (with
# `waived` false): the plan leaves it to the waiver's owner instead of changing it at once.
WAIVER_LAPSE_DAYS = 14


def _declared_first(entry: DeclaredKind) -> int:
    """break_glass before service, whichever policy declares it: an account both declare is break_glass."""
    return DECLARED_KINDS.index(AccountKind(entry.kind))


def _declared_subject(finding: Finding, index: TenantIndex) -> Finding:
    """The finding with its user's declared kind (`account_kinds:`) as its subject's kind."""
    declared = index.declared_ids.get(finding.subject.id) if finding.subject.kind is not None else None
    if not declared:
        return finding
    return replace(finding, subject=msgspec.structs.replace(finding.subject, kind=declared.value))


def evaluate(
    policies: PolicySet,
    snapshot: TenantSnapshot,
    as_of: datetime,
    billing: BillingFile | None = None,
    current: Mapping[str, CurrentPrice] | None = None,
) -> AuditResult:
    """`billing`: the admin's billing file (audit --billing), whose terms subscription-expiring reads;
    `current`: the prices read at the run (auditor.billing.current_prices), used where the policy's differ."""
    index = TenantIndex(snapshot)
    index.declare_kinds(sorted((k for p in policies.policies for k in p.account_kinds), key=_declared_first))
    prices, moved = _current(_prices(policies, index), current or {})
    ctx = Context(index=index, as_of=as_of, prices=prices, billing=billing)
    findings: list[Finding] = []
    not_evaluated: list[NotEvaluated] = []
    shared = SharedValues()
    for policy in policies.policies:
        for rule in RULES:
            if not rule.configured(policy):
                continue
            reason = _why_not_evaluable(rule, policy, index)
            if reason:
                not_evaluated.append(NotEvaluated(rule.id, f"{policy.name}/{rule.section}", reason))
                continue
            findings.extend(shared.finding(f) for f in rule.evaluate(policy, ctx))
            not_evaluated.extend(_hidden(rule, policy, snapshot))
    # what the fixes need to know (the groups and data they touch): each finding is replaced where it
    # stands, its values shared again, so a million users' findings are never held twice. A new table:
    # the rules' one holds every details value it saw, those the enrichment replaces among them.
    shared = SharedValues()
    for position, finding in enumerate(enrich(findings, RULES, ctx)):
        findings[position] = shared.finding(_declared_subject(finding, index))

    waivers: list[Waiver] = []  # in force
    lapsed: list[Waiver] = []  # expired less than WAIVER_LAPSE_DAYS ago
    for _, waiver in policies.waivers:
        expired = (as_of.date() - waiver.expires).days  # 0 or less: in force (it expires at the day's end)
        if expired < WAIVER_LAPSE_DAYS:
            sid = index.resolve_sku(waiver.sku) if waiver.sku else None
            # findings name SKUs by part number, so a waiver written with a skuId GUID is translated
            (waivers if expired <= 0 else lapsed).append(
                msgspec.structs.replace(waiver, sku=index.part(sid)) if sid else waiver
            )
    if waivers or lapsed:
        waived = []
        for f in findings:
            match = next((w for w in waivers if waiver_covers(w, f)), None)
            if match is not None:
                waived.append(replace(f, waived=True, waiver=waiver_json(match)))
                continue
            # open again, but the waiver's owner decides before a plan changes anything (plan: skipped)
            gone = next((w for w in lapsed if waiver_covers(w, f)), None)
            waived.append(replace(f, waiver=waiver_json(gone)) if gone else f)
        findings = waived

    findings = _quieted(findings, _quiet_parts(policies, index))

    seats = []
    for sku in sorted(snapshot.skus, key=lambda s: s.sku_part_number):
        entry = prices.get(sku.sku_id.lower())
        price = entry.price if entry and not entry.free else None
        policy_price, price_source = moved.get(sku.sku_id.lower(), (None, ""))
        unused = sku.unused
        trial = index.trial_seats(sku.sku_id)
        seats.append(
            SeatRow(
                sku=sku.sku_part_number,
                sku_id=sku.sku_id,
                enabled=sku.prepaid_units.enabled,
                suspended=sku.prepaid_units.suspended,
                warning=sku.prepaid_units.warning,
                locked_out=sku.prepaid_units.locked_out,
                consumed=sku.consumed_units,
                unused=unused,
                capability_status=sku.capability_status,
                free=bool(entry and entry.free),
                price_monthly=price.monthly if price else None,
                currency=price.currency if price else None,
                # trial seats cost nothing: only paid seats left unused are spend
                unused_monthly_cost=round(max(unused - trial, 0) * price.monthly, 2) if price else None,
                trial=trial,
                name=product_name(policies, index, sku),
                policy_price_monthly=policy_price,
                price_source=price_source,
            )
        )
    currency = next((e.price.currency for e in prices.values() if e.price), None)
    warnings = sorted(
        set(index.warnings)
        | set(unknown_skus(policies, index))
        | set(snapshot.notes)
        | set(licensing.warnings(policies, index))
    )
    return AuditResult(
        tenant_id=snapshot.tenant_id,
        tenant_name=snapshot.tenant_name,
        cloud=snapshot.cloud,
        collected_at=snapshot.collected_at,
        as_of=as_of,
        policies=policies.names,
        findings=tuple(in_order(findings)),
        seats=tuple(seats),
        # the bill's context (Copilot Credits, beta) is no part a rule reads: its refusal is said in the bill
        # (auditor.plan.bill.copilot_credits, from the snapshot's gaps), never an incomplete audit
        gaps=tuple(g for g in snapshot.gaps if g.dataset not in (COPILOT_CREDITS, COPILOT_CREDIT_USE)),
        not_evaluated=tuple(not_evaluated),
        warnings=tuple(warnings),
        currency=currency,
        users_total=len(snapshot.users),
        users_licensed=index.licensed_count(),
        license_insight=_license_insight(policies, index),
        sign_ins_read_at=snapshot.sign_ins_read_at,
        account_kinds=account_kind_rows(index, prices),
        declared_kinds=dict(index.declared_ids),
        copilot_seats=seat_ledger(policies.policies, index),
        feature_map=_feature_map(policies, index),
    )


def _feature_map(policies: PolicySet, index: TenantIndex) -> tuple[FeatureRow, ...]:
    """The feature map (auditor.impact.feature_map) of the features the policies' `entitlements:` name; none without
    such a section (nothing read to count)."""
    sections = [p.entitlements for p in policies.policies if p.entitlements is not None]
    if not sections:
        return ()
    return feature_map(index, {f for section in sections for f in section.features})


def account_kind_rows(index: TenantIndex, prices: dict[str, CatalogEntry]) -> tuple[AccountKindRow, ...]:
    """Each kind of account other than a person's that holds licenses (docs/account-kinds.md): how many
    accounts, which products (part number -> accounts holding it) and what they cost a month by the
    policy's prices (None when none of them is priced), so an account no rule judges is still seen."""
    rows: dict[str, AccountKindRow] = {}
    for user in index.users:
        if not user.licensed:
            continue
        kind = index.kind_of(user)
        if kind is AccountKind.PERSON:
            continue
        row = rows.setdefault(kind.value, AccountKindRow(kind=kind.value))
        row.accounts += 1
        for sid in sorted(user.sku_ids):
            part = index.part(sid)
            row.products[part] = row.products.get(part, 0) + 1
            entry = prices.get(sid)
            if entry is not None and not entry.free and entry.price is not None:
                row.monthly = round((row.monthly or 0.0) + entry.price.monthly, 2)
    order = [k.value for k in AccountKind]
    return tuple(rows[k] for k in order if k in rows)


def _license_insight(policies: PolicySet, index: TenantIndex) -> InsightComparison | None:
    """Microsoft's own counts beside the auditor's, when a policy judges entitlements and they were read."""
    insight = index.snapshot.license_insight
    if insight is None or not any(p.entitlements is not None for p in policies.policies):
        return None
    return compare(index, insight)
