"""report.html in a real browser: the expected text is visible, nothing errors, nothing is fetched."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from auditor.data.model import Locale
from auditor.formats.report_model import ReportDocument
from auditor.i18n import translations
from auditor.report.baseline import compare
from auditor.report.write import RenderOptions, render

from .chromium_pipe import chromium_binary, load
from .report_fixtures import XSS_NAME, FakeGuidance

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (CI: apt-get install -y chromium)"),
]

ARTIFACTS = Path(__file__).parent / "artifacts"


def test_detector_sees_errors_and_remote_requests(tmp_path: Path) -> None:
    # the checks below are only worth something if a broken page does fail them
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><p>hello</p><script>console.error('boom'); undefinedCall();</script>"
        "<img src='http://127.0.0.1:9/x.png'></body></html>",
        encoding="utf-8",
    )
    result = load(page)
    assert any("boom" in e for e in result.console_errors)
    assert any("undefinedCall" in e or "Uncaught" in e for e in result.console_errors)
    assert "http://127.0.0.1:9/x.png" in result.requests
    assert "hello" in result.text


@pytest.mark.parametrize("locale", [Locale.EN, Locale.TR], ids=lambda loc: loc.value)
def test_report_renders_cleanly(tmp_path: Path, sample: ReportDocument, locale: Locale) -> None:
    previous = msgspec.structs.replace(sample, generated_at="2026-11-21T03:00:00Z")
    document = compare(previous, sample)
    html, _digest, _text = render(
        document, tmp_path, RenderOptions(formats=["html"], locale=locale, wording=FakeGuidance())
    )
    result = load(html)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"report-{locale.value}.png").write_bytes(result.png)

    assert result.console_errors == []
    assert [url for url in result.requests if not url.startswith("file://")] == []
    assert result.png.startswith(b"\x89PNG") and len(result.png) > 10_000
    assert 700 <= result.width <= 1000  # the layout (at most 1,000px) does not overflow the window
    # the usage bar's figures are its title, and the closing summary says them too (issue 77)
    of = translations(locale).pgettext("seats_usage_of", "{used} of {total}", used="80", total="120")
    assert f'title="{of}"' in html.read_text("utf-8"), of
    if locale is Locale.EN:
        for visible in (
            "This report is incomplete",
            "Rules not evaluated: Rule inactive-user-licensed",
            "Changes since the previous run",
            "Open findings by severity",
            "€2,955.00",
            "Licenses per product",
            "80 of 120",
            "Rule sku-forbidden",
            XSS_NAME,  # shown as text, not run
            "Approved by CISO",
            "ready",  # the plan's state of a finding, in its recipe's table
        ):
            assert visible in result.text, visible
    else:
        for visible in (
            "Bu rapor eksik",
            "Önem derecesine göre açık bulgular",
            "€2.955,00",
            "120 lisansın 80 tanesi kullanımda",  # Licenses in use
            "Kural sku-forbidden",
        ):
            assert visible in result.text, visible
