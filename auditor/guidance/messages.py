"""One-line finding messages: rule -> (catalog key, placeholder values)."""

from __future__ import annotations

from collections.abc import Callable

from .catalog import PAST_END_STATUSES, Words, tenant_names
from .facts import Facts, as_map, as_text, iso_date, number

Message = tuple[str, dict[str, str]]


def _base(f: Facts, w: Words) -> dict[str, str]:
    return {"user": f.label(), "subject": f.label(), "sku": w.skus(f.skus)}


def _list(key: str, name: str, detail: str) -> Callable[[Facts, Words], Message]:
    def build(f: Facts, w: Words) -> Message:
        items = f.strs(detail) or (f.skus if detail == "combination" else ())
        return key, {**_base(f, w), name: w.products(items)}

    return build


def _plain(key: str) -> Callable[[Facts, Words], Message]:
    return lambda f, w: (key, _base(f, w))


def _seats(key: str) -> Callable[[Facts, Words], Message]:
    def build(f: Facts, w: Words) -> Message:
        unknown = w.word("unknown")
        values = {**_base(f, w), "sku": w.product(f.subject_sku)}
        for name in ("enabled", "consumed", "unused", "limit", "min"):
            values[name] = number(f.details.get(name), unknown)
        renewal = iso_date(f.details.get("renewal"))
        if key.endswith("over-limit.message") and renewal:
            unused, limit = f.int("unused"), f.int("limit")
            excess = unused - limit if unused is not None and limit is not None else None
            return key + ".renewal", {**values, "date": renewal, "excess": number(excess, unknown)}
        if key.endswith("under-minimum.message"):
            enabled, consumed = f.int("enabled"), f.int("consumed")
            if f.int("min") is None or (enabled is not None and consumed is not None and consumed > enabled):
                return key + ".over", values
        return key, values

    return build


def _inactive(f: Facts, w: Words) -> Message:
    values = {**_base(f, w), "days": number(f.details.get("days"), w.word("unknown"))}
    last = iso_date(f.details.get("last_sign_in"))
    attempt = iso_date(f.details.get("last_attempt"))  # failed attempts after the last success
    suffix = "" if attempt is None else ".attempts"
    if attempt is not None:
        values["last_attempt"] = attempt
    if last is None:
        return "rule.inactive-user-licensed.message.never" + suffix, values
    return "rule.inactive-user-licensed.message" + suffix, {**values, "last_sign_in": last}


def _redundant(f: Facts, w: Words) -> Message:
    """One sentence per product when the covering products differ; one for all when one covers all."""
    covers = as_map(f.details.get("covered_by"))
    by_cover: dict[str, list[str]] = {}
    for part in f.skus:
        by_cover.setdefault(as_text(covers.get(part)) or "", []).append(part)
    if len(by_cover) != 1 or "" in by_cover:
        return "rule.license-redundant.message.several", _base(f, w)
    (cover, parts), = by_cover.items()
    return "rule.license-redundant.message", {**_base(f, w), "sku": w.products(parts), "cover": w.product(cover)}


_PURPOSE_KEYS = {"room": ".room", "equipment": ".equipment"}


def _shared_mailbox(f: Facts, w: Words) -> Message:
    suffix = _PURPOSE_KEYS.get((f.text("mailbox_purpose") or "").lower(), "")
    return "rule.shared-mailbox-licensed.message" + suffix, _base(f, w)


# A sentence added after the message of a disabled or inactive account whose mailbox purpose the
# auditor could not read: it may be a shared mailbox, which these rules would otherwise skip.
MAILBOX_UNKNOWN_NOTE = "message.shared_mailbox_unknown"
NOTED_RULES = frozenset(("disabled-user-licensed", "inactive-user-licensed"))


def note(rule: str, f: Facts) -> str | None:
    """The text key of a sentence to add after the message, if any."""
    return MAILBOX_UNKNOWN_NOTE if rule in NOTED_RULES and f.text("shared_mailbox") == "unknown" else None


# licenseAssignmentState.state -> message variant: a partly applied or a disabled assignment says so
_ERROR_STATES = {"ActiveWithError": ".partial", "Disabled": ".disabled"}


def _error(f: Facts, w: Words) -> Message:
    key = "rule.license-assignment-error.message" + _ERROR_STATES.get(f.text("state") or "", "")
    return key, {**_base(f, w), "error": f.text("error") or w.word("unknown")}


def _group_errors(f: Facts, w: Words) -> Message:
    unknown = w.word("unknown")
    count = f.int("members_with_errors")
    errors = as_map(f.details.get("errors"))
    values = {**_base(f, w), "group": f.text("group") or f.label(), "count": number(count, unknown),
              "errors": w.all(sorted(str(code) for code in errors))}
    return "rule.group-license-errors.message" + ("" if count else ".uncounted"), values


# nextLifecycleDateTime is the date of the next state: Enabled -> the end of the term, Warning ->
# suspension, Suspended or LockedOut -> deletion; null means nothing is scheduled.
_LAPSED = {"warning": "warning", "suspended": "suspended", "lockedout": "lockedout"}


def _subscription(f: Facts, w: Words) -> Message:
    unknown = w.word("unknown")
    status = f.text("status") or ""
    days_left = f.int("days_left")
    date = iso_date(f.details.get("next_lifecycle"))
    values = {**_base(f, w), "status": status or unknown, "date": date or unknown,
              "days_left": str(days_left) if days_left is not None else unknown}
    undated = "" if date else ".undated"
    lapsed = _LAPSED.get(status.lower())
    if lapsed is not None:
        return f"rule.subscription-expiring.message.{lapsed}{undated}", values
    if status in PAST_END_STATUSES or (days_left is not None and days_left < 0):
        return f"rule.subscription-expiring.message.past{undated}", values
    if f.details.get("is_trial") is True:
        return "rule.subscription-expiring.message.trial", values
    return "rule.subscription-expiring.message.paid", values


def _waiver(f: Facts, w: Words) -> Message:
    unknown = w.word("unknown")
    values = {name: f.text(name) or unknown for name in ("waiver_rule", "waiver_subject", "owner")}
    values["expires"] = iso_date(f.details.get("expires")) or unknown
    return "rule.waiver-expired.message", {**_base(f, w), **values}


def _cross_tenant(f: Facts, w: Words) -> Message:
    tenants = f.details.get("tenants")
    names = tenant_names(tenants, "") if isinstance(tenants, list) else ""
    values = {**_base(f, w), "identity": f.text("identity") or f.label(), "tenants": names or w.word("unknown")}
    return "rule.cross-tenant-duplicate.message", values


def _rebalance(f: Facts, w: Words) -> Message:
    unknown = w.word("unknown")
    values = {**_base(f, w), "sku": w.product(f.subject_sku),
              "surplus": tenant_names(f.details.get("surplus"), "unused") or unknown,
              "shortage": tenant_names(f.details.get("shortage"), "short") or unknown}
    return "rule.seats-rebalance-across-tenants.message", values


def _catalog_sku(key: str) -> Callable[[Facts, Words], Message]:
    def build(f: Facts, w: Words) -> Message:
        unknown = w.word("unknown")
        return key, {**_base(f, w), "sku": w.product(f.subject_sku),
                     "enabled": number(f.details.get("enabled"), unknown),
                     "consumed": number(f.details.get("consumed"), unknown)}

    return build


def _grace(f: Facts, w: Words) -> Message:
    date = iso_date(f.details.get("lapse"))
    values = {**_base(f, w), "sku": w.product(f.subject_sku),
              "count": number(f.details.get("warning"), w.word("unknown")),
              "date": date or ""}
    return ("rule.seats-in-grace.message" if date else "rule.seats-in-grace.message.undated"), values


def _suspended(f: Facts, w: Words) -> Message:
    unknown = w.word("unknown")
    return "rule.license-suspended.message", {**_base(f, w), "sku": w.product(f.subject_sku),
                                               "count": number(f.details.get("affected"), unknown),
                                               "consumed": number(f.details.get("consumed"), unknown)}


MESSAGES: dict[str, Callable[[Facts, Words], Message]] = {
    "sku-not-allowed": _list("rule.sku-not-allowed.message", "allowed", "allowed"),
    "sku-forbidden": _plain("rule.sku-forbidden.message"),
    "sku-required-missing": _list("rule.sku-required-missing.message", "required", "required_any"),
    "sku-combination-forbidden": _list("rule.sku-combination-forbidden.message", "combination", "combination"),
    "assignment-not-group-based": _plain("rule.assignment-not-group-based.message"),
    "spare-seats-over-limit": _seats("rule.spare-seats-over-limit.message"),
    "spare-seats-under-minimum": _seats("rule.spare-seats-under-minimum.message"),
    "sku-not-approved": _catalog_sku("rule.sku-not-approved.message"),
    "seats-in-grace": _grace,
    "license-suspended": _suspended,
    "disabled-user-licensed": _plain("rule.disabled-user-licensed.message"),
    "inactive-user-licensed": _inactive,
    "guest-licensed": _plain("rule.guest-licensed.message"),
    "shared-mailbox-licensed": _shared_mailbox,
    "license-assigned-twice": _plain("rule.license-assigned-twice.message"),
    "license-redundant": _redundant,
    "license-assignment-error": _error,
    "group-license-errors": _group_errors,
    "usage-location-missing": _plain("rule.usage-location-missing.message"),
    "subscription-expiring": _subscription,
    "waiver-expired": _waiver,
    "cross-tenant-duplicate": _cross_tenant,
    "seats-rebalance-across-tenants": _rebalance,
}

# Every message key a rule can produce, for the completeness tests.
MESSAGE_KEYS: dict[str, tuple[str, ...]] = {
    rule: (f"rule.{rule}.message",) for rule in MESSAGES
} | {
    "spare-seats-under-minimum": tuple(f"rule.spare-seats-under-minimum.message{k}" for k in ("", ".over")),
    "inactive-user-licensed": tuple(f"rule.inactive-user-licensed.message{k}"
                                    for k in ("", ".never", ".attempts", ".never.attempts")),
    "seats-in-grace": ("rule.seats-in-grace.message", "rule.seats-in-grace.message.undated"),
    "license-redundant": ("rule.license-redundant.message", "rule.license-redundant.message.several"),
    "shared-mailbox-licensed": tuple(f"rule.shared-mailbox-licensed.message{k}" for k in ("", ".room", ".equipment")),
    "license-assignment-error": tuple(f"rule.license-assignment-error.message{k}"
                                      for k in ("", *_ERROR_STATES.values())),
    "group-license-errors": ("rule.group-license-errors.message", "rule.group-license-errors.message.uncounted"),
    "spare-seats-over-limit": ("rule.spare-seats-over-limit.message", "rule.spare-seats-over-limit.message.renewal"),
    "subscription-expiring": tuple(f"rule.subscription-expiring.message.{k}" for k in (
        "trial", "paid", "past", "past.undated", *(f"{s}{u}" for s in _LAPSED.values() for u in ("", ".undated")))),
}
