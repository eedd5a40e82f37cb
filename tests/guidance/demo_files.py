"""The files a person reads, rendered from the sample tenant in one language, once per test run: the
audit with the bill and the migration plan (digest, report, findings.csv, the bill's calendar
entries), the change plan and the migration plan, as a native reviewer reads them
(tests/guidance/test_glossary.py, tests/guidance/test_native_review.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.data.model import Locale

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "auditor_dev" / "sample"
FILES = (
    "report.json",
    "report.md",
    "report.html",
    "findings.csv",
    "plan.md",
    "digest.html",
    "digest.txt",
    "migration/migration.md",
    "migration/migration.html",
)
CALENDAR = "bill-*.ics"  # the bill's entries, read as one text under this name

_done: dict[Locale, dict[str, str]] = {}


def demo_files(locale: Locale, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each file's text by its name (FILES and CALENDAR), as written."""
    if locale not in _done:
        from auditor.cli import main

        out = tmp_path_factory.mktemp(f"demo-files-{locale.value}")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", "1793512800")
            # the migration plan, as `migrate --demo` writes it; the audit's digest then leads with it
            main(["migrate", "--demo", "--locale", locale.value, "--output-dir", str(out / "migration")])
            main(
                [
                    "audit",
                    "--snapshot",
                    str(SAMPLE / "sample-tenant.json"),
                    "--policies",
                    str(ROOT / "examples" / "contoso-policy.yaml"),
                    "--policies",
                    str(SAMPLE / "moves-example.yaml"),
                    "--output-dir",
                    str(out),
                    "--format",
                    "json,html,md,csv",
                    "--as-of",
                    "2026-11-01T06:00:00Z",
                    "--locale",
                    locale.value,
                    "--billing",
                    str(SAMPLE / "sample-billing.csv"),
                    "--migration",
                    str(out / "migration" / "migration.json"),
                ]
            )
            assert main(["plan", "--report-dir", str(out)]) == 0
        files = {name: (out / name).read_text("utf-8") for name in FILES}
        entries = sorted(out.glob(CALENDAR))
        assert entries, "the bill's calendar files"
        files[CALENDAR] = "\n".join(path.read_text("utf-8") for path in entries)
        _done[locale] = files
    return _done[locale]
