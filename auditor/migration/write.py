"""Write migration.json, migration.md, migration.html and migration-users.csv into the output folder
(atomic files, the folder's lock held by the command)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import msgspec

from auditor.common.outputs import write_bytes, write_text
from auditor.data.model import Locale

from ..i18n import translations
from ..render.environment import html_environment, markdown_environment
from ..report.csv_report import guard_cell
from .document import MigrationDocument, build_document
from .records import MigrationPlan
from .view import build_view

FILES = ("migration.json", "migration.md", "migration.html", "migration-users.csv")
CSV_COLUMNS = (
    "source_upn",
    "target_upn",
    "batch",
    "complete_by",
    "source_products",
    "products",
    "addon",
    "shared_mailbox",
    "blockers",
    "target_license_from",
    "target_license_by",
    "source_remove_after",
    "remove_through_groups",
)


def users_csv(document: MigrationDocument) -> str:
    """One row per user, every value as in migration.json (ISO dates, part numbers, blocker codes);
    tenant text that a spreadsheet would read as a formula is guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for u in document.users:
        groups = sorted({g for r in u.source_removals for g in r.groups})
        writer.writerow(
            [
                guard_cell(u.source),
                guard_cell(u.target),
                guard_cell(u.batch),
                u.complete_by,
                ";".join(u.source_products),
                ";".join(u.products),
                "true" if u.addon else "false",
                "true" if u.shared_mailbox else "false",
                ";".join(b.code for b in u.blockers),
                u.target_license_from or "",
                u.target_license_by or "",
                u.source_remove_after or "",
                guard_cell(";".join(groups)),
            ]
        )
    return out.getvalue()


def write_plan(plan: MigrationPlan, out_dir: Path, locale: Locale, generated_at: str) -> list[Path]:
    document = build_document(plan, locale, generated_at)
    view = build_view(plan, locale, generated_at)
    t = translations(locale)
    texts = {
        "migration.md": markdown_environment().get_template("migration.md.j2").render(v=view, t=t),
        "migration.html": html_environment().get_template("migration.html.j2").render(v=view, t=t),
        "migration-users.csv": users_csv(document),
    }
    write_bytes(out_dir / FILES[0], [msgspec.json.encode(document), b"\n"])
    written = [out_dir / FILES[0]]
    for name in FILES[1:]:
        path = out_dir / name
        write_text(path, texts[name], encoding="utf-8-sig" if name.endswith(".csv") else "utf-8")
        written.append(path)
    return written
