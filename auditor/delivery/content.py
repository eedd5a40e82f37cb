"""What an e-mail says: subject, the digest as HTML and text bodies, and the full report and the CSV
as attachments, read from a report directory.

Everything here is transport-neutral; `smtp` turns a `ReportMail` into MIME and `graph` into a
sendMail request body. The tenant name and every other value from report.json is untrusted.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from msgspec import UNSET

from auditor import i18n
from auditor.common.errors import UsageError
from auditor.common.numbers import whole_number
from auditor.common.run_record import Owner, RunKind, check_parts, owner
from auditor.data.model import Locale
from auditor.formats.report_json import decode_report
from auditor.formats.report_model import ReportDocument, Summary

SUBJECT_PREFIX = "[license-auditor]"
ATTACHMENT_NAME = "findings.csv"
REPORT_NAME = "report.html"
DIGEST_HTML = "digest.html"
DIGEST_TEXT = "digest.txt"
ZIP_OVER = 100_000  # bytes: a larger report.html or findings.csv is attached zipped (both zip to about a tenth)
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
    """One report, ready to send: the digest as body (`html` None when the report directory has no
    digest.html), the full report and the CSV attached."""

    subject: str
    text: str
    html: str | None
    attachment: Attachment | None  # findings.csv
    run_url: str | None
    tenant_name: str
    calendar: tuple[Attachment, ...] = ()  # renewal-*.ics, one per upcoming renewal (auditor.insights)
    report: Attachment | None = None  # report.html, or report.html.zip when it is large

    def attachments(self) -> tuple[Attachment, ...]:
        """Every file the message carries, in the order they are attached."""
        return tuple(a for a in (self.report, self.attachment) if a is not None) + self.calendar

    def _noted(self, files: list[Attachment], reason: str) -> ReportMail:
        names = " and ".join(f.filename for f in files)
        where = (
            f"download {'them' if len(files) > 1 else 'it'} from the CI run: {self.run_url}"
            if self.run_url
            else f"{'they are' if len(files) > 1 else 'it is'} in the report directory"
        )
        note = f"{names} {'are' if len(files) > 1 else 'is'} not attached ({reason}); {where}."
        return replace(
            self,
            text=f"{note}\n\n{self.text}",
            html=None if self.html is None else _insert_banner(self.html, [_html_note(note, self.run_url)]),
        )

    def without_report(self, reason: str) -> ReportMail:
        """The same mail with the full report dropped (the CSV kept) and a note saying why and where it is."""
        if self.report is None:
            return self
        return replace(self._noted([self.report], reason), report=None)

    def without_csv(self, reason: str) -> ReportMail:
        """The same mail with the CSV dropped (the full report kept) and a note saying why and where it is."""
        if self.attachment is None:
            return self
        return replace(self._noted([self.attachment], reason), attachment=None)

    def without_attachment(self, reason: str) -> ReportMail:
        """The same mail with the full report and the CSV dropped and a note saying why and where they are."""
        files = [f for f in (self.report, self.attachment) if f is not None]
        if not files:
            return self
        return replace(self._noted(files, reason), report=None, attachment=None)

    def text_only(self) -> ReportMail:
        """The plain-text part alone, with a note on where the HTML report is: the last resort
        when a size limit refuses the message even without its attachments."""
        where = f"the CI run: {self.run_url}" if self.run_url else "the report directory"
        note = f"The HTML report is too large to e-mail; open report.html from {where}.\n\n"
        return replace(self, text=note + self.text, html=None, attachment=None, report=None)

    def smaller(self, reason: str) -> Iterator[ReportMail]:
        """This mail, then ever smaller forms of it: without the full report, without the CSV too,
        then text only."""
        yield self
        if self.report is not None and self.attachment is not None:
            yield self.without_report(reason)
        if self.report is not None or self.attachment is not None:
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
    if not (_SERVER_URL.match(server) and _REPOSITORY.match(repository) and whole_number(run_id) is not None):
        return None
    return f"{server}/{repository}/actions/runs/{run_id}"


def _money(amount: float, currency: str, locale: Locale = Locale.EN) -> str:
    """A whole amount with its currency code where the language writes it: "EUR 1,240" (en),
    "1.240 EUR" (da)."""
    number = f"{amount:,.0f}" if locale is Locale.EN else i18n.format_number(round(amount), locale)
    return f"{number} {currency}" if i18n.currency_code_after(locale) else f"{currency} {number}"


def _report_locale(report: ReportDocument) -> Locale:
    try:
        return Locale(report.locale or Locale.EN.value)
    except ValueError:
        return Locale.EN


def _severity_count(t: i18n.Translations, severity: str, n: int) -> str:
    words = {
        "critical": t.pgettext("mail_critical", "{n} critical", n=n),
        "high": t.pgettext("mail_high", "{n} high", n=n),
        "medium": t.pgettext("mail_medium", "{n} medium", n=n),
        "low": t.pgettext("mail_low", "{n} low", n=n),
    }
    return words[severity]


def subject_for(report: ReportDocument) -> str:
    """`[license-auditor] Contoso: 2 high, 9 medium, EUR 1,240/month unused`, in the report's language."""
    locale = _report_locale(report)
    t = i18n.translations(locale)
    tenant = report.tenant
    name = header_safe(tenant.name) or header_safe(tenant.id) or "tenant"
    summary: Summary = report.summary
    by_severity = summary.by_severity
    parts: list[str] = []
    if report.complete is False:
        parts.append(t.pgettext("mail_incomplete", "INCOMPLETE DATA"))
    counts = [_severity_count(t, sev, by_severity.get(sev, 0)) for sev in _SEVERITIES if by_severity.get(sev)]
    parts.extend(counts or [t.pgettext("mail_no_findings", "no findings")])
    unused = summary.unused_monthly_cost
    if unused is not None and unused.amount > 0:
        money = _money(unused.amount, header_safe(unused.currency, 8), locale)
        parts.append(t.pgettext("mail_unused", "{amount}/month unused", amount=money))
    return f"{SUBJECT_PREFIX} {name}: {', '.join(parts)}"


def _text_summary(report: ReportDocument) -> str:
    """A plain-text digest for when report.md was not written."""
    tenant = report.tenant
    summary: Summary = report.summary
    lines = [f"License audit of {tenant.name or tenant.id or 'tenant'}"]
    generated = "unknown" if report.generated_at is UNSET else report.generated_at
    as_of = "unknown" if report.as_of is UNSET else report.as_of
    lines.append(f"Generated at {generated}, as of {as_of}")
    if report.complete is False:
        lines.append("WARNING: the tenant data was incomplete; the findings below are not the whole picture.")
    lines.append(f"Unwaived findings: {summary.unwaived} (waived: {summary.waived})")
    lines.extend(f"  {sev}: {summary.by_severity.get(sev, 0)}" for sev in _SEVERITIES)
    for cost, label in (
        (summary.unused_monthly_cost, "Unused seats"),
        (summary.reclaimable_monthly_cost, "Reclaimable"),
    ):
        if cost is not None:
            lines.append(f"{label}: {_money(cost.amount, cost.currency)} per month")
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


def load_report(report_dir: Path) -> ReportDocument:
    """report.json of `report_dir`, read by auditor.formats.report_json (version 5 only). A folder of
    `audit --tenants` holds none: said as such (parts_of_one_run), not as a report to write."""
    found = owner(report_dir)
    if found is not None and found.kind is RunKind.FLEET:
        check_parts(report_dir, (), kinds=(RunKind.TENANT, RunKind.MERGE))  # refused, with where to look
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


def parts_of_one_run(report_dir: Path) -> Owner:
    """The run that wrote `report_dir`, when every part a message of it would carry (report.json for the
    subject, digest.txt, digest.html, report.html, findings.csv, the calendar files) is a file that run's
    run.json names with that SHA-256, and the run is a report's (one tenant's `audit` or a `merge`): else
    UsageError (exit 2), nothing sent. A roll-up of `audit --tenants`, or one run's subject with another's
    body, never goes out (auditor.common.run_record)."""
    names = ["report.json", DIGEST_TEXT, DIGEST_HTML, REPORT_NAME, *(p.name for p in _calendar_paths(report_dir))]
    csv = report_dir / ATTACHMENT_NAME
    if not csv.is_file() or csv.stat().st_size <= ZIP_OVER * 1000:  # a larger one is not read, nor sent
        names.append(ATTACHMENT_NAME)
    return check_parts(report_dir, names, kinds=(RunKind.TENANT, RunKind.MERGE))


def build_mail(report_dir: Path, *, attachment_limit: int, run_url: str | None) -> ReportMail:
    """Read report.json (required), digest.html, digest.txt, report.html and findings.csv (optional)
    from `report_dir`, each checked to be of the run that wrote report.json (parts_of_one_run).

    The digest is the body; report.html (zipped when large) and the CSV are attached when each is at
    most `attachment_limit` bytes; otherwise the bodies say where they are.
    """
    report = load_report(report_dir)
    parts_of_one_run(report_dir)
    tenant = report.tenant
    # the digest (auditor.report.digest) is the body; without it (a report written with --format json),
    # a few lines of the summary
    text = _read_optional_text(report_dir / DIGEST_TEXT) or _text_summary(report)
    document = _read_optional_text(report_dir / DIGEST_HTML)
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
        tenant_name=header_safe(tenant.name or tenant.id or ""),
    )
    mail = replace(mail, calendar=_calendar_files(report_dir))
    mail = _with_report(mail, report_dir / REPORT_NAME, attachment_limit)
    return _with_csv(mail, report_dir / ATTACHMENT_NAME, attachment_limit)


def _with_csv(mail: ReportMail, path: Path, limit: int) -> ReportMail:
    """`mail` with findings.csv attached: as it is, zipped when over ZIP_OVER bytes (a worklist of
    thousands of rows zips to about a tenth); a note instead when even the zip is over `limit`."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return mail
    attachment = Attachment(ATTACHMENT_NAME, "text/csv", b"")
    if size > ZIP_OVER * 1000:  # not read at all: far past any mail's limit even zipped
        over = replace(mail, attachment=attachment)
        return over.without_csv(f"{size / 1e6:.1f} MB is over the {limit / 1e6:.1f} MB limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    attachment = replace(attachment, data=data)
    if len(data) > ZIP_OVER:
        attachment = Attachment(f"{ATTACHMENT_NAME}.zip", "application/zip", _zipped(ATTACHMENT_NAME, data))
    if len(attachment.data) > limit:  # the note names the file the report directory holds
        over = replace(mail, attachment=replace(attachment, filename=ATTACHMENT_NAME))
        return over.without_csv(f"{len(attachment.data) / 1e6:.1f} MB is over the {limit / 1e6:.1f} MB limit")
    return replace(mail, attachment=attachment)


def _with_report(mail: ReportMail, path: Path, limit: int) -> ReportMail:
    """`mail` with the full report attached: report.html as it is, zipped when over ZIP_OVER bytes;
    a note instead when even the zip is over `limit`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return mail
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    report = Attachment(REPORT_NAME, "text/html", data)
    if len(data) > ZIP_OVER:
        report = Attachment(f"{REPORT_NAME}.zip", "application/zip", _zipped(REPORT_NAME, data))
    if len(report.data) > limit:
        over = replace(mail, report=report)
        return over.without_report(f"{len(report.data) / 1e6:.1f} MB is over the {limit / 1e6:.1f} MB limit")
    return replace(mail, report=report)


def _zipped(name: str, data: bytes) -> bytes:
    """`data` as the one file `name` of a zip archive; a fixed date, so the same report zips the same."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, data)
    return buffer.getvalue()


CALENDAR_LIMIT = 64_000  # bytes per .ics file; a renewal entry is well under 2 KB


def _calendar_paths(report_dir: Path) -> list[Path]:
    found = sorted([*report_dir.glob("renewal-*.ics"), *report_dir.glob("bill-*.ics")])
    return [p for p in found if not p.is_symlink() and p.is_file() and p.stat().st_size <= CALENDAR_LIMIT]


def _calendar_files(report_dir: Path) -> tuple[Attachment, ...]:
    """The renewal entries beside the report (renewal-*.ics) and the bill's last days to act
    (bill-*.ics, audit --billing), as text/calendar attachments."""
    found = []
    for path in _calendar_paths(report_dir):
        try:
            found.append(Attachment(path.name, "text/calendar", path.read_bytes()))
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc}") from None
    return tuple(found)


def html_or_text(mail: ReportMail) -> str:
    """The HTML body, or the text wrapped in <pre> when there is no HTML report."""
    return mail.html if mail.html is not None else _text_as_html(mail.text)
