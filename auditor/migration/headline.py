"""The migration plan's line in the nightly e-mail (`audit --migration FILE`): where the move stands,
its next deadline and what paying for both tenants costs, from the migration.json `migrate` wrote.
A 7-day window of the source tenant's reductions about to shut gets a line of its own, as the
bill's do (auditor.plan.bill_view.urgent_line)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import msgspec

from auditor.common import shapes
from auditor.common.errors import UsageError
from auditor.data.model import Locale
from auditor.formats.bill_model import BillAction

from .. import i18n
from ..plan.bill import URGENT_DAYS, urgent
from ..plan.bill_view import action_label, urgent_line
from .document import SCHEMA_VERSION, AddonJson, MigrationDocument, OverlapJson, PurchaseJson

Deadline = PurchaseJson | AddonJson | BillAction

MAX_BYTES = 256 * 1024 * 1024  # a migration.json of a million users is far below this


def read_migration(path: str | Path) -> MigrationDocument:
    """migration.json as `migrate` writes it (docs/migration.md), decoded once, here; a UsageError naming
    the file when it cannot be read or is not one (the first value out of shape named by its place)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB; not a migration.json")
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the migration plan: {exc.strerror or exc}") from None
    try:
        version = shapes.decode(data, _Version).schema_version
    except msgspec.DecodeError as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from None
    if version != SCHEMA_VERSION:
        raise UsageError(
            f"{path}: not a migration.json of schema_version {SCHEMA_VERSION} (write it with `license-auditor migrate`)"
        )
    try:
        return shapes.decode(data, MigrationDocument)
    except msgspec.DecodeError as exc:  # a ValidationError names the place: "Expected `str`, got `int` - at `$...`"
        raise UsageError(f"{path}: not a migration.json: {exc}") from None


class _Version(msgspec.Struct):
    """Only the schema version, read first: another version's shape is refused by its number, not its fields."""

    schema_version: object = None


def _deadlines(document: MigrationDocument, today: date) -> list[tuple[str, str, Deadline]]:
    """(date, kind, entry) of everything the plan says to do by a date, from today on: the purchases
    and add-ons in the target, the reductions in the source."""
    found: list[tuple[str, str, Deadline]] = []
    start = today.isoformat()
    for p in document.purchases:
        if p.buy_by and p.buy_by >= start and p.buy:
            found.append((p.buy_by, "buy", p))
    for a in document.addons:
        if a.buy_by and a.buy_by >= start and a.buy:
            found.append((a.buy_by, "addon", a))
    for s in document.source_actions:
        if s.by and s.by >= start and s.action != "none" and s.seats:
            found.append((s.by, "source", s))
    return sorted(found, key=lambda d: (d[0], d[1]))


def _deadline_text(t: i18n.Translations, document: MigrationDocument, today: date) -> str:
    locale = t.locale
    deadlines = _deadlines(document, today)
    if not deadlines:
        return t.pgettext("migration_digest_no_deadline", "No deadline is open.")
    by, _, entry = deadlines[0]
    day = i18n.format_date(by, locale)
    if isinstance(entry, BillAction):
        return t.pgettext(
            "migration_digest_source_deadline",
            "Next deadline: {action} {product} in {tenant} by {by}.",
            action=action_label(t, entry.action),
            product=entry.sku,
            tenant=document.source.name,
            by=day,
        )
    # every purchase due that day is one step: count its licenses
    licenses = sum(e.buy for b, _, e in deadlines if b == by and not isinstance(e, BillAction))
    return t.npgettext(
        "migration_digest_buy_deadline",
        "Next deadline: buy {n} license in {tenant} by {by}.",
        "Next deadline: buy {n} licenses in {tenant} by {by}.",
        licenses,
        tenant=document.target.name,
        by=day,
    )


def _overlap_text(t: i18n.Translations, overlap: OverlapJson | None) -> str:
    """What paying for the same people in both tenants costs: the whole, at least the known part, or
    not known."""
    locale = t.locale
    products = overlap.products if overlap is not None else []
    currency = (overlap.currency if overlap is not None else None) or next(
        (p.currency for p in products if p.currency), None
    )
    if overlap is not None and overlap.amount is not None:
        return t.pgettext(
            "migration_digest_overlap",
            "Paying for both tenants while they overlap: {amount}.",
            amount=i18n.format_money(overlap.amount, currency, locale),
        )
    known = [p.amount for p in products if p.amount is not None]
    if known:
        return t.pgettext(
            "migration_digest_overlap_least",
            "Paying for both tenants while they overlap: at least {amount} (the rest is not known).",
            amount=i18n.format_money(sum(known), currency, locale),
        )
    return t.pgettext("migration_digest_overlap_unknown", "What paying for both tenants costs is not known.")


def migration_lines(document: MigrationDocument, locale: Locale, today: date) -> list[str]:
    """The digest's migration line, then one line per 7-day window of the source that shuts within
    URGENT_DAYS days."""
    t = i18n.translations(locale)
    summary = document.summary
    head = t.npgettext(
        "migration_digest",
        "Migration from {source} to {target} on {cutover}: {moving} of {n} user can move, {blocked} cannot.",
        "Migration from {source} to {target} on {cutover}: {moving} of {n} users can move, {blocked} cannot.",
        summary.users,
        source=document.source.name or document.source.tenant,
        target=document.target.name or document.target.tenant,
        cutover=i18n.format_date(document.cutover, locale),
        moving=i18n.format_number(summary.moving, locale),
        blocked=i18n.format_number(summary.blocked, locale),
    )
    line = " ".join((head, _deadline_text(t, document, today), _overlap_text(t, document.overlap)))
    shutting = urgent(document.source_actions, today, URGENT_DAYS)
    overlap_currency = document.overlap.currency if document.overlap is not None else None
    return [line, *(urgent_line(t, a, overlap_currency) for a in shutting)]
