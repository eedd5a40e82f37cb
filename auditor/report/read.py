"""Reading report.json: the one reader of `plan`, `--baseline`, `merge` and `email`.

`decode_report(data, name)` reads the file's bytes once with msgspec into the typed Structs
below, so a value of the wrong type is reported with its place (`$.findings[3].severity`), and
gives the document back as plain JSON values in the shape of version 5 whatever the version of
the file: every finding whole, with its own `policy`, `message`, `details` and `remediation`.
`schema_version` stays the file's (version 1 has no per-finding calls: `plan` says so).

Older versions are brought to that shape here, and only here:
- 1 and 2 carry each finding whole already (1 has `remediation.graph_action`, kept as it is);
- 3 stores each distinct remediation text once in `remediations`, as a template in which
  `{user}` and `{user_ref}` stand for the finding's subject (`{{` and `}}` for braces), and each
  finding has `"remediation": {"ref": key}`;
- 4 also stores each finding's policy, message and the details about how the user holds the
  products once in `shared`, and the finding names its block with `"shared": key`.
docs/report-format.md describes version 5, and how versions 3 and 4 read.

Every problem is a UsageError that starts with the file's name. Keys this reader does not know
are not kept (a finding of a newer tool keeps what this one knows of it).
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

from auditor.errors import UsageError
from auditor.guidance.facts import subject_label, subject_ref

SCHEMA_VERSION = 5  # report.json as this version writes it: each finding whole (docs/report-format.md)
READABLE_VERSIONS = (1, 2, 3, 4, 5)

Severity = Literal["critical", "high", "medium", "low"]
Change = Literal["new", "persisting", "resolved", "unverified"]
CloudName = Literal["worldwide", "usgov", "usgov-dod", "china", "germany"]


class Subject(Struct, kw_only=True):
    type: str
    id: str
    upn: str | UnsetType | None = UNSET
    sku: str | UnsetType | None = UNSET
    display_name: str | UnsetType | None = UNSET


class Finding(Struct, kw_only=True):
    """One finding; the fields in the order report.json writes them."""

    id: str
    rule: str
    severity: Severity
    policy: str | UnsetType | None = UNSET  # version 4: in its block of `shared`
    shared: str | UnsetType = UNSET  # version 4 only: the key of its block
    subject: Subject
    skus: list[str] = []
    message: str | UnsetType = UNSET  # version 4: in its block of `shared`
    details: dict[str, Any] = {}
    monthly_cost: float | None = None
    waived: bool = False
    waiver: dict[str, Any] | None = None
    remediation: dict[str, Any] | None = None  # version 3 and 4: {"ref": key of `remediations`}
    tenant: dict[str, Any] | UnsetType | None = UNSET  # a merged report: where it was found
    change: Change | UnsetType = UNSET  # --baseline
    first_seen: str | UnsetType | None = UNSET  # --baseline
    cause: dict[str, Any] | UnsetType | None = UNSET  # --baseline --causes


class Tenant(Struct, kw_only=True):
    id: str
    name: str = ""
    cloud: CloudName = "worldwide"


class SeatRow(Struct, kw_only=True):
    """A row of the seat table (`skus`)."""

    sku: str
    sku_id: str
    enabled: int = 0
    suspended: int = 0
    warning: int = 0
    locked_out: int = 0
    consumed: int = 0
    unused: int = 0
    capability_status: str | None = None
    free: bool = False
    price_monthly: float | None = None
    currency: str | None = None
    unused_monthly_cost: float | None = None
    trial: int = 0
    name: str | None = None


class Block(Struct):
    """Version 4: what findings share."""

    policy: str | None = None
    message: str = ""
    details: dict[str, Any] = {}


class Report(Struct, kw_only=True):
    """report.json; the top-level keys in the order report.json writes them."""

    schema_version: int
    tool: dict[str, Any] | UnsetType = UNSET
    tenant: Tenant
    generated_at: str | UnsetType | None = UNSET
    as_of: str | UnsetType | None = UNSET
    collected_at: str | UnsetType | None = UNSET
    policies: list[str] = []
    locale: str = "en"
    complete: bool
    gaps: list[dict[str, Any]] = []
    not_evaluated: list[dict[str, Any]] = []
    warnings: list[str] = []
    summary: dict[str, Any]
    tenants: list[dict[str, Any]] | UnsetType = UNSET  # a merged report
    skus: list[SeatRow] = []
    changes: dict[str, Any] | UnsetType = UNSET  # --baseline
    trends: dict[str, Any] | UnsetType = UNSET  # nightly extras (docs/nightly.md)
    renewals: list[dict[str, Any]] | UnsetType = UNSET
    cost_allocation: dict[str, Any] | UnsetType = UNSET
    subscriptions: list[dict[str, Any]] | UnsetType = UNSET  # the bill's input (docs/bill.md)
    spare_seats: dict[str, int] | UnsetType = UNSET
    bill: dict[str, Any] | UnsetType = UNSET  # audit --billing
    remediations: dict[str, dict[str, Any]] | UnsetType = UNSET  # versions 3 and 4
    shared: dict[str, Block] | UnsetType = UNSET  # version 4
    findings: list[Finding]


class _Version(Struct):
    schema_version: Any = None


def decode_report(data: bytes | str, name: str) -> dict[str, Any]:
    """report.json's text as every reader sees it: version 5's shape (module docstring).
    UsageError naming `name` (the file) for anything else."""
    with _no_cycle_collection():
        return document_of(decode_typed(data, name), name)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused: a report is a tree of new objects (no cycles to
    find), and the collector would walk the growing heap again and again while it is built
    (for 4,641 findings: 2 to 4 s of the 4 to 5 s it takes to read, against 1 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_typed(data: bytes | str, name: str) -> Report:
    """report.json's text as the typed Report, versions 3 and 4 not yet brought to version 5."""
    try:
        head = msgspec.json.decode(data, type=_Version)
    except msgspec.ValidationError:  # (a kind of DecodeError: first)
        raise UsageError(f"{name}: not a license-auditor report.json (expected a JSON object)") from None
    except msgspec.DecodeError as exc:
        raise UsageError(_syntax(name, data, exc)) from None
    version = head.schema_version
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise UsageError(f"{name}: unsupported report schema_version {version!r} "
                         f"(this version reads {', '.join(map(str, READABLE_VERSIONS))})")
    try:
        return msgspec.json.decode(data, type=Report)
    except msgspec.ValidationError as exc:
        raise UsageError(f"{name}: not a license-auditor report.json: {exc}") from None


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


def document_of(report: Report, name: str) -> dict[str, Any]:
    """The typed report as plain JSON values in version 5's shape (module docstring)."""
    if report.shared is not UNSET:
        _expand_shared(report, report.shared, name)
    elif any(f.shared is not UNSET for f in report.findings):
        raise UsageError(f"{name}: findings name blocks of `shared`, but the report has no `shared`")
    if report.schema_version in (3, 4):
        _fill_templates(report, report.remediations or {}, name)
    for i, f in enumerate(report.findings):
        if f.message is UNSET:
            raise UsageError(f"{name}: not a license-auditor report.json: Object missing required field "
                             f"`message` - at `$.findings[{i}]`")
        if f.policy is UNSET:
            f.policy = None
    report.remediations = report.shared = UNSET
    out: dict[str, Any] = _plain(report)
    return out


def _plain(value: Any) -> Any:
    """A Struct as a dict of the fields it has (UNSET ones left out), a list of Structs as a
    list of such dicts; anything else as it is. The dicts decoded for `details`, `remediation`
    and the like are kept, not copied: a million users' report is read into memory once."""
    if isinstance(value, Struct):
        return {name: _plain(v) for name in value.__struct_fields__ if (v := getattr(value, name)) is not UNSET}
    if isinstance(value, list) and value and isinstance(value[0], Struct):
        return [_plain(v) for v in value]
    return value


def _expand_shared(report: Report, table: Mapping[str, Block], name: str) -> None:
    """Version 4: each finding's policy, message and shared details back from its block."""
    for i, f in enumerate(report.findings):
        if f.shared is UNSET:
            continue
        block = table.get(f.shared)
        if block is None:
            raise UsageError(f"{name}: findings[{i}].shared: {f.shared[:40]!r} is not a block of `shared`")
        f.policy, f.message = block.policy, block.message
        # a finding's own details never repeat its block's; written in key order
        f.details = dict(sorted({**block.details, **f.details}.items()))
        f.shared = UNSET


def _fill_templates(report: Report, table: Mapping[str, Any], name: str) -> None:
    """Versions 3 and 4: each finding's remediation filled in from the template it refers to."""
    for f in report.findings:
        remediation = f.remediation
        if remediation is None or "ref" not in remediation:
            continue  # none, or inline as versions 1 and 2 write it
        ref = remediation["ref"]
        if set(remediation) != {"ref"} or not isinstance(ref, str):
            raise UsageError(f"{name}: finding {f.id!r}: remediation must be null or "
                             "{\"ref\": <key of remediations>}")
        if ref not in table:
            raise UsageError(f"{name}: finding {f.id!r}: remediation.ref {ref!r} names no entry of remediations")
        subject = msgspec.to_builtins(f.subject)
        f.remediation = _fill(table[ref], {"{{": "{", "}}": "}", "{user}": subject_label(subject),
                                           "{user_ref}": subject_ref(subject)})


_TOKEN = re.compile(r"\{\{|\}\}|\{user\}|\{user_ref\}")


def _fill(value: Any, values: dict[str, str]) -> Any:
    """A version 3 template with its placeholders replaced, in one pass (keys included)."""
    if isinstance(value, str):
        return _TOKEN.sub(lambda m: values[m.group(0)], value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {_fill(k, values): _fill(v, values) for k, v in value.items()}
    return value
