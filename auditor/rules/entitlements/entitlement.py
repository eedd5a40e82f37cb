"""`entitlements:` — the users whom Conditional Access, Privileged Identity Management, dynamic groups
and group-based licensing reach without a product that entitles them (Microsoft Entra ID P1, P2 or
ID Governance), counted as Microsoft's terms count them and priced.

    entitlements: {}                                   # every feature
    entitlements: {features: [conditional_access, privileged_access]}

Who each feature reaches and which plan it needs: auditor/impact/entitlement_scope.py; the reads behind them:
auditor/graph/access_scope.py; the licensing facts and their pages: docs/entitlements.md. A feature
whose read Graph refused is not judged (the gap names it); the others are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, TypedDict

from msgspec import UNSET, UnsetType

from auditor.common.json_value import JsonObject
from auditor.data.access_records import ACCESS_SCOPE, AccessScope
from auditor.data.feature_records import ACCESS_PACKAGES, ACCESS_REVIEWS, GROUP_PIM, MANAGED_DEVICES, WORKFLOWS
from auditor.data.finding import Own
from auditor.data.model import Finding, Severity, Subject, SubjectType, User
from auditor.data.protection_rules import MAIL_READS
from auditor.policy.index import TenantIndex

from ...data.reads import Reads, Requests
from ...i18n.said import SCOPE_NOT_COLLECTED, SCOPE_REFUSED
from ...impact import entitlement_scope as scope
from ...policy.objects import Entitlements, Policy
from ...policy.yamlsource import PolicyNode
from ...reference import product_names
from ..base import Context, D, Rule

# Each count, and the features it counts: P1's those needing P1 (risk-based access too, P2 carrying
# P1); PIM needs P2 or ID Governance and is P2's count alone, never P1's (docs/entitlements.md).
PLAN_FEATURES = {
    scope.P1: (scope.CONDITIONAL_ACCESS, scope.RISK_BASED_ACCESS, scope.DYNAMIC_GROUPS),
    scope.P2: (
        scope.RISK_BASED_ACCESS,
        scope.PRIVILEGED_ACCESS,
        scope.ACCESS_REVIEWS,
        scope.ENTITLEMENT_MANAGEMENT,
        scope.GROUP_PIM,
    ),
    scope.GROUP_LICENSING_PLAN: (scope.GROUP_LICENSING,),
    scope.GOVERNANCE: (scope.LIFECYCLE_WORKFLOWS,),
    scope.INTUNE: (scope.INTUNE_DEVICES,),
    scope.DEFENDER: (scope.DEFENDER_OFFICE,),
}
# the read each feature beyond the Entra ones needs (a request of its own, and a permission: docs/entitlements.md)
FEATURE_READS = {
    scope.INTUNE_DEVICES: MANAGED_DEVICES,
    scope.ACCESS_REVIEWS: ACCESS_REVIEWS,
    scope.ENTITLEMENT_MANAGEMENT: ACCESS_PACKAGES,
    scope.LIFECYCLE_WORKFLOWS: WORKFLOWS,
    scope.GROUP_PIM: GROUP_PIM,
}


class Product(TypedDict):
    """The cheapest product, by the policy's prices, that covers what a user or a count needs."""

    sku: str  # skuPartNumber (as the policy's catalog writes it when the tenant lacks the product)
    name: str
    monthly: float
    free_seats: int


class EntitlementMissingDetails(Own, frozen=True, kw_only=True):
    """`features` (what reaches the user and is not covered: `conditional_access`, `risk_based_access`,
    `privileged_access`, `dynamic_groups`, `group_licensing`, `intune`, `access_reviews`, `entitlement_management`,
    `lifecycle_workflows`, `pim_groups`, `defender_office`), `needs` (`P1`, `P2` or `governance`: the highest Entra
    plan; `intune` when only Intune, `defender_office` when only Defender for Office 365),
    `via` (per feature, the policies, roles or groups that put the user in scope), `entitle_with` (`sku`, `name`,
    `monthly`, `free_seats`: the cheapest product by the policy's prices that covers every feature listed, or null
    when none is priced), `waits_for_seats` (no free seat is left for this user: the plan's bill buys it),
    `no_usage_location` (Graph refuses a direct license to a user without one: a person chooses it first),
    `sku_ids`; `monthly_cost` is what `entitle_with` adds per month"""

    features: list[str] = []  # []: not in the report (an older one)
    needs: str = ""  # P1 | P2 | governance | intune | defender_office
    via: dict[str, list[str]] = {}  # feature -> the policies, roles or groups that put the user in scope
    entitle_with: Product | None = None
    waits_for_seats: bool = False  # entitle_with has no free seat left for this user: seats to buy first
    no_usage_location: bool = False
    sku_ids: dict[str, str] = {}


class EntitlementShortDetails(Own, frozen=True, kw_only=True):
    """`plan` (`P1`, `P2`, `group_licensing`, `governance`, `intune` or `defender_office`), `features`, `in_scope`,
    `owned`, `short`, `guests_in_scope` (counted apart: Microsoft bills external users by monthly active users),
    `entitle_with` (as for entitlement-missing), `monthly_cost` = `short` × its price; for Intune,
    `devices_without_user` (counted apart: Intune's device-only licenses cover them)"""

    plan: str = ""  # P1 | P2 | group_licensing | governance | intune | defender_office; "": not in the report
    features: list[str] = []
    in_scope: int | None = None  # None: not in the report (an older one)
    owned: int | None = None
    short: int | None = None
    guests_in_scope: int = 0
    entitle_with: Product | None = None
    monthly_cost: float | None = None
    # Intune's count: the devices enrolled in Intune without a user (Intune's device-only licenses), counted apart
    # (UNSET: another plan's count)
    devices_without_user: int | UnsetType = UNSET


def parse_entitlements(part: PolicyNode) -> Entitlements | None:
    """The `entitlements:` section; the schema holds the feature names."""
    if part.data is None:
        return None
    features = tuple(part.data.get("features") or scope.DEFAULT_FEATURES)
    return Entitlements(features=tuple(f for f in scope.FEATURES if f in features), line=part.line)


def entitlements_section() -> JsonObject:
    return EntitlementMissing.fragment


@dataclass
class Tally:
    """What both rules count, once per policy: who each feature reaches, each plan's count, and the
    enabled members reached by a feature their own products do not cover (the few findings)."""

    reach: scope.Reach
    judged: tuple[str, ...]
    shorts: dict[str, EntitlementShortDetails]
    lacking: list[tuple[User, list[str]]]  # (user, the features not covered), by user principal name


def cheapest(ctx: Context, features: list[str]) -> tuple[Product, str] | None:
    """The product the policy prices lowest that covers every one of `features` (a product the tenant
    does not subscribe to yet counts when the catalog prices it), with its skuId; None when none is
    priced."""
    index = ctx.index
    best: tuple[float, str, str] | None = None
    for sid in ctx.prices:
        price = ctx.monthly_price(sid)
        if price is None:
            continue
        plans = scope.carried(scope.plans_of(index, sid))
        if all(scope.covers(plans, f, sid in scope.group_licensing_products()) for f in features):
            key = (price, scope.part_of(index, sid), sid)
            best = key if best is None or key < best else best
    if best is None:
        return None
    price, part, sid = best
    sku = index.sku_by_id.get(sid)
    name = ctx.prices[sid].name or product_names().product(sku_id=sid, part=part) or part
    free = max(sku.usable - sku.consumed_units, 0) if sku is not None else 0
    return Product(sku=part, name=name, monthly=price, free_seats=free), (sku.sku_id if sku is not None else sid)


# A count whose plan another product also covers for one of its features: (that feature, the other
# product's count). PIM is covered by P2 or ID Governance; dynamic groups by P1 or Intune for
# Education. The count's other features need the plan's own seats.
SHARED = {
    scope.P2: (scope.P2_OR_GOVERNANCE, scope.GOVERNANCE_ONLY),
    scope.P1: (frozenset({scope.DYNAMIC_GROUPS}), scope.INTUNE_EDU),
}


def _shortfall(plan: str, wanted: list[str], strict: int, loose: int, index: TenantIndex) -> tuple[int, int]:
    """(seats owned, seats short) of one count. With S members reached by a feature needing the
    plan's own seats, L reached only by the feature another product also covers (SHARED), a seats
    carrying the plan and b carrying only the other, the fewest seats missing is
    max(0, S - a, S + L - a - b): the other product never covers the first features, and the plan's
    spare seats cover the shared one."""
    own = scope.owned_seats(index, plan)
    shared = SHARED.get(plan)
    other = scope.owned_seats(index, shared[1]) if shared is not None and shared[0] & set(wanted) else 0
    return own + other, max(0, strict - own, strict + loose - own - other)


@dataclass(frozen=True)
class _Kind:
    """What users alike count for: users of one profile (enabled, type and products shared) whom the
    same features reach."""

    counted: tuple[str, ...]  # the features they count for (a disabled member: group memberships only)
    guest: bool
    uncovered: tuple[str, ...]  # the features their products do not cover (enabled members only)


def _kind(user: User, features: tuple[str, ...], entitling: scope.Entitling) -> _Kind:
    guest = user.user_type.lower() == "guest"
    enabled = user.account_enabled
    counted = features if enabled or guest else tuple(f for f in features if f in scope.MEMBERSHIP_FEATURES)
    carried, group_product = entitling.of(user)
    uncovered = (
        () if guest or not enabled else tuple(f for f in features if not scope.covers(carried, f, group_product))
    )
    return _Kind(counted, guest, uncovered)


def _devices_without_user(found: AccessScope) -> int:
    """The devices enrolled in Intune without a user: Intune's device-only licenses cover them."""
    return sum(1 for d in found.devices or () if d.intune and not d.user_id)


def tally(policy: Policy, ctx: Context) -> Tally:
    """The policy's tally, counted once for both rules (Context.counted)."""
    key = ("entitlements", id(policy))
    if key not in ctx.counted:
        ctx.counted[key] = _count(policy, ctx)
    found = ctx.counted[key]
    assert isinstance(found, Tally)
    return found


def _count(policy: Policy, ctx: Context) -> Tally:
    """One pass over the users: each plan's count, and who lacks an entitling product. Users alike
    are worked out once (_Kind); only those lacking a product are kept one by one."""
    access = ctx.index.snapshot.access_scope
    assert policy.entitlements is not None and access is not None
    judged = scope.readable(access, policy.entitlements.features)
    reach = scope.reach(ctx.index, access, judged)
    entitling = scope.Entitling(ctx.index)
    counted = {plan: [f for f in features if f in judged] for plan, features in PLAN_FEATURES.items()}
    counted = {plan: features for plan, features in counted.items() if features}
    kinds: dict[tuple[int, tuple[str, ...]], _Kind] = {}
    alike: Counter[tuple[int, tuple[str, ...]]] = Counter()
    lacking: list[tuple[User, list[str]]] = []
    for user in ctx.index.users:
        features = reach.features(user)
        if not features:
            continue
        key = (id(user.profile), features)  # the profile object is shared by users alike, and outlives the loop
        kind = kinds.get(key)
        if kind is None:
            kind = kinds[key] = _kind(user, features, entitling)
        alike[key] += 1
        if kind.uncovered:
            lacking.append((user, list(kind.uncovered)))
    members: Counter[str] = Counter()
    guests: Counter[str] = Counter()
    strict: Counter[str] = Counter()  # members reached by a feature only the plan's own seats cover
    for key, count in alike.items():
        kind = kinds[key]
        for plan, wanted in counted.items():
            hits = [f for f in kind.counted if f in wanted]
            if not hits:
                continue
            if kind.guest:
                guests[plan] += count
                continue
            members[plan] += count
            shared = SHARED.get(plan)
            strict[plan] += count if shared is None or any(f not in shared[0] for f in hits) else 0
    shorts: dict[str, EntitlementShortDetails] = {}
    for plan, wanted in counted.items():
        owned, short = _shortfall(plan, wanted, strict[plan], members[plan] - strict[plan], ctx.index)
        # what a seat of the count must cover: P1 alone for P1's (a feature needing more is P2's count)
        found = cheapest(ctx, [scope.CONDITIONAL_ACCESS] if plan == scope.P1 else wanted)
        product = found[0] if found is not None else None
        shorts[plan] = EntitlementShortDetails(
            plan=plan,
            features=wanted,
            in_scope=members[plan],
            owned=owned,
            short=short,
            guests_in_scope=guests[plan],
            entitle_with=product,
            monthly_cost=round(short * product["monthly"], 2) if product is not None and short else None,
            devices_without_user=_devices_without_user(access) if plan == scope.INTUNE else UNSET,
        )
    lacking.sort(key=lambda pair: pair[0].user_principal_name.lower())
    return Tally(reach, judged, shorts, lacking)


class _EntitlementRule(Rule[D]):
    section = "entitlements"
    reads = Reads("users", "subscribedSkus", ACCESS_SCOPE)

    def configured(self, policy: Policy) -> bool:
        return policy.entitlements is not None

    def requests(self, policy: Policy) -> Requests:
        """Its reads, and the read of each Intune or ID Governance feature the policy names (FEATURE_READS); for
        Defender for Office 365 the users' mail addresses too, which a rule's RecipientDomainIs is matched against."""
        assert policy.entitlements is not None
        features = policy.entitlements.features
        extra = frozenset(FEATURE_READS[f] for f in features if f in FEATURE_READS)
        mail = MAIL_READS if scope.DEFENDER_OFFICE in features else ()
        return Requests.of(self.reads).merge(Requests(parts=extra, user=frozenset(mail)))

    def unavailable(self, policy: Policy, index: TenantIndex) -> str | None:
        found = index.snapshot.access_scope
        if found is None:
            return SCOPE_NOT_COLLECTED.say()
        assert policy.entitlements is not None
        if not scope.readable(found, policy.entitlements.features):
            return SCOPE_REFUSED.say()
        return None


class EntitlementMissing(_EntitlementRule[EntitlementMissingDetails]):
    """An enabled member account that a security feature reaches holds no product entitling it to that feature
    (Conditional Access, risk-based Conditional Access, PIM, dynamic groups and group-based licensing by default;
    Intune, ID Governance, PIM for Groups and Defender for Office 365 when `features` names them). Entitled: one of
    the account's own products carries the plan the feature needs, P2 covering P1. Medium when the tenant is short
    of that plan (`entitlement-short`). Guests and disabled accounts get no finding of their own. Which feature
    needs which plan, who each reaches and Microsoft's words: docs/entitlements.md.

    Example:
        entitlements:
          features: [conditional_access, risk_based_access, privileged_access, dynamic_groups, group_licensing,
                     intune, access_reviews, entitlement_management, lifecycle_workflows, pim_groups,
                     defender_office]
    """

    id = "entitlement-missing"
    default_severity = Severity.LOW
    key = "features"
    fragment: ClassVar[JsonObject] = {
        "type": "object",
        "additionalProperties": False,
        "description": "Judge who the tenant's security features reach without a product entitling them "
        "(docs/entitlements.md).",
        "properties": {
            "features": {
                "type": "array",
                "uniqueItems": True,
                "minItems": 1,
                "items": {"enum": list(scope.FEATURES)},
                "description": "The features to judge (default: every one).",
            },
        },
    }

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        counted = tally(policy, ctx)
        free: dict[str, int] = {}
        for user, features in counted.lacking:
            via = {f: counted.reach.via(user, f) for f in features}
            yield self.finding(policy, ctx, counted, user, features, via, free)

    def finding(
        self,
        policy: Policy,
        ctx: Context,
        counted: Tally,
        user: User,
        features: list[str],
        via: dict[str, list[str]],
        free: dict[str, int],
    ) -> Finding:
        needs = scope.need_of(features)
        found = cheapest(ctx, features)
        product = found[0] if found is not None else None
        waits = False
        skus: tuple[str, ...] = ()
        sku_ids: dict[str, str] = {}
        if product is not None:
            # the first users (by user principal name) take the free seats; the others wait for seats
            left = free.setdefault(product["sku"], product["free_seats"])
            waits = left <= 0
            free[product["sku"]] = left - 1
            skus = (product["sku"],)
            sku_ids = {product["sku"]: found[1]} if found is not None else {}
        count = scope.GROUP_LICENSING_PLAN if features == [scope.GROUP_LICENSING] else needs
        short = counted.shorts.get(count)
        details = EntitlementMissingDetails(
            features=features,
            needs=needs,
            via=via,
            entitle_with=product,
            waits_for_seats=waits,
            no_usage_location=not user.usage_location,
            sku_ids=sku_ids,
        )
        names = ", ".join(features)
        return self.make(
            policy,
            "entitlements",
            ctx.user_subject(user),
            skus,
            f"in scope of {names} without a product carrying {needs}",
            details,
            severity=Severity.MEDIUM if short is not None and (short.short or 0) > 0 else None,
            monthly_cost=product["monthly"] if product is not None else None,
        )


class EntitlementShort(_EntitlementRule[EntitlementShortDetails]):
    """The tenant owns fewer seats of the products carrying a plan than Microsoft's terms count users in scope of the
    features needing it: one finding per plan that falls short (P1: Conditional Access, risk-based access and dynamic
    groups, against P1 and Intune for Education seats; P2: risk-based access and PIM, against P2 and ID Governance
    seats; group-based licensing on its own, against the products that carry P1 or qualify for it), priced at the
    cheapest product that covers the plan's features. Disabled member accounts count where Microsoft counts every
    member (dynamic groups, group-based licensing).

    Example:
        entitlements: {}
    """

    id = "entitlement-short"
    default_severity = Severity.HIGH

    def evaluate(self, policy: Policy, ctx: Context) -> Iterator[Finding]:
        for plan, details in tally(policy, ctx).shorts.items():
            if not details.short or details.short <= 0:
                continue
            product = details.entitle_with
            subject = Subject(SubjectType.SKU, f"entitlement-{plan.lower()}", sku=product["sku"] if product else plan)
            yield self.make(
                policy,
                "entitlements",
                subject,
                (product["sku"],) if product else (),
                f"{details.in_scope} member accounts in scope of {', '.join(details.features)}, "
                f"{details.owned} seats carrying {plan}: {details.short} short",
                details,
                monthly_cost=details.monthly_cost,
            )


RULES: tuple[Rule[Any], ...] = (EntitlementMissing(), EntitlementShort())
