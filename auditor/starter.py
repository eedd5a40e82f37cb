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

from .model import Sku, TenantSnapshot
from .reference import product_names
from .snapshot import SIGN_IN_ACTIVITY

SPARE_SHARE = 0.05  # the starter's spare-seat limit: 5 % of a product's seats ...
SPARE_MIN = 2  # ... and never fewer than this
_FREE = re.compile(r"free", re.IGNORECASE)
_KEY = re.compile(r"[^a-z0-9]+")


def _comment(text: str) -> str:
    """Tenant text (a product or tenant name) made safe for one YAML comment line."""
    return " ".join(text.split()).replace("#", "")[:120]


def spare_limit(sku: Sku) -> int:
    return max(SPARE_MIN, math.ceil(sku.usable * SPARE_SHARE))


def _entry(sku: Sku) -> list[str]:
    name = product_names().product(sku.sku_id, sku.sku_part_number) or sku.sku_part_number
    seats = f"{sku.usable} seats, {sku.consumed_units} assigned"
    lines = [f"  - sku: {sku.sku_part_number}", f"    # {_comment(name)}: {seats}"]
    if _FREE.search(sku.sku_part_number) or _FREE.search(name):
        lines.append(f"{'    free: true':<30}# Microsoft's name says free: never counted as unused spend")
        return lines
    if sku.applies_to == "User":
        limit = f"    spare_seats: {{max: {spare_limit(sku)}}}"
        lines.append(f"{limit:<30}# more unassigned seats -> spare-seats-over-limit (5 %, at least 2)")
    lines.append(
        f"{'    # price: {monthly: 0.00, currency: EUR}':<30}   # your price a seat a month: unused seats become money"
    )
    return lines


def _inactive_users(snapshot: TenantSnapshot) -> list[str]:
    """The inactive-users check, on when the sign-in activity it reads was read from this tenant;
    else commented out, so that the first audit is not left incomplete for want of it."""
    lines = [
        "  inactive_users:             # no sign-in for 90 days -> inactive-user-licensed (needs Entra ID P1)",
        "    days: 90",
        "    severity: medium",
    ]
    gap = next((g for g in snapshot.gaps if g.dataset == SIGN_IN_ACTIVITY), None)
    if gap is None and SIGN_IN_ACTIVITY in snapshot.collected_datasets:
        return lines
    why = "its sign-in activity could not be read" if gap else "the data read holds no sign-in activity"
    return [
        f"  # {why}: switch this on once the audit can read it (Entra ID P1, AuditLog.Read.All)",
        *(f"  # {line[2:]}" for line in lines),
    ]


def starter_policy(snapshot: TenantSnapshot, *, source: str, today: date) -> str:
    """The starter policy's YAML for `snapshot` (read from `source`, e.g. "Microsoft Graph")."""
    tenant = _comment(snapshot.tenant_name or snapshot.tenant_id)
    key = _KEY.sub("-", (snapshot.tenant_name or "tenant").lower()).strip("-")[:50] or "tenant"
    skus = sorted((s for s in snapshot.skus if not s.deleted), key=lambda s: s.sku_part_number.lower())
    lines = [
        "# yaml-language-server: $schema=./license-policy.schema.json",
        f"# A first policy for {tenant}, written by `license-auditor init` on {today.isoformat()} from {source}.",
        "# Every line is a choice: read it, change what does not fit, then run `license-auditor audit`.",
        "# The policy language: docs/policy.md; a fuller example: examples/contoso-policy.yaml.",
        "apiVersion: license-auditor/v1",
        "kind: LicensePolicy",
        "metadata:",
        f"  name: {key}-baseline",
        "  # owner: licensing@example.com   # who answers for this policy (waivers name their own owner)",
        "catalog:                      # the products you approve; one the tenant buys that is missing here",
        "                              # -> sku-not-approved. Remove a product nobody should buy.",
    ]
    for sku in skus:
        lines += _entry(sku)
    if not skus:
        lines[-1:] = ["catalog: []                  # the tenant subscribes to no product yet"]
    lines += [
        "# assignments:                # who may, must or must not hold what: your decision, for example",
        "#   - name: everyone",
        "#     match: {all: true}",
        "#     group_based_only: true  # licenses through groups only -> assignment-not-group-based",
        "hygiene:",
        "  disabled_users:             # a disabled account holding licenses -> disabled-user-licensed",
        "    severity: high",
        "    grace_days: 30            # the licenses stay 30 days after the account was disabled",
        *_inactive_users(snapshot),
        "  guest_users: {severity: medium}             # -> guest-licensed",
        "  assignment_errors: {severity: high}         # -> license-assignment-error",
        "  group_license_errors: {severity: medium}    # -> group-license-errors",
        "  assigned_twice: {severity: low}             # -> license-assigned-twice",
        "  redundant_products: {severity: medium}      # -> license-redundant",
        "  usage_location: {severity: low}             # -> usage-location-missing",
        "  expiring_subscriptions: {days: 30, severity: medium}   # -> subscription-expiring",
        "  # shared_mailboxes: {severity: low}         # -> shared-mailbox-licensed (needs MailboxSettings.Read)",
        "# waivers:                    # an accepted exception, with its owner and its end",
        "#   - rule: guest-licensed",
        "#     subject: partner@example.com",
        "#     reason: Why the exception is accepted",
        "#     owner: licensing@example.com",
        f"#     expires: {date(today.year + 1, 1, 1).isoformat()}",
    ]
    return "\n".join(lines) + "\n"
