"""What an e-mail says: subject, HTML and text bodies and the CSV attachment, read from a report directory.

Everything here is transport-neutral; `smtp` turns a `ReportMail` into MIME and `graph` into a
sendMail request body. The tenant name and every other value from report.json is untrusted.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditor.errors import UsageError
from auditor.report.read import decode_report

SUBJECT_PREFIX = "[license-auditor]"
ATTACHMENT_NAME = "findings.csv"
_SEVERITIES = ("critical", "high", "medium", "low")
_MAX_TENANT_NAME = 80
_HTML_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\Z")
_SERVER_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?\Z")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "maintype/subtype"
    data: bytes


@dataclass(frozen=True)
class ReportMail:
    """One report, ready to send. `html` may be None when the report directory has no report.html."""

    subject: str
    text: str
    html: str | None
    attachment: Attachment | None
    run_url: str | None
    tenant_name: str
    calendar: tuple[Attachment, ...] = ()  # renewal-*.ics, one per upcoming renewal (auditor.insights)

    def without_attachment(self, reason: str) -> ReportMail:
        """The same mail with the CSV dropped and a note saying why and where to find it."""
        if self.attachment is None:
            return self
        where = f"download it from the CI run: {self.run_url}" if self.run_url else "it is in the report directory"
        note = f"{self.attachment.filename} is not attached ({reason}); {where}."
        return replace(
            self,
            attachment=None,
            text=f"{note}\n\n{self.text}",
            html=None if self.html is None else _insert_banner(self.html, [_html_note(note, self.run_url)]),
        )


    def text_only(self) -> ReportMail:
        """The plain-text part alone, with a note on where the HTML report is: the last resort
        when a size limit refuses the message even without its attachment."""
        where = f"the CI run: {self.run_url}" if self.run_url else "the report directory"
        note = f"The HTML report is too large to e-mail; open report.html from {where}.\n\n"
        return replace(self, text=note + self.text, html=None, attachment=None)

    def smaller(self, reason: str) -> Iterator[ReportMail]:
        """This mail, then ever smaller forms of it: without the CSV, then text only."""
        yield self
        if self.attachment is not None:
            yield self.without_attachment(reason)
        if self.html is not None:
            yield self.without_attachment(reason).text_only()


def header_safe(value: str, limit: int = _MAX_TENANT_NAME) -> str:
    """Collapse control, format and line-separator characters (CR, LF, NEL, U+2028, ...) to spaces.

    Values from the tenant end up in headers; a CR/LF there would let them add headers of their own.
    """
    cleaned = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in value)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def run_url_from_env(environ: Mapping[str, str]) -> str | None:
    """The GitHub Actions run page, when GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID say where."""
    server = environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    repository = environ.get("GITHUB_REPOSITORY", "")
    run_id = environ.get("GITHUB_RUN_ID", "")
    if not (_SERVER_URL.match(server) and _REPOSITORY.match(repository) and run_id.isdigit()):
        return None
    return f"{server}/{repository}/actions/runs/{run_id}"


def _money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.0f}"


def subject_for(report: Mapping[str, Any]) -> str:
    """`[license-auditor] Contoso: 2 high, 9 medium, EUR 1,240/month unused`."""
    tenant = report.get("tenant") or {}
    name = header_safe(str(tenant.get("name") or "")) or header_safe(str(tenant.get("id") or "")) or "tenant"
    summary = report.get("summary") or {}
    by_severity = summary.get("by_severity") or {}
    parts: list[str] = []
    if report.get("complete") is False:
        parts.append("INCOMPLETE DATA")
    counts = [f"{int(by_severity.get(sev) or 0)} {sev}" for sev in _SEVERITIES if int(by_severity.get(sev) or 0)]
    parts.extend(counts or ["no findings"])
    unused = summary.get("unused_monthly_cost") or {}
    amount, currency = unused.get("amount"), unused.get("currency")
    if isinstance(amount, int | float) and amount > 0 and isinstance(currency, str):
        parts.append(f"{_money(float(amount), header_safe(currency, 8))}/month unused")
    return f"{SUBJECT_PREFIX} {name}: {', '.join(parts)}"


def _text_summary(report: Mapping[str, Any]) -> str:
    """A plain-text digest for when report.md was not written."""
    tenant = report.get("tenant") or {}
    summary = report.get("summary") or {}
    lines = [f"License audit of {tenant.get('name') or tenant.get('id') or 'tenant'}"]
    lines.append(f"Generated at {report.get('generated_at', 'unknown')}, as of {report.get('as_of', 'unknown')}")
    if report.get("complete") is False:
        lines.append("WARNING: the tenant data was incomplete; the findings below are not the whole picture.")
    lines.append(f"Unwaived findings: {summary.get('unwaived', 0)} (waived: {summary.get('waived', 0)})")
    by_severity = summary.get("by_severity") or {}
    lines.extend(f"  {sev}: {by_severity.get(sev, 0)}" for sev in _SEVERITIES)
    for key, label in (("unused_monthly_cost", "Unused seats"), ("reclaimable_monthly_cost", "Reclaimable")):
        cost = summary.get(key) or {}
        if isinstance(cost.get("amount"), int | float) and isinstance(cost.get("currency"), str):
            lines.append(f"{label}: {_money(float(cost['amount']), cost['currency'])} per month")
    return "\n".join(lines) + "\n"


def _html_note(text: str, url: str | None) -> str:
    escaped = html.escape(text)
    if url:
        escaped = escaped.replace(html.escape(url), f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
    return f'<p style="margin:0 0 .5em;font-family:sans-serif">{escaped}</p>'


def _insert_banner(document: str, paragraphs: list[str]) -> str:
    if not paragraphs:
        return document
    banner = '<div class="delivery-notes">' + "".join(paragraphs) + "</div>"
    match = _HTML_BODY_OPEN.search(document)
    if match is None:
        return banner + document
    return document[: match.end()] + banner + document[match.end() :]


def _text_as_html(text: str) -> str:
    return f'<!DOCTYPE html><html><body><pre style="white-space:pre-wrap">{html.escape(text)}</pre></body></html>'


def load_report(report_dir: Path) -> dict[str, Any]:
    """report.json of `report_dir`, any version this tool reads (auditor.report.read)."""
    path = report_dir / "report.json"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: not found; run `license-auditor audit --output-dir {report_dir}` first") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    return decode_report(data, str(path))


def _read_optional_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None


def build_mail(report_dir: Path, *, attachment_limit: int, run_url: str | None) -> ReportMail:
    """Read report.json (required), report.html, report.md and findings.csv (optional) from `report_dir`.

    The CSV is attached when it is at most `attachment_limit` bytes; otherwise the bodies say where it is.
    """
    report = load_report(report_dir)
    tenant = report.get("tenant") or {}
    text = _read_optional_text(report_dir / "report.md") or _text_summary(report)
    document = _read_optional_text(report_dir / "report.html")
    notes: list[str] = []
    html_notes: list[str] = []
    if run_url:
        notes.append(f"CI run: {run_url}")
        html_notes.append(_html_note(f"CI run: {run_url}", run_url))
    if notes:
        text = "\n".join(notes) + "\n\n" + text
    mail = ReportMail(
        subject=subject_for(report),
        text=text,
        html=None if document is None else _insert_banner(document, html_notes),
        attachment=None,
        run_url=run_url,
        tenant_name=header_safe(str(tenant.get("name") or tenant.get("id") or "")),
    )
    mail = replace(mail, calendar=_calendar_files(report_dir))
    csv_path = report_dir / ATTACHMENT_NAME
    try:
        size = csv_path.stat().st_size
    except FileNotFoundError:
        return mail
    attachment = Attachment(ATTACHMENT_NAME, "text/csv", b"")
    if size > attachment_limit:
        over = replace(mail, attachment=attachment)
        return over.without_attachment(f"{size / 1e6:.1f} MB is over the {attachment_limit / 1e6:.1f} MB limit")
    try:
        data = csv_path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{csv_path}: cannot read: {exc}") from None
    return replace(mail, attachment=replace(attachment, data=data))


CALENDAR_LIMIT = 64_000  # bytes per .ics file; a renewal entry is well under 2 KB


def _calendar_files(report_dir: Path) -> tuple[Attachment, ...]:
    """The renewal entries beside the report (renewal-*.ics) and the bill's last days to act
    (bill-*.ics, audit --billing), as text/calendar attachments."""
    found = []
    for path in sorted([*report_dir.glob("renewal-*.ics"), *report_dir.glob("bill-*.ics")]):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > CALENDAR_LIMIT:
            continue
        try:
            found.append(Attachment(path.name, "text/calendar", path.read_bytes()))
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc}") from None
    return tuple(found)


def html_or_text(mail: ReportMail) -> str:
    """The HTML body, or the text wrapped in <pre> when there is no HTML report."""
    return mail.html if mail.html is not None else _text_as_html(mail.text)
