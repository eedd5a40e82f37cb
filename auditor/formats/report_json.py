"""Reading report.json: the one reader of `plan`, `--baseline`, `merge` and `email`.

`decode_report(data, name)` reads the file's bytes once with msgspec into the typed Structs
below, so a value of the wrong type is reported with its place (`$.findings[3].severity`), and
gives the document back as plain JSON values but for its typed parts: its `summary`, `money`
and `findings` (every finding whole, with its own `policy`, `message`, `details` and
`remediation`; docs/report-format.md), and a merged report's tenants' summaries, stay the Structs
of auditor.formats.report_model, as the audit builds them.

Only version 5 is read. Versions 1 to 4 were written before the first release; such a file is
refused with a message that says to run `audit` once more (exit 2), which writes version 5.

Every problem is a UsageError that starts with the file's name. Keys this reader does not know
are not kept (a finding of a newer tool keeps what this one knows of it).
`named_products` (and `product_names_of(skus)` of a report's seat table): the names for people
that report.json's writer, its renderers and `merge` name products by.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

from auditor.common.cycles import collection_paused
from auditor.common.errors import UsageError
from auditor.data.model import Locale
from auditor.formats.report_model import Money, ReportFinding, Summary

SCHEMA_VERSION = 5  # report.json as this version writes it: each finding whole (docs/report-format.md)
READABLE_VERSIONS = (SCHEMA_VERSION,)
EARLIER_VERSIONS = (1, 2, 3, 4)  # written before the first release: audit once more to get version 5

CloudName = Literal["worldwide", "usgov", "usgov-dod", "china", "germany"]


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


class MergedTenant(Struct, kw_only=True):
    """A tenant of a merged report (`tenants`), with its own report's summary and seat table."""

    id: str
    name: str = ""
    cloud: CloudName = "worldwide"
    complete: bool
    collected_at: str | None = None
    as_of: str | None = None
    policies: list[str] = []
    summary: Summary
    skus: list[SeatRow] = []


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
    summary: Summary
    tenants: list[MergedTenant] | UnsetType = UNSET  # a merged report
    skus: list[SeatRow] = []
    license_insight: dict[str, Any] | UnsetType = UNSET  # Microsoft's own counts beside the auditor's
    account_kinds: list[dict[str, Any]] | UnsetType = UNSET  # licensed accounts that are not people, per kind
    changes: dict[str, Any] | UnsetType = UNSET  # --baseline
    trends: dict[str, Any] | UnsetType = UNSET  # nightly extras (docs/nightly.md)
    renewals: list[dict[str, Any]] | UnsetType = UNSET
    cost_allocation: dict[str, Any] | UnsetType = UNSET
    subscriptions: list[dict[str, Any]] | UnsetType = UNSET  # the bill's input (docs/bill.md)
    spare_seats: dict[str, int] | UnsetType = UNSET
    distributor: dict[str, Any] | UnsetType = UNSET  # audit --tenants: the distributor's seats (docs/msp.md)
    billing_facts: list[dict[str, Any]] | UnsetType = UNSET  # the commerce facts the bill was built from
    bill: dict[str, Any] | UnsetType = UNSET  # audit --billing
    config_problems: list[dict[str, Any]] | UnsetType = UNSET  # what the configuration says in vain
    money: Money | UnsetType = UNSET  # every amount a person reads first (docs/money.md)
    notify: dict[str, Any] | UnsetType = UNSET  # whether tonight's run speaks, and why (--notify-when)
    exchange_export: dict[str, Any] | UnsetType = UNSET  # --exchange-export: {"file", "mailboxes"}
    findings: list[ReportFinding]


# the parts of the document that stay Structs when it is given back as JSON values
# (auditor.formats.report_model): the same the audit holds in the document it builds
TYPED = (Summary, Money, ReportFinding)


class _Version(Struct):
    schema_version: Any = None


def decode_report(data: bytes | str, name: str) -> dict[str, Any]:
    """report.json's text as every reader sees it (module docstring).
    UsageError naming `name` (the file) for anything else."""
    with collection_paused():  # a tree of new objects, no cycles (auditor.common.cycles)
        out: dict[str, Any] = _plain(decode_typed(data, name))
        return out


def decode_typed(data: bytes | str, name: str) -> Report:
    """report.json's text as the typed Report."""
    try:
        head = msgspec.json.decode(data, type=_Version)
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
        report = msgspec.json.decode(data, type=Report)
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


def _plain(value: Any) -> Any:
    """A Struct as a dict of the fields it has (UNSET ones left out), a list of Structs as a
    list of such dicts, but the typed parts (TYPED) as they are; anything else as it is. The
    dicts decoded for `details`, `remediation` and the like are kept, not copied: a million
    users' report is read into memory once."""
    if isinstance(value, TYPED):
        return value
    if isinstance(value, Struct):
        return {name: _plain(v) for name in value.__struct_fields__ if (v := getattr(value, name)) is not UNSET}
    if isinstance(value, list) and value and isinstance(value[0], Struct):
        return [_plain(v) for v in value]
    return value


def named_products(parts_and_names: Iterable[tuple[object, object]]) -> dict[str, str]:
    """Part number -> the product's name for people, from a seat table's (part, name) pairs: a
    part whose name is empty, or the part number itself, is left out (it is named by its part)."""
    return {
        part: name
        for part, name in parts_and_names
        if isinstance(part, str) and isinstance(name, str) and name and name != part
    }


def product_names_of(seats: object) -> dict[str, str]:
    """named_products of a report's seat table (`skus`: each row's `name` is the policy catalog's
    name, else Microsoft's)."""
    rows = seats if isinstance(seats, list | tuple) else ()
    return named_products((row.get("sku"), row.get("name")) for row in rows if isinstance(row, Mapping))
