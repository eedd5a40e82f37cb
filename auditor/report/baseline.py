"""Comparing a report with the previous run's report.json (`--baseline`).

Findings are matched on their stable `id`. `compare` returns a copy of the current document in
which every finding carries `change` ("new" or "persisting") and `first_seen` (carried forward
from the baseline, so it stays the date of the run that first reported it), and the document
carries `changes`:

    {"baseline_generated_at": "...", "baseline_as_of": "...",
     "new": 3, "persisting": 9,
     "resolved":   [previous findings no longer reported, each with change = "resolved"],
     "unverified": [previous findings of rules this run did not evaluate, change = "unverified"]}

A previous finding whose rule was not evaluated this time (see `not_evaluated`), or whose judgement a
gap hid while the rule was evaluated on the rest (a `not_evaluated` entry with `only`: the findings whose
details hold one of its values, a room mailbox the places listing alone names), or that names
products while this run has a gap in the tenant's products (subscribedSkus), is not counted as
resolved: an incomplete run cannot show that a problem went away.

A finding keeps its identity when its products change: one of two products removed gives it a
new id, yet it is the same problem on the same subject (rule, user or subscription), so it is
matched to the earlier one, "persisting" with `trend` "better" (fewer products) or "worse" (more
products, or a higher severity), and `changes` counts both. Fewer products is no new finding.

Resolved and unverified findings keep the remediation they had (each finding carries its own
in report.json version 5, the only one auditor.formats.report_json reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from auditor.common.errors import UsageError
from auditor.common.outputs import PREVIOUS
from auditor.common.timestamps import timestamp_or_none
from auditor.formats.report_json import READABLE_VERSIONS, decode_report
from auditor.formats.report_model import BaselineChanges, ReportDocument, ReportFinding


def _check(document: ReportDocument, name: str) -> None:
    """A report document in memory (the current run's, or a baseline read by load_baseline)."""
    version = document.schema_version
    if version not in READABLE_VERSIONS:
        raise UsageError(
            f"{name}: unsupported report schema_version {version!r} "
            f"(expected one of {', '.join(map(str, READABLE_VERSIONS))})"
        )
    for f in document.findings:
        first_seen = f.first_seen
        if first_seen is not None and first_seen is not msgspec.UNSET and not _is_time(first_seen):
            raise UsageError(
                f"{name}: finding {f.id!r}: first_seen {str(first_seen)[:40]!r} is not an ISO-8601 "
                "date-time (it is carried into the new report as the date the finding was first seen)"
            )


def _is_time(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 40 and timestamp_or_none(value) is not None


LAST_RUN = "previous"  # `--baseline previous`: the last report of the run's own output folder


def last_report(output_dir: Path) -> Path | None:
    """`--baseline previous`: the report.json the last run left in `output_dir` (read before this run
    moves it to previous/), else the one in output_dir/previous/ (a run that stopped before its
    reports had already moved it there); None on the first run."""
    for path in (output_dir / "report.json", output_dir / PREVIOUS / "report.json"):
        if path.is_file():
            return path
    return None


def load_baseline(path: Path) -> ReportDocument:
    """Read and check a previous report.json; problems raise UsageError naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline report not found") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read baseline report: {exc.strerror or exc}") from None
    document = decode_report(data, str(path))
    _check(document, str(path))
    return document


_SEVERITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def _rank(finding: ReportFinding) -> int:
    return _SEVERITY.get(finding.severity, 0)


def _subject(finding: ReportFinding) -> tuple[str, str, str]:
    subject = finding.subject
    return (finding.rule, subject.type, subject.id.lower())


def _same_subject(
    finding: ReportFinding, earlier: Mapping[str, ReportFinding], seen: set[str]
) -> tuple[ReportFinding | None, Literal["better", "worse"] | None]:
    """The earlier finding of the same rule on the same subject, not matched yet, whose products
    contain this one's (better: some went) or are contained in them (worse: some came)."""
    key, skus = _subject(finding), set(finding.skus)
    if not key[2] or not skus:
        return None, None
    for fid, before in earlier.items():
        if fid in seen or _subject(before) != key:
            continue
        was = set(before.skus)
        if skus < was:
            return before, "better"
        if was < skus:
            return before, "worse"
    return None, None


def _gone(
    earlier: Mapping[str, ReportFinding], seen: set[str], current: ReportDocument, baseline_time: Any
) -> tuple[list[ReportFinding], list[ReportFinding]]:
    """The earlier findings this run does not report: resolved, or unverified when their rule was
    not evaluated this time, or when they name products and this run could not read the tenant's
    products whole (a subscribedSkus gap: a product it lacks is named by its skuId, which gives a
    finding another id)."""
    not_evaluated = {n.rule for n in current.not_evaluated if n.only is msgspec.UNSET}
    hidden = [(n.rule, n.only) for n in current.not_evaluated if n.only is not msgspec.UNSET]
    no_products = any(g.part == "subscribedSkus" for g in current.gaps)
    resolved: list[ReportFinding] = []
    unverified: list[ReportFinding] = []
    for fid, finding in earlier.items():
        if fid in seen:
            continue
        unknown = (
            finding.rule in not_evaluated
            or any(rule == finding.rule and _holds(finding.details, only) for rule, only in hidden)
            or (no_products and bool(finding.skus))
        )
        gone = msgspec.structs.replace(
            finding, first_seen=finding.first_seen or baseline_time, change="unverified" if unknown else "resolved"
        )
        (unverified if gone.change == "unverified" else resolved).append(gone)
    return resolved, unverified


def _holds(details: Mapping[str, object], only: Mapping[str, list[str]]) -> bool:
    """Whether a finding's details hold, under each key, one of the values a gap hid the judgement of."""
    return all(str(details.get(key, "")).lower() in {v.lower() for v in values} for key, values in only.items())


def compare(previous: ReportDocument, current: ReportDocument) -> ReportDocument:
    """Annotate a copy of `current` with what changed since `previous` (see the module docstring).

    Raises UsageError when either is not a report document or they describe different tenants.
    """
    _check(previous, "baseline report")
    _check(current, "current report")
    prev_tenant = previous.tenant.id.lower()
    cur_tenant = current.tenant.id.lower()
    if prev_tenant and cur_tenant and prev_tenant != cur_tenant:
        raise UsageError(f"baseline report is for tenant {prev_tenant}, this run is for tenant {cur_tenant}")

    # a finding is first seen as of the audit that found it (its as_of, the clock the rules used), as
    # the report is dated: the time it was written may be weeks later (a saved snapshot, the demo)
    baseline_time = _value(previous.as_of) or _value(previous.generated_at)
    now = _value(current.as_of) or _value(current.generated_at)
    earlier: dict[str, ReportFinding] = {}
    for finding in previous.findings:
        # matched by id: an id names one finding; two different ones under one id are refused, not
        # one of them silently taken for both
        same = earlier.setdefault(finding.id, finding)
        if same is not finding and same != finding:
            raise UsageError(f"baseline report: two different findings have the id {finding.id!r}")

    # each finding copied at its top level, where `change` and `first_seen` go; what it holds is
    # shared with `current`, not copied (each finding carries its whole remediation)
    current_findings = current.findings
    seen: set[str] = {f.id for f in current_findings if f.id in earlier}
    new = persisting = better = worse = 0
    findings = []
    for finding in current_findings:
        before = earlier.get(finding.id)
        trend: Literal["better", "worse"] | None = None
        if before is None:  # the same problem with other products keeps its identity
            before, trend = _same_subject(finding, earlier, seen)
            if before is not None:
                seen.add(before.id)
        elif _rank(finding) > _rank(before):
            trend = "worse"
        if before is None:
            finding = msgspec.structs.replace(finding, change="new", first_seen=now)
            new += 1
        else:
            finding = msgspec.structs.replace(
                finding, change="persisting", first_seen=before.first_seen or baseline_time
            )
            persisting += 1
            if trend is not None:
                finding = msgspec.structs.replace(finding, trend=trend)
                better += trend == "better"
                worse += trend == "worse"
        findings.append(finding)
    resolved, unverified = _gone(earlier, seen, current, baseline_time)
    changes = BaselineChanges(
        baseline_generated_at=_value(previous.generated_at),
        baseline_as_of=_value(previous.as_of),
        new=new,
        persisting=persisting,
        better=better,
        worse=worse,
        resolved=resolved,
        unverified=unverified,
    )
    return msgspec.structs.replace(current, findings=findings, changes=changes)


def _value(value: str | msgspec.UnsetType | None) -> str | None:
    """A time of the document; None where it has none."""
    return None if value is msgspec.UNSET else value
