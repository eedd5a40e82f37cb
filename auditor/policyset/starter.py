"""`license-auditor init`: a first policy for the tenant it reads, every line commented.

The starter lists every product the tenant subscribes to in the catalog (so `sku-not-approved`
starts quiet, and the admin removes what should not be bought), gives each per-user product a
spare-seat limit of 5 % of its seats (at least 2), leaves the prices commented for the admin to
fill in (no price is guessed: the admin's own price is what the bill says), and turns the hygiene
rules on with the defaults docs/policy.md recommends. It holds no assignment rule: which population
may hold what is the admin's decision, shown as a commented example. The text is YAML the schema
validates as written.
"""

from __future__ import annotations

import math
import re
from datetime import date

from auditor.data.enums import AccountKind
from auditor.data.model import Locale, Sku, TenantSnapshot
from auditor.i18n import Translations, translations
from auditor.reference import product_names
from auditor.rules.usage.copilot_seats import CopilotSeatIdle
from auditor.snapshot import SIGN_IN_ACTIVITY

SPARE_SHARE = 0.05  # the starter's spare-seat limit: 5 % of a product's seats ...
SPARE_MIN = 2  # ... and never fewer than this
_FREE = re.compile(r"free", re.IGNORECASE)
_KEY = re.compile(r"[^a-z0-9]+")


def _comment(text: str) -> str:
    """Tenant text (a product or tenant name) made safe for one YAML comment line."""
    return " ".join(text.split()).replace("#", "")[:120]


def spare_limit(sku: Sku) -> int:
    return max(SPARE_MIN, math.ceil(sku.usable * SPARE_SHARE))


def _entry(sku: Sku, t: Translations) -> list[str]:
    name = product_names().product(sku.sku_id, sku.sku_part_number) or sku.sku_part_number
    seats = t.npgettext(
        "init_seats",
        "{n} seat, {assigned} assigned",
        "{n} seats, {assigned} assigned",
        sku.usable,
        assigned=sku.consumed_units,
    )
    lines = [f"  - sku: {sku.sku_part_number}", f"    # {_comment(name)}: {seats}"]
    if _FREE.search(sku.sku_part_number) or _FREE.search(name):
        free = t.pgettext("init_free", "Microsoft's name says free: never counted as unused spend")
        lines.append(f"{'    free: true':<30}# {free}")
        return lines
    if sku.applies_to == "User":
        limit = f"    spare_seats: {{max: {spare_limit(sku)}}}"
        more = t.pgettext("init_spare", "more unassigned seats (5%, at least 2)")
        lines.append(f"{limit:<30}# {more} -> spare-seats-over-limit")
    price = t.pgettext("init_price", "your price per seat per month, so unused seats get a cost")
    lines.append(f"{'    # price: {monthly: 0.00, currency: EUR}':<30}   # {price}")
    return lines


def _inactive_users(snapshot: TenantSnapshot, t: Translations) -> list[str]:
    """The inactive-users check, on when the sign-in activity it reads was read from this tenant;
    else commented out, so that the first audit is not left incomplete for want of it."""
    inactive = t.pgettext("init_inactive", "no sign-in for 90 days (needs Entra ID P1)")
    lines = [
        f"  inactive_users:             # {inactive} -> inactive-user-licensed",
        "    days: 90",
        "    severity: medium",
    ]
    gap = next((g for g in snapshot.gaps if g.dataset == SIGN_IN_ACTIVITY), None)
    if gap is None and SIGN_IN_ACTIVITY in snapshot.collected_datasets:
        return lines
    if gap:
        why = t.pgettext(
            "init_no_sign_in_read",
            "its sign-in activity could not be read: switch this on once the audit can read it "
            "(Entra ID P1, AuditLog.Read.All)",
        )
    else:
        why = t.pgettext(
            "init_no_sign_in_data",
            "the data read holds no sign-in activity: switch this on once the audit can read it "
            "(Entra ID P1, AuditLog.Read.All)",
        )
    return [f"  # {why}", *(f"  # {line[2:]}" for line in lines)]


def _entitlements(t: Translations) -> list[str]:
    """The entitlement rules, commented: each feature reads with a permission the admin grants first (the
    Entra ones with Policy.Read.All and PIM's; Intune's and ID Governance's each with its own)."""
    said = t.pgettext(
        "init_entitlements",
        "users whom a security feature, Intune or ID Governance reaches without a license; docs/entitlements.md",
    )

    def needs(permission: str) -> str:
        return t.pgettext("init_needs", "needs {permission}", permission=permission)

    return [
        f"# entitlements:               # {said}",
        "#   features: [conditional_access, risk_based_access, privileged_access, dynamic_groups, group_licensing,",
        f"#              intune,                  # {needs('DeviceManagementManagedDevices.Read.All')}",
        f"#              access_reviews,          # {needs('AccessReview.Read.All')}",
        f"#              entitlement_management,  # {needs('EntitlementManagement.Read.All')}",
        f"#              lifecycle_workflows,     # {needs('LifecycleWorkflows.Read.All')}",
        "#              pim_groups,              # "
        + needs("PrivilegedEligibilitySchedule.Read.AzureADGroup, PrivilegedAssignmentSchedule.Read.AzureADGroup"),
        f"#              defender_office]         # {needs('--exchange-export (protection-rules.csv)')}",
    ]


def _kinds(snapshot: TenantSnapshot, t: Translations) -> list[str]:
    """The kinds of licensed accounts that are not people this tenant holds (User.kind, as far as what
    was read tells), and the rules of their own, on when such accounts hold licenses."""
    found: dict[str, int] = {}
    for user in snapshot.users:
        kind = user.kind
        if user.licensed and not kind.person:
            found[kind.value] = found.get(kind.value, 0) + 1
    if not found:
        return []
    counted = ", ".join(f"{k}: {found[k]}" for k in (k.value for k in AccountKind) if k in found)
    said = t.pgettext(
        "init_kinds_found",
        "licensed accounts that are not people in this tenant ({kinds}); docs/account-kinds.md",
        kinds=counted,
    )
    return [
        f"  # {said}",
        "  resource_accounts: {severity: medium}       # -> resource-account-paid-license",
        "  agent_users: {severity: medium}             # -> agent-user-orphaned ("
        + t.pgettext("init_needs", "needs {permission}", permission="AgentIdentity.Read.All")
        + ")",
    ]


def _copilot(skus: list[Sku], t: Translations) -> list[str]:
    """copilot-seat-idle, commented: it reads the usage reports (Reports.Read.All) and needs the
    group of those who wait for a seat, which only the admin can name. Offered with the tenant's
    Copilot product when it holds one (part numbers naming Copilot), else with Microsoft 365 Copilot's."""
    part = next((s.sku_part_number for s in skus if "copilot" in s.sku_part_number.lower()), "Microsoft_365_Copilot")
    return [
        "# usage:                       # "
        + t.pgettext(
            "init_copilot",
            "idle Copilot seats, from the Copilot usage report ({permission})",
            permission="Reports.Read.All",
        ),
        f"#   - copilot_seats: {part}",
        "#     days: 30                 # "
        + t.pgettext("init_copilot_days", "no use of Copilot, Copilot Chat or agents for 30 days")
        + f" -> {CopilotSeatIdle.id}",
        "#     candidates: [Copilot waiting list]   # "
        + t.pgettext("init_copilot_candidates", "the group of those who wait for a seat: an idle seat goes to them"),
    ]


def source_name(t: Translations, *, demo: bool = False, snapshot: str | None = None) -> str:
    """Where `init` read the tenant, as its first comment says it."""
    if demo:
        return t.pgettext("init_from_demo", "the bundled sample tenant")
    if snapshot:
        return t.pgettext("init_from_snapshot", "the snapshot {file}", file=snapshot)
    return "Microsoft Graph"


def starter_policy(snapshot: TenantSnapshot, *, source: str, today: date, locale: Locale = Locale.EN) -> str:
    """The starter policy's YAML for `snapshot` (read from `source`, e.g. "Microsoft Graph"), its
    comments in `locale` (and `metadata.locale`, the reports' language, set to it)."""
    t = translations(locale)
    tenant = _comment(snapshot.tenant_name or snapshot.tenant_id)
    key = _KEY.sub("-", (snapshot.tenant_name or "tenant").lower()).strip("-")[:50] or "tenant"
    skus = sorted((s for s in snapshot.skus if not s.deleted), key=lambda s: s.sku_part_number.lower())
    written = t.pgettext(
        "init_written",
        "A first policy for {tenant}, written by `license-auditor init` on {date} from {source}.",
        tenant=tenant,
        date=today.isoformat(),
        source=source,
    )
    lines = [
        "# yaml-language-server: $schema=./license-policy.schema.json",
        f"# {written}",
        "# "
        + t.pgettext(
            "init_read_it",
            "Every line is a choice: read it, change what does not fit, then run `license-auditor audit`.",
        ),
        "# "
        + t.pgettext(
            "init_language",
            "The policy language: `docs/policy.md`; a fuller example: `examples/contoso-policy.yaml`.",
        ),
        "apiVersion: license-auditor/v1",
        "kind: LicensePolicy",
        "metadata:",
        f"  name: {key}-baseline",
        f"  locale: {locale.value}                  # "
        + t.pgettext("init_locale", "the language of the reports (and of these comments)"),
        "  # owner: licensing@example.com   # "
        + t.pgettext("init_owner", "who answers for this policy (waivers name their own owner)"),
        "catalog:                      # "
        + t.pgettext("init_catalog", "the products you approve; a product the tenant buys that is missing here")
        + " -> sku-not-approved",
        "                              # " + t.pgettext("init_catalog_remove", "Remove a product nobody should buy."),
    ]
    for sku in skus:
        lines += _entry(sku, t)
    if not skus:
        none = t.pgettext("init_no_product", "the tenant buys no product yet")
        lines[-2:] = [f"catalog: []                  # {none}"]
    example = t.pgettext("init_assignments", "who may, must or must not hold what: your decision, for example")
    lines += [
        f"# assignments:                # {example}",
        "#   - name: everyone",
        "#     match: {all: true}",
        "#     group_based_only: true  # "
        + t.pgettext("init_group_based", "licenses through groups only")
        + " -> assignment-not-group-based",
        "#     except: {kinds: [resource, teams_rooms, agent]}   # "
        + t.pgettext("init_except_kinds", "accounts that are not people, by kind ({page})", page="docs/policy.md"),
        "hygiene:",
        "  disabled_users:             # "
        + t.pgettext("init_disabled", "a disabled account with licenses")
        + " -> disabled-user-licensed",
        "    severity: high",
        "    grace_days: 30            # "
        + t.pgettext("init_grace", "the licenses stay 30 days after the account was disabled"),
        *_inactive_users(snapshot, t),
        "  guest_users: {severity: medium}             # -> guest-licensed",
        "  assignment_errors: {severity: high}         # -> license-assignment-error",
        "  group_license_errors: {severity: medium}    # -> group-license-errors",
        "  assigned_twice: {severity: low}             # -> license-assigned-twice",
        "  redundant_products: {severity: medium}      # -> license-redundant",
        "  usage_location: {severity: low}             # -> usage-location-missing",
        "  expiring_subscriptions: {days: 30, severity: medium}   # -> subscription-expiring",
        "  # shared_mailboxes: {severity: low}         # -> shared-mailbox-licensed ("
        + t.pgettext("init_needs", "needs {permission}", permission="MailboxSettings.Read")
        + ")",
        *_kinds(snapshot, t),
        *_entitlements(t),
        *_copilot(skus, t),
        "# waivers:                    # "
        + t.pgettext("init_waivers", "an accepted exception, with its owner and its end"),
        "#   - rule: guest-licensed",
        "#     subject: partner@example.com",
        "#     reason: " + t.pgettext("init_waiver_reason", "Why the exception is accepted"),
        "#     owner: licensing@example.com",
        f"#     expires: {date(today.year + 1, 1, 1).isoformat()}",
    ]
    return "\n".join(lines) + "\n"
