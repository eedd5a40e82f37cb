"""render(): files, formats, locales, partial reports and determinism.

The complete goldens (the sample tenant's four files in English) and the sentences pinned per
locale are in test_sample_report.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auditor import i18n
from auditor.common.errors import UsageError
from auditor.data.enums import Format
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.view import PageContext
from auditor.report.write import RenderOptions, render
from auditor.rules.hygiene.accounts import InactiveUserLicensed

from .report_fixtures import FakeGuidance, build_sample
from .report_fixtures import finding as report_finding

LOCALE_DIR = Path(__file__).parents[2] / "auditor" / "locale"


def _texts(locale: Locale) -> dict[str, str]:
    """Every report text of `locale` by key (msgctxt) from the gettext catalogs; a counted text's first form."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / ("messages.pot" if locale is Locale.EN else f"{locale.value}/LC_MESSAGES/messages.po")
    with path.open("rb") as fp:
        catalog = read_po(fp)
    texts: dict[str, str] = {}
    for message in catalog:
        text = message.id if locale is Locale.EN else message.string
        if message.id and message.context:
            texts[message.context] = str(text[0] if isinstance(text, tuple | list) else text)
    return texts


def test_writes_all_four_formats_by_default(tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance) -> None:
    paths = render(sample, tmp_path / "out", RenderOptions(wording=guidance))
    assert [p.name for p in paths] == [
        "report.json",
        "report.html",
        "report.md",
        "findings.csv",
        "digest.html",
        "digest.txt",
    ]  # the digest: the e-mail's body
    written = json.loads(paths[0].read_text("utf-8"))
    states = [f.pop("state", None) for f in written["findings"]]  # each finding's state in the plan
    assert written == msgspec.to_builtins(sample)
    assert any(states)
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_writes_only_the_requested_formats(tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance) -> None:
    paths = render(sample, tmp_path, RenderOptions(formats=Format.parse_list("md, html,md"), wording=guidance))
    assert [p.name for p in paths] == ["report.html", "report.md", "digest.html", "digest.txt"]
    assert [
        p.name for p in render(sample, tmp_path / "j", RenderOptions(formats=["json", "csv"], wording=guidance))
    ] == [
        "report.json",
        "findings.csv",
    ]  # no digest without a report to read


def test_the_format_flag_is_parsed() -> None:
    assert Format.parse_list("json,html,md,csv") == tuple(Format)
    with pytest.raises(UsageError, match="unknown format 'pdf'"):
        Format.parse_list("html,pdf")
    with pytest.raises(UsageError):
        Format.parse_list(" , ")


def test_unwritable_output_is_a_usage_error(tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance) -> None:
    blocker = tmp_path / "report.html"
    blocker.mkdir()  # a directory where the file should go
    with pytest.raises(UsageError, match=r"report\.html: cannot write report"):
        render(sample, tmp_path, RenderOptions(formats=["html"], wording=guidance))


def test_partial_report_says_so_first_in_every_format(
    tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance
) -> None:
    render(sample, tmp_path, RenderOptions(wording=guidance))
    html = (tmp_path / "report.html").read_text("utf-8")
    body = html[html.index("<body") :]
    assert body.index("This report is incomplete") < body.index("Summary")
    assert "Rules not evaluated: Rule inactive-user-licensed" in html
    assert "Compliant" not in html
    markdown = (tmp_path / "report.md").read_text("utf-8")
    assert markdown.splitlines()[:2] == ["> [!CAUTION]", "> **⚠️ This report is incomplete**"]
    assert "Rules not evaluated\\: Rule inactive\\-user\\-licensed" in markdown
    first = next(csv.DictReader(io.StringIO((tmp_path / "findings.csv").read_text("utf-8-sig"))))
    assert (first["severity"], first["rule"]) == ("incomplete", InactiveUserLicensed.id)
    assert "incomplete" in first["message"]


def test_gaps_without_listed_rules_still_mark_the_report_partial(guidance: FakeGuidance) -> None:
    document = build_sample()
    document.not_evaluated = []
    document.complete = True  # inconsistent input: gaps alone must still count
    html = render_page(HTML, document, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    assert "This report is incomplete" in html and "signInActivity" in html


def test_the_gap_and_not_evaluated_tables_show_each_value_in_its_column(
    sample: ReportDocument, guidance: FakeGuidance
) -> None:
    """Data, request, reason; rule, policy, reason: in the order of the tables' headers."""
    html = render_page(HTML, sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    markdown = render_page(MARKDOWN, sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    gap, skipped = sample.gaps[0], sample.not_evaluated[0]
    cells = [gap.part, gap.request, gap.reason]
    at = [html.index(f">{cell}</td>", html.index("Tenant data that could not be read")) for cell in cells]
    assert at == sorted(at)
    title = f"Rule {skipped.rule}"  # FakeGuidance's title
    at = [
        html.index(f">{cell}</td>", html.index("<table", html.index("Rules not evaluated</div>")))
        for cell in (title, skipped.policy, skipped.reason)
    ]
    assert at == sorted(at)
    assert (
        "| signInActivity | GET \\/users\\?\\$select\\=id,signInActivity | 403 Authorization\\_RequestDenied\\: "
        "AuditLog\\.Read\\.All missing |"
    ) in markdown
    assert (
        "| Rule inactive\\-user\\-licensed | contoso\\-baseline\\/hygiene | signInActivity could not be read |"
    ) in markdown


def test_complete_report_has_no_incomplete_banner(complete_sample: ReportDocument, guidance: FakeGuidance) -> None:
    html = render_page(HTML, complete_sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    markdown = render_page(MARKDOWN, complete_sample, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    assert "incomplete" not in html.lower() and "incomplete" not in markdown.lower()
    assert "Findings need attention" in html


def test_clean_tenant_reads_as_compliant_only_when_complete(guidance: FakeGuidance) -> None:
    clean = build_sample(complete=True)
    clean.findings = []
    clean.summary = msgspec.structs.replace(
        clean.summary,
        total=0,
        unwaived=0,
        waived=0,
        by_rule={},
        by_severity=dict.fromkeys(("critical", "high", "medium", "low"), 0),
    )
    html = render_page(HTML, clean, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    assert "Compliant: no open findings" in html
    partial = msgspec.structs.replace(
        clean, complete=False, gaps=build_sample().gaps, not_evaluated=build_sample().not_evaluated
    )
    html = render_page(HTML, partial, PageContext(Locale.EN, Cloud.WORLDWIDE, guidance))
    assert "Compliant" not in html and "This report is incomplete" in html


@pytest.mark.parametrize("locale", [loc for loc in Locale if loc is not Locale.EN], ids=lambda loc: loc.value)
def test_every_text_is_in_the_report_locale(locale: Locale, sample: ReportDocument, guidance: FakeGuidance) -> None:
    html = render_page(HTML, sample, PageContext(locale, Cloud.WORLDWIDE, guidance))
    markdown = render_page(MARKDOWN, sample, PageContext(locale, Cloud.WORLDWIDE, guidance))
    labels = _texts(locale)
    english = _texts(Locale.EN)
    assert f'<html lang="{locale.value}">' in html
    assert labels["incomplete_title"] in html and labels["seats_title"] in html
    assert f"[{locale.value}] step one for sku-forbidden" in html  # catalog text asked in this locale
    # the fix in one sentence (a recipe's caption): report.md's every recipe has it; report.html shows it
    # only where it tells two recipes apart
    assert f"[{locale.value}/worldwide] fix" in markdown.replace("\\", "")
    assert "[en]" not in html and "[en]" not in markdown
    for key, value in english.items():
        if len(value.split()) > 2 and value != labels[key] and "{" not in value:
            assert value not in html, key
    assert i18n.format_money(2955.0, "EUR", locale) in html


def test_cloud_selects_the_remediation_variant(sample: ReportDocument, guidance: FakeGuidance) -> None:
    html = render_page(HTML, sample, PageContext(Locale.EN, Cloud.GERMANY, guidance))
    markdown = render_page(MARKDOWN, sample, PageContext(Locale.EN, Cloud.GERMANY, guidance)).replace("\\", "")
    assert "[en/germany] fix" in markdown and "[en/worldwide]" not in markdown + html


def test_waived_findings_show_their_waiver(complete_sample: ReportDocument, guidance: FakeGuidance) -> None:
    html = render_page(HTML, complete_sample, PageContext(Locale.DA, Cloud.WORLDWIDE, guidance))
    assert "Approved by CISO" in html and "31. jan. 2027" in html and "Undtaget" in html


def test_output_is_deterministic(tmp_path: Path, guidance: FakeGuidance) -> None:
    first = render(build_sample(), tmp_path / "a", RenderOptions(wording=guidance))
    second = render(build_sample(), tmp_path / "b", RenderOptions(wording=FakeGuidance()))
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_the_html_and_markdown_build_each_finding_row_once(
    tmp_path: Path, sample: ReportDocument, guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two views share their rows (auditor.report.view.RowMemo); the files are what they were."""
    from auditor.report.view import findings

    def files(out: Path) -> dict[str, bytes]:
        render(
            sample,
            out,
            RenderOptions(formats=["html", "md"], locale=Locale.NL, cloud=Cloud.WORLDWIDE, wording=guidance),
        )
        return {p.name: p.read_bytes() for p in out.iterdir()}

    built: list[str] = []
    real = findings.finding_row
    monkeypatch.setattr(findings, "finding_row", lambda ctx, f, r: built.append(f.id) or real(ctx, f, r))
    shared = files(tmp_path / "shared")
    assert built and len(built) == len(set(built))  # each finding once, though both files show it

    built.clear()
    monkeypatch.setattr(
        findings.RowMemo,
        "row",
        lambda self, ctx, f: (
            findings.shared_recipe(ctx, f),
            findings.finding_row(ctx, f, ctx.remediation(f)),
            findings.own_recipe(ctx, f),
        ),
    )
    assert files(tmp_path / "apart") == shared
    assert len(built) > len(set(built))


def test_a_row_memo_serves_one_document_locale_and_cloud_only(sample: ReportDocument, guidance: FakeGuidance) -> None:
    from auditor.report.view import PageContext, RowMemo, build_view

    def view(locale: Locale, cloud: Cloud, memo: RowMemo | None = None) -> Any:
        return build_view(sample, PageContext(locale, cloud, guidance, memo=memo), cap_per_rule=5)

    memo = RowMemo()
    assert view(Locale.EN, Cloud.WORLDWIDE, memo) == view(Locale.EN, Cloud.WORLDWIDE)
    assert (
        view(Locale.NL, Cloud.WORLDWIDE, memo) == view(Locale.NL, Cloud.WORLDWIDE) != view(Locale.EN, Cloud.WORLDWIDE)
    )
    assert view(Locale.EN, Cloud.CHINA, memo) == view(Locale.EN, Cloud.CHINA)


class _LongRoles(FakeGuidance):
    """Each fix block's role is one of the catalog's real role texts (the longest, in `locale`)."""

    def __init__(self, role: str) -> None:
        self.role = role

    def remediation(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {**super().remediation(*args, **kwargs), "role": self.role}


def _roles(locale: Locale) -> list[str]:
    """Every `role.*` text of the guidance catalog in `locale`."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / ("guidance.pot" if locale is Locale.EN else f"{locale.value}/LC_MESSAGES/guidance.po")
    with path.open("rb") as fp:
        catalog = read_po(fp)
    return [
        str(m.id if locale is Locale.EN else m.string) for m in catalog if m.context and m.context.startswith("role.")
    ]


@pytest.mark.parametrize("locale", list(Locale))
def test_the_required_role_line_is_never_cut(locale: Locale) -> None:
    """The role line names who may make the change: a cut one ("... to change its licenses (a
    License Ad") leaves an admin guessing. Every role text of every language appears whole."""
    import html as html_lib

    roles = sorted(_roles(locale), key=len)
    assert len(roles[-1]) > 200, "the test needs a role text longer than a name"
    for role in roles[-2:]:
        page = render_page(HTML, build_sample(), PageContext(locale, Cloud.WORLDWIDE, _LongRoles(role)))
        # the recipes name the role by its number in the table of roles, which has it whole
        lines = [html_lib.unescape(line) for line in page.splitlines() if 'id="role-' in line]
        assert any(role in line for line in lines), role


@pytest.mark.parametrize("locale", list(Locale))
def test_markdown_says_each_required_role_whole(locale: Locale) -> None:
    """report.md has no link to a row of the table of roles: a recipe that said "Required role: 3" sent its
    reader counting down a list. It names the role itself."""
    roles = sorted(_roles(locale), key=len)[-1:]
    page = render_page(MARKDOWN, build_sample(), PageContext(locale, Cloud.WORLDWIDE, _LongRoles(roles[0])))
    label = i18n.catalog(locale).pgettext("required_role", "Required role")
    said = [line.split(":**", 1)[1].strip() for line in page.splitlines() if line.startswith(f"**{label}:**")]
    assert said and not any(text.isdigit() for text in said), said
    assert any(roles[0] in text.replace("\\", "") for text in said)  # Markdown escapes its punctuation


def test_a_group_or_subscription_shows_its_id_only_beside_a_namesake() -> None:
    from auditor.report.view.context import shared_names, subject_text

    def group(gid: str, name: str) -> Any:
        return report_finding("r", "low", {"type": "group", "id": gid, "display_name": name}, [], {})

    def subscription(sid: str, part: str) -> Any:
        return report_finding("r", "low", {"type": "subscription", "id": sid, "sku": part}, [part], {})

    findings = [group("g-1", "Sales"), group("g-2", "Sales"), group("g-3", "Finance")]
    findings += [subscription("s-1", "SPE_E3"), subscription("s-2", "SPE_E3"), subscription("s-3", "SPE_E5")]
    twins = shared_names(findings)
    shown = [subject_text(f.subject, twins=twins) for f in findings]
    assert shown == [
        ("Sales", "g-1"),
        ("Sales", "g-2"),
        ("Finance", ""),
        ("Microsoft 365 E3", "s-1"),
        ("Microsoft 365 E3", "s-2"),
        ("Microsoft 365 E5", ""),
    ]
