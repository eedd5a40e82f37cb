"""`license-auditor lists DIR... --tenants FILE`: each customer's license list, e-mailed to that
customer (docs/msp.md, "The license list to each customer").

For every tenant of the file with `list_to:`, the list its audit wrote (DIR/<key>/licensed-users.csv,
in one of the DIRs: a `--tenants` run's output folder, or the folders of its shards) goes to those
addresses: the CSV attached, the per-product summary ("Microsoft 365 E3: 203 of 204 in use") in the
body, in the tenant's language (its `locale`, else its report's). One message per customer, built from
that customer's folder alone; a list that holds a row of another tenant is not sent. Nothing is sent
to a tenant without `list_to`, and `list_to` is never taken from the file's defaults.

Exit code: 0 when every list was sent; 3 when a tenant's list (or its report) was found in no DIR, or
was refused; 4 when a message could not be sent (the others are still sent).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Sequence
from html import escape
from pathlib import Path

import msgspec

from auditor.common.errors import EXIT_COLLECTION, EXIT_DELIVERY, EXIT_OK, DeliveryError, UsageError, clean_message
from auditor.common.run_record import RunKind, check_parts
from auditor.data.model import Locale

from ..billing.psa_records import CUSTOMERS
from ..delivery.content import SUBJECT_PREFIX, Attachment, ReportMail, header_safe
from ..delivery.matrix import TenantJob, load_tenants
from ..delivery.options import Transport
from ..delivery.send import send_mail
from ..formats.report_json import decode_report
from ..formats.report_model import ReportDocument, SeatRow
from ..i18n import Translations, english_count, format_date, format_money, format_number, translations
from ..render.text import clean
from ..report import licensed_users
from ..report.view.context import product_label
from ..report.view.psa_rows import psa_lines
from ..report.view.seats import in_use_line
from .arguments import ListsOptions
from .tenant_folder import entrys_tenant


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def _folder(dirs: Sequence[Path], key: str) -> Path | None:
    """The tenant's folder holding its list, in the first DIR that has one."""
    return next((d / key for d in dirs if (d / key / licensed_users.FILE_NAME).is_file()), None)


def _product_name(sku: SeatRow) -> str:
    return clean(sku.name or sku.sku, 200)  # a catalog name is the policy's text


def summary_lines(report: ReportDocument, t: Translations, locale: Locale) -> list[str]:
    """The per-product summary the report ends with, in `locale`: a line per product with seats or uses,
    of its usable seats (the seat table's count: enabled plus in their grace period)."""
    shown = [s for s in report.skus if s.consumed or s.usable]
    return [in_use_line(t, lambda n: format_number(n, locale), _product_name(s), s) for s in shown]


class _Said:
    """What the PSA's lines need of a rendering (auditor.report.view.vendor_rows.LineContext), for the list's
    message."""

    def __init__(self, t: Translations, locale: Locale, report: ReportDocument) -> None:
        self.t, self.locale, self._names = t, locale, {s.sku: _product_name(s) for s in report.skus}

    def num(self, value: object) -> str:
        return format_number(value, self.locale) if isinstance(value, int | float) else clean(value, 40)

    def money(self, amount: object, currency: str | None) -> str:
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            return self.t.pgettext("no_price", "not priced")
        return format_money(amount, currency, self.locale)

    def product_name(self, part: str) -> str:
        return self._names.get(part) or product_label(part) or part


def billed_lines(report: ReportDocument, t: Translations, locale: Locale) -> list[str]:
    """What the customer is billed in the MSP's PSA for seats nobody holds (the three-way table's own
    money of the customer: auditor.billing.psa_records.CUSTOMERS), never the MSP's cost or margin; none
    when the PSA was not read or bills as held."""
    psa = report.psa or None
    if psa is None or psa.error or not any(f.kind in CUSTOMERS for f in psa.findings or []):
        return []
    return list(psa_lines(_Said(t, locale, report), msgspec.structs.replace(psa, mailed_to_customer=True)))


def _check_tenant(job: TenantJob, folder: Path, report: ReportDocument) -> None:
    """UsageError unless the folder's report is of the tenant `job` names: its id, or for a domain
    `tenant_id` the domain its audit found among the tenant's verified domains (report.json's
    `tenant.domain`); a report that names no domain cannot be checked, and is not sent either."""
    tenant_id, domain = report.tenant.id, report.tenant.domain
    same = entrys_tenant(job.tenant_id, tenant_id, domain)
    if same is None:
        raise UsageError(
            f"{folder}: its report names no verified domain of tenant {tenant_id}, so whether it is {job.name}'s "
            f"{job.tenant_id} could not be checked (audit it with `audit --tenants`, or give tenant_id as its GUID)"
        )
    if not same:
        of = f"{tenant_id} ({domain})" if isinstance(domain, str) else tenant_id
        raise UsageError(f"{folder}: its report is of tenant {of}, not {job.name}'s {job.tenant_id}")


def list_mail(job: TenantJob, folder: Path, locale: Locale | None) -> ReportMail:
    """The customer's message: its list attached, the summary in the body; UsageError when the list
    is not this tenant's alone, its report.json is not one `plan` and `merge` would read, or the two are
    not of the one run that wrote the folder (its run.json: auditor.common.run_record)."""
    data = (folder / licensed_users.FILE_NAME).read_bytes()
    report = decode_report((folder / "report.json").read_bytes(), str(folder / "report.json"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if not rows or tuple(rows[0]) != licensed_users.COLUMNS:
        raise UsageError(f"{folder / licensed_users.FILE_NAME}: not a license list this program wrote")
    _check_tenant(job, folder, report)
    if any(row and row[0] != job.name for row in rows[1:]):  # never another customer's rows
        raise UsageError(f"{folder / licensed_users.FILE_NAME}: holds rows of another tenant than {job.name}")
    # the list and the report the summary comes from, both of the one run that wrote the tenant's folder
    check_parts(folder, ("report.json", licensed_users.FILE_NAME), kinds=(RunKind.TENANT,))
    lang = locale or Locale(job.locale or report.locale)  # the reader refuses a locale not a Locale's
    t = translations(lang)
    day = format_date(report.as_of[:10], lang) if isinstance(report.as_of, str) and report.as_of else ""
    accounts = len(rows) - 1
    intro = t.npgettext(
        "list_mail_body",
        "Attached is the list of the {n} account of {tenant} that holds a license on {date}: its products, "
        "how it got them, and what they cost a month.",
        "Attached is the list of the {n} accounts of {tenant} that hold a license on {date}: their products, "
        "how they got them, and what they cost a month.",
        accounts,
        tenant=job.name,
        date=day,
    )
    # the file is for a spreadsheet or a script: its column names and codes stay English (native review 7, S3)
    intro += " " + t.pgettext("list_mail_columns", "The file's column names and codes are in English.")
    title = t.pgettext("in_use_title", "Licenses in use")
    lines = summary_lines(report, t, lang)
    billed = billed_lines(report, t, lang)  # the PSA's seats nobody holds: the customer's own money
    billed_title = t.pgettext("list_mail_psa_title", "Billed for seats nobody holds") if billed else ""
    more = ["", billed_title, "-" * len(billed_title), *billed] if billed else []
    text = "\n".join([intro, "", title, "-" * len(title), *lines, *more]) + "\n"
    subject = t.pgettext("list_mail_subject", "Licensed users of {tenant}, {date}", tenant=job.name, date=day)
    return ReportMail(
        subject=f"{SUBJECT_PREFIX} {header_safe(subject, 400)}",
        text=text,
        html=_html(lang, subject, intro, title, lines, (billed_title, billed) if billed else None),
        attachment=Attachment(licensed_users.FILE_NAME, "text/csv", data),
        run_url=None,
        tenant_name=job.name,
    )


def _html(
    lang: Locale,
    subject: str,
    intro: str,
    title: str,
    lines: Sequence[str],
    billed: tuple[str, Sequence[str]] | None = None,
) -> str:
    """The message's HTML body beside its text (multipart/alternative): the same words, every one of
    them escaped (the tenant's name and its products' names are the tenant's data)."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    more = ""
    if billed is not None:
        more = f"<h2>{escape(billed[0])}</h2>\n<ul>{''.join(f'<li>{escape(line)}</li>' for line in billed[1])}</ul>\n"
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang.value)}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n<body>\n<p>{escape(intro)}</p>\n"
        f"<h2>{escape(title)}</h2>\n<ul>{items}</ul>\n{more}</body></html>\n"
    )


def cmd_lists(options: ListsOptions) -> int:
    """`lists DIR... --tenants FILE`: each tenant's list to its `list_to`, nothing to the others."""
    if options.graph:  # before any tenant is read: the flags alone decide it
        raise UsageError(
            "lists: the lists are sent through SMTP (--smtp-host, --from), not Graph (--via graph, --sender): "
            "Graph's sendMail signs in to one tenant"
        )
    if not (options.smtp_host and options.email_from):
        raise UsageError("lists: give --smtp-host and --from: the lists are sent through SMTP")
    jobs = [job for job in load_tenants(Path(options.tenants)) if job.list_to]
    dirs = [Path(d) for d in options.dirs]
    locale = options.locale
    code = EXIT_OK
    for job in jobs:
        folder = _folder(dirs, job.key)
        if folder is None or not (folder / "report.json").is_file():
            _say(f"license-auditor: {job.key}: no license list in {', '.join(map(str, dirs))}: not sent")
            code = code if code == EXIT_DELIVERY else EXIT_COLLECTION
            continue
        mail_options = options.mail_to([job.list_to])
        assert mail_options is not None and mail_options.via is Transport.SMTP  # options.graph refused above
        try:
            mail = list_mail(job, folder, locale)
            if mail.attachment is not None and len(mail.attachment.data) > mail_options.effective_attachment_limit:
                raise UsageError(f"{job.key}: the list is larger than the attachment limit: not sent")
            send_mail(mail, mail_options, os.environ)
        except UsageError as exc:
            _say(f"license-auditor: {job.key}: {exc}")
            code = code if code == EXIT_DELIVERY else EXIT_COLLECTION
            continue
        except DeliveryError as exc:
            _say(f"license-auditor: {job.key}: {exc}")
            code = EXIT_DELIVERY
            continue
        sent = english_count(len(mail_options.recipients), "recipient", "recipients")
        _say(f"license-auditor: {job.key}: license list sent to {sent}")
    if not jobs:
        _say(f"license-auditor: no tenant of {options.tenants} has list_to: nothing sent")
    return code
