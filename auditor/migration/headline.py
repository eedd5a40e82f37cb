"""The migration plan's line in the nightly e-mail (`audit --migration FILE`): where the move stands,
its next deadline and what paying for both tenants costs, from the migration.json `migrate` wrote.
A 7-day window of the source tenant's reductions about to shut gets a line of its own, as the
bill's do (auditor.plan.bill_view.urgent_line)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from auditor.common.errors import UsageError
from auditor.data.model import Locale
from auditor.formats.bill_model import BillAction

from .. import i18n
from ..plan.bill import URGENT_DAYS, urgent
from ..plan.bill_view import action_label, urgent_line
from .document import SCHEMA_VERSION

MAX_BYTES = 256 * 1024 * 1024  # a migration.json of a million users is far below this


def read_migration(path: str | Path) -> dict[str, Any]:
    """migration.json as `migrate` writes it (docs/migration.md); a UsageError naming the file when
    it cannot be read or is not one."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB; not a migration.json")
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the migration plan: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        raise UsageError(
            f"{path}: not a migration.json of schema_version {SCHEMA_VERSION} (write it with `license-auditor migrate`)"
        )
    for key, kind in (("source", dict), ("target", dict), ("summary", dict), ("cutover", str)):
        if not isinstance(document.get(key), kind):
            raise UsageError(f"{path}: $.{key} is missing or of the wrong type")
    return document


def _deadlines(document: Mapping[str, Any], today: date) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(date, kind, entry) of everything the plan says to do by a date, from today on: the purchases
    and add-ons in the target, the reductions in the source."""
    found: list[tuple[str, str, Mapping[str, Any]]] = []
    for kind, key, when in (
        ("buy", "purchases", "buy_by"),
        ("addon", "addons", "buy_by"),
        ("source", "source_actions", "by"),
    ):
        for entry in document.get(key) or []:
            if not isinstance(entry, Mapping):
                continue
            by = entry.get(when)
            wanted = entry.get("buy") if kind != "source" else entry.get("action") != "none" and entry.get("seats")
            if isinstance(by, str) and by >= today.isoformat() and wanted:
                found.append((by, kind, entry))
    return sorted(found, key=lambda d: (d[0], d[1]))


def _deadline_text(t: i18n.Translations, document: Mapping[str, Any], today: date) -> str:
    locale = t.locale
    deadlines = _deadlines(document, today)
    if not deadlines:
        return t.pgettext("migration_digest_no_deadline", "No deadline is open.")
    by, kind, entry = deadlines[0]
    day = i18n.format_date(by, locale)
    if kind == "source":
        return t.pgettext(
            "migration_digest_source_deadline",
            "Next deadline: {action} {product} in {tenant} by {by}.",
            action=action_label(t, str(entry.get("action"))),
            product=str(entry.get("sku") or ""),
            tenant=str(document["source"].get("name") or ""),
            by=day,
        )
    # every purchase due that day is one step: count its licenses
    licenses = sum(int(e.get("buy") or 0) for b, k, e in deadlines if b == by and k in ("buy", "addon"))
    return t.npgettext(
        "migration_digest_buy_deadline",
        "Next deadline: buy {n} license in {tenant} by {by}.",
        "Next deadline: buy {n} licenses in {tenant} by {by}.",
        licenses,
        tenant=str(document["target"].get("name") or ""),
        by=day,
    )


def _overlap_text(t: i18n.Translations, overlap: Mapping[str, Any]) -> str:
    """What paying for the same people in both tenants costs: the whole, at least the known part, or
    not known."""
    locale = t.locale
    products = [p for p in overlap.get("products") or [] if isinstance(p, Mapping)]
    currency = overlap.get("currency") or next((p.get("currency") for p in products if p.get("currency")), None)
    if isinstance(overlap.get("amount"), int | float):
        return t.pgettext(
            "migration_digest_overlap",
            "Paying for both tenants while they overlap: {amount}.",
            amount=i18n.format_money(float(overlap["amount"]), currency, locale),
        )
    known = [float(p["amount"]) for p in products if isinstance(p.get("amount"), int | float)]
    if known:
        return t.pgettext(
            "migration_digest_overlap_least",
            "Paying for both tenants while they overlap: at least {amount} (the rest is not known).",
            amount=i18n.format_money(sum(known), currency, locale),
        )
    return t.pgettext("migration_digest_overlap_unknown", "What paying for both tenants costs is not known.")


def migration_lines(document: Mapping[str, Any], locale: Locale, today: date) -> list[str]:
    """The digest's migration line, then one line per 7-day window of the source that shuts within
    URGENT_DAYS days."""
    t = i18n.translations(locale)
    summary = document["summary"]
    head = t.npgettext(
        "migration_digest",
        "Migration from {source} to {target} on {cutover}: {moving} of {n} user can move, {blocked} cannot.",
        "Migration from {source} to {target} on {cutover}: {moving} of {n} users can move, {blocked} cannot.",
        int(summary.get("users") or 0),
        source=str(document["source"].get("name") or document["source"].get("tenant") or ""),
        target=str(document["target"].get("name") or document["target"].get("tenant") or ""),
        cutover=i18n.format_date(str(document["cutover"]), locale),
        moving=i18n.format_number(int(summary.get("moving") or 0), locale),
        blocked=i18n.format_number(int(summary.get("blocked") or 0), locale),
    )
    line = " ".join((head, _deadline_text(t, document, today), _overlap_text(t, document.get("overlap") or {})))
    shutting = urgent(msgspec.convert(document.get("source_actions") or [], list[BillAction]), today, URGENT_DAYS)
    overlap_currency = (document.get("overlap") or {}).get("currency")
    return [line, *(urgent_line(t, a, overlap_currency) for a in shutting)]
