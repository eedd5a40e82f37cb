"""The digest and the full report as a person sees them: headless Chromium at 600 px (a phone's mail
app) and 1,000 px, in English and Turkish. The first screen of the digest shows the status, the
money and what is new; nothing overflows, errors or is fetched; a mail app's dark mode leaves the
text readable."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.data.model import Locale

from .chromium_pipe import chromium_binary, load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (CI: apt-get install -y chromium)"),
]

ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(__file__).parent / "artifacts"
SCREEN = 800  # px: the height of the first screen

FIRST_SCREEN = {  # the status, the money and what is new, as the first screen must show them
    Locale.EN: (
        "Findings need attention",
        "Licenses cost €8,432.75 a month.",
        "€578.45 a month",
        "New since the last run",
        "New: 4",
    ),
    Locale.TR: (
        "İlgilenilmesi gereken bulgular var",
        "Lisansların maliyeti aylık €8.432,75.",
        "aylık €578,45",
        "Son çalıştırmadan bu yana yeni olanlar",
        "Yeni: 4",
    ),
}

Reports = Callable[[Locale], Path]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    """The demo tenant audited against a baseline that lacked four of today's findings."""
    folders: dict[Locale, Path] = {}
    sample = [
        "--snapshot",
        str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json"),
        "--policies",
        str(ROOT / "examples" / "contoso-policy.yaml"),
        "--as-of",
        "2026-11-01T06:00:00Z",
    ]

    def audit(locale: Locale) -> Path:
        if locale not in folders:
            first = tmp_path_factory.mktemp("first")
            assert main(["audit", *sample, "--output-dir", str(first), "--format", "json"]) == 1
            earlier: dict[str, Any] = json.loads((first / "report.json").read_text(encoding="utf-8"))
            earlier["findings"] = earlier["findings"][4:]
            (first / "report.json").write_text(json.dumps(earlier), encoding="utf-8")
            out = tmp_path_factory.mktemp(f"digest-{locale.value}")
            assert (
                main(
                    [
                        "audit",
                        *sample,
                        "--output-dir",
                        str(out),
                        "--locale",
                        locale.value,
                        "--baseline",
                        str(first / "report.json"),
                    ]
                )
                == 1
            )
            folders[locale] = out
        return folders[locale]

    yield audit


def clean_load(page: Path, width: int, **options: Any) -> Any:
    result = load(page, width=width, height=SCREEN, **options)
    assert result.console_errors == []
    assert [url for url in result.requests if not url.startswith("file://")] == []
    assert result.width <= width, f"{page.name} is {result.width}px wide in a {width}px window"
    return result


@pytest.mark.parametrize("width", [600, 1000])
@pytest.mark.parametrize("locale", [Locale.EN, Locale.TR], ids=lambda loc: loc.value)
def test_the_digests_first_screen_shows_status_money_and_what_is_new(
    reports: Reports, locale: Locale, width: int
) -> None:
    result = clean_load(reports(locale) / "digest.html", width)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"digest-{locale.value}-{width}.png").write_bytes(result.png)
    first = " ".join(result.first_screen.split())
    for visible in FIRST_SCREEN[locale]:
        assert visible in first, visible
    assert "Contoso" in first
    assert result.height > SCREEN  # the rest (top actions, rules) follows below: the check above means something


@pytest.mark.parametrize("width", [600, 1000])
@pytest.mark.parametrize("locale", [Locale.EN, Locale.TR], ids=lambda loc: loc.value)
def test_the_full_report_renders_at_phone_and_desktop_width(reports: Reports, locale: Locale, width: int) -> None:
    result = clean_load(reports(locale) / "report.html", width)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"report-{locale.value}-{width}.png").write_bytes(result.png)
    name = {Locale.EN: "this user", Locale.TR: "bu kullanıcı"}[locale]
    assert name in result.text.lower()  # the shared steps say "this user"; the table names the people
    assert "leaver.audited@contoso.example" in result.text


@pytest.mark.parametrize("name", ["digest.html", "report.html"])
def test_text_stays_readable_when_the_reader_prefers_dark(reports: Reports, tmp_path: Path, name: str) -> None:
    """The pages declare `color-scheme: light only` and set every colour, so a reader's dark
    preference leaves their text readable: WCAG contrast of at least 3 (4.5 for the digest's body text
    is checked as the first-screen colours are #212529 and #495057 on white)."""
    # the check can fail: a page that lets the browser use its dark scheme, with one dark text colour
    loose = tmp_path / "loose.html"
    loose.write_text(
        '<html><head><meta name="color-scheme" content="light dark"></head><body>'
        '<p style="color:#333333">hello</p></body></html>',
        encoding="utf-8",
    )
    assert load(loose, width=600, height=SCREEN, dark=True).min_contrast < 2
    page = reports(Locale.EN) / name
    result = load(page, width=600, height=SCREEN, dark=True, probes=((300, 5),))
    assert result.min_contrast >= (4.5 if name == "digest.html" else 3.0), result.min_contrast
    assert min(result.pixels[0]) > 200  # the card stays white


@pytest.mark.parametrize("locale", [Locale.EN, Locale.TR], ids=lambda loc: loc.value)
def test_the_digest_with_the_bill_fits_a_phone(tmp_path: Path, locale: Locale) -> None:
    """With --billing the digest carries the bill's lines and its table: still no wider than 600 px."""
    assert (
        main(
            [
                "audit",
                "--snapshot",
                str(ROOT / "auditor_dev" / "sample" / "sample-tenant.json"),
                "--policies",
                str(ROOT / "examples" / "contoso-policy.yaml"),
                "--as-of",
                "2026-11-01T06:00:00Z",
                "--billing",
                str(ROOT / "auditor_dev" / "sample" / "sample-billing.csv"),
                "--locale",
                locale.value,
                "--output-dir",
                str(tmp_path),
                "--format",
                "json,html",
            ]
        )
        == 1
    )
    result = clean_load(tmp_path / "digest.html", 600)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"digest-billing-{locale.value}-600.png").write_bytes(result.png)
    assert "bill" in result.text.lower() or "fatura" in result.text.lower()
