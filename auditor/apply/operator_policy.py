"""What a write is judged by comes from the operator, never from the plan file (docs/plan-and-apply.md, "The
policy and the filters are yours").

plan.json records the policy files its report was audited under (`policy_sha256`: each file's SHA-256) and
the filters `plan` was asked for (`filters`). Both are written by a run, so both can be edited on their way
to apply: a plan pointed at a policy of its own, or with its filters cleared, would be compiled again under
what it names and agree with itself. apply therefore takes the policy (--policies, as audit does) and the
filters (--rules, --min-severity, --findings, as plan does) from its own command line, compiles again under
those, and refuses (exit 2) a plan whose record differs: each policy file that differs, is missing or is
extra is named, and so are both sets of filters. A plan is never narrowed to the intersection: a plan made
for other rules than the ones reviewed is not the plan that was reviewed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from auditor.common.errors import UsageError

from ..formats.plan_json import PlanFile, PlanFileError
from ..formats.plan_records import Filters
from ..policyset.load import expand_paths

DEFAULT_POLICIES = "policies"  # audit's default, and so apply's


def operator_digests(given: Sequence[str]) -> dict[str, str]:
    """Each policy file of --policies (`given`; none: policies/) with the SHA-256 of its bytes, keyed as audit
    records it in report.json (the path as given, a directory's *.yaml inside it)."""
    paths = list(given or [DEFAULT_POLICIES])
    if missing := [p for p in paths if not Path(p).exists()]:
        raise UsageError(
            f"--policies: {missing[0]} does not exist: give apply the policy files audit was given (the plan is "
            "compiled again under them)"
        )
    out: dict[str, str] = {}
    for path in expand_paths(paths):
        try:
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise UsageError(f"--policies: {path} cannot be read ({exc.strerror or exc})") from None
    return out


def policy_differences(recorded: Mapping[str, str], given: Mapping[str, str]) -> list[str]:
    """What sets the policy files the plan was audited under (`recorded`) apart from the operator's (`given`),
    one phrase a file; none when both hold the same bytes. A file is paired with one of the same path, else
    with one of the same bytes (the same policy read from another folder)."""
    plan = {os.path.normpath(f): d for f, d in recorded.items()}
    mine = {os.path.normpath(f): d for f, d in given.items()}
    for file in [f for f in plan if mine.get(f) == plan[f]]:
        del plan[file], mine[file]
    for file, digest in list(plan.items()):
        twin = next((f for f, d in mine.items() if d == digest), None)
        if twin is not None:
            del plan[file], mine[twin]
    said = [
        f"{f} differs (SHA-256 {plan[f][:12]}… in the plan, {mine[f][:12]}… given)" for f in sorted(plan) if f in mine
    ]
    said += [f"{f} is missing (the plan was audited under it)" for f in sorted(plan) if f not in mine]
    said += [f"{f} is extra (given, not among the plan's)" for f in sorted(mine) if f not in plan]
    return said


def check_policies(plan: PlanFile, given: Mapping[str, str], flag: str = "--policies") -> None:
    """Refuse (PlanFileError, exit 2) a plan recorded under other policy files than the operator's."""
    if said := policy_differences(dict(plan.policy_sha256), given):
        raise PlanFileError(
            f"{plan.path}: policy_sha256: the plan was audited under other policy files than {flag} gives: "
            + "; ".join(said)
            + f". apply judges only under your policy files: give {flag} as audit was given it, or audit and plan "
            "again"
        )


def check_filters(plan: PlanFile, given: Filters) -> None:
    """Refuse (PlanFileError, exit 2) a plan made for other findings than the filters apply was given."""
    if _meaning(plan.filters) != _meaning(given):
        raise PlanFileError(
            f"{plan.path}: filters: the plan was made for {describe(plan.filters)}, but apply was given "
            f"{describe(given)}: give apply the --rules, --min-severity and --findings the plan was made and "
            "reviewed with, or plan again"
        )


def describe(filters: Filters) -> str:
    """The findings a plan is made for, in words: 'every open finding', or each filter."""
    rules, severity, findings = _meaning(filters)
    parts = [
        *([f"rules {', '.join(sorted(rules))}"] if rules is not None else []),
        *([f"findings at or above {severity}"] if severity is not None else []),
        *([f"findings {', '.join(sorted(findings))}"] if findings is not None else []),
    ]
    return "; ".join(parts) if parts else "every open finding"


def _meaning(
    filters: Filters,
) -> tuple[frozenset[str] | None, str | None, frozenset[str] | None]:
    """What the filters select: order and repeats of ids do not count, nor a minimum of the lowest severity."""
    severity = (filters.min_severity or "").lower() or None
    return (
        frozenset(filters.rules) if filters.rules is not None else None,
        None if severity == "low" else severity,
        frozenset(filters.findings) if filters.findings is not None else None,
    )
