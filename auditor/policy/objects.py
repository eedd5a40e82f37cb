"""Typed policy objects, built from a schema-valid YAML document.

msgspec Structs rather than dataclasses: the same frozen records, made at import in a tenth of
the time (the policy model is loaded by every run, `validate` and `--snapshot` audits included).
Copy one with a change through msgspec.structs.replace."""

from __future__ import annotations

import enum
from datetime import date, datetime

from msgspec import UNSET, Struct, field

from auditor.data import finding_facts
from auditor.data.model import Locale, Severity


class Selector(Struct, frozen=True):
    """Who a policy entry applies to. Keys are ANDed; the values of one key are ORed."""

    all: bool = False
    groups: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    user_types: tuple[str, ...] = ()
    usage_locations: tuple[str, ...] = ()
    upn: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # AccountKind values (User.kind): person, guest, agent, resource, ...
    # (attribute path, (values, lower case)) of the user attributes it selects by (auditor.data.attributes)
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def reads(self) -> frozenset[str]:
        """The Graph user properties and parts it needs read: the attribute paths, and the agent
        users when it selects by a kind an unknown agent user would be taken for or miss (agent,
        person, guest; a declared kind or a resource account is known without them; the mailbox
        purposes are read as the rules read them)."""
        kinds = {"agentUsers"} if {"agent", "person", "guest"} & set(self.kinds) else set()
        return frozenset({path for path, _ in self.attributes} | kinds)


class SpareSeats(Struct, frozen=True):
    max: int | None = None
    max_percent: float | None = None
    min: int | None = None
    renewal_window_days: int | None = None


class Price(Struct, frozen=True):
    monthly: float
    currency: str


class CatalogEntry(Struct, frozen=True):
    sku: str  # skuPartNumber or skuId GUID, as written
    spare_seats: SpareSeats | None = None
    price: Price | None = None
    free: bool = False
    line: int = 0
    name: str | None = None  # the product's name in reports, over Microsoft's product-names table
    licensing_group: str | None = None  # the group that gives this product (display name or object id)
    licensing_group_line: int = 0  # where the policy names it
    # false: findings about this product alone stay out of the exit code, the notification and the
    # digest's lists, and are shown in the reports as any other
    alert: bool = True


class Exclusive(Struct, frozen=True):
    """One set of `exclusive:`: products of which a user may hold at most one. `keep` is the one the
    policy names to keep (the form `{keep: A, remove: [B, C]}`: `skus` is (A, B, C)); None for
    the list form `[A, B]`, where the plans decide, or the admin."""

    skus: tuple[str, ...]  # as written, `keep` first when given
    keep: str | None = None

    @property
    def remove(self) -> tuple[str, ...]:
        """The products to remove where a user holds `keep` (empty for the list form)."""
        return self.skus[1:] if self.keep is not None else ()


class Assignment(Struct, frozen=True):
    name: str
    match: Selector
    except_: Selector | None = None
    allowed: tuple[str, ...] | None = None
    forbidden: tuple[str, ...] = ()
    required_any: tuple[str, ...] = ()
    exclusive: tuple[Exclusive, ...] = ()
    group_based_only: bool | tuple[str, ...] = False
    severity: Severity | None = None


class MailboxKept(enum.Enum):
    """What keeps a leaver's mailbox once its license goes (`data_kept.mailbox`)."""

    RETENTION = "retention"  # a retention policy covers it (an inactive mailbox once the account is deleted)
    LITIGATION_HOLD = "litigation_hold"
    CONVERTED_TO_SHARED = "converted_to_shared"  # converted to a shared mailbox before the license goes
    NOT_NEEDED = "not_needed"  # nobody needs the mail


class FilesKept(enum.Enum):
    """What keeps a leaver's OneDrive files once the license goes (`data_kept.files`)."""

    RETENTION = "retention"
    NOT_NEEDED = "not_needed"


class DataKept(Struct, frozen=True):
    """The admin's declaration on a hygiene check (`data_kept:`): what keeps the accounts' data
    when their licenses go, who accepted that, and until when. A kind left out (`mailbox` or
    `files`) is not covered: a removal that would end it still waits for a person."""

    accepted_by: str
    expires: date  # the last day the declaration holds
    mailbox: MailboxKept | None = None
    files: FilesKept | None = None
    line: int = 0

    def in_force(self, as_of: datetime) -> bool:
        """Whether the declaration holds at `as_of` (the audit's clock): through its `expires` day,
        as a waiver does. An expired declaration counts as absent."""
        return as_of.date() <= self.expires

    def details(self, as_of: datetime) -> finding_facts.DataKept:
        """The declaration as a finding's details carry it (`details.data_kept`)."""
        return finding_facts.DataKept(
            accepted_by=self.accepted_by,
            expires=self.expires.isoformat(),
            mailbox=self.mailbox.value if self.mailbox is not None else UNSET,
            files=self.files.value if self.files is not None else UNSET,
            expired=not self.in_force(as_of),
        )


class HygieneCheck(Struct, frozen=True):
    severity: Severity | None = None
    days: int | None = None
    except_: Selector | None = None
    data_kept: DataKept | None = None  # disabled_users, inactive_users and guest_users only
    grace_days: int | None = None  # disabled_users only: days after the disable time before the fix may run
    # inactive_users only: nights between the nightly's full reads of sign-in activity (auditor.graph.kept_sign_ins)
    sign_in_full_every: int | None = None
    # a rule's own parameters, as the policy writes them: every key of its entry but the ones above, each
    # declared by the rule (its fragment's `own` properties, auditor.rules.hygiene.base.check_schema) and
    # validated by the schema before it is parsed (read as its fragment's type: `text` below, or narrowed)
    own: dict[str, object] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """The rule's own parameter `name` that its fragment declares a string ("" when the entry leaves it out)."""
        value = self.own.get(name, "")
        if not isinstance(value, str):
            raise TypeError(f"{name}: {type(value).__name__}, not the string its fragment declares")
        return value


class UsageEntry(Struct, frozen=True):
    """One entry of `usage:` (auditor/rules/usage/activity.py): a product whose workloads must show use
    (`sku`, `workloads`), or a larger product to replace by a smaller one (`rightsize`)."""

    days: int
    sku: str | None = None
    workloads: tuple[str, ...] = ()
    rightsize: tuple[str, str] | None = None  # (from, to), as written
    unless_active: tuple[str, ...] = ()
    severity: Severity | None = None
    line: int = 0
    # `copilot_seats` (auditor/rules/usage/copilot_seats.py): the Copilot product whose idle seats go to
    # the members of the `candidates` groups who wait for one
    copilot_seats: str | None = None
    candidates: tuple[str, ...] = ()
    # `audit_log`: the Copilot Chat users of the audit log are candidates `beside` the groups' members, or
    # `instead` of them (auditor.graph.copilot_audit); None: the groups alone, and the audit log is not read
    audit_log: str | None = None


class MoveEntry(Struct, frozen=True):
    """One entry of `moves:` (auditor/rules/moves/subscription_move.py): the users `match` selects who hold `from` get
    `to` in its place, in one assignLicense or through the groups."""

    name: str
    match: Selector
    from_: str  # as written
    to: str
    keep_disabled_plans: bool = True
    severity: Severity | None = None
    line: int = 0


class Entitlements(Struct, frozen=True):
    """`entitlements:` (auditor/rules/entitlements/entitlement.py): the security features whose users must hold
    a product that entitles them (all five when the section names none)."""

    features: tuple[str, ...]
    line: int = 0


class Waiver(Struct, frozen=True):
    rule: str
    subject: str  # UPN, object id, SKU part number, subscription id; glob patterns allowed
    reason: str
    owner: str
    expires: date
    sku: str | None = None
    line: int = 0


class CrossTenant(Struct, frozen=True):
    """`cross_tenant:` — how `license-auditor merge` recognises one person across tenants.

    Domains and addresses are stored lower-case; see auditor/cross_tenant/identity.py for the matching.
    """

    name: str | None = None  # the group's name in the merged report
    identity: str = "upn"
    domain_map: tuple[tuple[str, str], ...] = ()  # (tenant domain, canonical domain)
    aliases: tuple[tuple[str, str], ...] = ()  # (address as found, canonical identity)
    guests: bool = True  # match B2B accounts (local_home.domain#EXT#@...) to their home address
    tenants: tuple[str, ...] = ()  # tenant ids the merge expects; a missing one makes it incomplete


class CostAllocation(Struct, frozen=True):
    """`cost_allocation:` — spend by department, company and country, and by `attribute` when given
    (a user attribute path, auditor.data.attributes); see auditor/insights/allocation.py."""

    attribute: str | None = None


class DeclaredKind(Struct, frozen=True):
    """One entry of `account_kinds:`: the accounts `match` selects are of kind `kind` (an AccountKind value
    an admin declares: break_glass, service), whatever Graph says they are."""

    kind: str
    match: Selector


class SignInJudges(Struct, frozen=True):
    """Whom the rules judge by sign-in times (auditor.rules.requests.sign_in_judges): `excepted`, one
    per rule and policy judging people (AccountKind.person, after the kinds `declared` in
    `account_kinds:`) outside its `except` (None: every person); `mailboxes`, likewise for a rule that
    finds mailboxes among the licensed accounts whose purpose is read, which for an enabled account
    is read when it looks dormant: every account Graph's listing calls a person (User.kind), whatever
    a policy declares. An account none of them judges changes no finding by signing in, so the
    nightly spends no sign-in request on it (auditor.graph.sign_in_judges)."""

    excepted: tuple[Selector | None, ...] = ()
    declared: tuple[DeclaredKind, ...] = ()
    mailboxes: tuple[Selector | None, ...] = ()

    @property
    def selectors(self) -> tuple[Selector, ...]:
        """Every selector it selects by: the exceptions and the declarations' `match`."""
        given = (*self.excepted, *self.mailboxes)
        return tuple(s for s in given if s is not None) + tuple(d.match for d in self.declared)


# `psa_quantity:` (docs/msp.md, "Writing the quantity back into the PSA"): which figure a product's
# quantity in the PSA is set to by `apply --psa`: the seats assigned after the plan, the seats the distributor
# bills, or the larger of the two
PSA_QUANTITY_RULES = ("assigned", "distributor", "larger")


class PsaQuantity(Struct, frozen=True):
    """The policy's `psa_quantity:`: the rule of every product (`default`; None: only the products named), and
    each named product's own (its part number or skuId as written, its rule)."""

    default: str | None = None
    products: tuple[tuple[str, str], ...] = ()

    def rule(self, part: str, sku_id: str | None) -> str | None:
        """The rule of the product `part` (skuId `sku_id`); None: no psa change is planned for it."""
        for named, rule in self.products:
            if named.upper() == part.upper() or (sku_id and named.lower() == sku_id.lower()):
                return rule
        return self.default


class Policy(Struct, frozen=True):
    name: str
    file: str
    owner: str | None = None
    description: str | None = None
    locale: Locale | None = None
    catalog: tuple[CatalogEntry, ...] | None = None  # None = no catalog section (no sku-not-approved)
    assignments: tuple[Assignment, ...] = ()
    hygiene: dict[str, HygieneCheck] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    severities: dict[str, Severity] = field(default_factory=dict)
    cross_tenant: CrossTenant | None = None
    cost_allocation: CostAllocation | None = None
    usage: tuple[UsageEntry, ...] = ()
    moves: tuple[MoveEntry, ...] = ()
    entitlements: Entitlements | None = None
    account_kinds: tuple[DeclaredKind, ...] = ()  # break_glass first, then service
    psa_quantity: PsaQuantity | None = None  # apply --psa's rule of each product's quantity in the PSA
    # every product the document names, in its order, wherever the schema (the rules' fragments) puts
    # one (auditor.policyset.schema.product_refs): what `validate` and the audit check against the tenant
    products: tuple[str, ...] = ()
    sha256: str = ""  # of the file's bytes as read (report.json's policy_sha256; apply checks it)

    def severity_for(self, rule_id: str, default: Severity, override: Severity | None = None) -> Severity:
        if override is not None:
            return override
        return self.severities.get(rule_id, default)


class PolicySet(Struct, frozen=True):
    policies: tuple[Policy, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.policies)

    @property
    def waivers(self) -> tuple[tuple[Policy, Waiver], ...]:
        return tuple((p, w) for p in self.policies for w in p.waivers)

    def selectors(self) -> list[Selector]:
        out: list[Selector] = []
        for p in self.policies:
            for a in p.assignments:
                out.append(a.match)
                if a.except_:
                    out.append(a.except_)
            out.extend(h.except_ for h in p.hygiene.values() if h.except_)
            out.extend(m.match for m in p.moves)
            out.extend(k.match for k in p.account_kinds)
            out.extend(Selector(groups=u.candidates) for u in p.usage if u.candidates)  # copilot-seat-idle's
        return out

    @property
    def group_refs(self) -> tuple[str, ...]:
        """Groups the policies name (display names or ids), for the collector."""
        refs = {g for s in self.selectors() for g in s.groups}
        return tuple(sorted(refs))

    @property
    def locale(self) -> Locale | None:
        return next((p.locale for p in self.policies if p.locale), None)
