"""Tenant-sourced text cannot inject HTML into report.html or Markdown/HTML into report.md.

The Markdown is checked with GitHub's own parser (cmark-gfm, with raw HTML allowed), so what is
asserted is what the job summary page would show.
"""

from __future__ import annotations

from html.parser import HTMLParser

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument
from auditor.render.text import clean, md_escape
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.view import PageContext

from .report_fixtures import FORMULA_NAME, MD_NAME, XSS_ATTR, XSS_NAME, FakeGuidance


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.cells: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.cells.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.cells:
            self.cells[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def assert_no_active_content(page: Collector, *, local: tuple[str, ...] = ()) -> None:
    """No script, image, frame or style; links only to https:// (or to a name in `local`: the
    digest links to sections of report.html beside it)."""
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "link", "form", "svg", "style"}
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if "href" in attrs:
            assert (attrs["href"] or "").startswith(("https://", *local)), (tag, attrs)
        assert "src" not in attrs, (tag, attrs)


def test_html_escapes_tenant_text(sample: ReportDocument, guidance: FakeGuidance) -> None:
    html = render_page(HTML, sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    assert XSS_NAME not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Contoso &lt;Ltd&gt; &amp; Co" in html
    page = parse(html)
    assert_no_active_content(page, local=("#",))  # the report's own sections, roles and notes
    text = "".join(page.text)
    for name in (XSS_NAME, XSS_ATTR, MD_NAME, "Frontline <Workers>", "Gülşen Öztürk"):
        assert name in text  # shown to the reader exactly as the tenant has it


def test_html_links_only_to_plain_https(sample: ReportDocument, guidance: FakeGuidance) -> None:
    html = render_page(HTML, sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    assert "javascript:" not in html
    page = parse(html)
    hrefs = [attrs["href"] or "" for tag, attrs in page.tags if tag == "a"]
    ids = {attrs["id"] for _, attrs in page.tags if attrs.get("id")}
    inside = {h for h in hrefs if h.startswith("#")}
    assert inside and {h[1:] for h in inside} <= ids  # a role, a wait reason or a step in full: on this page
    assert set(hrefs) - inside == {
        "https://learn.microsoft.com/microsoft-365/admin/manage/assign-licenses-to-users",
        "https://learn.microsoft.com/microsoft-365/commerce/licenses/buy-licenses",  # document's own (fallback)
    }


def github_html(markdown: str) -> str:
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


def test_markdown_escapes_tenant_text(sample: ReportDocument, guidance: FakeGuidance) -> None:
    markdown = render_page(MARKDOWN, sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    page = parse(github_html(markdown))
    assert_no_active_content(page)
    assert [tag for tag, _ in page.tags if tag == "a"] == []  # no link at all: none is ours to make
    assert {tag for tag, _ in page.tags} & {"code", "del", "h1"} == set()  # no emphasis/code/heading from names
    text = "".join(page.text)
    for name in (XSS_NAME, XSS_ATTR, MD_NAME, FORMULA_NAME, "Contoso <Ltd> & Co", "Frontline <Workers>"):
        assert name in text


def test_markdown_tables_keep_their_shape(sample: ReportDocument, guidance: FakeGuidance) -> None:
    markdown = render_page(MARKDOWN, sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    page = parse(github_html(markdown))
    md_row = next(row for row in page.cells if row and MD_NAME in row[0])
    # the "|" inside the name did not split the cell (name, UPN, state: a column no row fills is left out)
    assert len(md_row) == 3
    assert MD_NAME in md_row[0]


@pytest.mark.parametrize(
    "hostile",
    [
        "[x](javascript:alert(1))",
        "![x](https://evil.example/t.png)",
        "<https://evil.example>",
        "https://evil.example/path",
        "www.evil.example",
        "victim@evil.example",
        "<a href='https://evil.example'>x</a>",
        "<details open><summary>x</summary>",
        "&lt;script&gt;",
        "# heading",
        "> quote",
        "1. list",
        "| a | b |",
        "`code` **bold** _em_ ~~del~~",
        "line\nbreak\r\n# heading",
        "\\",
        "[ref]: https://evil.example",
        ":warning: @everyone",
    ],
)
def test_md_escape_shows_text_literally(hostile: str) -> None:
    html = github_html(f"| a |\n| --- |\n| {md_escape(hostile)} |\n\n{md_escape(hostile)}\n")
    page = parse(html)
    assert_no_active_content(page)
    assert not {tag for tag, _ in page.tags} - {"table", "thead", "tbody", "tr", "th", "td", "p"}
    shown = clean(hostile)
    assert [row for row in page.cells if row and row[0] == shown], html
    assert shown in "".join(page.text)


def test_clean_removes_invisible_controls() -> None:
    assert clean("a\u202eb\u0000c\td") == "a\ufffdbc d"
    assert clean("x" * 500, 10) == "xxxxxxxxx…"


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("a\u061cb", "a\ufffdb"),  # ARABIC LETTER MARK, a bidi mark outside the old ranges
        ("admin\U000e0041\U000e0042", "admin\ufffd\ufffd"),  # tag characters: invisible text
        ("line\u2028next\u2029end", "line next end"),  # line and paragraph separators
        ("\u00adsoft", "\ufffdsoft"),  # SOFT HYPHEN, a format character too
    ],
)
def test_clean_judges_by_unicode_category(hostile: str, shown: str) -> None:
    assert clean(hostile) == shown


def test_clean_looks_at_no_more_than_it_can_show() -> None:
    assert clean("\u0000" * 100 + "x" * 200_000, 10) == "xxxxxxxxx…"
    assert clean("\u0000" * 50_000 + "tail", 10) == "tail"
