"""Writing the report files: the report document (report.json) and its HTML, Markdown and CSV renderings.

render(document, out_dir, RenderOptions(formats, locale, cloud, redact, ...), *, plan, ...) -> list[Path]
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import msgspec
import orjson
from msgspec import UNSET

from auditor.common.errors import UsageError
from auditor.common.outputs import atomic_file, atomic_text, write_bytes, write_text
from auditor.data.enums import Format
from auditor.data.model import Cloud, Locale
from auditor.formats.report_model import ReportDocument, ReportFinding, builtins
from auditor.plan.actions import Remediation
from auditor.plan.bill_view import digest_lines
from auditor.plan.compile import ChangePlan
from auditor.plan.summary import header_plan, plan_header
from auditor.report.capped import HTML, MARKDOWN, render_page
from auditor.report.chunks import in_chunks
from auditor.report.csv_report import FindingsCsv, write_csv
from auditor.report.digest import DIGEST_HTML, DIGEST_TEXT, render_digest
from auditor.report.redaction import redact_document, redaction_key
from auditor.report.view import PageContext, RowMemo
from auditor.report.view.states import PlanTruth, document_states, document_truth
from auditor.report.wording_api import Wording, default_wording

__all__ = ["ALL_FORMATS", "DIGEST_FILES", "FILE_NAMES", "RenderOptions", "dump_json", "render"]


FILE_NAMES = {
    Format.JSON: "report.json",
    Format.HTML: "report.html",
    Format.MD: "report.md",
    Format.CSV: "findings.csv",
}
ALL_FORMATS = tuple(Format)
PAGES = {Format.HTML: HTML, Format.MD: MARKDOWN}
DIGEST_FILES = (DIGEST_HTML, DIGEST_TEXT)  # written with report.html or report.md: the e-mail's body


def dump_json(document: ReportDocument) -> bytes:
    """report.json text, the encoding of the ReportDocument (auditor.formats.report_model): its
    fields that are not UNSET, in the Struct's order. The
    top level is indented by two spaces as `json.dumps(indent=2, ensure_ascii=False)` writes it,
    except that each finding is one line of compact JSON (a million users' findings would
    otherwise be mostly indentation). Written by orjson (the standard library's encoder is pure
    Python when indenting; docs/performance.md), each Struct as its fields (`builtins`). Money is
    rounded to cents, so no float reaches the exponent forms where the two would differ; anything
    orjson refuses goes through the standard library."""
    try:
        return b"".join(_json_pieces(document))
    except TypeError:
        return _stdlib_json(document)


def _top_level(document: ReportDocument) -> list[tuple[str, Any]]:
    """The document's top-level keys and values as report.json writes them: its fields that are
    not UNSET, in the Struct's order."""
    fields = ((name, getattr(document, name)) for name in document.__struct_fields__)
    return [(name, value) for name, value in fields if value is not UNSET]


def _stdlib_json(document: ReportDocument) -> bytes:
    items = _top_level(document)
    pieces = []
    for i, (key, value) in enumerate(items):
        pieces.append(("{\n  " if i == 0 else ",\n  ") + json.dumps(key) + ": ")
        if key in _ONE_LINE and isinstance(value, list) and value:
            pieces.append(
                "[\n    "
                + ",\n    ".join(
                    json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=builtins) for item in value
                )
                + "\n  ]"
            )
        else:
            pieces.append(json.dumps(value, indent=2, ensure_ascii=False, default=builtins).replace("\n", "\n  "))
    pieces.append("\n}\n")
    return "".join(pieces).encode("utf-8")


# top-level lists written one compact item per line
_ONE_LINE = frozenset(("findings",))


# a list of findings -> report.json's lines of them, a chunk at a time (each chunk's lines joined
# by ",\n    ", as _one_line joins them)
FindingLines = Callable[[list[Any]], Iterable[bytes]]


def _json_pieces(document: ReportDocument, findings: FindingLines | None = None) -> Iterator[bytes]:
    """dump_json in pieces (one per top-level value, list item or chunk of findings), so that the
    report of a million users is never written from one large buffer. TypeError: orjson refuses a
    value. `findings`: gives the findings' lines (each finding with its remediation worked out)."""
    for i, (key, value) in enumerate(_top_level(document)):
        yield (b"{\n  " if i == 0 else b",\n  ") + orjson.dumps(key) + b": "
        if isinstance(value, list) and value:
            if key == "findings" and findings is not None:
                lines = findings(value)
            elif key in _ONE_LINE:
                lines = (orjson.dumps(item, default=builtins) for item in value)
            else:
                lines = (_indented(item, 4) for item in value)
            for j, line in enumerate(lines):
                yield (b"[\n    " if j == 0 else b",\n    ") + line
            yield b"\n  ]"
        else:
            yield _indented(value, 2)
    yield b"\n}\n"


def _one_line(items: Iterable[Any]) -> bytes:
    return b",\n    ".join(orjson.dumps(item, default=builtins) for item in items)


def _indented(value: Any, depth: int) -> bytes:
    return orjson.dumps(value, default=builtins, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + b" " * depth)


def _write(path: Path, text: str, encoding: str) -> None:
    try:
        write_text(path, text, encoding=encoding)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write report: {exc.strerror or exc}") from None


def _write_json(
    path: Path,
    document: ReportDocument,
    remediation: Remediation | None = None,
    workers: int = 1,
    truth: Mapping[str, PlanTruth] | None = None,
) -> None:
    """report.json written piece by piece (a chunk of findings at a time): never one buffer of the
    whole file. `remediation`: works out the remediation of each finding that carries none (an
    audit's document), as the finding is written; it is dropped once written. `workers`: processes
    that work the chunks out (auditor.report.chunks). `truth`: each finding's `state`, the plan's."""
    complete = _completer(remediation, truth)

    def lines(chunk: Sequence[ReportFinding]) -> bytes:
        return _one_line(map(complete, chunk) if complete is not None else chunk)

    try:
        try:
            write_bytes(path, _json_pieces(document, partial(in_chunks, work=lines, workers=workers)))
        except TypeError:
            write_bytes(path, [_stdlib_json(_completed(document, remediation, truth))])
    except OSError as exc:
        raise UsageError(f"{path}: cannot write report: {exc.strerror or exc}") from None


def _completer(
    remediation: Remediation | None, truth: Mapping[str, PlanTruth] | None = None
) -> Callable[[ReportFinding], ReportFinding] | None:
    """What a finding is written as: with its remediation worked out when it carries none, and with
    its `state` in the plan (`truth`: the one state every file shows; a report without a plan has none)."""
    if remediation is None and truth is None:
        return None

    def complete(finding: ReportFinding) -> ReportFinding:
        changes: dict[str, Any] = {}
        if remediation is not None and finding.remediation is None:
            changes["remediation"] = remediation(finding)
        if truth is not None:
            state = truth.get(finding.id)
            changes["state"] = UNSET if state is None else state.json()
        return msgspec.structs.replace(finding, **changes) if changes else finding

    return complete


def _completed(
    document: ReportDocument, remediation: Remediation | None, truth: Mapping[str, PlanTruth] | None = None
) -> ReportDocument:
    """`document` with every finding's remediation worked out (for the standard library's encoder)."""
    complete = _completer(remediation, truth)
    if complete is None:
        return document
    return msgspec.structs.replace(document, findings=[complete(f) for f in document.findings])


def _write_json_and_csv(
    json_path: Path,
    csv_path: Path,
    document: ReportDocument,
    remediation: Remediation,
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    workers: int = 1,
    truth: Mapping[str, PlanTruth] | None = None,
) -> None:
    """report.json and findings.csv in one pass over the findings, a chunk at a time: each
    finding's remediation is worked out once, written to both files and dropped. `workers`:
    processes that work the chunks out (auditor.report.chunks). Both files are written atomically
    (auditor.common.outputs): a failure leaves the last run's files as they were and no temporary file."""
    complete = _completer(remediation, truth)
    assert complete is not None
    try:
        try:
            with atomic_file(json_path) as json_out, atomic_text(csv_path, encoding="utf-8-sig") as csv_out:
                rows = FindingsCsv(
                    csv_out,
                    document,
                    locale=locale,
                    cloud=cloud,
                    wording=wording,
                    stored_remediation=True,
                    truth=truth,
                )

                def lines(
                    chunk: Sequence[ReportFinding],
                ) -> tuple[bytes, str]:  # the chunk's report.json lines and CSV rows
                    whole = [complete(f) for f in chunk]
                    return _one_line(whole), rows.rows(whole)

                def findings(items: list[ReportFinding]) -> Iterator[bytes]:
                    for json_lines, csv_rows in in_chunks(items, lines, workers=workers):
                        rows.write(csv_rows)
                        yield json_lines

                json_out.writelines(_json_pieces(document, findings))
                rows.flush()
        except TypeError:  # a value orjson refuses: the standard library's encoder, one file after the other
            whole = _completed(document, remediation, truth)
            write_bytes(json_path, [_stdlib_json(whole)])
            write_csv(
                whole, csv_path, locale=locale, cloud=cloud, wording=wording, stored_remediation=True, truth=truth
            )
    except OSError as exc:
        raise UsageError(f"{json_path} and {csv_path.name}: cannot write report: {exc.strerror or exc}") from None


def _shown(document: ReportDocument, redact: bool, redact_key: bytes | None) -> ReportDocument:
    """The document as report.html, report.md and findings.csv show it: pseudonymised with --redact."""
    if not redact:
        return document
    key = redact_key or redaction_key(os.environ, document.tenant.id)
    return redact_document(document, key)


def _write_csv(
    document: ReportDocument,
    path: Path,
    *,
    locale: Locale,
    cloud: Cloud,
    wording: Wording,
    stored: bool,
    truth: Mapping[str, PlanTruth] | None = None,
) -> None:
    try:
        write_csv(document, path, locale=locale, cloud=cloud, wording=wording, stored_remediation=stored, truth=truth)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write report: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class RenderOptions:
    """How a report is written, the same for every document of a run.

    - `formats`: the files to write (report.json, report.html, report.md, findings.csv).
    - `locale`: language and number/date format of every label, message and remediation text.
    - `cloud`: which cloud's remediation steps to show; None: the document's tenant cloud.
    - `redact`: pseudonymise people in report.html, report.md and findings.csv (report.json is
      always written as is: it is the machine record that `--baseline` reads). `redact_key`
      defaults to `redaction_key(os.environ, tenant id)`.
    - `wording`: the remediation catalog; None: `auditor.wording`.
    - `workers`: processes that work out report.json's and findings.csv's findings a chunk at a
      time (auditor.report.chunks); more than one only where no other thread runs (an audit alone).
    """

    formats: Sequence[Format | str] = ALL_FORMATS
    locale: Locale = Locale.EN
    cloud: Cloud | None = None
    redact: bool = False
    redact_key: bytes | None = None
    wording: Wording | None = None
    workers: int = 1


def render(
    document: ReportDocument,
    out_dir: Path,
    options: RenderOptions = RenderOptions(),
    *,
    plan: ChangePlan | None = None,
    headlines: Sequence[str] = (),
    remediation: Remediation | None = None,
) -> list[Path]:
    """Write the files `options` asks for (RenderOptions) into `out_dir` and return their paths (in Format order).

    - `document`: the report document (after `compare` when a baseline is given).
    - `plan`: the document's plan for the header line and each finding's state in every file
      (auditor.plan.summary.header_plan) when the caller has compiled it; else it is compiled here.
    - `headlines`: the digest's lines from the bill and the migration plan (money now, within a
      year, the next deadline), one each, when the caller has compiled them.
    - `remediation`: for a document whose findings carry no remediation yet (an audit's: see
      auditor.report.document.FindingRemediation): report.json gets each finding's as it is
      written, in one pass with findings.csv when both are asked for; the other files work out
      what they show themselves.

    With HTML or Markdown, the digest is written too: digest.html and digest.txt, the e-mail's body.

    Raises UsageError when a file cannot be written.
    """
    locale, redact, workers = options.locale, options.redact, options.workers
    wanted = {Format(f) if isinstance(f, str) else f for f in options.formats}
    cloud = options.cloud if options.cloud is not None else Cloud(document.tenant.cloud)
    wording = options.wording
    catalog = wording if wording is not None else default_wording()
    shown = _shown(document, redact, options.redact_key)

    out_dir.mkdir(parents=True, exist_ok=True)
    readable = bool(wanted & {Format.HTML, Format.MD})
    # the plan, compiled once for the header line and each finding's state (every file: one state per
    # finding, the plan's), from the real document: `plan` plans that one (the pseudonyms only rename people)
    if plan is None:
        plan = header_plan(document, remediation)
    plan_line = plan_header(document, locale, plan) if readable else ""
    states = document_states(document, plan, locale, shown if redact else None) if readable else None
    truth = document_truth(document, plan) if wanted & {Format.JSON, Format.CSV} else None
    # the finding rows, built once for the HTML and the Markdown
    context = PageContext(locale, cloud, catalog, redact, plan_line, states, RowMemo())
    written: list[Path] = []
    # Redaction rewrites the stored remediation by text; the pseudonymised subject gives it exactly.
    stored = wording is None and not redact
    together = remediation is not None and stored and {Format.JSON, Format.CSV} <= wanted
    for fmt in ALL_FORMATS:
        if fmt not in wanted:
            continue
        path = out_dir / FILE_NAMES[fmt]
        if fmt is Format.JSON and together:
            assert remediation is not None
            _write_json_and_csv(
                path,
                out_dir / FILE_NAMES[Format.CSV],
                document,
                remediation,
                locale=locale,
                cloud=cloud,
                wording=catalog,
                workers=workers,
                truth=truth,
            )
        elif fmt is Format.JSON:
            _write_json(path, document, remediation, workers, truth)
        elif fmt is Format.CSV and together:
            pass  # written with report.json
        elif fmt in PAGES:
            page = render_page(PAGES[fmt], shown, context)
            _write(path, page, "utf-8")
        else:
            _write_csv(shown, path, locale=locale, cloud=cloud, wording=catalog, stored=stored, truth=truth)
        written.append(path)
    if readable:  # the e-mail's body (auditor.delivery): a digest of the report beside it
        # the bill's money and deadlines (audit --billing), then the migration plan's (audit --migration)
        digest_html, digest_text = render_digest(
            shown,
            locale=locale,
            cloud=cloud,
            wording=catalog,
            plan_line=plan_line,
            states=states,
            headlines=headlines,
            bill=digest_lines(document, locale),
            redacted=redact,
        )
        for name, text in ((DIGEST_HTML, digest_html), (DIGEST_TEXT, digest_text)):
            _write(out_dir / name, text, "utf-8")
            written.append(out_dir / name)
    return written
