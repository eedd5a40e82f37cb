"""Steps several users share say "this user" (the table names the people). Turkish names a user
"<name> kullanıcısı", declined: "this user" in that slot read "tablodaki kişi kullanıcısının" (the
native review found it stiff); a user in general is "bu kullanıcı", in the same case."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.data.model import Locale
from auditor.report.view.findings import _generic_user

from .test_digest_size import ROOT

SOMEONE = "tablodaki kişi"  # the Turkish catalog's "this user" (msgctxt recipe_user) until review round 5


@pytest.mark.parametrize(
    ("named", "general"),
    [
        ("tablodaki kişi kullanıcısının lisansları", "bu kullanıcının lisansları"),
        ("tablodaki kişi kullanıcısından kaldırın", "bu kullanıcıdan kaldırın"),
        ("tablodaki kişi kullanıcısında kalan", "bu kullanıcıda kalan"),
        ("tablodaki kişi kullanıcısına verin", "bu kullanıcıya verin"),
        ("tablodaki kişi kullanıcısını seçin", "bu kullanıcıyı seçin"),
        ("tablodaki kişi kullanıcısıyla kontrol edin", "bu kullanıcıyla kontrol edin"),
        ("Yalnızca tablodaki kişi kullanıcısı için", "Yalnızca bu kullanıcı için"),
        # where no user noun follows (a path in the admin center), the catalog's words stay
        ("Tüm kullanıcılar > tablodaki kişi > Lisanslar", "Tüm kullanıcılar > tablodaki kişi > Lisanslar"),
    ],
)
def test_turkish_says_a_user_in_general_in_each_case(named: str, general: str) -> None:
    assert _generic_user(named, SOMEONE, Locale.TR) == general


def test_other_languages_keep_their_words() -> None:
    assert _generic_user("Select this user, then …", "this user", Locale.EN) == "Select this user, then …"


def test_the_turkish_demo_report_says_bu_kullanici(tmp_path: Path) -> None:
    sample = ROOT / "auditor_dev" / "sample"
    argv = ["audit", "--snapshot", str(sample / "sample-tenant.json")]
    argv += ["--policies", str(sample / "example-policy.yaml")]
    argv += ["--as-of", "2026-11-01T06:00:00Z", "--locale", "tr", "--format", "html", "--output-dir", str(tmp_path)]
    assert main([*argv, "--fail-on", "never"]) == 0
    text = html.unescape(re.sub(r"<[^>]+>", " ", (tmp_path / "report.html").read_text("utf-8")))
    assert "tablodaki kişi kullanıcı" not in text
    # round 5: the catalog's "this user" is "bu kullanıcı" itself, so a path says it too
    assert "tablodaki kişi" not in text and "Tablodaki kişi" not in text
    assert "Bu kullanıcıyı seçin" in text and "bu kullanıcının" in text
