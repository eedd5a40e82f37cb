"""feature-map.csv and feature-map.md: the feature map (auditor.impact.feature_map) beside the reports, for an
admin to hand to the security team: per premium feature the entitlement rules know, the license Microsoft asks
for it, the tenant's products that carry it, the users it reaches and those entitled, and Microsoft's sentence
with its page (docs/entitlements.md, "The feature map"). Written by every audit whose policies have an
`entitlements:` section: the CSV with findings.csv (`--format csv`), the Markdown with report.md (`--format
md`). The Markdown's heading, sentences, column labels and status values are in the report's language; Microsoft's
feature names, licenses and sentences stay as its pages write them, in English, and the words that join its
licenses ("or", "some capabilities") are the report's language's. The CSV is for a spreadsheet or a script: its
column names and status values are English codes, as findings.csv's are, and its `license` cell, a text a person
reads as findings.csv's `message` is, is the Markdown's."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from auditor.common.outputs import atomic_text
from auditor.data.feature_rows import AskedLicense, FeatureRow
from auditor.data.model import Locale
from auditor.i18n import Translations, translations
from auditor.impact.feature_map import JUDGED, NOT_IN_POLICY, NOT_READ
from auditor.render.text import md_escape
from auditor.report.csv_report import safe_cell

CSV_NAME, MD_NAME = "feature-map.csv", "feature-map.md"
FILE_NAMES = (CSV_NAME, MD_NAME)
COLUMNS = (
    "feature",
    "name",
    "license",
    "entitling_products",
    "status",
    "members_reached",
    "members_entitled",
    "members_not_entitled",
    "guests_reached",
    "microsoft_sentence",
    "page",
)


def license_text(t: Translations, asked: AskedLicense) -> str:
    """The license Microsoft asks for, its names as Microsoft writes them joined in the report's language."""
    said = asked.any_of[0]
    for other in asked.any_of[1:]:
        said = t.pgettext("fmap_license_or", "{first} or {second}", first=said, second=other)
    if asked.listed:
        said = t.pgettext(
            "fmap_license_listed",
            "{license}, or a product on Microsoft's list ({examples}, ...)",
            license=said,
            examples=", ".join(asked.listed),
        )
    if asked.some_from:
        said = t.pgettext(
            "fmap_license_some", "{license} (some capabilities: {other})", license=said, other=asked.some_from
        )
    if asked.also_in:
        said = t.pgettext("fmap_license_also_in", "{license} ({other} carries it)", license=said, other=asked.also_in)
    return said


def _cells(row: FeatureRow, t: Translations) -> list[str]:
    def count(n: int | None) -> str:
        return "" if n is None else str(n)

    lacking = None if row.members_reached is None else row.members_reached - (row.members_entitled or 0)
    return [
        row.feature,
        row.name,
        license_text(t, row.license),
        "; ".join(safe_cell(p) for p in row.products),  # the tenant's part numbers: tenant text
        row.status,
        count(row.members_reached),
        count(row.members_entitled),
        count(lacking),
        count(row.guests_reached),
        row.sentence,
        row.page,
    ]


def write_csv(path: Path, rows: Sequence[FeatureRow], locale: Locale) -> Path:
    """UTF-8 with a byte-order mark, RFC 4180, as findings.csv."""
    t = translations(locale)
    with atomic_text(path, encoding="utf-8-sig") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(_cells(r, t) for r in rows)
    return path


def _labels(t: Translations) -> tuple[str, ...]:
    """The Markdown table's column labels, in COLUMNS' order (the first nine)."""
    return (
        t.pgettext("fmap_col_key", "Name in the policy"),
        t.pgettext("fmap_col_feature", "Feature (Microsoft's name)"),
        t.pgettext("fmap_col_license", "License Microsoft asks for"),
        t.pgettext("fmap_col_products", "Products that include it"),
        t.pgettext("fmap_col_status", "Status"),
        t.pgettext("fmap_col_reached", "Members reached"),
        t.pgettext("fmap_col_entitled", "Members with a license"),
        t.pgettext("fmap_col_lacking", "Members without a license"),
        t.pgettext("fmap_col_guests", "Guests reached"),
    )


def _status(t: Translations, status: str) -> str:
    """A row's status as a person reads it (the CSV keeps the code)."""
    said = {
        JUDGED: t.pgettext("fmap_status_judged", "checked"),
        NOT_IN_POLICY: t.pgettext("fmap_status_not_in_policy", "not in the policy"),
        NOT_READ: t.pgettext("fmap_status_not_read", "not read"),
    }
    return said.get(status, status)


def markdown(rows: Sequence[FeatureRow], tenant: str, locale: Locale) -> str:
    t = translations(locale)
    lines = [
        "# " + t.pgettext("fmap_title", "Premium features and their licenses: {tenant}", tenant=md_escape(tenant)),
        "",
        t.pgettext(
            "fmap_intro",
            "Per feature: the license Microsoft asks for it, the products of this tenant that carry it, and the "
            "users it reaches (members; guests apart, billed by monthly active users) with those whose own products "
            "entitle them. A feature no policy names, or whose read failed, is not counted.",
        )
        + " "
        + t.pgettext("fmap_english", "The feature names, the licenses and the sentences are Microsoft's, in English."),
        "",
        "| " + " | ".join(_labels(t)) + " |",
        "|" + " --- |" * 9,
    ]
    for row in rows:
        cells = _cells(row, t)[:9]
        cells[3] = "; ".join(md_escape(p) for p in row.products)
        cells[4] = _status(t, row.status)
        lines.append("| " + " | ".join(c.replace("|", "\\|") if i != 3 else c for i, c in enumerate(cells)) + " |")
    lines += ["", t.pgettext("fmap_quoted", "What Microsoft says, word for word:"), ""]
    lines += [f'- `{row.feature}`: "{row.sentence}" ({row.page})' for row in rows]
    return "\n".join(lines) + "\n"


def write_md(path: Path, rows: Sequence[FeatureRow], tenant: str, locale: Locale) -> Path:
    with atomic_text(path, encoding="utf-8") as out:
        out.write(markdown(rows, tenant, locale))
    return path
