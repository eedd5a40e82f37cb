"""The migration plan's line in the nightly e-mail: `audit --migration FILE` reads the migration.json
`migrate` wrote and puts its headline (users that can move, the next deadline, what paying for both
tenants costs) in the digest, beside the bill's; a 7-day window about to shut gets its own line."""

from __future__ import annotations

import json
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.migration.document import MigrationDocument
from auditor.migration.headline import migration_lines
from tests.billing.bills import action_json

ROOT = Path(__file__).parents[2]
SNAPSHOT = ROOT / "auditor_dev" / "sample" / "sample-tenant.json"
POLICY = ROOT / "examples" / "contoso-policy.yaml"
TODAY = date(2026, 11, 24)


def _overlap_product(amount: float | None, currency: str | None = None) -> dict[str, Any]:
    return {
        "sku": "SPE_E3",
        "seats": 1,
        "from": "2027-01-01",
        "until": None,
        "days": None,
        "amount": amount,
        "currency": currency,
        "confidence": "documented" if amount is not None else "unknown",
    }


def _plan(**changes: Any) -> dict[str, Any]:
    """migration.json as `migrate` writes it, every key in shape (audit --migration decodes it whole)."""
    document: dict[str, Any] = {
        "schema_version": 1,
        "generated_at": "2026-11-24T06:00:00Z",
        "as_of": "2026-11-24T06:00:00Z",
        "locale": "en",
        "cutover": "2027-01-15",
        "summary": {"users": 36, "moving": 31, "blocked": 5},
        "source": {"tenant": "s", "name": "Contoso", "cloud": "worldwide"},
        "target": {"tenant": "t", "name": "Fabrikam", "cloud": "worldwide"},
        "purchases": [
            {
                "sku": "SPE_E3",
                "needed": 20,
                "free_in_target": 0,
                "buy": 20,
                "buy_by": "2027-01-08",
                "new_subscription": False,
            },
            {
                "sku": "EMS",
                "needed": 3,
                "free_in_target": 3,
                "buy": 0,
                "buy_by": "2026-12-01",
                "new_subscription": False,
            },
        ],  # nothing to buy: no deadline
        "addons": [
            {
                "sku": "Cross_tenant_user_data_migration",
                "product": "Cross-tenant user data migration",
                "count": 21,
                "free": 0,
                "buy": 21,
                "assign_on": "target",
                "buy_by": "2027-01-08",
            }
        ],
        "source_actions": [action_json(sku="SPE_E3", action="reduce", seats=20, by="2026-11-01", window="renewal")],
        "overlap": {
            "seats": 20,
            "days": 30,
            "amount": 1234.5,
            "currency": "EUR",
            "confidence": "documented",
            "products": [],
        },
    }
    return document | changes


def _doc(**changes: Any) -> MigrationDocument:
    return msgspec.convert(_plan(**changes), MigrationDocument)


def test_the_line_names_the_move_the_next_purchase_and_the_overlap() -> None:
    (line,) = migration_lines(_doc(), Locale.EN, TODAY)
    # 20 licenses and 21 add-ons due the same day are one step; the past reduction is no deadline
    assert line == (
        "Migration from Contoso to Fabrikam on Jan 15, 2027: 31 of 36 users can move, 5 cannot. "
        "Next deadline: buy 41 licenses in Fabrikam by Jan 8, 2027. Paying for both tenants while they "
        "overlap: €1,234.50."
    )


def test_a_source_reduction_first_and_a_7_day_window_about_to_shut() -> None:
    actions = [
        action_json(
            sku="EMS",
            subscription="EMS yearly",
            action="reduce",
            seats=5,
            by="2026-11-26",
            window="within_7_days",
            monthly_saving=53.0,
        )
    ]
    overlap = {
        "seats": 20,
        "days": None,
        "amount": None,
        "currency": None,
        "confidence": "unknown",
        "products": [_overlap_product(100.0, "EUR"), _overlap_product(None)],
    }
    line, urgent = migration_lines(_doc(source_actions=actions, overlap=overlap), Locale.EN, TODAY)
    assert "Next deadline: Reduce EMS in Contoso by Nov 26, 2026." in line
    assert line.endswith("Paying for both tenants while they overlap: at least €100.00 (the rest is not known).")
    assert urgent.startswith("Reduce Enterprise Mobility + Security E3 by Nov 26, 2026: 5 seats")
    assert "7-day window is shut" in urgent


def test_nothing_due_and_no_price_say_so_in_turkish() -> None:
    (line,) = migration_lines(_doc(purchases=[], addons=[], source_actions=[], overlap=None), Locale.TR, TODAY)
    assert line.startswith("Contoso kiracısından Fabrikam kiracısına")
    assert "Açık bir son tarih yok." in line and "maliyeti bilinmiyor" in line


def _audit(tmp_path: Path, *extra: str) -> int:
    return main(
        [
            "audit",
            "--snapshot",
            str(SNAPSHOT),
            "--policies",
            str(POLICY),
            "--as-of",
            "2026-11-01T06:00:00Z",
            "--output-dir",
            str(tmp_path / "out"),
            *extra,
        ]
    )


@pytest.mark.parametrize("locale", ["en", "da"])
def test_the_audit_puts_the_line_in_both_parts_of_the_digest(tmp_path: Path, locale: str) -> None:
    (tmp_path / "migration.json").write_text(json.dumps(_plan()), "utf-8")
    assert _audit(tmp_path, "--migration", str(tmp_path / "migration.json"), "--locale", locale) == 1
    (expected,) = migration_lines(_doc(), Locale(locale), date(2026, 11, 1))
    html = unescape((tmp_path / "out" / "digest.html").read_text("utf-8"))
    text = (tmp_path / "out" / "digest.txt").read_text("utf-8")
    assert expected in text
    assert expected in html
    assert "Fabrikam" not in (tmp_path / "out" / "report.html").read_text("utf-8")  # the digest's line only


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"schema_version": 9}), "not a migration.json of schema_version 1"),
        (json.dumps(_plan(summary=[])), "Expected `object`, got `array` - at `$.summary`"),
        (json.dumps(_plan(purchases=[{"sku": "SPE_E3"}])), "missing required field `needed` - at `$.purchases[0]`"),
    ],
)
def test_a_bad_migration_file_stops_the_audit_before_it_reads_the_tenant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "migration.json"
    path.write_text(content, "utf-8")
    assert _audit(tmp_path, "--migration", str(path)) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err
    assert not (tmp_path / "out" / "report.json").exists()
