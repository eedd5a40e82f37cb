"""Reading report.json: the one reader of every part that reads one (`plan`, `--baseline`, `merge`, `email`,
the fleet's roll-up, `tickets`, its invoices, apply's report beside the plan); none decodes the file into a
shape of its own, however few fields it reads (tests/core/test_report_decoders.py).

`decode_report(data, name)` reads the file's bytes once with msgspec into the typed document,
auditor.formats.report_model.ReportDocument, the one the audit builds and report.json encodes: a
value of the wrong type is reported with its place (`$.findings[3].severity`), and the document
is given back as that Struct (every finding whole, with its own `policy`, `message`, `details`
and `remediation`; docs/report-format.md). The bill's changes are Microsoft's commerce only (a
distributor's and a PSA's are plan.json's): their request bodies are read as RequestBody
(auditor.formats.bill_model.Bodies with no distributor's).

Only version 5 is read. Versions 1 to 4 were written before the first release; such a file is
refused with a message that says to run `audit` once more (exit 2), which writes version 5.

Every problem is a UsageError that starts with the file's name. Keys this reader does not know
are not kept (a finding of a newer tool keeps what this one knows of it).
`named_products`: the names for people that report.json's writer, its renderers and `merge` name
products by.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import msgspec
from msgspec import Struct

from auditor.common import shapes
from auditor.common.cycles import collection_paused
from auditor.common.errors import UsageError
from auditor.data.model import Locale
from auditor.formats.bill_model import Bill, Bodies
from auditor.formats.report_model import ReportDocument

SCHEMA_VERSION = 5  # report.json as this version writes it: each finding whole (docs/report-format.md)
READABLE_VERSIONS = (SCHEMA_VERSION,)
EARLIER_VERSIONS = (1, 2, 3, 4)  # written before the first release: audit once more to get version 5


class _Version(Struct):
    schema_version: Any = None


def decode_report(data: bytes | str, name: str, kind: type[ReportDocument] = ReportDocument) -> ReportDocument:
    """report.json's text as the typed ReportDocument (module docstring), or as `kind`, a subclass of it
    that decodes less of each finding (the plan's: auditor.plan.read). UsageError naming `name` (the file)
    for anything else."""
    with collection_paused():  # a tree of new objects, no cycles (auditor.common.cycles)
        return _decode(data, name, kind)


def _decode(data: bytes | str, name: str, kind: type[ReportDocument]) -> ReportDocument:
    try:
        head = shapes.decode(data, _Version)
    except msgspec.ValidationError:  # (a kind of DecodeError: first)
        raise UsageError(f"{name}: not a license-auditor report.json (expected a JSON object)") from None
    except msgspec.DecodeError as exc:
        raise UsageError(_syntax(name, data, exc)) from None
    version = head.schema_version
    if type(version) is int and version in EARLIER_VERSIONS:
        raise UsageError(
            f"{name}: report schema_version {version} was written by a license-auditor from before "
            f"its first release, and this version reads only schema_version {SCHEMA_VERSION}; "
            "run `license-auditor audit` once more to write it again"
        )
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise UsageError(
            f"{name}: unsupported report schema_version {version!r} "
            f"(this version reads {', '.join(map(str, READABLE_VERSIONS))})"
        )
    try:
        report = shapes.decode(data, kind)
        if isinstance(report.bill, Bill):  # Microsoft's commerce changes only: their bodies are RequestBody's
            report = msgspec.structs.replace(report, bill=Bodies().bill(report.bill, "$.bill"))
    except msgspec.ValidationError as exc:
        raise UsageError(f"{name}: not a license-auditor report.json: {exc}") from None
    languages = [loc.value for loc in Locale]
    if report.locale not in languages:
        raise UsageError(
            f"{name}: locale {report.locale[:20]!r} is not one of {', '.join(languages)} "
            "(the languages a report is written in)"
        )
    return report


def _syntax(name: str, data: bytes | str, exc: msgspec.DecodeError) -> str:
    """What is wrong with text that is not JSON, with its line and column when the standard
    library's parser names them."""
    try:
        json.loads(data)
    except json.JSONDecodeError as found:
        return f"{name}:{found.lineno}:{found.colno}: not valid JSON: {found.msg}"
    except UnicodeDecodeError as found:
        return f"{name}: not UTF-8: {found}"
    return f"{name}: not valid JSON: {exc}"


def named_products(parts_and_names: Iterable[tuple[object, object]]) -> dict[str, str]:
    """Part number -> the product's name for people, from a seat table's (part, name) pairs: a
    part whose name is empty, or the part number itself, is left out (it is named by its part)."""
    return {
        part: name
        for part, name in parts_and_names
        if isinstance(part, str) and isinstance(name, str) and name and name != part
    }
