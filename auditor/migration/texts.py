"""The sentences of the migration plan in the report's language (gettext, domain "messages").

Each blocker, note and unknown code has one sentence here; plan.py gives the values. Lists and
dates are formatted for the locale; property names (LitigationHoldEnabled) stay as Exchange writes them."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from auditor.data.model import Locale

from ..i18n import Translations, cloud_name, format_list, translations
from ..reference import product_names
from .records import Reason

Sentence = Callable[[Translations, dict[str, Any]], str]


def _words(locale: Locale, values: Any) -> str:
    return format_list([str(v) for v in values], locale)


SENTENCES: dict[str, Sentence] = {
    # blockers
    "hold": lambda t, v: t.pgettext(
        "migration_hold",
        "The source mailbox is on hold ({holds}): Microsoft's cross-tenant mailbox migration does not "
        "move a mailbox on hold. Release the hold first, or leave the user in the source tenant.",
        holds=v["holds"],
    ),
    "target_mailbox_exists": lambda t, v: t.pgettext(
        "migration_target_mailbox_exists",
        "The target user {upn} already has a mailbox or an Exchange Online "
        "license: the move needs a mail user without a mailbox.",
        upn=v["upn"],
    ),
    "cross_cloud": lambda t, v: t.pgettext(
        "migration_cross_cloud",
        "The source tenant is in the {source} cloud and the target tenant in {target}: "
        "cross-tenant migration works within one cloud only.",
        source=cloud_name(t, v["source"]),
        target=cloud_name(t, v["target"]),
    ),
    "no_target_product": lambda t, v: t.pgettext(
        "migration_no_target_product",
        "No target product is mapped for {products}: add it to the --map file "
        "(null when the user does not need it in the target).",
        products=v["products"],
    ),
    "source_unlicensed": lambda t, v: t.pgettext(
        "migration_source_unlicensed", "The user holds no license in the source tenant: there is nothing to move."
    ),
    # notes
    "keeps_source_license": lambda t, v: t.pgettext(
        "migration_keeps_source_license",
        "Blocked: the user keeps the source tenant's license until the blocker is resolved.",
    ),
    "retention_hold": lambda t, v: t.pgettext(
        "migration_retention_hold",
        "RetentionHoldEnabled is set: it is no preservation hold and does not block the move.",
    ),
    "auto_expanding_archive": lambda t, v: t.pgettext(
        "migration_auto_expanding_archive",
        "Auto-expanding archive: the move takes up to 12 auxiliary archives, "
        "and fails if the archive expands during the move.",
    ),
    "target_user_missing": lambda t, v: t.pgettext(
        "migration_target_user_missing",
        "The target user does not exist in the target tenant yet: create it as a mail user before the move.",
    ),
    "shared_hold": lambda t, v: t.pgettext(
        "migration_shared_hold", "Shared mailbox on hold: it needs a license in the target tenant."
    ),
    "shared_archive": lambda t, v: t.pgettext(
        "migration_shared_archive", "Shared mailbox with an archive: it needs a license in the target tenant."
    ),
    "shared_size": lambda t, v: t.pgettext(
        "migration_shared_size", "Shared mailbox over 50 GB: it needs a license in the target tenant."
    ),
    "shared_small": lambda t, v: t.pgettext(
        "migration_shared_small",
        "Shared mailbox under 50 GB, without an archive or hold: it needs no license in the target tenant.",
    ),
    "shared_unknown": lambda t, v: t.pgettext(
        "migration_shared_unknown",
        "Shared mailbox of unknown size: whether it needs a license in the target tenant is not known.",
    ),
    # unknowns
    "holds_not_checked": lambda t, v: t.npgettext(
        "migration_holds_not_checked",
        "Holds were not checked for {n} moving mailbox: give --exchange-export.",
        "Holds were not checked for {n} moving mailboxes: give --exchange-export.",
        v["n"],
    ),
    "not_in_export": lambda t, v: t.npgettext(
        "migration_not_in_export",
        "{n} moving user has no row in the Exchange export ({first}): its holds were not checked.",
        "{n} moving users have no row in the Exchange export (first: {first}): their holds were not checked.",
        v["n"],
        first=v["first"],
    ),
    "org_retention": lambda t, v: t.pgettext(
        "migration_org_retention",
        "Organization-wide retention policies do not show on a mailbox: check them "
        "with Get-OrganizationConfig before the move.",
    ),
    "windows_without_billing": lambda t, v: t.pgettext(
        "migration_windows_without_billing",
        "No billing file: when the source tenant's seats can be reduced, "
        "and at what price, is not known (give --billing).",
    ),
    "addon_price": lambda t, v: t.pgettext(
        "migration_addon_price", "The add-on's price is not known: ask your Microsoft account team or partner."
    ),
    "shared_size_unknown": lambda t, v: t.pgettext(
        "migration_shared_size_unknown",
        "The size of shared mailbox {upn} is not known (no mailbox usage report, no archive in the Exchange export).",
        upn=v["upn"],
    ),
    "shared_product_unknown": lambda t, v: t.pgettext(
        "migration_shared_product_unknown",
        "Shared mailbox {upn} needs a license in the target tenant but holds "
        "none in the source tenant: choose the product.",
        upn=v["upn"],
    ),
}


@cache  # a hundred thousand users share a few dozen sentences
def say(reason: Reason, locale: Locale) -> str:
    """The sentence of `reason` in `locale`."""
    shown = dict(reason.values)
    if reason.code == "no_target_product":  # by name, with the part number the --map file keys on
        products = shown.get("products")
        shown["products"] = tuple(_named(p) for p in products) if isinstance(products, tuple) else ()
    values = {k: _words(locale, v) if isinstance(v, tuple) else v for k, v in shown.items()}
    return SENTENCES[reason.code](translations(locale), values)


def _named(part: object) -> str:
    """ "Visio Plan 2 (VISIOCLIENT)": a product's name and its part number; the part number alone when
    Microsoft's product table does not know it."""
    name = product_names().product(None, str(part))
    return f"{name} ({part})" if name and name != part else str(part)
