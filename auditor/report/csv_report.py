"""findings.csv: the worklist, one row per finding (every finding: no cap).

A partial report's worklist opens with one row per rule not evaluated (severity "incomplete",
the reason in `message`), so it never passes for the complete list.

Column names are stable identifiers (scripts filter on them) and `rule`/`severity` keep their
machine values; `message` and `remediation` are in the report locale. `actions` counts the
finding's Graph calls (`remediation.actions` in report.json); `actions_ready` counts the calls
`license-auditor plan` makes for the finding, and `action_method`, `action_path` and `action_body`
are the first of them (empty when the plan holds the finding back); `state` is the finding's
state in that plan (`ready`, `in_part`, `declaration`, `person`; empty for a waived finding),
as report.json's `state`, report.html and report.md show it. The file is UTF-8 with a byte-order
mark so spreadsheet programs read non-ASCII names correctly.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any, TypedDict

from msgspec import UNSET

from auditor import i18n
from auditor.common.outputs import atomic_text
from auditor.data.finding_facts import Holding
from auditor.data.model import Cloud, Locale
from auditor.data.remediation_json import ActionJson
from auditor.formats.report_json import named_products
from auditor.formats.report_model import ReportDocument, ReportFinding, Summary
from auditor.guidance.remediation import DIRECTORY_OBJECTS
from auditor.render.text import clean
from auditor.report.view.states import PlanTruth
from auditor.report.wording_api import Wording, directory_objects

COLUMNS = (
    "id",
    "rule",
    "severity",
    "subject_type",
    "subject",
    "display_name",
    "subject_id",
    "account_kind",
    "skus",
    "assigned_by_group",
    "policy",
    "waived",
    "waiver_reason",
    "waiver_owner",
    "waiver_expires",
    "monthly_cost",
    "currency",
    "change",
    "first_seen",
    "message",
    "remediation",
    "actions",
    "actions_ready",
    "action_method",
    "action_path",
    "action_body",
    "state",
)

# A cell a spreadsheet would evaluate as a formula (OWASP "CSV injection"): = + - @ tab CR.
# What makes a spreadsheet read a cell as a formula, full-width forms included (Excel folds
# U+FF1D etc. to their ASCII forms); leading whitespace does not stop it, so it is skipped first.
_FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Excel opens a CSV with the list separator of the computer's regional settings: `;` in the
# Netherlands, Denmark, Sweden and Turkey, `,` elsewhere. Where this file's `,` is not the
# separator, a `;` inside a cell (which the csv writer leaves unquoted) starts a new cell; so a
# formula character after a `;` or `,` (blanks between) starts a formula there too.
_SEGMENT_FORMULA = re.compile(r"([;,]\s*)(?=[" + re.escape("".join(_FORMULA_START)) + "])")
_CELL_LIMIT = 32_000  # Excel's cell limit is 32,767 characters


def guard_cell(value: str) -> str:
    """Tenant text that would start a formula gets an apostrophe, shown but not evaluated: at the
    cell's start, and after each `;` or `,` that a list separator of another country would make
    the start of a cell ("direct; =cmd" -> "direct; '=cmd")."""
    value = _SEGMENT_FORMULA.sub(r"\1'", value)
    if value.startswith(("\t", "\r")) or value.lstrip().startswith(_FORMULA_START):
        return "'" + value
    return value


_UNSAFE_START = frozenset(_FORMULA_START) | {"\t", "\r"}


def _text(value: object) -> str:
    # the usual cell (printable, short, not starting with a formula character or blank, no formula
    # character after a `;` or `,`) as it is; anything else through clean and guard_cell
    if (
        type(value) is str
        and value.isprintable()
        and len(value) <= _CELL_LIMIT
        and not (value[:1] in _UNSAFE_START or value[:1].isspace())
        and not _SEGMENT_FORMULA.search(value)
    ):
        return value
    return guard_cell(clean(value, _CELL_LIMIT))


def safe_cell(value: object) -> str:
    """A cell of tenant text as every CSV the auditor writes holds it: printable, bounded, never a formula."""
    return _text(value)


def _groups(holding: Holding) -> str:
    by_group = holding.assigned_by_group
    parts = []
    for sku in sorted(by_group):
        groups = by_group[sku] or []
        parts.append(f"{sku}: {', '.join(str(g) for g in groups)}" if groups else f"{sku}: direct")
    return "; ".join(parts)


INCOMPLETE = "incomplete"  # severity value of the rows that say the report is incomplete


def _incomplete_rows(document: ReportDocument, locale: Locale) -> Iterable[list[str]]:
    """Rows that open the worklist of a partial report: one per rule not evaluated (or per gap
    when no rule is listed), so the CSV never reads as a complete list of problems."""
    blank = dict.fromkeys(COLUMNS, "")
    not_evaluated = document.not_evaluated
    for item in not_evaluated:
        reason = item.reason
        row = {
            **blank,
            "rule": _text(item.rule),
            "severity": INCOMPLETE,
            "policy": _text(item.policy),
        }
        row["message"] = _text(
            i18n.translations(locale).pgettext(
                "csv_not_evaluated", "Rule not evaluated, so this report is incomplete: {reason}", reason=reason
            )
        )
        yield [row[c] for c in COLUMNS]
    if not_evaluated:
        return
    for gap in document.gaps:
        row = {**blank, "severity": INCOMPLETE, "action_path": _text(gap.request)}
        message = i18n.translations(locale).pgettext(
            "csv_gap",
            "Tenant data could not be read, so this report is incomplete: {part}: {reason}",
            part=gap.part,
            reason=gap.reason,
        )
        row["message"] = _text(message)
        yield [row[c] for c in COLUMNS]


class PlannedCall(TypedDict, total=False):
    """The call a row shows: a report action's, or the plan's first for the finding."""

    method: str
    path: str
    body: dict[str, object] | None


class _Rows:
    """The worklist row of one finding at a time (report.json's writer hands findings.csv each
    finding as it writes it, with its remediation: auditor.report.write)."""

    def __init__(
        self,
        document: ReportDocument,
        locale: Locale,
        cloud: Cloud,
        wording: Wording,
        reuse: bool,
        truth: Mapping[str, PlanTruth] | None = None,
    ) -> None:
        self.locale, self.cloud, self.wording, self.truth = locale, cloud, wording, truth
        self.objects = directory_objects(cloud)
        self.known = frozenset(wording.ALL_RULE_IDS)
        summary: Summary = document.summary
        unused = summary.unused_monthly_cost
        self.currency = unused.currency if unused is not None else ""
        self.reuse = reuse and document_remediation_matches(document, locale, cloud)
        self.names = named_products((row.sku, row.name) for row in document.skus)

    def row(self, finding: ReportFinding) -> list[str]:
        locale, cloud, wording, names, currency = self.locale, self.cloud, self.wording, self.names, self.currency
        rule = finding.rule
        subject = finding.subject
        stored = finding.remediation
        found = finding
        if rule in self.known:
            message = wording.message(rule, found, locale=locale, names=names)
            if self.reuse and stored is not None:
                remediation = stored
            else:
                remediation = wording.remediation(rule, found, cloud=cloud, locale=locale, names=names)
        else:
            message = finding.message
            remediation = stored or {}
        actions = remediation.get("actions") or []
        ready, action, state = self._planned(finding, actions)
        body = action.get("body")
        waiver = finding.waiver if finding.waived else None
        cost = finding.monthly_cost
        kind = subject.type
        return [
            _text(finding.id),
            _text(rule),
            _text(finding.severity),
            _text(kind),
            _text(subject.upn or subject.sku or subject.id),
            _text(subject.display_name or ""),
            _text(subject.id),
            _text(subject.kind or ""),
            _text("; ".join(found.skus)),
            _text(_groups(found.holding)),
            _text(finding.policy),
            "true" if finding.waived else "false",
            _text(waiver.reason if waiver is not None else ""),
            _text(waiver.owner if waiver is not None else ""),
            _text(waiver.expires if waiver is not None else ""),
            "" if not isinstance(cost, int | float) else f"{cost:.2f}",
            _text(currency if isinstance(cost, int | float) else ""),
            _text("" if finding.change is UNSET else finding.change),
            _text(finding.first_seen if isinstance(finding.first_seen, str) else ""),
            _text(message),
            _text(remediation.get("summary", "")),
            str(len(actions)),
            str(ready),
            _text(action.get("method", "")),
            _text(action.get("path", "")),
            _text("" if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True)),
            state,
        ]

    def _planned(self, finding: ReportFinding, actions: list[ActionJson]) -> tuple[int, PlannedCall, str]:
        """(how many calls run, the first of them, the finding's state): the plan's, when the report has
        one (auditor.report.view.states.PlanTruth: the state every file shows); else the finding's own
        ready calls (a report without a plan)."""
        if self.truth is None:
            ready = [a for a in actions if a.get("ready") is True]
            return len(ready), (ready[0] if ready else {}), ""
        truth = self.truth.get(finding.id)
        if truth is None:  # waived: the plan leaves it alone
            return 0, {}, ""
        if not truth.calls:
            return 0, {}, truth.state
        first = truth.calls[0]
        body = first.body
        ref = body.get("@odata.id") if body is not None else None
        if body is not None and isinstance(ref, str) and ref.startswith(DIRECTORY_OBJECTS):
            body = {**body, "@odata.id": self.objects + ref.removeprefix(DIRECTORY_OBJECTS)}
        return (
            len(truth.calls),
            PlannedCall(method=first.method, path=first.path, body=None if body is None else dict(body)),
            truth.state,
        )


def document_remediation_matches(document: ReportDocument, locale: Locale, cloud: Cloud) -> bool:
    """Whether the remediation stored in the document's findings is what the catalog would
    give for `locale` and `cloud` (build_document wrote it for the document's own locale and
    tenant cloud), so renderers can show it instead of computing it again."""
    return document.locale == locale.value and document.tenant.cloud == cloud.value


def render_csv(
    document: ReportDocument,
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    stored_remediation: bool = False,
    truth: Mapping[str, PlanTruth] | None = None,
) -> str:
    """The CSV text (RFC 4180, CRLF line ends, header row first), without the byte-order mark.

    A partial report (gaps / not_evaluated) starts with rows whose severity is "incomplete".
    `stored_remediation`: the findings' `remediation` came from `wording` (as build_document
    writes it); it is used as is when the document's locale and cloud are `locale` and `cloud`,
    instead of being computed again (the costliest part of a large worklist). `truth`: each finding
    as the document's plan has it (auditor.report.view.states.document_truth), which the calls and
    the state follow; None: each finding's own ready calls, no state."""
    buffer = io.StringIO()
    _write_rows(buffer, document, locale, cloud, wording, stored_remediation, truth)
    return buffer.getvalue()


def write_csv(
    document: ReportDocument,
    path: Path,
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    stored_remediation: bool = False,
    truth: Mapping[str, PlanTruth] | None = None,
) -> None:
    """render_csv's text written to `path` (UTF-8 with a byte-order mark, as Excel expects) row by
    row, never held whole in memory (findings.csv of a million users is tens of MB)."""
    with atomic_text(path, encoding="utf-8-sig") as out:
        _write_rows(out, document, locale, cloud, wording, stored_remediation, truth)


def _writer(out: IO[str]) -> Any:
    """The worklist's CSV writer (RFC 4180: CRLF line ends)."""
    return csv.writer(out, lineterminator="\r\n")


class FindingsCsv:
    """findings.csv written into `out` one finding at a time: the header and the rows of a partial
    report at once, then a row per `add(finding)`; `flush()` at the end. Rows are made into text a
    thousand at a time and written at once: a write per row through the file's encoder costs a
    third again of what the csv writer does."""

    def __init__(
        self,
        out: IO[str],
        document: ReportDocument,
        *,
        locale: Locale,
        cloud: Cloud,
        wording: Wording,
        stored_remediation: bool = False,
        truth: Mapping[str, PlanTruth] | None = None,
    ) -> None:
        self._out = out
        self._buffer = io.StringIO()
        self._writer = _writer(self._buffer)
        self._writer.writerow(COLUMNS)
        self._writer.writerows(_incomplete_rows(document, locale))
        self._rows = _Rows(document, locale, cloud, wording, stored_remediation, truth)
        self._pending = 0

    def add(self, finding: ReportFinding) -> None:
        self._writer.writerow(self._rows.row(finding))
        self._pending += 1
        if self._pending == 1000:
            self.flush()

    def rows(self, findings: Iterable[ReportFinding]) -> str:
        """The rows `add` would write for `findings`, as text (a chunk worked out in another
        process: auditor.report.chunks); `write` writes it."""
        buffer = io.StringIO()
        _writer(buffer).writerows(self._rows.row(f) for f in findings)
        return buffer.getvalue()

    def write(self, rows: str) -> None:
        """Rows that `rows` made, after those added so far."""
        self.flush()
        self._out.write(rows)

    def flush(self) -> None:
        self._out.write(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()
        self._pending = 0


def _write_rows(
    out: IO[str],
    document: ReportDocument,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    stored_remediation: bool,
    truth: Mapping[str, PlanTruth] | None = None,
) -> None:
    rows = FindingsCsv(
        out, document, locale=locale, cloud=cloud, wording=wording, stored_remediation=stored_remediation, truth=truth
    )
    for finding in document.findings:
        rows.add(finding)
    rows.flush()
