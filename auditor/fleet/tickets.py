"""`tickets DIR --tenants FILE --psa <a PSA of the registry> [--yes]`: one service ticket per finding the
MSP chooses, in the PSA --psa names (docs/msp.md, "Findings as tickets"), from an `audit --tenants` run's
folder; how each PSA keys, finds, opens and notes a ticket is its desk's (auditor.vendors.protocols.TicketDesk:
auditor/vendors/<name>/tickets.py, each PSA of auditor.vendors.registry.PSAS):

    for each tenant of the file whose `psa:` block names a company in that PSA (and, for a PSA that
    requires it, where its tickets go: its desk's where_key, a board or a queue):
        its report.json's open findings (not waived), those of --rule (any, when none is given) at
        --severity or above (high by default)
        one ticket each, keyed by the finding's id ("license-auditor:<id>": in a field of another
        system's reference, or at the end of its summary); before each POST, the company's open tickets
        of that key are read again: an open ticket found is that finding's, and nothing is added
        an open ticket of ours whose finding tonight's report no longer has is not closed: a note says
        so, once (a ticket that has our note gets no second one)
    for a tenant whose block names an existing `ticket`: each chosen finding is a note on it, once,
    and no ticket is opened (the ticket must be open and the company's)

The ticket's summary is the rule's title and the finding's subject (a product by its name, as the
report's seat table gives it), its description the finding's message as the report words it and where it
comes from, all in the language of the tenant's report (the customer's); report.json's own `message` is
the engine's English, and is said only for a finding whose rule this version does not know. Without
--yes nothing is written: each ticket and note is said as it would be made (a dry run). With --yes each
write goes through apply's write-ahead path (auditor.apply.write_engine.written, on journal.LineFile: a
new file of whole lines, each fsync'ed): a "sending" line before the request is sent, then its outcome
("done", "failed", or "unknown" when no answer came), in DIR/tickets-<UTC time>.jsonl (--journal:
another file); a journal that cannot take a line stops the run naming whether the request went out.

The file selects, the report decides: the tenant and the PSA's company a customer's tickets are filed
under are those its report.json names (`tenant.id`, `psa.company_id`: what its audit read from Graph and
from the PSA), and each must be the one its tenants entry names (`tenant_id`, `psa.<psa>.company_id`). An
entry that names another (a company id edited since the audit, a folder of another customer) would file
the customer's findings, and the names of its users, under another company, and note "close it" on that
company's tickets: nothing is filed or noted for it. And since report.json carries the tenants file's own
word, the company is proven the tenant's by the PSA's record of it (auditor.vendors.mappings): the mapping the
MSP confirmed, kept in DIR/mappings.json (the first time, a run with --yes keeps it); a company that another
tenant's mapping names, a tenant whose confirmed company is another, or a company the PSA now names otherwise
gets nothing filed or noted.

A customer whose report or whose PSA cannot be read, whose entry names no board or queue, or whose
report is not of the tenant and company its entry names, is that customer's gap, said in one line
(naming both values and their fields); the others go on, and the exit code is 3 (else 0).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec
from msgspec import UNSET, Struct, UnsetType

from auditor.billing.psa_records import PsaSection
from auditor.common.errors import EXIT_COLLECTION, EXIT_OK, UsageError, clean_message, console_line
from auditor.data.enums import Locale, Severity
from auditor.data.finding_facts import FindingFactsError
from auditor.formats.report_json import decode_report, named_products
from auditor.formats.report_model import ReportDocument, ReportFinding

from .. import wording
from ..apply import write_engine
from ..apply.journal import LineFile, default_path, now
from ..delivery.matrix import TenantJob, read_tenants_file
from ..i18n import format_date, translations
from ..reference import product_names
from ..vendors.mappings import Book
from ..vendors.protocols import KEY_PREFIX, Filing, PsaError, TicketDesk
from ..vendors.registry import NAMES, PSAS
from .arguments import TENANTS_DIR, TicketsOptions
from .tenant_folder import entrys_tenant

SUMMARY_MAX = 100  # ConnectWise's Ticket.summary: at most 100 characters (the summary of every PSA's)
DESCRIPTION_MAX = 4000  # our bound on what a ticket's description carries
_NOTHING = "nothing is filed or noted for it"


class Sent(Struct, frozen=True):
    method: str
    path: str
    body: object  # the PSA's ticket or note (auditor.fleet.ticket_desk)


class JournalLine(Struct, frozen=True, omit_defaults=True):
    """One line of the tickets journal, the fields in the order written: which write, then its outcome."""

    at: str
    n: int
    tenant: str
    kind: str  # ticket | note
    key: str  # the ticket's externalXRef
    company: int | UnsetType = UNSET  # a ticket's
    ticket: int | UnsetType | None = UNSET  # a note's
    request: Sent | UnsetType = UNSET  # the "sending" line's
    outcome: str = ""
    status: int | UnsetType | None = UNSET
    id: object = UNSET  # "done": the new record's id as the answer gives it (an int, else as said)
    note: str | UnsetType = UNSET  # "failed", "unknown": why


def _say(text: str) -> None:
    print(clean_message(text), file=sys.stderr)


def _severity_name(severity: str, locale: Locale) -> str:
    t = translations(locale)
    names = {
        "critical": t.pgettext("severity_critical", "Critical"),
        "high": t.pgettext("severity_high", "High"),
        "medium": t.pgettext("severity_medium", "Medium"),
        "low": t.pgettext("severity_low", "Low"),
    }
    return names.get(severity, severity)


def _subject(finding: ReportFinding, names: Mapping[str, str]) -> str:
    """Who or what the finding is about: a user by UPN, a product by its name (not its part number): the
    report's, else Microsoft's table's (a product the tenant holds no subscription of)."""
    subject = finding.subject
    sku = (names.get(subject.sku) or product_names().product(None, subject.sku) or subject.sku) if subject.sku else None
    for value in (subject.upn, subject.display_name, sku, subject.id):
        if value is not None and value.strip():
            return console_line(value)[:60]
    return ""


def _message(finding: ReportFinding, locale: Locale, names: Mapping[str, str]) -> str:
    """The finding's message as the report words it in `locale` (auditor.wording, from its subject,
    products and details); a finding whose facts are out of shape keeps report.json's (English) one."""
    try:
        return wording.message(finding.rule, finding, locale=locale, names=names)
    except (FindingFactsError, KeyError):
        return finding.message or ""


def texts(
    finding: ReportFinding,
    locale: Locale,
    audited: str,
    names: Mapping[str, str] | None = None,
    *,
    as_note: bool = False,
) -> tuple[str, str]:
    """(summary, description) of a finding's ticket, in `locale`: the rule's title and the subject (at
    most SUMMARY_MAX characters), then the finding's message as the report words it and where it comes
    from. `names`: part number -> product name (the report's seat table, `products_named`). `as_note`:
    the description is a note on a ticket the tenants entry names, so it promises no ticket of its own."""
    names = names or {}
    rule = finding.rule
    title = wording.title(rule, locale)
    subject = _subject(finding, names)
    summary = f"{title}: {subject}" if subject else title
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    t = translations(locale)
    said = {
        "tool": "license-auditor",
        "date": format_date(audited, locale),
        "title": title,
        "severity": _severity_name(finding.severity, locale),
        "id": finding.id,
    }
    if as_note:
        found = t.pgettext(
            "ticket_noted",
            "{tool} found this in the audit of {date}: {title} ({severity}), finding {id}. "
            "While the finding stays open, it is not noted again.",
            **said,
        )
    else:
        found = t.pgettext(
            "ticket_found",
            "{tool} found this in the audit of {date}: {title} ({severity}), finding {id}. "
            "While the finding stays open, no second ticket is opened for it.",
            **said,
        )
    message = console_line(_message(finding, locale, names))  # it names its subject
    description = "\n\n".join(part for part in (message, found) if part)
    return summary, description[:DESCRIPTION_MAX]


def resolved_note(locale: Locale, audited: str) -> str:
    """The note on a ticket whose finding the latest audit no longer reports (it closes nothing)."""
    t = translations(locale)
    said = t.pgettext(
        "ticket_resolved",
        "The audit of {date} no longer reports this finding. The ticket is not closed automatically: "
        "close it once the change is confirmed.",
        date=format_date(audited, locale),
    )
    return f"{KEY_PREFIX} {said}"


def products_named(report: ReportDocument) -> dict[str, str]:
    """Part number -> the product's name for people, from the report's seat table (as its report.md)."""
    return named_products((row.sku, row.name) for row in report.skus)


def choose(found: Sequence[ReportFinding], rules: Sequence[str], severity: Severity) -> list[ReportFinding]:
    """The open findings (not waived) of `rules` (any when empty) at `severity` or above."""
    chosen = []
    for finding in found:
        if finding.waived:
            continue
        try:
            level = Severity.parse(finding.severity)
        except KeyError:
            continue
        if level >= severity and (not rules or finding.rule in rules):
            chosen.append(finding)
    return sorted(chosen, key=lambda f: f.id)


@dataclass
class Session:
    """One run's PSA desk, journal and tallies."""

    desk: TicketDesk
    journal: LineFile | None
    write: bool
    book: Book | None = None  # the mappings the MSP confirmed (DIR/mappings.json): each company proven by them
    opened: int = 0
    found: int = 0
    noted: int = 0
    failed: int = 0

    def _line(self, what: JournalLine, **outcome: object) -> None:
        if self.journal is not None:
            self.journal.append(msgspec.structs.replace(what, at=now(), n=self.journal.lines + 1, **outcome))

    def send(self, what: JournalLine, path: str, body: object) -> int | None:
        """POST `body` at `path` through the engine's one write-ahead path (write_engine.written): `what`
        (which write, for whom) journaled `sending` before the call, then its outcome; the new record's id
        (-1 when the answer names none), None when it failed."""
        client = self.desk.client
        made: list[tuple[int | None, object]] = []  # what the answer names: the record's id, the id journaled

        def line(outcome: str, note: str, status: int | None) -> None:
            if outcome == "sending":
                self._line(what, request=Sent("POST", path, body), outcome=outcome)
            elif outcome == "done":
                self._line(what, outcome=outcome, status=status, id=made[0][1])
            else:
                self._line(what, outcome=outcome, status=status, note=note)

        def call() -> write_engine.Sent:
            try:
                answer = client.request("POST", path, body=msgspec.to_builtins(body))
                doc = client.decode(answer.body, f"POST {path}")
                record = self.desk.made(doc)
                made.append((record, record if record is not None else doc_id(doc)))
                return write_engine.Sent("done", status=answer.status)
            except PsaError as exc:
                outcome = "failed" if exc.status is not None and exc.status < 500 else "unknown"
                return write_engine.Sent(outcome, str(exc)[:300], exc.status, shown=str(exc))

        sent = write_engine.written(
            line, call, not_sent=lambda: f"{what.tenant}: {what.kind} {what.key} was not sent", lost=_lost(what)
        )
        if sent.outcome == "done":
            record = made[0][0]
            return record if record is not None else -1
        self.failed += 1
        _say(f"  {what.tenant}: {what.kind} {what.key}: {sent.outcome}: {sent.shown}")
        return None


def _lost(what: JournalLine) -> Callable[[write_engine.Sent], str]:
    """What a run that could not journal a write's outcome says: the write went out, and how it ended."""

    def said(sent: write_engine.Sent) -> str:
        ended = {"done": "was MADE", "failed": "was refused by the PSA", "unknown": "has an unknown outcome"}
        return (
            f"{what.tenant}: {what.kind} {what.key} {ended[sent.outcome]}, and its journal line says only "
            "'sending' (the next run reads the PSA's tickets again before it writes)"
        )

    return said


def doc_id(doc: object) -> object:
    """The answer's `id` as it gives it (journaled as said), UNSET when it gives none."""
    return doc.get("id", UNSET) if isinstance(doc, dict) else UNSET


def _ticket(session: Session, job: TenantJob, company: int, where: str, chosen: Filing) -> None:
    """The finding's ticket: found open by its key (re-read at the call), else opened (with --yes)."""
    desk = session.desk
    if desk.find(company, chosen.key):
        session.found += 1
        return
    path, body = desk.new_ticket(company, where, chosen)
    if not session.write:
        _say(f"  {job.key}: would open a ticket in “{where}”: {chosen.summary}" if where else
             f"  {job.key}: would open a ticket: {chosen.summary}")  # fmt: skip
        _say(_shown(chosen.description))
        session.opened += 1
        return
    what = JournalLine(at="", n=0, tenant=job.key, kind="ticket", key=chosen.key, company=company)
    made = session.send(what, path, body)
    if made is not None:
        session.opened += 1
        _say(f"  {job.key}: opened ticket {made}: {chosen.summary}")


def _shown(text: str) -> str:
    """A ticket's or note's text as a dry run prints it: every line, indented under the line that names
    it, so the person reads what `--yes` would write (native review 9, E18)."""
    return "\n".join(f"      {line}" for line in text.splitlines() if line.strip())


def _note(session: Session, job: TenantJob, ticket: int, key: str, text: str, prefix: str = KEY_PREFIX) -> bool | None:
    """A note on an open ticket, once: a ticket that has a note starting with `prefix` gets none (None);
    whether one was added (or would be, in a dry run)."""
    desk = session.desk
    if desk.noted(ticket, prefix):
        return None
    first = text.strip().splitlines()[0] if text.strip() else ""
    if not session.write:
        _say(f"  {job.key}: would add a note to ticket {ticket}: {first}")
        _say(_shown(text))
        session.noted += 1
        return True
    what = JournalLine(at="", n=0, tenant=job.key, kind="note", key=key, ticket=ticket)
    path, body = desk.new_note(ticket, text)
    if session.send(what, path, body) is not None:
        session.noted += 1
        _say(f"  {job.key}: noted on ticket {ticket}: {first}")
        return True
    return False


def _on_existing(session: Session, job: TenantJob, company: int, ticket: int, chosen: Sequence[Filing]) -> str | None:
    """The tenants entry names an existing ticket (`ticket`): each chosen finding is a note on it, once
    (its note starts with the finding's key), no ticket is opened; the ticket must be open and the
    company's, else nothing is noted (the customer's gap)."""
    if not session.desk.is_open(ticket, company):
        return f"its psa names ticket {ticket}, which is not an open ticket of company {company}: {_NOTHING}"
    for one in chosen:
        if session.desk.find(company, one.key):  # the finding has its own ticket: that one is its
            session.found += 1
            continue
        text = f"{one.key} {one.summary}\n\n{one.description}"
        if _note(session, job, ticket, one.key, text, prefix=f"{one.key} ") is None:
            session.found += 1
    return None


def _domain(report: ReportDocument) -> str | None:
    """The verified domain the report's audit found for its tenant (None: none was given as a domain)."""
    domain = report.tenant.domain
    return domain if isinstance(domain, str) else None


def _other_customer(job: TenantJob, report: ReportDocument, psa: str, company: int) -> str | None:
    """Why the report is not of the customer the tenants entry names (its tenant, its company in the PSA
    `psa`), naming both values and their fields; None when it is."""
    tenant = report.tenant
    same = entrys_tenant(job.tenant_id, tenant.id, _domain(report))
    read_id = console_line(tenant.id)[:40] or "(none)"
    if same is None:
        return (
            f"report.json's tenant.id {read_id} names no verified domain, so whether it is the "
            f"tenants file's tenant_id {job.tenant_id} could not be checked: {_NOTHING}"
        )
    if not same:
        return f"report.json's tenant.id {read_id} is not the tenants file's tenant_id {job.tenant_id}: {_NOTHING}"
    read = report.psa if isinstance(report.psa, PsaSection) else None
    named = f"the tenants file's psa.{psa}.company_id {company}"
    if read is None or not read.psa:
        return f"report.json has no psa (its audit read no PSA company), so {named} is not confirmed: {_NOTHING}"
    if read.psa != psa:
        return f"report.json's psa is {console_line(read.psa)[:20]} company {read.company_id}, not {named}: {_NOTHING}"
    if read.company_id != company:
        return f"report.json's psa.company_id {read.company_id} is not {named}: {_NOTHING}"
    return None


def _unproven(session: Session, job: TenantJob, report: ReportDocument, company: int) -> str | None:
    """Why the company is not proven the tenant's by the PSA's own record (auditor.vendors.mappings: the
    mapping the MSP confirmed, kept in DIR; report.json carries the tenants file's word, so it proves
    nothing), else None. The first time, a run that writes keeps the mapping."""
    if session.book is None:
        return None
    named = (job.tenant_id, report.tenant.id, _domain(report) or "")
    desk = session.desk
    why = session.book.prove(desk.psa, desk.client, str(company), named, keep=session.write, since=now())
    why = why or session.book.save()  # a mapping kept the first time: written before anything is filed
    return f"{why}: {_NOTHING}" if why else None


def _customer(session: Session, job: TenantJob, root: Path, options: TicketsOptions) -> str | None:
    """The customer's tickets and notes; why it could not be done (its gap), else None."""
    desk = session.desk
    block = json.loads(job.psa).get(desk.psa) if job.psa else None
    if not isinstance(block, dict):
        return None  # not a customer of this PSA: not this run's
    where = str(block.get(desk.where_key) or "")
    ticket = block.get("ticket")
    if not where and desk.where_required and ticket is None:
        return f"its psa.{desk.psa} names no {desk.where_key}: where its tickets go is not guessed"
    try:
        report = decode_report((root / job.key / "report.json").read_bytes(), "its report.json")
    except OSError as exc:
        return f"its report.json could not be read ({type(exc).__name__})"
    except UsageError as exc:  # not JSON, not a report, or of a version this one does not read: said by the reader
        return str(exc)
    company = int(block["company_id"])
    mismatch = _other_customer(job, report, desk.psa, company) or _unproven(session, job, report, company)
    if mismatch:
        return mismatch
    locale = Locale(report.locale)  # one of Locale's: the reader refuses another
    audited = next((at for at in (report.as_of, report.generated_at) if isinstance(at, str) and at), "")
    found = report.findings
    names = products_named(report)
    chosen = [
        Filing(
            f.id,
            f"{KEY_PREFIX}{f.id}",
            *texts(f, locale, audited, names, as_note=ticket is not None),
            f.severity,
            _upn(f),
        )
        for f in choose(found, options.rules, options.severity)
    ]
    current = {f"{KEY_PREFIX}{f.id}" for f in found}
    try:
        if ticket is not None:  # the entry names the ticket its findings go to (as notes)
            return _on_existing(session, job, company, int(ticket), chosen)
        for one in chosen:
            _ticket(session, job, company, where, one)
        for ticket_id, key in desk.ours(company):
            if key not in current:
                _note(session, job, ticket_id, key, resolved_note(locale, audited))
    except PsaError as exc:
        return str(exc)
    return None


def _upn(finding: ReportFinding) -> str:
    """The user a finding is about (its subject's UPN), "" for a product or a group."""
    subject = finding.subject
    return console_line(subject.upn or "")[:200] if subject is not None and subject.type == "user" else ""


def cmd_tickets(options: TicketsOptions) -> int:
    """`tickets`: every customer of the file in the PSA --psa names, its chosen findings as tickets."""
    if options.demo:
        return _demo(options)
    if not options.dir or not options.tenants:
        raise UsageError("tickets: give DIR and --tenants FILE, or --demo to try it on `audit --demo --tenants`")
    if options.psa is None:  # a customer's tickets go to the PSA the MSP names, never one guessed
        raise UsageError(f"tickets: give --psa {'|'.join(PSAS)}, the PSA the tickets go to")
    return _run(options, read_tenants_file(Path(options.tenants)).jobs, Path(options.dir))


def _demo(options: TicketsOptions) -> int:
    """`tickets --demo`: a sample customer's findings of `audit --demo --tenants` (its folder, DIR or
    reports/tenants) as tickets in the sample MSP's PSA, served by a stand-in: which sample customer's
    findings go to which PSA is the demo's (auditor.demo's TICKETS, its first PSA the default). Its tickets
    are kept between runs (DIR/demo-<psa>.json), so a second `tickets --demo --yes` finds the first one's."""
    from .. import demo  # the stand-in: only this demo loads it

    customers: Mapping[str, str] = demo.TICKETS  # the demo's PSA -> the sample customer whose tickets go there
    psa = options.psa or next(iter(customers))
    key = customers.get(psa)
    if key is None:
        named = " and ".join(NAMES[p] for p in customers)
        raise UsageError(f"tickets --demo: the demo's PSAs are {named}, not {psa}")
    root = Path(options.dir or TENANTS_DIR)
    report = root / key / "report.json"
    if not report.is_file():
        raise UsageError(f"tickets --demo: {report} is missing: run `audit --demo --tenants` first")
    tenant_id = decode_report(report.read_bytes(), str(report)).tenant.id
    with demo.psa_tickets(psa, root) as (url, keys, block):
        job = TenantJob(key, key.title(), tenant_id, "", "worldwide", "", "", "", "", psa=block)
        return _run(replace(options, psa=psa, endpoint=url, env=keys), [job], root)


def _run(options: TicketsOptions, jobs: Sequence[TenantJob], root: Path) -> int:
    assert options.psa is not None  # given, or the demo's
    psa = PSAS[options.psa]  # the --psa choices: the PSAs whose tickets are filed (desk)
    env = options.env if options.env is not None else os.environ
    psa.credentials(env)  # UsageError: exit 2
    if not root.is_dir():
        raise UsageError(f"tickets: {root} is not a folder of `audit --tenants`")
    journal = None
    if options.yes:
        path = Path(options.journal) if options.journal else default_path(root, "tickets")
        journal = LineFile(path, "the tickets journal")
    gaps = 0
    desk = psa.desk(env, options.endpoint)
    assert desk is not None  # the --psa choices are the PSAs with a desk
    with desk.client:
        session = Session(desk, journal, options.yes, Book.load(root))
        for job in jobs:
            gap = _customer(session, job, root, options)
            if gap:
                gaps += 1
                _say(f"  {job.key}: no tickets: {gap}")
    if journal is not None:
        journal.close()
    verb = "opened" if options.yes else "to open"
    where = f"; journal {journal.path}" if journal is not None else " (a dry run: give --yes to write them)"
    _say(
        f"license-auditor: tickets {verb}: {session.opened}, already open: {session.found}, "
        f"notes: {session.noted}, failed: {session.failed}{where}"
    )
    return EXIT_COLLECTION if gaps or session.failed else EXIT_OK
