"""The roll-up's GDAP section (tenants.md and digest.html), from tenants.json's `gdap` blocks
(auditor.fleet.gdap): the customers whose relationship has ended or who have none, whatever their
audit did, the customers whose relationship ends within 30 days without auto-extension, the customers
Graph refused (403) told apart by their relationship (ended, or active: a permission
or role problem), or why the relationships were not read. One sentence per customer."""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..data.enums import Locale
from ..i18n import Translations, format_date
from ..render.text import md_escape
from .gdap import PERMISSION, WITHIN_DAYS
from .rollup_model import GdapBlock, Rollup, TenantRow

SHOWN = 20  # customers the digest names; tenants.md names every one


def _title(t: Translations) -> str:
    return t.pgettext("gdap_title", "Delegated admin relationships (GDAP)")


def _gap(block: GdapBlock, t: Translations) -> str:
    detail = str(block.get("gap") or "")
    if block.get("kind") == "no_partner":
        return t.pgettext(
            "gdap_no_partner",
            "The relationships were not read: the tenants file names no partner (its `partner:` block).",
        )
    if block.get("kind") == "refused":
        return t.pgettext(
            "gdap_refused",
            "The relationships were not read: the partner tenant refused the listing ({detail}); grant the "
            "partner's app {permission} with admin consent.",
            detail=detail,
            permission=PERMISSION,
        )
    return t.pgettext("gdap_failed", "The relationships were not read: {detail}.", detail=detail)


def _customer(row: TenantRow, t: Translations, locale: Locale) -> str | None:
    """What the roll-up says of one customer's relationships; None when nothing needs saying."""
    found = row.get("gdap")
    if not isinstance(found, dict):
        return None
    who = f"{row.get('name')} ({row.get('key')})"
    state, name = found.get("state"), str(found.get("relationship") or "")
    ended, ends = (format_date(str(day or ""), locale) for day in (found.get("ended"), found.get("ends")))
    if found.get("forbidden"):
        if state == "ended":
            return t.pgettext(
                "gdap_forbidden_ended",
                "{tenant}: Graph refused the reads (403): its relationship “{name}” ended on {date}; ask the "
                "customer to approve a new one.",
                **{"tenant": who, "name": name, "date": ended},
            )
        if state == "none":
            return t.pgettext(
                "gdap_forbidden_none",
                "{tenant}: Graph refused the reads (403), and the partner has no active relationship with it.",
                tenant=who,
            )
        return t.pgettext(
            "gdap_forbidden_active",
            "{tenant}: Graph refused the reads (403) while its relationship “{name}” is active until {date}: "
            "a permission or role problem; check the relationship's roles and the app's consent.",
            **{"tenant": who, "name": name, "date": ends},
        )
    if state == "ended":  # whatever the audit did: the partner's access has gone or is going
        return t.pgettext(
            "gdap_ended",
            "{tenant}: its relationship “{name}” ended on {date}; ask the customer to approve a new one.",
            **{"tenant": who, "name": name, "date": ended},
        )
    if state == "none":
        return t.pgettext("gdap_none", "{tenant}: the partner has no active relationship with it.", tenant=who)
    if state == "ending":
        return t.npgettext(
            "gdap_ending",
            "{tenant}: its relationship “{name}” ends on {date}, in {n} day, and is not extended automatically.",
            "{tenant}: its relationship “{name}” ends on {date}, in {n} days, and is not extended automatically.",
            max(int(found.get("days") or 0), 0),
            **{"tenant": who, "name": name, "date": ends},
        )
    return None


def sentences(doc: Rollup, t: Translations, locale: Locale) -> list[str]:
    """The section's sentences; [] for a roll-up without a `gdap` block (joined from older shards)."""
    block = doc.get("gdap")
    if not isinstance(block, dict):
        return []
    if not block.get("read"):
        return [_gap(block, t)]
    said = [s for s in (_customer(row, t, locale) for row in doc["tenants"]) if s]
    if not said:
        count = int(block.get("relationships") or 0)
        return [
            t.npgettext(
                "gdap_quiet",
                "{n} relationship read; no customer's relationship ends within {days} days without auto-extension.",
                "{n} relationships read; no customer's relationship ends within {days} days without auto-extension.",
                count,
                days=WITHIN_DAYS,
            )
        ]
    return said


def markdown(doc: Rollup, t: Translations, locale: Locale) -> list[str]:
    said = sentences(doc, t, locale)
    return [f"### {md_escape(_title(t))}", "", *(f"- {md_escape(s)}" for s in said), ""] if said else []


def digest(doc: Rollup, t: Translations, locale: Locale) -> list[str]:
    said = sentences(doc, t, locale)
    if not said:
        return []
    items = "".join(f"<li>{html.escape(s)}</li>" for s in said[:SHOWN])
    more: Sequence[str] = ()
    if len(said) > SHOWN:
        more = [
            "<p>"
            + html.escape(
                t.npgettext(
                    "gdap_more",
                    "{n} more customer: see {file}.",
                    "{n} more customers: see {file}.",
                    len(said) - SHOWN,
                    file="tenants.md",
                )
            )
            + "</p>"
        ]
    return [f'<h2 style="font-size:16px;">{html.escape(_title(t))}</h2>', f"<ul>{items}</ul>", *more]
